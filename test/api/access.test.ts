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
import { testApp, type TestApp } from '../helpers/app.js';

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
    expect(config.limits).toEqual({ maxBodyBytes: 1024, maxYamlAliases: 0, maxDepth: 20, maxRefNodes: 5000 });
    expect(() => loadConfig({}, { HERALD_MAX_DEPTH: 'deep' })).toThrow(/HERALD_MAX_DEPTH/);
    expect(() => loadConfig({}, { HERALD_READ_AUTH: 'true' })).toThrow(/HERALD_ADMIN_TOKEN/);
  });
});
