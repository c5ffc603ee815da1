/**
 * Docs: a contract's history with the engine's verdict on each version, and the diff between
 * any two versions (changes with kind, place and verdict; the documents side by side with the
 * changed lines marked), in process over PGlite.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIFF_MAX_LINES, sideBySide } from '../../src/docs/history.js';
import { testApp, type TestApp } from '../helpers/app.js';

const V1 = readFileSync('specs/orders.yaml', 'utf8');
// Compatible: an optional property added to OrderPlaced's payload; and a description carrying markup.
const V2 = V1.replace('        couponCode: { type: string }\n', "        couponCode: { type: string }\n        giftNote: { type: string, description: '<script>window.__injected = 1</script>' }\n");
// Breaking: customerId becomes an integer (registered under mode NONE).
const V3 = V2.replace('        customerId: { type: string }', '        customerId: { type: integer }');

let api: TestApp;
const page = async (path: string) => {
  const res = await api.app.request(path);
  return { status: res.status, type: res.headers.get('content-type'), html: await res.text() };
};

beforeAll(async () => {
  api = await testApp('pglite');
  for (const text of [V1, V2]) expect((await api.request('POST', '/v1/contracts/orders/versions', { body: text })).status).toBe(201);
  expect((await api.request('PUT', '/v1/config/orders', { body: { compatibility: 'NONE' } })).status).toBe(200);
  expect((await api.request('POST', '/v1/contracts/orders/versions', { body: V3 })).status).toBe(201);
  expect((await api.request('DELETE', '/v1/config/orders')).status).toBe(200);
  expect((await api.request('POST', '/v1/contracts/solo/versions', { body: V1 })).status).toBe(201);
});
afterAll(async () => api?.cleanup());

describe('the history page', () => {
  it('lists every version, newest first, with its verdict in words and a link to its diff against the one before', async () => {
    const { status, html } = await page('/docs/orders/history');
    expect(status).toBe(200);
    const rows = [...html.matchAll(/<tr id="v(\d+)">/g)].map((m) => Number(m[1]));
    expect(rows).toEqual([3, 2, 1]);
    expect(html).toContain('first version');
    expect(html).toMatch(/compatible: \d+ changes?, none breaking/);
    expect(html).toMatch(/class="breaking"[^>]*>breaking: \d+ of \d+ changes? break/);
    expect(html).toContain('href="/docs/orders/diff?from=1&amp;to=2"');
    expect(html).toContain('href="/docs/orders/diff?from=2&amp;to=3"');
    expect(html).toContain('<td>anonymous</td>');
    // The contract page links here.
    expect((await page('/docs/orders/latest')).html).toContain('href="/docs/orders/history"');
  });

  it('hides a soft-deleted version unless ?deleted=true, and links the diff past it', async () => {
    // Runs before the diff tests, which rely on version 2 being deleted.
    expect((await api.request('DELETE', '/v1/contracts/orders/versions/2')).status).toBe(200);
    const live = await page('/docs/orders/history');
    expect([...live.html.matchAll(/<tr id="v(\d+)">/g)].map((m) => Number(m[1]))).toEqual([3, 1]);
    expect(live.html).toContain('href="/docs/orders/diff?from=1&amp;to=3"');
    const all = await page('/docs/orders/history?deleted=true');
    expect([...all.html.matchAll(/<tr id="v(\d+)">/g)].map((m) => Number(m[1]))).toEqual([3, 2, 1]);
    expect(all.html).toContain('(deleted)');
  });
});

describe('the diff page', () => {
  it('shows the changes from 1 to 2 with kind, place and verdict, and marks the added line', async () => {
    const { status, html } = await page('/docs/orders/diff?from=1&to=2&deleted=true');
    expect(status).toBe(200);
    expect(html).toContain('<strong>Compatible</strong>');
    expect(html).toMatch(/<code>[A-Z_]+<\/code>/);
    expect(html).toContain('href="/docs/orders/2/channels/orderPlaced/messages/OrderPlaced"');
    expect(html).toContain('giftNote');
    expect(html).toMatch(/<td class="sign">\+<\/td><td class="added">\s*giftNote/);
    // Markup in a changed line is text.
    expect(html).toContain('&lt;script&gt;window.__injected = 1&lt;/script&gt;');
    expect(html).not.toContain('<script>window.__injected');
    // The form can pick any two.
    expect(html).toMatch(/<select id="from" name="from">.*<option value="1" selected="">v1<\/option>/s);
  });

  it('compares any two versions picked by the query, and defaults to the latest against the one before it', async () => {
    const any = await page('/docs/orders/diff?from=1&to=3&deleted=true');
    expect(any.html).toContain('v1 → v3');
    expect(any.html).toContain('<strong>Breaking</strong>');
    expect(any.html).toContain('customerId');
    const defaults = await page('/docs/orders/diff');
    // Version 2 is deleted by the test before: the latest (3) against the live one before it (1).
    expect(defaults.html).toContain('v1 → v3');
    expect((await page('/docs/orders/diff?to=latest&from=1')).html).toContain('v1 → v3');
    expect((await page('/docs/solo/diff')).html).toContain('has no live version before it');
  });

  it('answers a bad version 400 and an unknown one 404, as problems', async () => {
    const bad = await page('/docs/orders/diff?from=abc');
    expect([bad.status, bad.type]).toEqual([400, 'application/problem+json']);
    const unknown = await page('/docs/orders/diff?from=1&to=99');
    expect([unknown.status, unknown.type]).toEqual([404, 'application/problem+json']);
    expect((await page('/docs/nope/history')).status).toBe(404);
  });
});

describe('the side-by-side view', () => {
  it('pairs a replaced line with its replacement and keeps unchanged lines aligned', () => {
    const rows = sideBySide('a\nb\nc\n', 'a\nB\nc\nd\n')!;
    expect(rows.map((r) => [r.left?.text ?? null, r.left?.removed ?? null, r.right?.text ?? null, r.right?.added ?? null])).toEqual([
      ['a', false, 'a', false],
      ['b', true, 'B', true],
      ['c', false, 'c', false],
      [null, null, 'd', true],
    ]);
  });

  it('gives up on documents whose line diff would take too many edits or lines, rather than block', () => {
    // Every line differs: the edit budget is spent long before the end.
    const a = Array.from({ length: 6000 }, (_, i) => `a${i}`).join('\n');
    const b = Array.from({ length: 6000 }, (_, i) => `b${i}`).join('\n');
    expect(sideBySide(a, b)).toBeUndefined();
    expect(sideBySide('x\n'.repeat(DIFF_MAX_LINES), 'y\n')).toBeUndefined();
  });

  it('says so on the page, keeping the engine\'s changes', async () => {
    const big = (prefix: string) => `${V1.replace('Owns the order lifecycle.', `Owns the order lifecycle.\n${Array.from({ length: 3000 }, (_, i) => `    ${prefix}${i}`).join('\n')}`)}`;
    expect((await api.request('POST', '/v1/contracts/big/versions', { body: big('a') })).status).toBe(201);
    expect((await api.request('POST', '/v1/contracts/big/versions', { body: big('b').replace('        couponCode: { type: string }\n', '        couponCode: { type: string }\n        giftNote: { type: string }\n') })).status).toBe(201);
    const { status, html } = await page('/docs/big/diff');
    expect(status).toBe(200);
    expect(html).toContain('The side-by-side view is too large');
    expect(html).toContain('giftNote');
  });
});
