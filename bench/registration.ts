/**
 * Registration speed: the HTTP round trip of POST /v1/contracts/{name}/versions against the
 * default @asyncapi/parser's parse() of the same document, both measured in this run.
 * Target: Herald's p50 at most 0.2x the parser's p50. A bare Hono route over the same
 * HTTP stack shows what the transport alone costs.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { Parser } from '@asyncapi/parser';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { startHerald } from './herald-process.js';
import { measure, ms, table } from './stats.js';

const CORPUS = path.resolve('../shared/corpus/asyncapi-spec-examples');
const DOCS: Array<[string, string]> = [
  ['v2.6/slack-rtm.yml (47 messages)', path.join(CORPUS, 'v2.6/slack-rtm.yml')],
  ['v3/slack-rtm-asyncapi.yml', path.join(CORPUS, 'v3/slack-rtm-asyncapi.yml')],
  ['v3/streetlights-kafka-asyncapi.yml', path.join(CORPUS, 'v3/streetlights-kafka-asyncapi.yml')],
  ['specs/orders.yaml', path.resolve('specs/orders.yaml')],
];

/** The same document with a different info.version each time, so every POST makes a new version. */
const variant = (text: string, i: number) => text.replace(/^(\s*)version:\s*['"]?([^'"\n]+)['"]?\s*$/m, `$1version: '${i + 1000}.0.0'`);

export async function benchRegistration(runs = 30, databaseUrl?: string): Promise<string> {
  const rows: Array<Record<string, string | number>> = [];
  const parser = new Parser();

  // Herald runs as `herald serve` in its own process, as in production: the parser baseline
  // in this process must not share an event loop (or a heap) with the server it compares to.
  const server = await startHerald(databaseUrl ? { DATABASE_URL: databaseUrl } : {});

  const bare = new Hono().post('/echo', async (c) => c.json({ length: (await c.req.text()).length }, 201));
  const bareServer = serve({ fetch: bare.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise((r) => bareServer.once('listening', r));
  (bareServer as import('node:http').Server).keepAliveTimeout = 65_000;
  const bareUrl = `http://127.0.0.1:${(bareServer.address() as AddressInfo).port}/echo`;

  try {
    for (const [label, file] of DOCS) {
      if (!existsSync(file)) {
        rows.push({ document: label, note: 'skipped: ../shared/corpus not found' });
        continue;
      }
      const text = readFileSync(file, 'utf8');
      const parse = await measure(async () => {
        const { document } = await parser.parse(text);
        if (!document) throw new Error(`the default parser rejects ${label}`);
      }, { runs, warmup: 10 });
      const name = label.replace(/[^a-z0-9]+/gi, '-').toLowerCase().replace(/^-|-$/g, '');
      const register = await measure(async (i) => {
        const res = await fetch(`${server.url}/v1/contracts/${name}/versions`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/yaml' },
          body: variant(text, i + 10),
        });
        if (res.status !== 201) throw new Error(`registration answered ${res.status}: ${await res.text()}`);
        await res.arrayBuffer();
      }, { runs, warmup: 10 });
      const transport = await measure(async () => {
        const res = await fetch(bareUrl, { method: 'POST', headers: { 'Content-Type': 'application/yaml' }, body: text });
        await res.arrayBuffer();
      }, { runs });
      rows.push({
        document: label,
        'parser parse() p50': ms(parse.p50),
        'Herald POST p50': ms(register.p50),
        'Herald POST p99': ms(register.p99),
        'bare Hono POST p50': ms(transport.p50),
        'ratio (target <= 0.2)': (register.p50 / parse.p50).toFixed(3),
      });
    }
  } finally {
    await server.stop();
    bareServer.close();
  }
  const storage = databaseUrl ? 'PostgreSQL 15 on this machine' : 'embedded storage (PGlite)';
  return `## Registration, ${storage}; ${runs} runs each after 10 warm-up runs\n\n${table(rows)}\n`;
}
