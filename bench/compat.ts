/**
 * Compatibility checks: a FULL_TRANSITIVE check of a 200-property payload against 100
 * earlier versions; how the time grows with versions and with schema size; the corpus's
 * slack-rtm example against itself and against a one-property change; and `herald check`
 * of a 140 KB contract of the shapes real ones take (polymorphic hierarchies, replies by
 * component). The baseline is one default @asyncapi/parser parse() of the document
 * checked, in this run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Parser } from '@asyncapi/parser';
import { stringify } from 'yaml';
import { checkCompatibility, type Earlier } from '../src/compat/verdict.js';
import type { Mode } from '../src/compat/types.js';
import { DEFAULT_LIMITS, ingest } from '../src/contracts/ingest.js';
import { measure, ms, table } from './stats.js';

/** An AsyncAPI 3 document with one channel whose payload has `size` properties; each version describes one of them differently. */
function document(size: number, version: number): string {
  const properties: Record<string, any> = {};
  for (let i = 0; i < size; i++) properties[`field${i}`] = i % 3 === 0 ? { type: 'string', maxLength: 64 } : i % 3 === 1 ? { type: 'integer', minimum: 0 } : { type: 'array', items: { type: 'string' } };
  properties[`field${version % size}`].description = `changed in version ${version}`;
  return stringify({
    asyncapi: '3.0.0',
    info: { title: 'Bench', version: `1.${version}.0` },
    channels: { events: { address: 'events', messages: { Event: { payload: { type: 'object', required: ['field0'], properties } } } } },
    operations: { publishEvent: { action: 'send', channel: { $ref: '#/channels/events' }, messages: [{ $ref: '#/channels/events/messages/Event' }] } },
  });
}

/**
 * A contract of about 140 KB as Java generators and request/reply APIs write them: `channels`
 * channels, each with a 20-property event and a request whose reply lists a component
 * message, all events sharing a polymorphic payload (a base whose oneOf lists subtypes that
 * allOf it). `narrowed` removes one enum value from one subtype.
 */
export function realisticContract(channels: number, narrowed: boolean): string {
  const schemas: Record<string, any> = {
    Vehicle: { type: 'object', required: ['id', 'kind'], properties: { id: { type: 'string', format: 'uuid' }, kind: { type: 'string' } }, oneOf: ['Car', 'Truck', 'Bike'].map((n) => ({ $ref: `#/components/schemas/${n}` })) },
    Car: { allOf: [{ $ref: '#/components/schemas/Vehicle' }, { type: 'object', properties: { seats: { type: 'integer', minimum: 1 } } }], oneOf: [{ $ref: '#/components/schemas/Sedan' }, { $ref: '#/components/schemas/Coupe' }] },
  };
  const sub = (parent: string, kind: string, props: Record<string, unknown>) => ({ allOf: [{ $ref: `#/components/schemas/${parent}` }, { type: 'object', required: ['kind'], properties: { kind: { const: kind }, ...props } }] });
  schemas.Truck = sub('Vehicle', 'truck', { tons: { type: 'number' } });
  schemas.Bike = sub('Vehicle', 'bike', { gears: { type: 'integer' } });
  schemas.Sedan = sub('Car', 'sedan', { doors: { type: 'integer', enum: [4, 5] } });
  schemas.Coupe = sub('Car', 'coupe', { doors: { type: 'integer', enum: narrowed ? [2] : [2, 3] } });
  const ch: Record<string, unknown> = {};
  const ops: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (let i = 0; i < channels; i++) {
    const properties: Record<string, unknown> = { vehicle: { $ref: '#/components/schemas/Vehicle' } };
    for (let p = 0; p < 20; p++) properties[`field${p}`] = p % 4 === 0 ? { type: 'string', maxLength: 64, description: `Field ${p} of event ${i}` } : p % 4 === 1 ? { type: 'integer', minimum: 0 } : p % 4 === 2 ? { type: 'string', enum: ['a', 'b', 'c'] } : { type: 'array', items: { type: 'string', format: 'date-time' } };
    messages[`Event${i}`] = { name: `event${i}`, payload: { type: 'object', required: ['field0', 'vehicle'], properties } };
    messages[`Ask${i}`] = { payload: { type: 'object', required: ['q'], properties: { q: { type: 'string' } } } };
    messages[`Answer${i}`] = { payload: { type: 'object', required: ['id'], properties: { id: { type: 'integer' }, vehicle: { $ref: '#/components/schemas/Vehicle' } } } };
    ch[`events${i}`] = { address: `fleet.events.${i}`, messages: { [`Event${i}`]: { $ref: `#/components/messages/Event${i}` } } };
    ch[`asks${i}`] = { address: `fleet.asks.${i}`, messages: { [`Ask${i}`]: { $ref: `#/components/messages/Ask${i}` } } };
    ops[`publish${i}`] = { action: 'send', channel: { $ref: `#/channels/events${i}` }, messages: [{ $ref: `#/channels/events${i}/messages/Event${i}` }] };
    ops[`ask${i}`] = { action: 'send', channel: { $ref: `#/channels/asks${i}` }, messages: [{ $ref: `#/channels/asks${i}/messages/Ask${i}` }], reply: { address: { location: '$message.header#/replyTo' }, messages: [{ $ref: `#/components/messages/Answer${i}` }] } };
  }
  return stringify({ asyncapi: '3.0.0', info: { title: 'Fleet', version: '1.0.0' }, channels: ch, operations: ops, components: { messages, schemas } });
}

