/**
 * Docs: a contract's history with the engine's verdict on each version, and the diff between
 * any two versions (changes with kind, place and verdict; the documents side by side with the
 * changed lines marked), in process over PGlite.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIFF_MAX_CHARS, DIFF_MAX_LINES, sideBySide } from '../../src/docs/history.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { HOSTILE } from './hostile.js';

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
    expect(html).toMatch(/class="breaking"[^>]*>breaking: 1 of 1 change breaks</);
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
    expect(live.html).toContain('href="/docs/orders/history?deleted=true"');
    const all = await page('/docs/orders/history?deleted=true');
    expect([...all.html.matchAll(/<tr id="v(\d+)">/g)].map((m) => Number(m[1]))).toEqual([3, 2, 1]);
    expect(all.html).toContain('(deleted)');
    // Links that name the deleted version carry ?deleted=true, or they would answer 404.
    expect(all.html).toContain('href="/docs/orders/2?deleted=true"');
    expect(all.html).toContain('href="/docs/orders/diff?from=1&amp;to=2&amp;deleted=true"');
    expect(all.html).toContain('href="/docs/orders/diff?from=2&amp;to=3&amp;deleted=true"');
    expect((await page('/docs/orders/2?deleted=true')).status).toBe(200);
    expect((await page('/docs/orders/diff?from=1&to=2')).status).toBe(404);
  });
});

describe('the diff page', () => {
  it('shows the changes from 1 to 2 with kind, place and verdict, and marks the added line', async () => {
    const { status, html } = await page('/docs/orders/diff?from=1&to=2&deleted=true');
    expect(status).toBe(200);
    expect(html).toContain('<strong>Compatible</strong>');
    const row = html.slice(html.indexOf('<code>PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL</code>'));
    expect(row).toMatch(/^<code>PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL<\/code><\/td><td data-label="Where"><a href="\/docs\/orders\/2\/channels\/orderPlaced\/messages\/OrderPlaced\?deleted=true">channel orderPlaced · message OrderPlaced<\/a>/);
    expect(row).toContain('<code>/components/schemas/OrderPlacedPayload/properties/giftNote</code>');
    expect(row).toMatch(/<td data-label="Verdict" class="">\s*compatible\s*<\/td>/);
    expect(html).toContain('giftNote');
    expect(html).toMatch(/<td class="sign">\+<\/td><td class="added">\s*giftNote/);
    // Markup in a changed line is text.
    expect(html).toContain('&lt;script&gt;window.__injected = 1&lt;/script&gt;');
    expect(html).not.toContain('<script>window.__injected');
    // The form can pick any two.
    expect(html).toMatch(/<label for="from">From<\/label><select id="from" name="from">.*<option value="1" selected="">v1<\/option>/s);
    expect(html).toMatch(/<label for="to">To<\/label><select id="to" name="to">.*<option value="2" selected="">v2 \(deleted\)<\/option>/s);
    // The form keeps showing deleted versions once asked to.
    expect(html).toContain('<input type="hidden" name="deleted" value="true"/>');
  });

  it('compares any two versions picked by the query, and defaults to the latest against the one before it', async () => {
    const any = await page('/docs/orders/diff?from=1&to=3');
    expect(any.html).toContain('v1 → v3');
    expect(any.html).toContain('<strong>Breaking</strong>');
    const row = any.html.slice(any.html.indexOf('<code>TYPE_CHANGED</code>'));
    expect(row).toContain('<code>/components/schemas/OrderPlacedPayload/properties/customerId/type</code>');
    expect(row).toMatch(/<td data-label="Verdict" class="breaking">\s*breaking \(BACKWARD, FORWARD\)\s*<\/td>/);
    expect(any.html).not.toContain('name="deleted"');
    const defaults = await page('/docs/orders/diff');
    // Version 2 is deleted by the test before: the latest (3) against the live one before it (1).
    expect(defaults.html).toContain('v1 → v3');
    expect((await page('/docs/orders/diff?to=latest&from=1')).html).toContain('v1 → v3');
    expect((await page('/docs/solo/diff')).html).toContain('has no live version before it');
  });

  it('answers a bad version 400 and an unknown one 404, as problems', async () => {
    const bad = await page('/docs/orders/diff?from=abc');
    expect([bad.status, bad.type]).toEqual([400, 'application/problem+json']);
    for (const query of ['from=0', 'to=-1', 'to=1.5', 'from=1e3', 'from=%00', 'deleted=maybe', `from=${'9'.repeat(5000)}x`]) {
      expect((await page(`/docs/orders/diff?${query}`)).status, query).toBe(400);
    }
    const unknown = await page('/docs/orders/diff?from=1&to=99');
    expect([unknown.status, unknown.type]).toEqual([404, 'application/problem+json']);
    // Past what storage holds: nothing there, not a failed query.
    expect((await page('/docs/orders/diff?from=1&to=2147483648')).status).toBe(404);
    expect((await page('/docs/nope/history')).status).toBe(404);
    expect((await page('/docs/nope/diff')).status).toBe(404);
    expect((await page('/docs/orders/history?deleted=maybe')).status).toBe(400);
  });

  it('says a change the mode allows would still break, in words', async () => {
    expect((await api.request('PUT', '/v1/config/orders', { body: { compatibility: 'NONE' } })).status).toBe(200);
    try {
      const { html } = await page('/docs/orders/diff?from=1&to=3');
      expect(html).toContain('<strong>Compatible</strong> under NONE');
      expect(html).toMatch(/allowed under NONE \(breaks BACKWARD, FORWARD\)/);
    } finally {
      expect((await api.request('DELETE', '/v1/config/orders')).status).toBe(200);
    }
  });

  it('shows a hostile contract\'s markup as text on both pages', async () => {
    expect((await api.request('POST', '/v1/contracts/evil/versions', { body: HOSTILE })).status).toBe(201);
    const changed = HOSTILE.replace("payload: { type: string }", "payload: { type: string, description: '<img src=x onerror=\"window.__injected = 5\">' }");
    expect((await api.request('POST', '/v1/contracts/evil/versions', { body: changed })).status).toBe(201);
    for (const path of ['/docs/evil/history', '/docs/evil/diff']) {
      const { status, html } = await page(path);
      expect(status).toBe(200);
      expect(html).toContain('Evil &lt;b&gt;bold&lt;/b&gt;');
      expect(html).not.toMatch(/<script>|<img src=x|<iframe|<b>bold/);
    }
    expect((await page('/docs/evil/diff')).html).toContain('&lt;img src=x onerror=');
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
    // One huge line (a minified JSON document) is bounded by its characters.
    expect(sideBySide('x'.repeat(DIFF_MAX_CHARS), 'y')).toBeUndefined();
    // The same line repeated, shifted: many equal candidates, a classic slow case.
    expect(sideBySide('a\na\nb\n'.repeat(3000), 'a\nb\nb\n'.repeat(3000))).toBeUndefined();
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
