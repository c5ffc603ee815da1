/**
 * Access control: open on loopback without an admin token; with one, bearer tokens with
 * read, write and admin scopes, 401 and 403 kept apart, secrets stored hashed.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoopback, loadConfig } from '../../src/config.js';
import { HeraldError } from '../../src/errors.js';
import { testApp, type AppOptions, type TestApp } from '../helpers/app.js';
import { declaredAccess, operations, resolve, type DeclaredAccess } from '../helpers/openapi.js';

const orders = readFileSync('specs/orders.yaml', 'utf8');
const ADMIN = 'admin-secret-for-tests';

describe('with HERALD_ADMIN_TOKEN', () => {
  let api: TestApp;
  let writer: string;
  let reader: string;
  beforeAll(async () => {
    api = await testApp('pglite', { adminToken: ADMIN });
  });
  afterAll(async () => api.cleanup());

  it('a write without a token is 401 with WWW-Authenticate; reads stay open', async () => {
    const res = await api.request('POST', '/v1/contracts/orders/versions', { body: orders });
    expect(res.status).toBe(401);
    expect(res.headers.get('WWW-Authenticate')).toMatch(/^Bearer/);
    expect(res.json.type).toBe('urn:herald:problem:unauthorized');
    expect((await api.request('GET', '/v1/contracts')).status).toBe(200);
  });

  it('an unknown token is 401, also on reads', async () => {
    expect((await api.request('POST', '/v1/contracts/orders/versions', { body: orders, token: 'nope' })).status).toBe(401);
    expect((await api.request('GET', '/v1/contracts', { token: 'nope' })).status).toBe(401);
    expect((await api.request('GET', '/v1/contracts', { headers: { Authorization: 'Basic abc' } })).status).toBe(401);
  });

  it('admins create named tokens; the secret is returned once and stored only as a hash', async () => {
    const w = await api.request('POST', '/v1/tokens', { body: { name: 'ci', scope: 'write' }, token: ADMIN });
    expect(w.status).toBe(201);
    expect(w.json).toMatchObject({ name: 'ci', scope: 'write', createdBy: 'admin' });
    writer = w.json.token;
    reader = (await api.request('POST', '/v1/tokens', { body: { name: 'dashboard', scope: 'read' }, token: ADMIN })).json.token;
    const listed = await api.request('GET', '/v1/tokens', { token: ADMIN });
    expect(listed.json.tokens.map((t: { name: string }) => t.name)).toEqual(['ci', 'dashboard']);
    expect(listed.text).not.toContain(writer);
    const rows = await (api.store as unknown as { db: { execute(q: unknown): Promise<{ rows: Array<Record<string, string>> }> } }).db.execute(sql`select secret_hash from tokens`);
    const hashes = rows.rows.map((r) => r.secret_hash);
    expect(hashes).toContain(createHash('sha256').update(writer).digest('hex'));
    expect(JSON.stringify(rows.rows)).not.toContain(writer);
    expect((await api.request('POST', '/v1/tokens', { body: { name: 'ci', scope: 'read' }, token: ADMIN })).status).toBe(409);
    expect((await api.request('POST', '/v1/tokens', { body: { name: 'x', scope: 'root' }, token: ADMIN })).status).toBe(400);
  });

  it('a write token registers, and the version records its name', async () => {
    const res = await api.request('POST', '/v1/contracts/orders/versions', { body: orders, token: writer });
    expect(res.status).toBe(201);
    expect(res.json.registeredBy).toBe('ci');
  });

  it('a token without the needed scope is 403, not 401', async () => {
    const asReader = await api.request('POST', '/v1/contracts/orders/versions', { body: orders, token: reader });
    expect(asReader.status).toBe(403);
    expect(asReader.json.detail).toContain('"write"');
    expect((await api.request('PUT', '/v1/config', { body: { compatibility: 'NONE' }, token: writer })).status).toBe(403);
    expect((await api.request('GET', '/v1/tokens', { token: writer })).status).toBe(403);
    expect((await api.request('DELETE', '/v1/contracts/orders', { token: writer })).status).toBe(200);
    expect((await api.request('DELETE', '/v1/contracts/orders?permanent=true', { token: writer })).status).toBe(403);
    expect((await api.request('DELETE', '/v1/contracts/orders?permanent=true', { token: ADMIN })).status).toBe(200);
  });

  it('any permanent delete needs admin: ?permanent, ?permanent= and ?permanent=true alike', async () => {
    expect((await api.request('POST', '/v1/contracts/perm/versions', { body: orders, token: writer })).status).toBe(201);
    expect((await api.request('DELETE', '/v1/contracts/perm/versions/1', { token: writer })).status).toBe(200);
    for (const q of ['?permanent', '?permanent=', '?permanent=true', '?%70ermanent', '?permanent&permanent=false']) {
      const res = await api.request('DELETE', `/v1/contracts/perm/versions/1${q}`, { token: writer });
      expect(res.status, q).toBe(403);
      expect(res.json.detail).toContain('"admin"');
    }
    expect((await api.request('GET', '/v1/contracts/perm/versions/1?deleted=true')).status).toBe(200);
    expect((await api.request('DELETE', '/v1/contracts/perm', { token: writer })).status).toBe(200);
    for (const q of ['?permanent', '?permanent=', '?permanent=true']) {
      expect((await api.request('DELETE', `/v1/contracts/perm${q}`, { token: writer })).status, q).toBe(403);
    }
    expect((await api.request('GET', '/v1/contracts/perm?deleted=true')).status).toBe(200);
    // What the scope check reads is what the handler obeys: false is a soft delete, for write.
    expect((await api.request('DELETE', '/v1/contracts/perm?permanent=false', { token: writer })).status).toBe(404);
    expect((await api.request('DELETE', '/v1/contracts/perm?permanent=maybe', { token: writer })).status).toBe(400);
    expect((await api.request('DELETE', '/v1/contracts/perm?permanent', { token: ADMIN })).status).toBe(200);
    expect((await api.request('GET', '/v1/contracts/perm?deleted=true')).status).toBe(404);
  });

  it('a publish to a channel named "compatibility" is a publish: it needs write', async () => {
    const body = { body: '{}', contentType: 'application/json' };
    expect((await api.request('POST', '/v1/publish/orders/compatibility', body)).status).toBe(401);
    expect((await api.request('POST', '/v1/publish/orders/compatibility', { ...body, token: reader })).status).toBe(403);
    expect((await api.request('POST', '/v1/publish/orders/compatibility/batch', { body: '[]', contentType: 'application/json', token: reader })).status).toBe(403);
    // The compatibility check itself is a read.
    expect((await api.request('POST', '/v1/contracts/orders/compatibility', { body: orders })).status).toBe(200);
    expect((await api.request('POST', '/v1/contracts/orders/compatibility', { body: orders, token: reader })).status).toBe(200);
  });

  it('/metrics needs a read token; health does not', async () => {
    expect((await api.request('GET', '/metrics')).status).toBe(401);
    expect((await api.request('GET', '/metrics', { token: reader })).status).toBe(200);
    expect((await api.request('GET', '/healthz')).status).toBe(200);
    expect((await api.request('GET', '/readyz')).status).toBe(200);
  });

  it('a revoked token stops working', async () => {
    expect((await api.request('DELETE', '/v1/tokens/ci', { token: ADMIN })).status).toBe(204);
    expect((await api.request('POST', '/v1/contracts/orders/versions', { body: orders, token: writer })).status).toBe(401);
    expect((await api.request('DELETE', '/v1/tokens/ci', { token: ADMIN })).status).toBe(404);
  });
});

describe('with HERALD_READ_AUTH', () => {
  let api: TestApp;
  beforeAll(async () => {
    api = await testApp('pglite', { adminToken: ADMIN, readAuth: true });
  });
  afterAll(async () => api.cleanup());

  it('reads need a token too; health and the API document stay open', async () => {
    expect((await api.request('GET', '/v1/contracts')).status).toBe(401);
    const token = (await api.request('POST', '/v1/tokens', { body: { name: 'viewer', scope: 'read' }, token: ADMIN })).json.token;
    expect((await api.request('GET', '/v1/contracts', { token })).status).toBe(200);
    expect((await api.request('GET', '/healthz')).status).toBe(200);
    expect((await api.request('GET', '/openapi.json')).status).toBe(200);
  });
});

describe('with HERALD_METRICS_PUBLIC', () => {
  let api: TestApp;
  beforeAll(async () => {
    api = await testApp('pglite', { adminToken: ADMIN, readAuth: true, metricsPublic: true });
  });
  afterAll(async () => api.cleanup());

  it('/metrics is open, even with HERALD_READ_AUTH; the API is not', async () => {
    expect((await api.request('GET', '/metrics')).status).toBe(200);
    expect((await api.request('GET', '/v1/contracts')).status).toBe(401);
  });
});

describe('without HERALD_ADMIN_TOKEN', () => {
  let api: TestApp;
  beforeAll(async () => {
    api = await testApp('pglite');
  });
  afterAll(async () => api.cleanup());

  it('serves writes openly and refuses to manage tokens', async () => {
    expect((await api.request('POST', '/v1/contracts/orders/versions', { body: orders })).status).toBe(201);
    const res = await api.request('POST', '/v1/tokens', { body: { name: 'ci', scope: 'write' } });
    expect(res.status).toBe(409);
    expect(res.json.detail).toContain('HERALD_ADMIN_TOKEN');
  });

  it('refuses to listen beyond loopback', () => {
    expect(() => loadConfig({ host: '0.0.0.0' }, {})).toThrow(/HERALD_ADMIN_TOKEN/);
    expect(() => loadConfig({ host: '192.168.1.10' }, {})).toThrow(HeraldError);
    expect(loadConfig({}, {}).host).toBe('127.0.0.1');
    expect(loadConfig({ host: '0.0.0.0' }, { HERALD_ADMIN_TOKEN: 'x' }).host).toBe('0.0.0.0');
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(isLoopback(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', 'example.com', '128.0.0.1']) expect(isLoopback(h), h).toBe(false);
  });

  it('reads its limits from the environment and rejects nonsense', () => {
    const config = loadConfig({}, { HERALD_MAX_BODY_BYTES: '1024', HERALD_MAX_YAML_ALIASES: '0', HERALD_MAX_DEPTH: '20', HERALD_MAX_REF_NODES: '5000' });
    expect(config.limits).toMatchObject({ maxBodyBytes: 1024, maxYamlAliases: 0, maxDepth: 20, maxRefNodes: 5000 });
    expect(() => loadConfig({}, { HERALD_MAX_DEPTH: 'deep' })).toThrow(/HERALD_MAX_DEPTH/);
    expect(() => loadConfig({}, { HERALD_READ_AUTH: 'true' })).toThrow(/HERALD_ADMIN_TOKEN/);
  });
});

/**
 * Every operation of openapi.yaml, by every kind of caller, under every access setting: the
 * answer is 401, 403 or anything else exactly as the operation's declared scope says. The
 * request helper also checks each answer against the document's responses.
 */
