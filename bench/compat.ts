/**
 * Compatibility checks: a FULL_TRANSITIVE check of a 200-property payload against 100
 * earlier versions; how the time grows with versions and with schema size; and the
 * corpus's slack-rtm example against itself and against a one-property change. The
 * baseline is one default @asyncapi/parser parse() of the document checked, in this run.
 */
import { existsSync, readFileSync } from 'node:fs';
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
