/**
 * The read path in one process (issue 13): versions, documents and schemas answered from
 * memory after their first read, conditional requests without storage, writes and deletes
 * seen at once, a removed version never served from a cache, and the byte bound.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InlineAnalyzer } from '../../src/analysis/analyzer.js';
import { DEFAULT_COMPAT } from '../../src/config.js';
import { DEFAULT_LIMITS } from '../../src/contracts/ingest.js';
import { LocalSource } from '../../src/gateway/source.js';
import { ReadCache } from '../../src/registry/read-cache.js';
import { Registry } from '../../src/registry/registry.js';
import type { Store } from '../../src/store/store.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { openTestStore, type TestStore } from '../helpers/storage.js';

const V1 = readFileSync('specs/orders.yaml', 'utf8');
// Compatible: an optional property added.
const V2 = V1.replace('        customerId: { type: string }\n', '        customerId: { type: string }\n        giftNote: { type: string }\n');

/** The store, counting every call a request makes on it (transactions count once). */
function counting(store: Store): { store: Store; calls: string[] } {
  const calls: string[] = [];
  const proxy = new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(prop));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, calls };
}

/** `count` distinct versions written straight to storage, quicker than registering them (registration is not under test). */
async function insertVersions(store: Store, name: string, count: number, description: string): Promise<void> {
  await store.transaction(async (tx) => {
    const contract = await tx.lockContract(name);
    for (let i = 1; i <= count; i++) {
      const document = { asyncapi: '3.0.0', info: { title: `${name} ${i}`, version: '1.0.0', description } };
      await tx.insertVersion({
        contractId: contract.id,
        version: await tx.allocateVersion(contract.id),
        text: JSON.stringify(document),
        textFormat: 'json',
        document,
        fingerprint: `${name}${i}`,
        asyncapiVersion: '3.0.0',
        infoVersion: '1.0.0',
        registeredBy: 'test',
        packageVersion: null,
        packageReason: null,
      });
    }
  });
}