async function version(text: string, n: number): Promise<Earlier> {
  const d = await ingest(text, 'yaml', { ...DEFAULT_LIMITS, maxRefNodes: 10_000_000 });
  return { document: d.document, contract: d.contract, version: n };
}

/** `count` earlier versions and a new one, all with `size` properties, each differing from the others in one description. */
async function history(size: number, count: number): Promise<{ earlier: Earlier[]; latest: Earlier; text: string }> {
  const earlier: Earlier[] = [];
  for (let v = 0; v < count; v++) earlier.push(await version(document(size, v), v + 1));
  const text = document(size, count);
  return { earlier, latest: await version(text, count + 1), text };
}

const check = (h: { earlier: Earlier[]; latest: Earlier }, mode: Mode) => {
  const v = checkCompatibility({ document: h.latest.document, contract: h.latest.contract }, h.earlier, mode, 'lenient');
  if (!v.compatible) throw new Error('the bench history should be compatible');
};

export async function benchCompat(runs = 10): Promise<string> {
  const parser = new Parser();
  const out: string[] = [];

  const main = await history(200, 100);
  const parse = await measure(() => parser.parse(main.text), { runs, warmup: 3 });
  const full = await measure(() => check(main, 'FULL_TRANSITIVE'), { runs, warmup: 2 });
  out.push(
    '## Compatibility: FULL_TRANSITIVE, 200-property payload, 100 earlier versions\n',
    table([
      { what: 'Herald FULL_TRANSITIVE check (100 comparisons)', p50: ms(full.p50), p99: ms(full.p99), 'per earlier version': ms(full.p50 / 100) },
      { what: 'baseline: default parser parse() of the new document', p50: ms(parse.p50), p99: ms(parse.p99), 'per earlier version': '' },
    ]),
    `\nratio (check / one parse): ${(full.p50 / parse.p50).toFixed(2)}\n`,
  );

  const byVersions = [];
  for (const count of [10, 25, 50, 100, 200]) {
    const h = await history(200, count);
    const t = await measure(() => check(h, 'FULL_TRANSITIVE'), { runs: Math.max(3, Math.floor(runs / 2)), warmup: 1 });
    byVersions.push({ 'earlier versions': count, p50: ms(t.p50), 'per version': ms(t.p50 / count) });
  }
  out.push('## Growth with the number of versions (200 properties, FULL_TRANSITIVE)\n', table(byVersions), '');

  const bySize = [];
  for (const size of [50, 100, 200, 400, 800]) {
    const h = await history(size, 10);
    const t = await measure(() => check(h, 'FULL_TRANSITIVE'), { runs: Math.max(3, Math.floor(runs / 2)), warmup: 1 });
    bySize.push({ properties: size, p50: ms(t.p50), 'per property': `${((t.p50 / size) * 1000).toFixed(1)} µs` });
  }
  out.push('## Growth with schema size (10 earlier versions, FULL_TRANSITIVE)\n', table(bySize), '');

  out.push(await benchRealistic(parser, runs));

  const slackFile = path.resolve('../shared/corpus/asyncapi-spec-examples/v2.6/slack-rtm.yml');
  if (existsSync(slackFile)) {
    const text = readFileSync(slackFile, 'utf8');
    const base = await version(text, 1);
    // One property added to one of the 47 payloads (the `hello` event).
    const anchor = "    hello:\n      summary: 'First event received upon connection.'\n      payload:\n        type: object\n        properties:\n";
    const changedText = text.replace(anchor, `${anchor}          greeting:\n            type: string\n`);
    if (changedText === text) throw new Error('slack-rtm.yml changed shape: the bench cannot add its one property');
    const changed = await version(changedText, 2);
    const slackParse = await measure(() => parser.parse(text), { runs, warmup: 3 });
    const same = await measure(() => checkCompatibility({ document: base.document, contract: base.contract }, [base], 'FULL', 'strict'), { runs, warmup: 3 });
    const one = await measure(() => checkCompatibility({ document: changed.document, contract: changed.contract }, [base], 'FULL', 'strict'), { runs, warmup: 3 });
    const changes = checkCompatibility({ document: changed.document, contract: changed.contract }, [base], 'FULL', 'strict').changes.map((c) => c.kind);
    out.push(
      '## slack-rtm (v2.6, 47 messages), FULL, strict\n',
      table([
        { what: 'against itself', p50: ms(same.p50), p99: ms(same.p99), ratio: (same.p50 / slackParse.p50).toFixed(3) },
        { what: `against a one-property change (${changes.join(', ')})`, p50: ms(one.p50), p99: ms(one.p99), ratio: (one.p50 / slackParse.p50).toFixed(3) },
        { what: 'baseline: default parser parse()', p50: ms(slackParse.p50), p99: ms(slackParse.p99), ratio: '1' },
      ]),
      '',
    );
  } else {
    out.push('## slack-rtm\n\nskipped: ../shared/corpus not found\n');
  }
  return out.join('\n');
}