describe('every operation answers as its declared scope says', () => {
  type Caller = 'none' | 'bogus' | 'read' | 'write' | 'admin';
  const CALLERS: Caller[] = ['none', 'bogus', 'read', 'write', 'admin'];
  const RANK = { read: 0, write: 1, admin: 2 } as const;
  const SETTINGS: Array<[string, AppOptions]> = [
    ['access control off', {}],
    ['an admin token', { adminToken: ADMIN }],
    ['HERALD_READ_AUTH', { adminToken: ADMIN, readAuth: true }],
    ['HERALD_METRICS_PUBLIC', { adminToken: ADMIN, metricsPublic: true }],
    ['HERALD_READ_AUTH and HERALD_METRICS_PUBLIC', { adminToken: ADMIN, readAuth: true, metricsPublic: true }],
  ];
  /** Path values naming nothing that exists: nothing the walk sends changes anything. */
  const SAMPLE: Record<string, string> = { name: 'walk', contract: 'walk', channel: 'walk', version: '1', from: '1', to: '1', id: '1', asset: 'favicon-32x32.png' };

  /** Each operation, and each again with every parameter that raises its scope given as `?p`, `?p=` and `?p=true`. */
  const cases = operations().flatMap(({ method, path, operation, parameters }) => {
    const declared = declaredAccess(operation, parameters);
    const url = path.replace(/\{(\w+)\}/g, (_, p: string) => SAMPLE[p]!);
    const raised = declared.raisedBy.flatMap((r) => [`?${r.name}`, `?${r.name}=`, `?${r.name}=true`].map((q) => ({ query: q, scope: r.scope })));
    const body = operation.requestBody ? resolve(operation.requestBody).content : undefined;
    const request = { method: method.toUpperCase(), operation, declared, body: body && ('application/json' in body || '*/*' in body) ? '{}' : body ? 'x: 1' : undefined };
    return [
      { ...request, url, scope: declared.scope },
      ...raised.map((r) => ({ ...request, url: url + r.query, scope: r.scope as DeclaredAccess['scope'] })),
    ];
  });

  function expected(declared: DeclaredAccess, scope: DeclaredAccess['scope'], caller: Caller, options: AppOptions): 'served' | 401 | 403 {
    if (!options.adminToken || scope === 'public') return 'served';
    if (declared.anonymous === 'if-metrics-public' && options.metricsPublic) return 'served';
    if (caller === 'bogus') return 401;
    if (caller === 'none') return declared.anonymous === 'unless-read-auth' && !options.readAuth ? 'served' : 401;
    return RANK[caller] >= RANK[scope] ? 'served' : 403;
  }

  let base: TestApp;
  const tokens: Partial<Record<Caller, string>> = { bogus: 'hrld_not-a-token', admin: ADMIN };
  beforeAll(async () => {
    base = await testApp('pglite', { adminToken: ADMIN });
    for (const scope of ['read', 'write'] as const) {
      tokens[scope] = (await base.request('POST', '/v1/tokens', { body: { name: `walk-${scope}`, scope }, token: ADMIN })).json.token;
    }
  });
  afterAll(async () => base.cleanup());

  it('walks every operation of the document', () => {
    expect(cases.length).toBeGreaterThanOrEqual(operations().length + 6);
  });

  describe.each(SETTINGS)('with %s', (_, options) => {
    let api: TestApp;
    beforeAll(async () => {
      api = await testApp('pglite', { ...options, store: base.store });
    });
    afterAll(async () => api?.cleanup());

    it.each(cases.map((c) => [`${c.method} ${c.url} (${c.scope})`, c] as const))('%s', async (_, c) => {
      for (const caller of CALLERS) {
        const token = caller === 'none' ? undefined : tokens[caller];
        const res = await api.request(c.method, c.url, { ...(token ? { token } : {}), ...(c.body !== undefined ? { body: c.body, contentType: c.body === '{}' ? 'application/json' : 'application/yaml' } : {}) });
        const want = expected(c.declared, c.scope, caller, options);
        const why = `${c.method} ${c.url} by ${caller} -> ${res.status} ${res.text.slice(0, 200)}`;
        if (want === 'served') {
          expect([401, 403], why).not.toContain(res.status);
          expect(res.status, why).toBeLessThan(500);
        } else {
          expect(res.status, why).toBe(want);
          if (want === 401) expect(res.headers.get('WWW-Authenticate'), why).toMatch(/^Bearer/);
        }
      }
    });
  });
});
