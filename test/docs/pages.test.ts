/**
 * The browsable docs, in process over PGlite: the catalog at `/`, a contract's page per
 * version, stable anchors from ids, the Content-Security-Policy, and a contract whose text is
 * built to inject HTML or script rendering as text. (Real-browser checks come with the
 * browser tests of this feature.)
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCS_CSP } from '../../src/http/routes/docs.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { HOSTILE } from './hostile.js';

let api: TestApp;
const page = async (path: string) => {
  const res = await api.app.request(path);
  return { status: res.status, type: res.headers.get('content-type'), csp: res.headers.get('content-security-policy'), html: await res.text() };
};


beforeAll(async () => {
  api = await testApp('pglite');
  for (const spec of ['orders', 'payments']) expect((await api.request('POST', `/v1/contracts/${spec}/versions`, { body: readFileSync(`specs/${spec}.yaml`, 'utf8') })).status).toBe(201);
  expect((await api.request('POST', '/v1/contracts/evil/versions', { body: HOSTILE })).status).toBe(201);
});
afterAll(async () => api?.cleanup());

describe('the catalog at /', () => {
  it('lists every contract with its title, latest version, AsyncAPI version and counts, linking to its page; served as HTML under the CSP', async () => {
    const res = await page('/');
    expect([res.status, res.type, res.csp]).toEqual([200, 'text/html; charset=UTF-8', DOCS_CSP]);
    expect(res.html).toMatch(/^<!DOCTYPE html>|^<html/);
    for (const name of ['orders', 'payments', 'evil']) expect(res.html).toContain(`href="/docs/${name}/latest"`);
    expect(res.html).toContain('Orders service');
    expect(res.html).not.toContain('<b>bold</b>');
    expect(res.html).toContain('Evil &lt;b&gt;bold&lt;/b&gt;');
  });
});

describe('a contract page', () => {
  it('shows servers, operations by direction and channels with anchors derived from ids, for the latest and for a numbered version', async () => {
    const latest = await page('/docs/orders/latest');
    expect(latest.status).toBe(200);
    for (const id of ['channel-orderPlaced', 'channel-paymentSettled', 'operation-publishOrderPlaced', 'operation-onPaymentSettled', 'message-orderPlaced.OrderPlaced']) expect(latest.html).toContain(`id="${id}"`);
    expect(latest.html).toContain('What the service sends');
    expect(latest.html).toContain('npm install @herald/orders@1.0.0');
    expect((await page('/docs/orders/1')).html).toBe(latest.html);
    expect((await page('/docs/nope/latest')).status).toBe(404);
  });

  it('a soft-deleted version is hidden unless ?deleted=true', async () => {
    expect((await api.request('POST', '/v1/contracts/payments/versions', { body: readFileSync('specs/payments.yaml', 'utf8').replace('version: ', 'version: 9') })).status).toBe(201);
    expect((await api.request('DELETE', '/v1/contracts/payments/versions/2')).status).toBe(200);
    expect((await page('/docs/payments/2')).status).toBe(404);
    const shown = await page('/docs/payments/2?deleted=true');
    expect(shown.status).toBe(200);
    expect(shown.html).toContain('deleted');
  });
});

describe('security schemes', () => {
  it('lists the schemes a document declares, with their type and details, each with an anchor', async () => {
    const doc = `asyncapi: 3.0.0
info: { title: Secured, version: 1.0.0 }
channels: {}
components:
  securitySchemes:
    saslScram: { type: scramSha256, description: 'SCRAM over **TLS**' }
    apiKey: { type: httpApiKey, in: header, name: X-Api-Key }
`;
    expect((await api.request('POST', '/v1/contracts/secured/versions', { body: doc })).status).toBe(201);
    const { html } = await page('/docs/secured/latest');
    expect(html).toMatch(/<tr id="security-saslScram"><td><code>saslScram<\/code><\/td><td>scramSha256<\/td>/);
    expect(html).toContain('SCRAM over <strong>TLS</strong>');
    expect(html).toContain('in header · name X-Api-Key');
    expect((await page('/docs/orders/latest')).html).toMatch(/<h2 id="security">Security schemes<\/h2><p class="muted">None declared.<\/p>/);
  });
});

describe('a contract built to inject HTML', () => {
  it('renders its title and descriptions as text: no script, event handler, frame, comment, image or javascript: link of its own reaches the page', async () => {
    const { html, csp } = await page('/docs/evil/latest');
    expect(csp).toBe(DOCS_CSP);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<iframe/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toContain('<!--');
    expect(html).not.toMatch(/\son[a-z]+\s*=\s*"/i);
    expect(html).not.toMatch(/href="javascript:/i);
    expect(html).toContain('&lt;script&gt;window.__injected = 1&lt;/script&gt;');
    expect(html).toContain('href="mailto:a@example.com"');
    expect(html).toContain('href="https://example.com" rel="noopener noreferrer nofollow"');
  });
});

describe('a message page', () => {
  it('draws payload and headers as trees with their rules in words and an anchor per property', async () => {
    const { status, html } = await page('/docs/orders/latest/channels/orderPlaced/messages/OrderPlaced');
    expect(status).toBe(200);
    for (const rule of ['1 to 64 characters', 'matches ^[A-Z]{3}$', 'at least 1 items', 'format uuid', 'at least 0']) expect(html).toContain(rule);
    expect(html).toMatch(/<strong> required<\/strong>/);
    expect(html).toMatch(/id="payload[^"]*\/properties\/lines\/items[^"]*\/properties\/sku"/);
    expect(html).toContain('id="headers/properties/x-correlation-id"');
    expect((await page('/docs/orders/latest/channels/orderPlaced/messages/Nope')).status).toBe(404);
    // orders.yaml gives no examples: one is generated, which the schema accepts (examples.test.ts).
    expect(html).toContain('Generated from the schema (the document gives none)');
    // Labelled by part; the pattern ^[A-Z]{3}$ is honoured (and the same on every request: seeded).
    expect(html).toMatch(/<p class="muted">Payload<\/p><pre><code>\{\n  &quot;orderId&quot;/);
    expect(html).toMatch(/&quot;currency&quot;: &quot;[A-Z]{3}&quot;/);
    expect((await page('/docs/orders/latest/channels/orderPlaced/messages/OrderPlaced')).html).toBe(html);
  });

  it('draws a recursive schema once and links back to it, rather than expanding it forever', async () => {
    const tree = `asyncapi: 3.0.0
info: { title: Trees, version: 1.0.0 }
channels:
  t:
    address: t
    messages:
      Node: { payload: { $ref: '#/components/schemas/Node' } }
components:
  schemas:
    Node:
      type: object
      properties:
        label: { type: string }
        children: { type: array, items: { $ref: '#/components/schemas/Node' } }
`;
    expect((await api.request('POST', '/v1/contracts/trees/versions', { body: tree })).status).toBe(201);
    const { status, html } = await page('/docs/trees/latest/channels/t/messages/Node');
    expect(status).toBe(200);
    expect(html).toContain('(above)');
    expect(html.length).toBeLessThan(50_000);
  });
});