describe('reads from memory', () => {
  let base: TestStore;
  let api: TestApp;
  let calls: string[];

  beforeAll(async () => {
    base = await openTestStore('pglite');
    const counted = counting(base.store);
    calls = counted.calls;
    api = await testApp('pglite', { store: counted.store });
    expect(V2).not.toBe(V1);
    expect((await api.request('POST', '/v1/contracts/orders/versions', { body: V1 })).status).toBe(201);
  });
  afterAll(async () => {
    await api?.cleanup();
    await base?.cleanup();
  });

  /** A GET, and the storage calls it made. */
  async function get(path: string, headers: Record<string, string> = {}) {
    calls.length = 0;
    const res = await api.request('GET', path, { headers });
    return { ...res, storage: [...calls] };
  }

  it('answers a version from memory after its first read, with an ETag, and 304 without storage', async () => {
    const first = await get('/v1/contracts/orders/versions/1');
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ contract: 'orders', version: 1, document: { asyncapi: '3.0.0' } });
    expect(first.json.schemas.length).toBeGreaterThan(0);
    const etag = first.headers.get('ETag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await get('/v1/contracts/orders/versions/1');
    expect([again.status, again.text, again.headers.get('ETag'), again.storage]).toEqual([200, first.text, etag, []]);
    const latest = await get('/v1/contracts/orders/versions/latest');
    expect([latest.text, latest.storage]).toEqual([first.text, []]);
    for (const match of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const conditional = await get('/v1/contracts/orders/versions/1', { 'If-None-Match': match });
      expect([conditional.status, conditional.text, conditional.headers.get('ETag'), conditional.storage], match).toEqual([304, '', etag, []]);
    }
    expect((await get('/v1/contracts/orders/versions/1', { 'If-None-Match': '"other"' })).status).toBe(200);
  });

  it('reads a crafted If-None-Match as text: a long list, look-alikes and a quoted star do not match, and nothing breaks', async () => {
    const etag = (await get('/v1/contracts/orders/versions/1')).headers.get('ETag')!;
    const long = Array.from({ length: 5000 }, (_, i) => `"${i}"`).join(', ');
    const bare = etag.slice(1, -1);
    for (const header of [long, bare, '"*"', `${etag.slice(0, -2)}"`, `"${bare.toLowerCase()}x"`, ',,,', '"'.repeat(10_000), '(a+)+$'.repeat(1000)]) {
      const res = await get('/v1/contracts/orders/versions/1', { 'If-None-Match': header });
      expect([res.status, res.headers.get('ETag')], header.slice(0, 40)).toEqual([200, etag]);
    }
    // The match may sit anywhere in a long list.
    expect((await get('/v1/contracts/orders/versions/1', { 'If-None-Match': `${long}, ${etag}` })).status).toBe(304);
  });

  it('answers the document in each format and a schema by id from memory, each with its own ETag', async () => {
    const yaml = await get('/v1/contracts/orders/versions/1/document');
    expect([yaml.status, yaml.text, yaml.headers.get('Content-Type'), yaml.headers.get('Vary')]).toEqual([200, V1, 'application/yaml; charset=utf-8', 'Accept']);
    const json = await get('/v1/contracts/orders/versions/1/document', { Accept: 'application/json' });
    expect(JSON.parse(json.text)).toMatchObject({ asyncapi: '3.0.0' });
    expect(json.headers.get('ETag')).not.toBe(yaml.headers.get('ETag'));
    for (const [accept, answer] of [['*/*', yaml], ['application/json', json]] as const) {
      const again = await get('/v1/contracts/orders/versions/1/document', { Accept: accept });
      expect([again.text, again.storage]).toEqual([answer.text, []]);
      const conditional = await get('/v1/contracts/orders/versions/1/document', { Accept: accept, 'If-None-Match': answer.headers.get('ETag')! });
      expect([conditional.status, conditional.headers.get('Vary'), conditional.storage]).toEqual([304, 'Accept', []]);
    }
    const id = (await get('/v1/contracts/orders/versions/1')).json.schemas[0].id as number;
    const schema = await get(`/v1/schemas/${id}`);
    expect(schema.json).toMatchObject({ id, format: expect.any(String), fingerprint: expect.any(String) });
    const cached = await get(`/v1/schemas/${id}`, { 'If-None-Match': schema.headers.get('ETag')! });
    expect([cached.status, cached.storage]).toEqual([304, []]);
    expect((await get('/v1/schemas/999999')).status).toBe(404);
  });

  it('answers text beyond ASCII as it was registered, from storage and from memory', async () => {
    const text = V1.replace('  title: Orders service', '  title: "Bestellungen für Kunden — ✓ 注文 🧾"');
    expect(text).not.toBe(V1);
    expect((await api.request('POST', '/v1/contracts/unicode/versions', { body: text })).status).toBe(201);
    for (const [path, accept] of [['/v1/contracts/unicode/versions/1', '*/*'], ['/v1/contracts/unicode/versions/1/document', 'application/yaml'], ['/v1/contracts/unicode/versions/1/document', 'application/json']] as const) {
      for (const round of ['storage', 'memory']) {
        const res = await get(path, { Accept: accept });
        expect(res.status, `${path} ${accept} ${round}`).toBe(200);
        expect(res.text).toContain('Bestellungen für Kunden — ✓ 注文 🧾');
      }
    }
    expect((await get('/v1/contracts/unicode/versions/1/document')).text).toBe(text);
  });

  it('sees a new version and a delete at once, and never serves a version removed for good', async () => {
    const before = await get('/v1/contracts/orders/versions/latest');
    expect((await api.request('POST', '/v1/contracts/orders/versions', { body: V2 })).status).toBe(201);
    const latest = await get('/v1/contracts/orders/versions/latest');
    expect(latest.json.version).toBe(2);
    // The old ETag of `latest` no longer matches: a client holding it gets the new version.
    expect((await get('/v1/contracts/orders/versions/latest', { 'If-None-Match': before.headers.get('ETag')! })).status).toBe(200);
    expect((await get('/v1/contracts/orders')).json).toMatchObject({ latestVersion: 2, versionCount: 2 });
    const live = await get('/v1/contracts/orders/versions/2');
    expect((await api.request('DELETE', '/v1/contracts/orders/versions/2')).status).toBe(200);
    expect((await get('/v1/contracts/orders/versions/2')).status).toBe(404);
    expect((await get('/v1/contracts/orders/versions/2', { 'If-None-Match': live.headers.get('ETag')! })).status).toBe(404);
    expect((await get('/v1/contracts/orders/versions/latest')).json.version).toBe(1);
    expect((await get('/v1/contracts/orders/versions')).json.versions.map((v: { version: number }) => v.version)).toEqual([1]);
    const shown = await get('/v1/contracts/orders/versions/2?deleted=true');
    expect(shown.json.deletedAt).toEqual(expect.any(String));
    // The soft delete is part of the answer, so its ETag changed.
    expect(shown.headers.get('ETag')).not.toBe(live.headers.get('ETag'));
    expect((await api.request('DELETE', '/v1/contracts/orders/versions/2?permanent=true')).status).toBe(200);
    for (const path of ['/v1/contracts/orders/versions/2?deleted=true', '/v1/contracts/orders/versions/2/document?deleted=true']) {
      expect((await get(path)).status, path).toBe(404);
    }
  });

  it('serves the new document after a contract is removed for good and registered anew under its name', async () => {
    expect((await api.request('POST', '/v1/contracts/reborn/versions', { body: V1 })).status).toBe(201);
    const old = await get('/v1/contracts/reborn/versions/1');
    const oldDocument = await get('/v1/contracts/reborn/versions/1/document');
    expect((await api.request('DELETE', '/v1/contracts/reborn')).status).toBe(200);
    expect((await get('/v1/contracts/reborn/versions/1')).status).toBe(404);
    expect((await api.request('DELETE', '/v1/contracts/reborn?permanent=true')).status).toBe(200);
    expect((await get('/v1/contracts/reborn/versions/1?deleted=true')).status).toBe(404);
    expect((await api.request('POST', '/v1/contracts/reborn/versions', { body: V2 })).status).toBe(201);
    const fresh = await get('/v1/contracts/reborn/versions/1');
    expect(fresh.json.version).toBe(1);
    expect(fresh.json.fingerprint).not.toBe(old.json.fingerprint);
    expect(fresh.headers.get('ETag')).not.toBe(old.headers.get('ETag'));
    expect((await get('/v1/contracts/reborn/versions/1/document')).text).toBe(V2);
    expect((await get('/v1/contracts/reborn/versions/1/document', { 'If-None-Match': oldDocument.headers.get('ETag')! })).status).toBe(200);
  });
});