/** `herald check NEW --against OLD` of the 140 KB contract: the built CLI in its own process, and in process. */
export async function benchRealistic(parser: Parser, runs: number): Promise<string> {
  const oldText = realisticContract(43, false);
  const newText = realisticContract(43, true);
  const dir = mkdtempSync(path.join(tmpdir(), 'herald-bench-check-'));
  try {
    writeFileSync(path.join(dir, 'old.yaml'), oldText);
    writeFileSync(path.join(dir, 'new.yaml'), newText);
    const cli = () => {
      const r = spawnSync(process.execPath, ['bin/herald.js', 'check', path.join(dir, 'new.yaml'), '--against', path.join(dir, 'old.yaml'), '--mode', 'FULL'], { encoding: 'utf8' });
      if (r.status !== 1 || !r.stdout.includes('ENUM_ARRAY_NARROWED')) throw new Error(`herald check should find the one narrowed enum: exit ${r.status}\n${r.stdout}${r.stderr}`);
    };
    const load = async (text: string) => {
      const d = await ingest(text, 'yaml');
      return { document: d.document, contract: d.contract };
    };
    const [a, b] = [await load(oldText), await load(newText)];
    const judge = () => {
      const v = checkCompatibility(b, [a], 'FULL', 'strict');
      if (v.compatible || v.changes.length !== 1) throw new Error(`expected one breaking change, got ${v.changes.map((c) => c.kind).join(', ')}`);
    };
    const parse = await measure(() => parser.parse(newText), { runs, warmup: 3 });
    const compare = await measure(judge, { runs: runs * 3, warmup: 3 });
    const inProcess = await measure(async () => {
      const [x, y] = [await load(oldText), await load(newText)];
      if (checkCompatibility(y, [x], 'FULL', 'strict').compatible) throw new Error('expected incompatible');
    }, { runs, warmup: 2 });
    const process_ = await measure(cli, { runs: Math.max(3, Math.floor(runs / 2)), warmup: 1 });
    const kb = `${Math.round(Buffer.byteLength(newText) / 1024)} KB`;
    const row = (what: string, t: { p50: number; p99: number }) => ({ what, p50: ms(t.p50), p99: ms(t.p99), 'ratio to one parse': (t.p50 / parse.p50).toFixed(3) });
    return [
      `## herald check of a ${kb} contract (43 event channels on a polymorphic payload, 43 replies by component), FULL, one enum value removed from one subtype\n`,
      table([
        row('the check alone, in process (both versions parsed; goal < 0.1)', compare),
        row('in process: Herald parses, validates and models both files, then checks (validators warm, as in a running registry)', inProcess),
        row('`herald check NEW --against OLD`, its own process (start included)', process_),
        row('baseline: default parser parse() of the new file', parse),
      ]),
      '',
    ].join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
