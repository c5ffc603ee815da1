/**
 * The registry API over both storage drivers: registering, versioning, reading, deleting,
 * schemas, config, limits and errors. Every response is also checked against openapi.yaml.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.js';
import { DRIVERS } from '../helpers/storage.js';

const orders = readFileSync('specs/orders.yaml', 'utf8');
const payments = readFileSync('specs/payments.yaml', 'utf8');
const notifications = readFileSync('specs/notifications.yaml', 'utf8');

/** orders.yaml with another info.version: a different document. */
const ordersV = (v: string) => orders.replace('version: 1.4.0', `version: ${v}`);

describe.each(DRIVERS)('registry API on %s', (driver) => {
  let api: TestApp;
  beforeAll(async () => {
    api = await testApp(driver);
  });
  afterAll(async () => api.cleanup());

  describe('registering', () => {
    it('answers 201 with the version number, fingerprint and schema ids', async () => {
      const res = await api.request('POST', '/v1/contracts/orders/versions', { body: orders });
      expect(res.status).toBe(201);
      expect(res.headers.get('Location')).toBe('/v1/contracts/orders/versions/1');
      expect(res.json).toMatchObject({ contract: 'orders', version: 1, asyncapiVersion: '3.0.0', infoVersion: '1.4.0', registeredBy: 'anonymous' });
      expect(res.json.fingerprint).toMatch(/^[0-9a-f]{64}$/);
      const placed = res.json.schemas.filter((s: { channel: string }) => s.channel === 'orderPlaced');
      expect(placed.map((s: { message: string; part: string }) => `${s.message}/${s.part}`).sort()).toEqual(['OrderPlaced/headers', 'OrderPlaced/payload']);
      const read = await api.request('GET', '/v1/contracts/orders/versions/1');
      expect(read.json.schemas).toEqual(res.json.schemas);
    });

    it('is idempotent: the same content answers 200 with the existing version, in YAML or JSON', async () => {
      const again = await api.request('POST', '/v1/contracts/orders/versions', { body: orders });
      expect(again.status).toBe(200);
      expect(again.json.version).toBe(1);
      const asJson = JSON.stringify(parseYaml(orders));
      const json = await api.request('POST', '/v1/contracts/orders/versions', { body: asJson, contentType: 'application/json' });
      expect(json.status).toBe(200);
      expect(json.json.version).toBe(1);
      expect(json.json.fingerprint).toBe(again.json.fingerprint);
      const versions = await api.request('GET', '/v1/contracts/orders/versions');
      expect(versions.json.versions).toHaveLength(1);
    });

    it('numbers new content 2, 3, ... and keeps each version as registered', async () => {
      const v2 = await api.request('POST', '/v1/contracts/orders/versions', { body: ordersV('1.5.0') });
      const v3 = await api.request('POST', '/v1/contracts/orders/versions', { body: JSON.stringify(parseYaml(ordersV('1.6.0')), null, 2), contentType: 'application/json' });
      expect([v2.status, v2.json.version, v3.status, v3.json.version]).toEqual([201, 2, 201, 3]);
      const doc1 = await api.request('GET', '/v1/contracts/orders/versions/1/document');
      expect(doc1.text).toBe(orders);
      expect(doc1.headers.get('Content-Type')).toContain('application/yaml');
      const doc3 = await api.request('GET', '/v1/contracts/orders/versions/3/document');
      expect(doc3.headers.get('Content-Type')).toContain('application/json');
      expect(JSON.parse(doc3.text).info.version).toBe('1.6.0');
    });

    it('shares one schema id between versions and contracts that carry the same schema', async () => {
      const v1 = await api.request('GET', '/v1/contracts/orders/versions/1');
      const v2 = await api.request('GET', '/v1/contracts/orders/versions/2');
      expect(v2.json.schemas).toEqual(v1.json.schemas);
      const id = v1.json.schemas.find((s: { part: string }) => s.part === 'payload').id;
      const schema = await api.request('GET', `/v1/schemas/${id}`);
      expect(schema.status).toBe(200);
      expect(schema.json.format).toBe('application/schema+json');
      expect(JSON.stringify(schema.json.schema)).not.toContain('$ref');
    });

    it('registers AsyncAPI 2.x documents too', async () => {
      const res = await api.request('POST', '/v1/contracts/payments/versions', { body: payments });
      expect(res.status).toBe(201);
      expect(res.json.asyncapiVersion).toBe('2.6.0');
      const refunds = res.json.schemas.filter((s: { channel: string }) => s.channel === 'payments.refunds').map((s: { message: string }) => s.message);
      expect(refunds.sort()).toEqual(['RefundCancelled', 'RefundRequested']);
    });
  });

  describe('reading', () => {
    it('GET latest returns the normalized document', async () => {
      const res = await api.request('GET', '/v1/contracts/orders/versions/latest');
      expect(res.json.version).toBe(3);
      expect(res.json.document.info.version).toBe('1.6.0');
      expect(res.json.document.channels.orderPlaced.address).toBe('orders.placed.v1');
    });

    it('converts the document by Accept', async () => {
      const json = await api.request('GET', '/v1/contracts/orders/versions/1/document', { headers: { Accept: 'application/json' } });
      expect(json.headers.get('Content-Type')).toContain('application/json');
      expect(JSON.parse(json.text)).toEqual(parseYaml(orders));
      const yaml = await api.request('GET', '/v1/contracts/orders/versions/3/document', { headers: { Accept: 'application/yaml' } });
      expect(yaml.headers.get('Content-Type')).toContain('application/yaml');
      expect(parseYaml(yaml.text).info.version).toBe('1.6.0');
      const html = await api.request('GET', '/v1/contracts/orders/versions/1/document', { headers: { Accept: 'text/html' } });
      expect(html.status).toBe(406);
    });

    it('lists contracts by name, a page at a time, with a name prefix', async () => {
      await api.request('POST', '/v1/contracts/notifications/versions', { body: notifications });
      const page1 = await api.request('GET', '/v1/contracts?limit=2');
      expect(page1.json.contracts.map((c: { name: string }) => c.name)).toEqual(['notifications', 'orders']);
      expect(page1.json.next).toBe('orders');
      const page2 = await api.request('GET', `/v1/contracts?limit=2&after=${page1.json.next}`);
      expect(page2.json).toEqual({ contracts: [expect.objectContaining({ name: 'payments', latestVersion: 1, versionCount: 1 })], next: null });
      const prefixed = await api.request('GET', '/v1/contracts?prefix=pay');
      expect(prefixed.json.contracts.map((c: { name: string }) => c.name)).toEqual(['payments']);
      const contract = await api.request('GET', '/v1/contracts/orders');
      expect(contract.json).toMatchObject({ name: 'orders', latestVersion: 3, versionCount: 3 });
    });

    it('answers If-None-Match with 304 when nothing changed', async () => {
      const first = await api.request('GET', '/v1/contracts/orders/versions/1');
      const etag = first.headers.get('ETag');
      expect(etag).toBeTruthy();
      const again = await api.request('GET', '/v1/contracts/orders/versions/1', { headers: { 'If-None-Match': etag! } });
      expect(again.status).toBe(304);
      expect(again.text).toBe('');
      const list = await api.request('GET', '/v1/contracts', { headers: { 'If-None-Match': etag! } });
      expect(list.status).toBe(200);
    });

    it('answers 404 problems for what does not exist', async () => {
      for (const path of ['/v1/contracts/ghost', '/v1/contracts/orders/versions/99', '/v1/contracts/ghost/versions/latest', '/v1/schemas/999999']) {
        const res = await api.request('GET', path);
        expect(res.status, path).toBe(404);
        expect(res.headers.get('Content-Type')).toBe('application/problem+json');
        expect(res.json).toMatchObject({ type: 'urn:herald:problem:not-found', status: 404, instance: path });
        expect(res.json.requestId).toBe(res.headers.get('X-Request-Id'));
      }
    });

    it('answers 400 problems for malformed names, versions and parameters', async () => {
      for (const path of ['/v1/contracts/Orders', '/v1/contracts/orders/versions/0', '/v1/contracts/orders/versions/two', '/v1/contracts?limit=5000', '/v1/schemas/abc']) {
        const res = await api.request('GET', path);
        expect(res.status, path).toBe(400);
        expect(res.json.detail.length).toBeGreaterThan(20);
      }
    });
  });

  describe('deleting', () => {
    it('soft-deletes a version: hidden, still listed with ?deleted=true, numbers never reused', async () => {
      const del = await api.request('DELETE', '/v1/contracts/orders/versions/3');
      expect(del.status).toBe(200);
      expect(del.json.deletedAt).toBeTruthy();
      expect((await api.request('GET', '/v1/contracts/orders/versions/3')).status).toBe(404);
      expect((await api.request('GET', '/v1/contracts/orders/versions/latest')).json.version).toBe(2);
      expect((await api.request('GET', '/v1/contracts/orders/versions/3?deleted=true')).status).toBe(200);
      const all = await api.request('GET', '/v1/contracts/orders/versions?deleted=true');
      expect(all.json.versions.map((v: { version: number }) => v.version)).toEqual([1, 2, 3]);
      // Re-registering the deleted content makes a new version, not a revival.
      const again = await api.request('POST', '/v1/contracts/orders/versions', { body: JSON.stringify(parseYaml(ordersV('1.6.0'))), contentType: 'application/json' });
      expect([again.status, again.json.version]).toEqual([201, 4]);
    });

    it('hard-deletes only what was soft-deleted', async () => {
      const early = await api.request('DELETE', '/v1/contracts/orders/versions/4?permanent=true');
      expect(early.status).toBe(409);
      expect((await api.request('DELETE', '/v1/contracts/orders/versions/3')).status).toBe(404);
      const hard = await api.request('DELETE', '/v1/contracts/orders/versions/3?permanent=true');
      expect(hard.status).toBe(200);
      expect((await api.request('GET', '/v1/contracts/orders/versions/3?deleted=true')).status).toBe(404);
    });

    it('soft-deletes a whole contract, then removes it for good', async () => {
      expect((await api.request('DELETE', '/v1/contracts/notifications?permanent=true')).status).toBe(409);
      expect((await api.request('DELETE', '/v1/contracts/notifications')).status).toBe(200);
      expect((await api.request('GET', '/v1/contracts/notifications')).status).toBe(404);
      expect((await api.request('GET', '/v1/contracts')).json.contracts.map((c: { name: string }) => c.name)).not.toContain('notifications');
      expect((await api.request('GET', '/v1/contracts/notifications?deleted=true')).json.deletedAt).toBeTruthy();
      expect((await api.request('DELETE', '/v1/contracts/notifications?permanent=true')).status).toBe(200);
      expect((await api.request('GET', '/v1/contracts/notifications?deleted=true')).status).toBe(404);
      // A new contract of that name starts again at version 1.
      const fresh = await api.request('POST', '/v1/contracts/notifications/versions', { body: notifications });
      expect([fresh.status, fresh.json.version]).toEqual([201, 1]);
    });

    it('registering to a soft-deleted contract revives it with the next number', async () => {
      await api.request('POST', '/v1/contracts/revived/versions', { body: payments });
      await api.request('DELETE', '/v1/contracts/revived');
      const res = await api.request('POST', '/v1/contracts/revived/versions', { body: payments });
      expect([res.status, res.json.version]).toEqual([201, 2]);
      expect((await api.request('GET', '/v1/contracts/revived')).json).toMatchObject({ latestVersion: 2, versionCount: 1 });
    });
  });

  describe('bad input', () => {
    it('answers 422 with every diagnostic located by pointer, line and column, and stores nothing', async () => {
      const bad = orders.replace("    address: orders.cancelled.v1\n", "    address: orders.cancelled.v1\n    adress: typo\n");
      const res = await api.request('POST', '/v1/contracts/broken/versions', { body: bad });
      expect(res.status).toBe(422);
      expect(res.headers.get('Content-Type')).toBe('application/problem+json');
      const lineOfTypo = bad.split('\n').findIndex((l) => l.includes('adress: typo')) + 1;
      expect(res.json.errors).toContainEqual(
        expect.objectContaining({ rule: 'asyncapi-document-resolved', pointer: '/channels/orderCancelled/adress', line: lineOfTypo, column: 13 }),
      );
      expect((await api.request('GET', '/v1/contracts/broken?deleted=true')).status).toBe(404);
    });

    it('rejects a file or http reference by name, without reading or fetching it', async () => {
      const doc = (ref: string) => `asyncapi: 3.0.0\ninfo: {title: t, version: '1'}\ncomponents:\n  schemas:\n    leak:\n      $ref: '${ref}'\n`;
      for (const ref of ['/etc/passwd', 'file:///etc/hostname', './other.yaml#/x', 'http://127.0.0.1:9/x.json', 'https://example.com/x.json']) {
        const res = await api.request('POST', '/v1/contracts/leaky/versions', { body: doc(ref) });
        expect(res.status, ref).toBe(422);
        expect(res.json.errors[0]).toMatchObject({ rule: 'external-ref', pointer: '/components/schemas/leak/$ref', line: 6 });
        expect(res.json.errors[0].message).toContain(ref);
        expect(res.text).not.toContain('root:');
      }
    });

    it('enforces the YAML alias, depth and reference-expansion limits with 422', async () => {
      const aliases = ['asyncapi: 3.0.0', "info: {title: t, version: '1'}", 'x-a: &a [1, 2]', ...Array.from({ length: 120 }, (_, i) => `x-${i}: *a`)].join('\n');
      const res1 = await api.request('POST', '/v1/contracts/limits/versions', { body: aliases });
      expect([res1.status, res1.json.type, res1.json.errors[0].rule]).toEqual([422, 'urn:herald:problem:limit-exceeded', 'yaml-alias-limit']);
      const deep = JSON.stringify({ asyncapi: '3.0.0', info: { title: 't', version: '1' }, 'x-deep': JSON.parse('['.repeat(300) + ']'.repeat(300)) });
      const res2 = await api.request('POST', '/v1/contracts/limits/versions', { body: deep, contentType: 'application/json' });
      expect([res2.status, res2.json.errors[0].rule]).toEqual([422, 'depth-limit']);
      // One large schema used by 30 messages: validated at each place, 30 times its size.
      const big = Array.from({ length: 20_000 }, (_, i) => `        p${i}: {type: string}`);
      const messages = Array.from({ length: 30 }, (_, i) => `      m${i}: {payload: {$ref: '#/components/schemas/Big'}}`);
      const spread = ['asyncapi: 3.0.0', "info: {title: t, version: '1'}", 'channels:', '  c:', '    messages:', ...messages, 'components:', '  schemas:', '    Big:', '      properties:', ...big];
      const res3 = await api.request('POST', '/v1/contracts/limits/versions', { body: spread.join('\n') });
      expect([res3.status, res3.json.errors[0].rule]).toEqual([422, 'ref-expansion-limit']);
      expect((await api.request('GET', '/v1/contracts/limits?deleted=true')).status).toBe(404);
    });

    it('answers 415 for a body that is neither YAML nor JSON, and 400 for a bad name', async () => {
      const res = await api.request('POST', '/v1/contracts/orders/versions', { body: orders, contentType: 'application/x-www-form-urlencoded' });
      expect(res.status).toBe(415);
      expect(res.json.detail).toContain('application/yaml');
      const name = await api.request('POST', '/v1/contracts/Bad_Name!/versions', { body: orders });
      expect(name.status).toBe(400);
    });

    it('keeps serving after bad input', async () => {
      await api.request('POST', '/v1/contracts/junk/versions', { body: '\u0000\u0001{{{' });
      await api.request('POST', '/v1/contracts/junk/versions', { body: '[', contentType: 'application/json' });
      expect((await api.request('GET', '/healthz')).status).toBe(200);
      expect((await api.request('GET', '/v1/contracts/orders')).status).toBe(200);
    });

    it('answers 404 for unknown routes', async () => {
      const res = await api.request('GET', '/v2/nothing', { undocumented: true });
      expect(res.status).toBe(404);
      expect(res.json.detail).toContain('/openapi.json');
    });
  });

  describe('configuration', () => {
    it('defaults to AUTO and lenient, globally and per contract', async () => {
      expect((await api.request('GET', '/v1/config')).json).toEqual({ compatibility: 'AUTO', policy: 'lenient', source: 'default' });
      expect((await api.request('GET', '/v1/config/orders')).json).toEqual({ compatibility: 'AUTO', policy: 'lenient', source: 'default' });
    });

    it('stores global and per-contract settings; a contract inherits the global ones', async () => {
      expect((await api.request('PUT', '/v1/config', { body: { compatibility: 'BACKWARD' } })).json).toEqual({ compatibility: 'BACKWARD', policy: 'lenient', source: 'global' });
      expect((await api.request('GET', '/v1/config/orders')).json.source).toBe('global');
      expect((await api.request('PUT', '/v1/config/orders', { body: { compatibility: 'FULL_TRANSITIVE', policy: 'strict' } })).json).toEqual({
        compatibility: 'FULL_TRANSITIVE',
        policy: 'strict',
        source: 'contract',
      });
      expect((await api.request('GET', '/v1/config/orders')).json.compatibility).toBe('FULL_TRANSITIVE');
      expect((await api.request('DELETE', '/v1/config/orders')).json).toEqual({ compatibility: 'BACKWARD', policy: 'lenient', source: 'global' });
      expect((await api.request('DELETE', '/v1/config/orders')).status).toBe(404);
      expect((await api.request('DELETE', '/v1/config')).json).toEqual({ compatibility: 'AUTO', policy: 'lenient', source: 'default' });
    });

    it('rejects unknown modes, policies and fields with 400', async () => {
      for (const body of [{ compatibility: 'SIDEWAYS' }, { policy: 'loose' }, { mode: 'FULL' }, {}, []]) {
        const res = await api.request('PUT', '/v1/config', { body });
        expect(res.status, JSON.stringify(body)).toBe(400);
      }
      expect((await api.request('PUT', '/v1/config', { body: '{not json', contentType: 'application/json' })).status).toBe(400);
    });
  });

  describe('health', () => {
    it('reports liveness and storage readiness', async () => {
      expect((await api.request('GET', '/healthz')).json).toEqual({ status: 'ok' });
      expect((await api.request('GET', '/readyz')).json).toEqual({ status: 'ready', checks: { storage: { status: 'ok', driver } } });
    });
  });

  describe('concurrency', () => {
    it('20 registrations at once get 20 distinct, consecutive version numbers', async () => {
      const bodies = Array.from({ length: 20 }, (_, i) => ordersV(`9.${i}.0`));
      const results = await Promise.all(bodies.map((body) => api.request('POST', '/v1/contracts/race/versions', { body })));
      expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
      expect(results.map((r) => r.json.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      const listed = await api.request('GET', '/v1/contracts/race/versions');
      expect(listed.json.versions).toHaveLength(20);
      const infoByVersion = new Map(listed.json.versions.map((v: { version: number; infoVersion: string }) => [v.version, v.infoVersion]));
      for (const r of results) expect(infoByVersion.get(r.json.version)).toBe(r.json.infoVersion);
    });

    it('20 identical registrations at once make exactly one version', async () => {
      const results = await Promise.all(Array.from({ length: 20 }, () => api.request('POST', '/v1/contracts/same/versions', { body: payments })));
      expect(results.filter((r) => r.status === 201)).toHaveLength(1);
      expect(results.filter((r) => r.status === 200)).toHaveLength(19);
      expect(new Set(results.map((r) => r.json.version))).toEqual(new Set([1]));
    });
  });
});

describe('body size limit', () => {
  let api: TestApp;
  beforeAll(async () => {
    api = await testApp('pglite', { maxBodyBytes: 64 * 1024 });
  });
  afterAll(async () => api.cleanup());

  it('answers 413 above the configured limit and still accepts documents below it', async () => {
    const big = orders + '\n# ' + 'x'.repeat(70 * 1024) + '\n';
    const res = await api.request('POST', '/v1/contracts/big/versions', { body: big });
    expect(res.status).toBe(413);
    expect(res.json.detail).toContain(String(64 * 1024));
    expect((await api.request('POST', '/v1/contracts/big/versions', { body: orders })).status).toBe(201);
  });
});
