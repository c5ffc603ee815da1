/**
 * SDK packages served by Herald (registry/packages.ts, package-version.ts), in process over
 * PGlite: the package versions a history of registrations gets, the npm registry's packument
 * and tarballs, the generator rule, the SDK archive route, and access. What the real npm
 * client does with them is in npm.test.ts.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InlineAnalyzer } from '../../src/analysis/analyzer.js';
import { DEFAULT_COMPAT } from '../../src/config.js';
import { DEFAULT_LIMITS } from '../../src/contracts/ingest.js';
import { packArchive, unpackArchive } from '../../src/sdk/archive.js';
import { PackageService } from '../../src/registry/packages.js';
import { Registry } from '../../src/registry/registry.js';
import { testApp, type TestApp } from '../helpers/app.js';

const ORDERS = readFileSync('specs/orders.yaml', 'utf8');
/** An optional property more in OrderCancelled: compatible in every mode. */
const COMPATIBLE = ORDERS.replace('cancelledAt: { type: string, format: date-time }\n', 'cancelledAt: { type: string, format: date-time }\n          note: { type: string }\n');
/** Only a description differs from COMPATIBLE. */
const DOCS_ONLY = COMPATIBLE.replace('Payment outcomes, published by the payments service.', 'Payment outcomes, as the payments service publishes them.');
/** cancelledAt becomes a number: breaking in every direction. */
const BREAKING = DOCS_ONLY.replace('cancelledAt: { type: string, format: date-time }', 'cancelledAt: { type: integer }');
/** After the breaking one was deleted: compatible with DOCS_ONLY. */
const AFTER = DOCS_ONLY.replace('note: { type: string }', 'note: { type: string }\n          channel: { type: string }');

let api: TestApp;
const abbreviated = { accept: 'application/vnd.npm.install-v1+json' };
const get = async (path: string, headers: Record<string, string> = {}) => {
  const res = await api.app.request(path, { headers });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
};
const json = async (path: string, headers: Record<string, string> = {}) => JSON.parse((await get(path, headers)).bytes.toString());
const register = async (name: string, text: string) => {
  const res = await api.request('POST', `/v1/contracts/${name}/versions`, { body: text });
  expect(res.status, res.text).toBe(201);
  return (await api.request('GET', `/v1/contracts/${name}/versions/${res.json.version}`)).json;
};

/** As a database migrated from before package versions: none for this contract. */
async function forgetPackageVersions(name: string): Promise<void> {
  await api.store.transaction(async (tx) => {
    const db = (tx as unknown as { db: { execute(q: unknown): Promise<unknown> } }).db;
    await db.execute(sql`update contract_versions set package_version = null, package_reason = null where contract_id = (select id from contracts where name = ${name})`);
    await db.execute(sql`update contracts set package_version = null where name = ${name}`);
  });
  // As a Herald started on the old database finds it: nothing of it in memory.
  api.cache.invalidateMutable();
}

beforeAll(async () => {
  api = await testApp('pglite');
});
afterAll(async () => api?.cleanup());

