/**
 * Docs: the service map (`/docs/map`): who sends and who receives on each address across the
 * registry, addresses worked out as the gateway routes them, every node linking to a page and
 * anchor that exist, one-sided addresses flagged, hostile names as text.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.js';
import { CORPUS_MISSING, corpusPath, corpusPresent } from '../helpers/corpus.js';

let api: TestApp;
const page = async (app: TestApp, path: string) => {
  const res = await app.app.request(path);
  return { status: res.status, html: await res.text() };
};
/** The table's rows: address, kind, senders, receivers (link texts), and its flag. */
function rows(html: string) {
  const table = html.slice(html.indexOf('<h2 id="addresses">'));
  return [...table.matchAll(/<tr><td><a href="([^"]+)">([^<]+)<\/a>(?:<span class="breaking"> ⚠ ([^<]+)<\/span>)?<\/td><td>([^<]+)<\/td><td>(.*?)<\/td><td>(.*?)<\/td><\/tr>/g)].map((m) => ({
    href: m[1]!,
    address: m[2]!,
    flag: m[3],
    kind: m[4]!,
    senders: [...m[5]!.matchAll(/<a [^>]*>([^<]+)<\/a>/g)].map((x) => x[1]),
    receivers: [...m[6]!.matchAll(/<a [^>]*>([^<]+)<\/a>/g)].map((x) => x[1]),
  }));
}

const HOSTILE = `asyncapi: 3.0.0
info: { title: 'x', version: 1.0.0 }
channels:
  '"><script>alert(1)</script>':
    address: '"><script>alert(2)</script>'
    messages:
      M: { payload: { type: string } }
operations:
  o:
    action: send
    channel: { $ref: '#/channels/"><script>alert(1)<~1script>' }
`;

beforeAll(async () => {
  api = await testApp('pglite');
  for (const spec of ['orders', 'payments', 'notifications']) expect((await api.request('POST', `/v1/contracts/${spec}/versions`, { body: readFileSync(`specs/${spec}.yaml`, 'utf8') })).status).toBe(201);
  if (corpusPresent) expect((await api.request('POST', '/v1/contracts/streetlights/versions', { body: readFileSync(corpusPath('v2.6/streetlights-kafka.yml'), 'utf8') })).status).toBe(201);
});
afterAll(async () => api?.cleanup());

describe('the service map', () => {
  it('lists each address with the contracts that send and receive on it, as the gateway routes it', async () => {
    const { status, html } = await page(api, '/docs/map');
    expect(status).toBe(200);
    const table = rows(html);
    expect(table.find((r) => r.address === 'orders.placed.v1')).toEqual({ href: '/docs/orders/latest#channel-orderPlaced', address: 'orders.placed.v1', flag: undefined, kind: 'Kafka topic', senders: ['orders'], receivers: ['notifications'] });
    expect(table.find((r) => r.address === 'payments.refunds')).toMatchObject({ kind: 'AMQP queue', senders: [], receivers: ['payments'], flag: 'no sender' });
    expect(table.find((r) => r.address === 'orders.cancelled.v1')).toMatchObject({ kind: 'Kafka topic', senders: ['orders'], receivers: [], flag: 'no receiver' });
    expect(table.find((r) => r.address === 'payments / payments.requested')).toMatchObject({ kind: 'AMQP exchange' });
    // The one-sided ones are listed again, in words.
    expect(html).toMatch(/<h2 id="flagged">.*orders\.cancelled\.v1.*but no contract receives from it/s);
  });

  it.skipIf(!corpusPresent)(`reads a 2.6 document's publish and subscribe in the engine's direction${corpusPresent ? '' : ` (skipped: ${CORPUS_MISSING})`}`, async () => {
    const table = rows((await page(api, '/docs/map')).html);
    const streetlights = table.filter((r) => r.senders.includes('streetlights') || r.receivers.includes('streetlights'));
    expect(streetlights.length).toBeGreaterThan(0);
    // The lighting measurements are what the streetlights application receives (subscribe in 2.6 is what it sends to; publish, what it receives).
    expect(streetlights.find((r) => r.address.includes('lighting.measured'))?.receivers).toEqual(['streetlights']);
  });

  it('draws an SVG whose every node links to a page, and an anchor, that exist', async () => {
    const { html } = await page(api, '/docs/map');
    const svg = html.slice(html.indexOf('<svg'), html.indexOf('</svg>') + 6);
    expect(svg).toContain('<title id="map-title">Service map</title>');
    // Well-formed: every element opened is closed.
    for (const tag of ['a', 'rect', 'text', 'path', 'title', 'desc']) {
      const open = (svg.match(new RegExp(`<${tag}[\\s>]`, 'g')) ?? []).length;
      const closed = (svg.match(new RegExp(`</${tag}>`, 'g')) ?? []).length + (svg.match(new RegExp(`<${tag}[^>]*/>`, 'g')) ?? []).length;
      expect([tag, closed]).toEqual([tag, open]);
    }
    const hrefs = [...new Set([...svg.matchAll(/<a href="([^"]+)"/g)].map((m) => m[1]!))];
    expect(hrefs.length).toBeGreaterThan(10);
    for (const href of hrefs) {
      const [path, hash] = href.split('#');
      const target = await page(api, path!);
      // As the browser does: the id as written, else percent-decoded.
      const found = hash === undefined || target.html.includes(`id="${hash}"`) || target.html.includes(`id="${decodeURIComponent(hash)}"`);
      expect([href, target.status, found]).toEqual([href, 200, true]);
    }
  });

  it('shows names built to inject markup as text', async () => {
    const other = await testApp('pglite');
    try {
      expect((await other.request('POST', '/v1/contracts/evil/versions', { body: HOSTILE })).status).toBe(201);
      const { status, html } = await page(other, '/docs/map');
      expect(status).toBe(200);
      expect(html).not.toContain('<script>');
      expect(html).toContain('&lt;script&gt;alert(2)&lt;/script&gt;');
    } finally {
      await other.cleanup();
    }
  });

  it('says so when there is nothing to draw', async () => {
    const empty = await testApp('pglite');
    try {
      const { status, html } = await page(empty, '/docs/map');
      expect(status).toBe(200);
      expect(html).toContain('nothing to draw');
      expect(html).not.toContain('<svg');
    } finally {
      await empty.cleanup();
    }
  });
});
