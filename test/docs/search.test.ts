/**
 * Docs search (`/search?q=`): fields, channels, operations, messages and contracts found by
 * name or description, each linking to its exact place (the anchor exists on the target page);
 * words ANDed, case-insensitive, literal; bounded queries, results and indexing.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_RESULTS, fieldsOf } from '../../src/docs/search.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { CORPUS_MISSING, corpusPath, corpusPresent } from '../helpers/corpus.js';

let api: TestApp;
const page = async (path: string) => {
  const res = await api.app.request(path);
  return { status: res.status, type: res.headers.get('content-type'), html: await res.text() };
};
/** The result links of a search, decoded as the page writes them. */
const links = async (q: string) => [...(await page(`/search?q=${encodeURIComponent(q)}`)).html.matchAll(/<li><span class="tag">(\w+)<\/span> <a href="([^"]+)">/g)].map((m) => ({ kind: m[1]!, href: m[2]!.replace(/&amp;/g, '&') }));
/** Whether the page a link points to has the element its fragment names. */
const lands = async (href: string) => {
  const [path, hash] = href.split('#');
  const { status, html } = await page(path!);
  // As the browser does: the id as written, else percent-decoded.
  return status === 200 && (hash === undefined || html.includes(`id="${hash}"`) || html.includes(`id="${decodeURIComponent(hash)}"`));
};

beforeAll(async () => {
  api = await testApp('pglite');
  for (const spec of ['orders', 'payments', 'notifications']) expect((await api.request('POST', `/v1/contracts/${spec}/versions`, { body: readFileSync(`specs/${spec}.yaml`, 'utf8') })).status).toBe(201);
  if (corpusPresent) expect((await api.request('POST', '/v1/contracts/streetlights/versions', { body: readFileSync(corpusPath('v3/streetlights-kafka-asyncapi.yml'), 'utf8') })).status).toBe(201);
});
afterAll(async () => api?.cleanup());

describe('search', () => {
  it('finds a field by name, linking to its message page at the property, which is there', async () => {
    const found = await links('sku');
    const field = found.find((r) => r.kind === 'field' && r.href.includes('/messages/OrderPlaced#'));
    expect(field?.href).toBe('/docs/orders/latest/channels/orderPlaced/messages/OrderPlaced#payload/properties/lines/items/properties/sku');
    expect(await lands(field!.href)).toBe(true);
    // A field reached through a $ref lands too.
    for (const r of (await links('minorUnits')).filter((x) => x.kind === 'field')) expect([r.href, await lands(r.href)]).toEqual([r.href, true]);
  });

  it('finds a channel, an operation, a message and a contract, each linking to its place', async () => {
    const channel = (await links('orders.placed.v1')).find((r) => r.kind === 'channel' && r.href.startsWith('/docs/orders/'))!;
    expect(channel.href).toBe('/docs/orders/latest#channel-orderPlaced');
    const operation = (await links('publishOrderPlaced')).find((r) => r.kind === 'operation')!;
    expect(operation.href).toBe('/docs/orders/latest#operation-publishOrderPlaced');
    const message = (await links('PaymentRequested')).find((r) => r.kind === 'message')!;
    expect(message.href).toMatch(/^\/docs\/payments\/latest\/channels\/[^/]+\/messages\/PaymentRequested$/);
    const contract = (await links('Orders service')).find((r) => r.kind === 'contract')!;
    expect(contract.href).toBe('/docs/orders/latest');
    for (const r of [channel, operation, message, contract]) expect(await lands(r.href)).toBe(true);
  });

  it('searches descriptions too, ANDs the words, ignores case, and takes the query literally', async () => {
    expect((await links('customer has confirmed')).map((r) => r.href)).toEqual(['/docs/orders/latest#channel-orderPlaced']);
    expect(await links('SKU')).toEqual(await links('sku'));
    expect((await links('sku payments')).length).toBeLessThan((await links('sku')).length);
    expect(await links('.*(')).toEqual([]);
    const { html } = await page('/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E');
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('value="&lt;script&gt;alert(1)&lt;/script&gt;"');
  });

  it('refuses a query longer than 200 characters with a problem, and shows the form alone for an empty one', async () => {
    const long = await page(`/search?q=${'a'.repeat(201)}`);
    expect([long.status, long.type]).toEqual([400, 'application/problem+json']);
    const empty = await page('/search?q=');
    expect(empty.status).toBe(200);
    expect(empty.html).toContain('<label for="q">');
    expect(empty.html).not.toContain('class="results"');
  });

  it('caps the results and says there are more; indexes a recursive schema and one of thousands of properties', async () => {
    const properties = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`wide${i}`, { type: 'string' }]));
    const doc = {
      asyncapi: '3.0.0',
      info: { title: 'Big', version: '1.0.0' },
      channels: { c: { address: 'c', messages: { M: { payload: { type: 'object', properties } }, Tree: { payload: { $ref: '#/components/schemas/Node' } } } } },
      components: { schemas: { Node: { type: 'object', properties: { label: { type: 'string' }, children: { type: 'array', items: { $ref: '#/components/schemas/Node' } } } } } },
    };
    expect((await api.request('POST', '/v1/contracts/big/versions', { body: JSON.stringify(doc), contentType: 'application/json' })).status).toBe(201);
    const { html } = await page('/search?q=wide');
    expect([...html.matchAll(/<span class="tag">field<\/span>/g)].length).toBe(MAX_RESULTS);
    expect(html).toContain(`The first ${MAX_RESULTS} results`);
    const tree = (await links('children')).filter((r) => r.href.includes('/messages/Tree#'));
    // The root, and the definition the page draws once where the recursion first meets it: then it ends.
    expect(tree.map((r) => r.href.split('#')[1])).toEqual(['payload/properties/children', 'payload/ref/%24defs/Node/properties/children']);
    for (const r of tree) expect(await lands(r.href)).toBe(true);
    // The walk stops at the page's own budget, so it never lists a field the page does not draw.
    expect(fieldsOf({ type: 'object', properties }, 'payload').length).toBeLessThan(5000);
  });

  it('does not search a soft-deleted contract', async () => {
    expect((await links('wide1')).length).toBeGreaterThan(0);
    expect((await api.request('DELETE', '/v1/contracts/big')).status).toBe(200);
    expect(await links('wide1')).toEqual([]);
  });

  it.skipIf(!corpusPresent)(`finds a corpus document's message by its description${corpusPresent ? '' : ` (skipped: ${CORPUS_MISSING})`}`, async () => {
    const found = await links('lumens');
    expect(found.some((r) => r.href.startsWith('/docs/streetlights/latest'))).toBe(true);
    for (const r of found) expect(await lands(r.href)).toBe(true);
  });
});