describe('package versions from the compatibility engine', () => {
  it('1.0.0 first; a compatible version bumps the minor, documentation only the patch, a breaking one the major; deleted numbers are never given again', async () => {
    const v1 = await register('orders', ORDERS);
    expect(v1.package).toEqual({ version: '1.0.0', bump: 'initial', summary: 'the first version of the contract' });
    const v2 = await register('orders', COMPATIBLE);
    expect(v2.package).toMatchObject({ version: '1.1.0', bump: 'minor', against: 1, mode: 'AUTO', breaking: 0 });
    expect(v2.package.summary).toMatch(/^compatible with version 1 under AUTO: \d+ changes?, none breaking$/);
    const v3 = await register('orders', DOCS_ONLY);
    expect(v3.package).toEqual({ version: '1.1.1', bump: 'patch', against: 2, mode: 'AUTO', changes: 0, breaking: 0, summary: 'no change of kind from version 2 under AUTO: documentation only' });
    // Breaking: refused under AUTO, registered once the contract's mode is NONE; judged one-step under BACKWARD.
    expect((await api.request('POST', '/v1/contracts/orders/versions', { body: BREAKING })).status).toBe(409);
    expect((await api.request('PUT', '/v1/config/orders', { body: { compatibility: 'NONE' } })).status).toBe(200);
    const v4 = await register('orders', BREAKING);
    expect(v4.package).toMatchObject({ version: '2.0.0', bump: 'major', against: 3, mode: 'BACKWARD' });
    expect(v4.package.breaking).toBeGreaterThan(0);
    expect(v4.package.summary).toMatch(/^breaking against version 3 under BACKWARD: \d+ breaking changes?, first .* at \/components\/messages\/OrderCancelled\/payload\/properties\/cancelledAt/);
    // Deleted: its number stays taken. The next version is compatible with version 3, and is
    // bumped from the highest number given (2.0.0), not from 1.1.1.
    expect((await api.request('DELETE', '/v1/contracts/orders/versions/4')).status).toBe(200);
    const v5 = await register('orders', AFTER);
    expect(v5.package).toMatchObject({ version: '2.1.0', bump: 'minor', against: 3 });
  });

  it('a version registered before package versions existed gets its own on first use, judged against the one before', async () => {
    await register('legacy', ORDERS);
    await register('legacy', COMPATIBLE);
    await register('legacy', DOCS_ONLY);
    await forgetPackageVersions('legacy');
    expect((await api.request('GET', '/v1/contracts/legacy/versions/2')).json.package).toBeUndefined();
    const packument = await json('/npm/@herald%2flegacy');
    expect(Object.keys(packument.versions)).toEqual(['1.0.0', '1.1.0', '1.1.1']);
    expect((await api.request('GET', '/v1/contracts/legacy/versions/3')).json.package).toMatchObject({ version: '1.1.1', bump: 'patch' });
  });

  it('a registration on a contract from before package versions numbers its older versions first', async () => {
    await register('legacy2', ORDERS);
    await register('legacy2', COMPATIBLE);
    await forgetPackageVersions('legacy2');
    expect((await register('legacy2', DOCS_ONLY)).package).toMatchObject({ version: '1.1.1', bump: 'patch', against: 2 });
    expect((await api.request('GET', '/v1/contracts/legacy2/versions/1')).json.package.version).toBe('1.0.0');
  });
});

