/**
 * The types of the channel API for the shapes specs/ does not have: an address parameter
 * with an enum, a Kafka key with an enum, two messages on one operation (a union, and a
 * handler discriminated by message), an operation id that is not an identifier, and a
 * channel Herald cannot route. Compiled by tsc under the strictest settings, with lines that
 * must fail (`@ts-expect-error` fails the build when the line compiles); then run against a
 * transport that records what it is handed.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ingest } from '../../src/contracts/ingest.js';
import { generateSdk } from '../../src/sdk/generate.js';

const dir = mkdtempSync(path.join(tmpdir(), 'herald-channel-types-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CONTRACT = `
asyncapi: 3.0.0
info: { title: Fleet, version: 1.0.0 }
servers:
  k: { host: 'kafka:9092', protocol: kafka }
  w: { host: 'live.example.com', protocol: ws }
channels:
  positions:
    address: 'fleet.{region}.positions'
    servers: [{ $ref: '#/servers/k' }]
    parameters:
      region: { enum: [eu, us] }
    messages:
      Moved:
        payload: { type: object, required: [lat], properties: { lat: { type: number } } }
        bindings: { kafka: { key: { type: string, enum: [truck, van] } } }
      Parked:
        headers: { type: object, required: [x-driver], properties: { x-driver: { type: string } } }
        payload: { type: object, required: [spot], properties: { spot: { type: string } } }
        bindings: { kafka: { key: { type: string, enum: [truck, van] } } }
  ws:
    address: /live
    servers: [{ $ref: '#/servers/w' }]
    messages:
      Ping: { payload: { type: string } }
operations:
  fleet/report:
    action: send
    channel: { $ref: '#/channels/positions' }
    messages: [{ $ref: '#/channels/positions/messages/Moved' }, { $ref: '#/channels/positions/messages/Parked' }]
  watch:
    action: receive
    channel: { $ref: '#/channels/positions' }
    messages: [{ $ref: '#/channels/positions/messages/Moved' }, { $ref: '#/channels/positions/messages/Parked' }]
  ping:
    action: send
    channel: { $ref: '#/channels/ws' }
`;

it('types parameters, keys, unions and handlers from the contract, and the runtime sends what the types allow', async () => {
  const { document, contract } = await ingest(CONTRACT, 'yaml');
  const sdk = await generateSdk(document, contract, { lang: 'typescript', packageName: '@herald/fleet', contract: 'fleet' });
  const pkg = path.join(dir, 'node_modules/@herald/fleet');
  mkdirSync(pkg, { recursive: true });
  for (const [rel, text] of Object.entries(sdk.files)) writeFileSync(path.join(pkg, rel), text);
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', verbatimModuleSyntax: true, noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true, skipLibCheck: false, types: [], lib: ['ES2022'], outDir: 'out' },
      files: ['use.ts'],
    }),
  );
  writeFileSync(
    path.join(dir, 'use.ts'),
    `import { createClient, HeraldParameterError, type HeraldTransport } from '@herald/fleet';

declare const console: { log(text: string): void };
const sent: unknown[] = [];
const transport: HeraldTransport = {
  send: async (m) => void sent.push({ topic: m.destination.broker === 'kafka' ? m.destination.topic : '', key: m.key, headers: m.headers, value: m.value }),
  deadLetter: async () => {},
  subscribe: async () => async () => {},
};
const fleet = createClient(transport);
const report = fleet.send['fleet/report'];
await report({ lat: 1.5 }, { parameters: { region: 'eu' }, key: 'truck' });
await report({ spot: 'A1' }, { parameters: { region: 'us' }, key: 'van', headers: { 'x-driver': 'kim' } });
// Lines the compiler must refuse (never run).
export async function refused(): Promise<void> {
  // @ts-expect-error the address needs its region
  await report({ lat: 1 });
  // @ts-expect-error a region the enum does not list
  await report({ lat: 1 }, { parameters: { region: 'asia' } });
  // @ts-expect-error a key the key schema does not list
  await report({ lat: 1 }, { parameters: { region: 'eu' }, key: 'bike' });
  // @ts-expect-error neither message
  await report({ speed: 3 }, { parameters: { region: 'eu' } });
  // @ts-expect-error Parked requires its x-driver header
  await report({ spot: 'A1' }, { parameters: { region: 'eu' } });
}
let rejected = '';
await report({ lat: 1 }, { parameters: { region: 'eu.x' as 'eu' } }).catch((e: unknown) => (rejected = e instanceof HeraldParameterError ? e.message : 'other'));
await fleet.receive.watch((m) => {
  if (m.message === 'Moved') {
    const lat: number = m.payload.lat;
    void lat;
  } else {
    const spot: string = m.payload.spot;
    void spot;
  }
}, { groupId: 'g', parameters: { region: 'eu' } });
let unroutable = '';
await fleet.send.ping('hi').catch((e: unknown) => (unroutable = e instanceof Error ? e.message : ''));
console.log(JSON.stringify({ sent, rejected, unroutable }));
`,
  );
  const tsc = spawnSync(process.execPath, [path.resolve('node_modules/typescript/bin/tsc'), '-p', dir], { encoding: 'utf8' });
  expect(tsc.stdout + tsc.stderr).toBe('');
  const run = spawnSync(process.execPath, [path.join(dir, 'out/use.js')], { encoding: 'utf8', cwd: dir });
  expect(run.stderr).toBe('');
  const out = JSON.parse(run.stdout) as { sent: unknown[]; rejected: string; unroutable: string };
  expect(out.sent).toEqual([
    { topic: 'fleet.eu.positions', key: 'truck', headers: { 'herald.message': 'Moved' }, value: '{"lat":1.5}' },
    { topic: 'fleet.us.positions', key: 'van', headers: { 'x-driver': 'kim', 'herald.message': 'Parked' }, value: '{"spot":"A1"}' },
  ]);
  expect(out.rejected).toMatch(/Wrong channel parameters for "positions": region: must be one of eu, us/);
  expect(out.unroutable).toMatch(/Channel "ws"/);
});
