/**
 * The types of the channel API for the shapes specs/ does not have: an address parameter
 * with an enum, a Kafka key with an enum, two messages on one operation (a union, and a
 * handler discriminated by message), an operation id that is not an identifier, and a
 * channel Herald cannot route; and a contract whose names and text are built to break the
 * generated code. Compiled by tsc under the strictest settings, with lines that must fail
 * (`@ts-expect-error` fails the build when the line compiles); then run against a transport
 * that records what it is handed.
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

/** Generates the contract's package into a project beside `use.ts`, compiles the project strictly and runs it: its stdout, as JSON. */
async function compileAndRun(text: string, name: string, use: string): Promise<any> {
  const { document, contract } = await ingest(text, 'yaml');
  const sdk = await generateSdk(document, contract, { lang: 'typescript', packageName: `@herald/${name}`, contract: name });
  const project = path.join(dir, name);
  const pkg = path.join(project, `node_modules/@herald/${name}`);
  mkdirSync(pkg, { recursive: true });
  for (const [rel, content] of Object.entries(sdk.files)) writeFileSync(path.join(pkg, rel), content);
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ type: 'module' }));
  writeFileSync(
    path.join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', verbatimModuleSyntax: true, noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true, skipLibCheck: false, types: [], lib: ['ES2022'], outDir: 'out' },
      files: ['use.ts'],
    }),
  );
  writeFileSync(path.join(project, 'use.ts'), use);
  const tsc = spawnSync(process.execPath, [path.resolve('node_modules/typescript/bin/tsc'), '-p', project], { encoding: 'utf8' });
  expect(tsc.stdout + tsc.stderr).toBe('');
  const run = spawnSync(process.execPath, [path.join(project, 'out/use.js')], { encoding: 'utf8', cwd: project });
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout);
}

it('types parameters, keys, unions and handlers from the contract, and the runtime sends what the types allow', async () => {
  const out = (await compileAndRun(
    CONTRACT,
    'fleet',
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
  )) as { sent: unknown[]; rejected: string; unroutable: string };
  expect(out.sent).toEqual([
    { topic: 'fleet.eu.positions', key: 'truck', headers: { 'herald.message': 'Moved' }, value: '{"lat":1.5}' },
    { topic: 'fleet.us.positions', key: 'van', headers: { 'x-driver': 'kim', 'herald.message': 'Parked' }, value: '{"spot":"A1"}' },
  ]);
  expect(out.rejected).toMatch(/Wrong channel parameters for "positions": region: must be one of eu, us/);
  expect(out.unroutable).toMatch(/Channel "ws"/);
});

const HOSTILE = `
asyncapi: 3.0.0
info: { title: 'Evil */ export declare const pwned: 1; /*', version: '1.0.0 */ /*' }
servers:
  k: { host: 'kafka:9092', protocol: kafka }
channels:
  __proto__:
    address: 'evil.{constructor}'
    parameters:
      constructor: { enum: [a] }
    messages:
      toString:
        headers: { type: object, properties: { __proto__: { type: integer } } }
        payload: { type: object }
operations:
  __proto__:
    action: send
    channel: { $ref: '#/channels/__proto__' }
  constructor:
    action: receive
    channel: { $ref: '#/channels/__proto__' }
`;

it('a contract naming things __proto__ and constructor, with */ in its text, gives code that compiles and keeps every name its own', async () => {
  const out = await compileAndRun(
    HOSTILE,
    'evil',
    `import * as evil from '@herald/evil';
import type { HeraldTransport } from '@herald/evil';

declare const console: { log(text: string): void };
// @ts-expect-error the title's "*/" ended no doc comment: nothing was declared from it
void evil.pwned;
const sent: unknown[] = [];
let deliver: Parameters<HeraldTransport['subscribe']>[2] | undefined;
const transport: HeraldTransport = {
  send: async (m) => void sent.push({ topic: m.destination.broker === 'kafka' ? m.destination.topic : '', headers: m.headers }),
  deadLetter: async () => {},
  subscribe: async (_source, _options, d) => {
    deliver = d;
    return async () => {};
  },
};
const client = evil.createClient(transport);
await client.send.__proto__({}, { parameters: { constructor: 'a' }, headers: { __proto__: 5 } });
const got: unknown[] = [];
await client.receive.constructor((m) => void got.push({ own: Object.hasOwn(m.headers, '__proto__'), value: m.headers.__proto__ }), { groupId: 'g', parameters: { constructor: 'a' } });
await deliver!({ value: Uint8Array.of(0x7b, 0x7d), headers: JSON.parse('{"__proto__":"7"}'), destination: 'kafka:evil.a' });
console.log(JSON.stringify({ sent, got, sendIsOwn: Object.hasOwn(client.send, '__proto__'), receiveIsOwn: Object.hasOwn(client.receive, 'constructor') }));
`,
  );
  expect(out).toEqual({ sent: [{ topic: 'evil.a', headers: { __proto__: '5' } }], got: [{ own: true, value: 7 }], sendIsOwn: true, receiveIsOwn: true });
});
