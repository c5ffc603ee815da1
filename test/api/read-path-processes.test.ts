/**
 * Several `herald serve` processes on one PostgreSQL database (issue 13): a write through one
 * is seen through the others within the bound, by LISTEN/NOTIFY; when the notification
 * connection is killed a process listens anew, and when notifications stop arriving silently
 * it falls back to re-reading what it cached after HERALD_CACHE_RECHECK_MS. The standalone
 * gateway's source follows the registry too. Real processes, real PostgreSQL.
 */
import { readFileSync } from 'node:fs';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReadCache } from '../../src/registry/read-cache.js';
import { RemoteSource } from '../../src/gateway/source.js';
import { startPgProxy, type PgProxy } from '../helpers/pg-proxy.js';
import { startServerProcess, type ServerProcess } from '../helpers/process.js';
import { throwawayDatabase } from '../helpers/storage.js';

const V1 = readFileSync('specs/orders.yaml', 'utf8');
/** Compatible versions: one more optional property each. */
const version = (n: number) => V1.replace('        customerId: { type: string }\n', `        customerId: { type: string }\n${Array.from({ length: n - 1 }, (_, i) => `        note${i}: { type: string }\n`).join('')}`);
const ADMIN = 'admin-secret-for-the-read-path';
/** Long: within these tests only a notification can make a process read again, never the interval. */
const LONG_RECHECK = '600000';
/** How long a test waits for a change to show. Generous: a bound on correctness, not a speed target. */
const PATIENCE_MS = 20_000;

async function eventually(what: string, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > PATIENCE_MS) throw new Error(`not within ${PATIENCE_MS} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('processes sharing one PostgreSQL database', () => {
  let db: { url: string; drop(): Promise<void> };
  let a: ServerProcess;
  let b: ServerProcess;
  let c: ServerProcess;
  let proxy: PgProxy;
  let admin: postgres.Sql;

  const start = (url: string, recheckMs: string) =>
    startServerProcess({ env: { DATABASE_URL: url, HERALD_ADMIN_TOKEN: ADMIN, HERALD_READ_AUTH: 'true', HERALD_CACHE_RECHECK_MS: recheckMs, HERALD_WORKERS: '1' } });

  beforeAll(async () => {
    db = await throwawayDatabase();
    admin = postgres(db.url, { max: 1, onnotice: () => {} });
    proxy = await startPgProxy(db.url);
    // Migrations first, in one process, then the others.
    a = await start(db.url, LONG_RECHECK);
    [b, c] = await Promise.all([start(db.url, LONG_RECHECK), start(proxy.url, '1000')]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([a, b, c].map((p) => p?.stop()));
    for (const p of [a, b, c]) p?.cleanup();
    await proxy?.close();
    await admin?.end();
    await db?.drop();
  });

  const call = (p: ServerProcess, method: string, path: string, body?: string, token = ADMIN) =>
    fetch(p.url + path, { method, headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/yaml' } : {}) }, ...(body ? { body } : {}) });
  const latest = async (p: ServerProcess) => ((await (await call(p, 'GET', '/v1/contracts/orders/versions/latest')).json()) as { version: number }).version;
  const register = async (n: number) => expect((await call(a, 'POST', '/v1/contracts/orders/versions', version(n))).status).toBe(201);

  it('a version registered through one process is the latest through the others', async () => {
    await register(1);
    // Each reader has it cached before the next write.
    for (const p of [b, c]) expect(await latest(p)).toBe(1);
    await register(2);
    const ms = await eventually('process B sees version 2 as latest', async () => (await latest(b)) === 2);
    console.log(`version 2 seen through the other process after ${ms} ms`);
    expect((await (await call(b, 'GET', '/v1/contracts/orders')).json()) as unknown).toMatchObject({ latestVersion: 2, versionCount: 2 });
  });

  it('a delete through one process is a 404 through the others, soft and for good; the gateway stops routing it', async () => {
    const gateway = new RemoteSource(b.url, { token: ADMIN, refreshMs: 100, maxRefNodes: 100_000, cache: new ReadCache() });
    expect((await gateway.routes('orders', 2)).version).toBe(2);
    expect((await call(b, 'GET', '/v1/contracts/orders/versions/2')).status).toBe(200);
    expect((await call(a, 'DELETE', '/v1/contracts/orders/versions/2')).status).toBe(200);
    await eventually('B answers 404 for the soft-deleted version', async () => (await call(b, 'GET', '/v1/contracts/orders/versions/2')).status === 404);
    expect(await latest(b)).toBe(1);
    await expect(eventually('the gateway drops the deleted version', () => gateway.routes('orders', 2).then(() => false, (err) => err.code === 'not-found'))).resolves.toBeGreaterThanOrEqual(0);
    expect((await gateway.routes('orders')).version).toBe(1);
    expect((await call(b, 'GET', '/v1/contracts/orders/versions/2?deleted=true')).status).toBe(200);
    expect((await call(a, 'DELETE', '/v1/contracts/orders/versions/2?permanent=true')).status).toBe(200);
    for (const path of ['/v1/contracts/orders/versions/2?deleted=true', '/v1/contracts/orders/versions/2/document?deleted=true']) {
      await eventually(`B answers 404 for ${path}`, async () => (await call(b, 'GET', path)).status === 404);
    }
  });

  it('a token deleted through one process is refused by the others', async () => {
    const created = (await (await fetch(a.url + '/v1/tokens', { method: 'POST', headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'reader', scope: 'read' }) })).json()) as { token: string };
    expect((await call(b, 'GET', '/v1/contracts/orders', undefined, created.token)).status).toBe(200);
    expect((await call(a, 'DELETE', '/v1/tokens/reader')).status).toBe(204);
    await eventually('B refuses the deleted token', async () => (await call(b, 'GET', '/v1/contracts/orders', undefined, created.token)).status === 401);
  });

  it('a killed notification connection is replaced, and what was missed meanwhile is read again', async () => {
    expect(await latest(b)).toBe(1);
    const killed = await admin`select pg_terminate_backend(pid) from pg_stat_activity where application_name = ${`herald-listen:${b.child.pid}`}`;
    expect(killed.length).toBeGreaterThan(0);
    await register(3);
    await eventually('B sees version 3 after its listener was killed', async () => (await latest(b)) === 3);
    await eventually('B listens again', async () => (await admin`select 1 from pg_stat_activity where application_name = ${`herald-listen:${b.child.pid}`} and query ilike 'listen%'`).length > 0);
    await register(4);
    await eventually('B sees version 4 through its new listener', async () => (await latest(b)) === 4);
  });

  it('when notifications stop arriving silently, a process re-reads after the recheck interval, then listens anew', async () => {
    expect(await latest(c)).toBe(4);
    proxy.silenceListeners = true;
    await eventually('C notices that its pings stopped coming back', async () => c.logs.some((l) => String(l.msg).startsWith('change notifications stopped arriving')));
    await register(5);
    const ms = await eventually('C sees version 5 without notifications', async () => (await latest(c)) === 5);
    console.log(`version 5 seen without notifications after ${ms} ms (recheck interval 1000 ms)`);
    const arriving = c.logs.filter((l) => l.msg === 'change notifications are arriving').length;
    proxy.silenceListeners = false;
    await eventually('C listens again once the path is back', async () => c.logs.filter((l) => l.msg === 'change notifications are arriving').length > arriving);
    await register(6);
    await eventually('C sees version 6', async () => (await latest(c)) === 6);
  });
});