describe('the npm registry under /npm/', () => {
  it('a packument with every live version, dist-tags, time, and dist the bytes bear out; the abbreviated form for npm install', async () => {
    const full = await json('/npm/@herald%2forders');
    expect(full.name).toBe('@herald/orders');
    // Version 4 (2.0.0) is deleted: out of the packument.
    expect(Object.keys(full.versions)).toEqual(['1.0.0', '1.1.0', '1.1.1', '2.1.0']);
    expect(full['dist-tags']).toEqual({ latest: '2.1.0' });
    expect(Object.keys(full.time)).toEqual(expect.arrayContaining(['created', 'modified', '1.0.0', '2.1.0']));
    for (const [version, manifest] of Object.entries<any>(full.versions)) {
      expect(manifest).toMatchObject({ name: '@herald/orders', version, _id: `@herald/orders@${version}`, type: 'module' });
      const tarball = await get(new URL(manifest.dist.tarball).pathname);
      expect(tarball.status).toBe(200);
      expect(manifest.dist.shasum).toBe(createHash('sha1').update(tarball.bytes).digest('hex'));
      expect(manifest.dist.integrity).toBe(`sha512-${createHash('sha512').update(tarball.bytes).digest('base64')}`);
      const files = await unpackArchive(tarball.bytes, 10_000_000);
      expect(JSON.parse(files['package.json']!).version).toBe(version);
    }
    // The unencoded name is the same package.
    expect(await json('/npm/@herald/orders')).toEqual(full);
    const short = await get('/npm/@herald%2forders', abbreviated);
    expect(short.headers.get('content-type')).toBe('application/vnd.npm.install-v1+json');
    const body = JSON.parse(short.bytes.toString());
    expect(Object.keys(body).sort()).toEqual(['dist-tags', 'modified', 'name', 'versions']);
    expect(Object.keys(body.versions['1.1.0']).sort()).toEqual(['dist', 'name', 'peerDependencies', 'peerDependenciesMeta', 'version']);
  });

  it('tarballs are byte-identical on every request: files under package/, sorted, with npm\'s fixed time; a deleted version\'s stays downloadable', async () => {
    const first = await get('/npm/@herald/orders/-/orders-1.1.0.tgz');
    const again = await get('/npm/@herald/orders/-/orders-1.1.0.tgz');
    expect(again.bytes.equals(first.bytes)).toBe(true);
    expect(first.headers.get('etag')).toBe(`"${createHash('sha1').update(first.bytes).digest('hex')}"`);
    // npm and caches send the tag alone, weak, or in a list: each is the same archive.
    const tag = first.headers.get('etag')!;
    for (const match of [tag, `W/${tag}`, `"other", ${tag}`]) {
      const cached = await get('/npm/@herald/orders/-/orders-1.1.0.tgz', { 'if-none-match': match });
      expect([cached.status, cached.bytes.length, cached.headers.get('etag'), cached.headers.get('cache-control')], match).toEqual([304, 0, tag, first.headers.get('cache-control')]);
    }
    // The tar headers themselves: names in order, each mtime 1985-10-26T08:15:00Z (octal seconds at offset 136).
    const tar = gunzipSync(first.bytes);
    const entries: { name: string; mtime: number }[] = [];
    for (let at = 0; at + 512 <= tar.length && tar[at] !== 0; ) {
      const size = parseInt(tar.subarray(at + 124, at + 136).toString().replace(/\0.*$/, '').trim(), 8);
      entries.push({ name: tar.subarray(at, at + 100).toString().replace(/\0.*$/s, ''), mtime: parseInt(tar.subarray(at + 136, at + 148).toString().replace(/\0.*$/, '').trim(), 8) });
      at += 512 + Math.ceil(size / 512) * 512;
    }
    expect(entries.map((e) => e.name)).toEqual([...entries.map((e) => e.name)].sort());
    expect(entries.every((e) => e.name.startsWith('package/'))).toBe(true);
    expect(new Set(entries.map((e) => e.mtime))).toEqual(new Set([Date.parse('1985-10-26T08:15:00Z') / 1000]));
    // 2.0.0 is version 4, deleted: not listed, still served to whoever pinned it.
    const pinned = await get('/npm/@herald/orders/-/orders-2.0.0.tgz');
    expect(pinned.status).toBe(200);
    expect(JSON.parse((await unpackArchive(pinned.bytes, 10_000_000))['package.json']!).version).toBe('2.0.0');
  });

  it('a hard delete removes the version from the packument and its tarball', async () => {
    await get('/npm/@herald/orders/-/orders-2.0.0.tgz');
    expect((await api.request('DELETE', '/v1/contracts/orders/versions/4?permanent=true')).status).toBe(200);
    expect((await get('/npm/@herald/orders/-/orders-2.0.0.tgz')).status).toBe(404);
  });

  it('answers a package it does not have, or a name npm could not mean, 404 {"error":"Not found"}', async () => {
    for (const path of ['/npm/@herald%2fnope', '/npm/@other%2forders', '/npm/orders', '/npm/@herald/orders/-/orders-9.9.9.tgz', '/npm/@herald/orders/-/other-1.0.0.tgz', '/npm/@herald/orders/-/orders-1.0.0.tar', '/npm/@herald%2f..%2forders']) {
      const res = await get(path);
      expect([path, res.status, res.bytes.toString()]).toEqual([path, 404, '{"error":"Not found"}']);
    }
  });

  it('serves the scope HERALD_NPM_SCOPE names, and no other', async () => {
    const acme = await testApp('pglite', { store: api.store, npmScope: '@acme' });
    try {
      expect(((await (await acme.app.request('/npm/@acme%2forders')).json()) as { name: string }).name).toBe('@acme/orders');
      expect((await acme.app.request('/npm/@herald%2forders')).status).toBe(404);
    } finally {
      await acme.cleanup();
    }
  });
});