describe('a conditional read without the scope it needs', () => {
  it('is refused before the cache is asked: a caller without a token cannot learn an ETag by its 304', async () => {
    const guarded = await testApp('pglite', { adminToken: 'admin-secret', readAuth: true });
    try {
      expect((await guarded.request('POST', '/v1/contracts/orders/versions', { body: V1, token: 'admin-secret' })).status).toBe(201);
      const known = await guarded.app.request('/v1/contracts/orders/versions/1', { headers: { Authorization: 'Bearer admin-secret' } });
      const etag = known.headers.get('ETag')!;
      for (const path of ['/v1/contracts/orders/versions/1', '/v1/contracts/orders/versions/1/document', '/v1/schemas/1']) {
        for (const headers of [{ 'If-None-Match': etag }, { 'If-None-Match': '*' }, { 'If-None-Match': '*', Authorization: 'Bearer wrong' }] as Array<Record<string, string>>) {
          const res = await guarded.app.request(path, { headers });
          expect([res.status, res.headers.get('ETag')], `${path} ${JSON.stringify(headers)}`).toEqual([401, null]);
        }
      }
    } finally {
      await guarded.cleanup();
    }
  });
});

describe('the gateway\'s routes', () => {
  it('follow a contract removed for good and registered anew with the same version number', async () => {
    const ts = await openTestStore('pglite');
    try {
      const registry = new Registry(ts.store, new InlineAnalyzer({ ingest: DEFAULT_LIMITS, check: DEFAULT_COMPAT }), new ReadCache());
      const source = new LocalSource(registry);
      await registry.register('flip', V1, 'yaml', 'test');
      const first = await source.routes('flip');
      expect(await source.routes('flip')).toBe(first);
      await registry.deleteContract('flip', false);
      await expect(source.routes('flip')).rejects.toMatchObject({ code: 'not-found' });
      await registry.deleteContract('flip', true);
      await registry.register('flip', V2, 'yaml', 'test');
      const second = await source.routes('flip');
      expect(second.version).toBe(1);
      expect(second).not.toBe(first);
    } finally {
      await ts.cleanup();
    }
  });
});

describe('the byte bound', () => {
  it('holds while 1,000 distinct large versions are read, and the oldest are read from storage again', async () => {
    const maxBytes = 4 * 1024 * 1024;
    const ts = await openTestStore('pglite');
    const counted = counting(ts.store);
    const api = await testApp('pglite', { store: counted.store, cache: { maxEntries: 100_000, maxBytes, recheckMs: 5000 } });
    try {
      // 1,000 versions of about 40 KB each.
      const filler = 'x'.repeat(40_000);
      await insertVersions(ts.store, 'big', 1000, filler);
      let most = 0;
      for (let i = 1; i <= 1000; i++) {
        const res = await api.app.request(`/v1/contracts/big/versions/${i}${i % 2 ? '' : '/document'}`);
        expect(res.status).toBe(200);
        expect((await res.text()).length).toBeGreaterThan(40_000);
        most = Math.max(most, api.cache.size().bytes);
        expect(api.cache.size().bytes).toBeLessThanOrEqual(maxBytes);
      }
      // It filled up, then evicted: 1,000 versions would take over 100 MB.
      expect(most).toBeGreaterThan(maxBytes / 2);
      counted.calls.length = 0;
      expect((await api.app.request('/v1/contracts/big/versions/1')).status).toBe(200);
      expect(counted.calls).toContain('versionContent');
      counted.calls.length = 0;
      expect((await api.app.request('/v1/contracts/big/versions/999')).status).toBe(200);
      expect(counted.calls).toEqual([]);
    } finally {
      await api.cleanup();
      await ts.cleanup();
    }
  });
});

describe('a contract of many versions removed for good on PostgreSQL', () => {
  it('is removed, although the list of its versions would not fit in one notification (8000 bytes)', async () => {
    const api = await testApp('postgres');
    try {
      await insertVersions(api.store, 'many', 2000, '');
      // Written straight to storage, so not a document registration would accept: read raw.
      expect((await api.app.request('/v1/contracts/many/versions/2000')).status).toBe(200);
      expect((await api.request('DELETE', '/v1/contracts/many')).status).toBe(200);
      expect((await api.request('DELETE', '/v1/contracts/many?permanent=true')).status).toBe(200);
      expect((await api.app.request('/v1/contracts/many/versions/2000?deleted=true')).status).toBe(404);
    } finally {
      await api.cleanup();
    }
  });
});