describe('generators', () => {
  it('a newer generator gives the latest version a new patch only when its package differs; older versions keep theirs', async () => {
    await register('gen', ORDERS);
    await register('gen', COMPATIBLE);
    const analyzer = new InlineAnalyzer({ ingest: DEFAULT_LIMITS, check: DEFAULT_COMPAT });
    const registry = new Registry(api.store, analyzer);
    const service = (generator: string, extra?: Record<string, string>) =>
      new PackageService(api.store, registry, analyzer, {
        scope: '@herald',
        generator,
        build: async (document, options) => {
          const built = await analyzer.sdk(document, options);
          if (!extra) return built;
          // What a newer generator might write: one more file in the package.
          const files = await unpackArchive(built.tarball, 10_000_000);
          return { ...(await packArchive({ ...files, ...extra })), ...(built.manifest ? { manifest: built.manifest } : {}) };
        },
      });
    const list = async (s: PackageService) => {
      const p = (await s.packument('@herald/gen', false, 'http://h'))!.body as { versions: Record<string, { dist: { integrity: string } }>; 'dist-tags': { latest: string } };
      return { versions: Object.fromEntries(Object.entries(p.versions).map(([v, m]) => [v, m.dist.integrity])), latest: p['dist-tags'].latest };
    };
    const old = await list(service('herald@old'));
    expect(Object.keys(old.versions)).toEqual(['1.0.0', '1.1.0']);
    // A new generator whose output is the same: nothing changes.
    expect(await list(service('herald@same'))).toEqual(old);
    // One whose output differs: the latest version gets 1.1.1; 1.0.0 and 1.1.0 keep their bytes.
    const changed = await list(service('herald@new', { 'NOTICE.md': 'made by a newer generator\n' }));
    expect(Object.keys(changed.versions)).toEqual(['1.0.0', '1.1.0', '1.1.1']);
    expect(changed.latest).toBe('1.1.1');
    expect([changed.versions['1.0.0'], changed.versions['1.1.0']]).toEqual([old.versions['1.0.0'], old.versions['1.1.0']]);
    // The next registration counts from 1.1.1.
    expect((await register('gen', DOCS_ONLY)).package.version).toBe('1.1.2');
  });
});

describe('GET /v1/contracts/{name}/versions/{version}/sdk/{lang}', () => {
  it('every language as a .tar.gz with an ETag, the same bytes each time; TypeScript is the npm package', async () => {
    for (const lang of ['java', 'python', 'go', 'csharp', 'kotlin', 'typescript']) {
      const a = await get(`/v1/contracts/orders/versions/2/sdk/${lang}`);
      const b = await get(`/v1/contracts/orders/versions/2/sdk/${lang}`);
      expect([lang, a.status, a.headers.get('content-type')]).toEqual([lang, 200, 'application/gzip']);
      expect(b.bytes.equals(a.bytes)).toBe(true);
      expect(a.headers.get('etag')).toBe(`"${createHash('sha1').update(a.bytes).digest('hex')}"`);
      expect(Object.keys(await unpackArchive(a.bytes, 10_000_000)).length).toBeGreaterThan(0);
    }
    const ts = await get('/v1/contracts/orders/versions/2/sdk/typescript');
    expect(ts.bytes.equals((await get('/npm/@herald/orders/-/orders-1.1.0.tgz')).bytes)).toBe(true);
    expect((await api.request('GET', '/v1/contracts/orders/versions/2/sdk/cobol')).status).toBe(404);
  });
});

describe('access', () => {
  it('with an admin token, the npm registry needs a read token (HERALD_READ_AUTH or not); the token npm sends from .npmrc is a bearer token', async () => {
    const guarded = await testApp('pglite', { store: api.store, adminToken: 'admin-secret' });
    try {
      expect((await guarded.app.request('/npm/@herald%2forders')).status).toBe(401);
      expect((await guarded.app.request('/npm/@herald/orders/-/orders-1.0.0.tgz')).status).toBe(401);
      const token = (await guarded.request('POST', '/v1/tokens', { token: 'admin-secret', body: { name: 'ci-reader', scope: 'read' } })).json.token as string;
      const ok = await guarded.app.request('/npm/@herald%2forders', { headers: { authorization: `Bearer ${token}` } });
      expect(ok.status).toBe(200);
      expect((await guarded.app.request('/npm/@herald%2forders', { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    } finally {
      await guarded.cleanup();
    }
  });
});
