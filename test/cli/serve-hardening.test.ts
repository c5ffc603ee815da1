/**
 * `herald serve` under documents built to make it work: they are parsed and compared in
 * worker threads, so other requests go on being answered meanwhile; a worker that runs
 * past its deadline or out of its heap is stopped, the caller gets a 422 naming the limit,
 * and the server goes on serving. Ordering, not timing: a test asserts that one answer
 * came before another, never how long anything took.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { largeEnum, nestedAnyOf } from '../helpers/attacks.js';
import { startServerProcess, type ServerProcess } from '../helpers/process.js';

const servers: ServerProcess[] = [];
afterAll(async () => {
  for (const s of servers) {
    await s.stop();
    s.cleanup();
  }
});

async function serve(env: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
  const server = await startServerProcess({ env });
  servers.push(server);
  return server;
}

const post = (url: string, body: string, token?: string) =>
  fetch(url, { method: 'POST', body, headers: { 'Content-Type': 'application/yaml', ...(token ? { Authorization: `Bearer ${token}` } : {}) } });

describe('herald serve under heavy documents', () => {
  it('keeps answering other requests while a large document is being processed', async () => {
    const server = await serve();
    const order: string[] = [];
    // 1.5 MB of nested anyOf: seconds of parsing and validating, in a worker.
    const heavy = post(`${server.url}/v1/contracts/heavy/versions`, nestedAnyOf(8, 4, 0)).then((r) => (order.push('heavy'), r));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const health = await fetch(`${server.url}/healthz`);
    order.push('healthz');
    const listed = await fetch(`${server.url}/v1/contracts`);
    order.push('list');
    expect([health.status, listed.status]).toEqual([200, 200]);
    expect((await heavy).status).toBe(201);
    expect(order).toEqual(['healthz', 'list', 'heavy']);
  });

  it('stops a worker past HERALD_WORKER_TIMEOUT_MS with 422 naming the limit, and keeps serving', async () => {
    // One worker: the next document waits for its replacement, whose start (compiling the
    // AsyncAPI schemas) does not count against the deadline.
    const server = await serve({ HERALD_WORKER_TIMEOUT_MS: '1000', HERALD_WORKERS: '1' });
    const res = await post(`${server.url}/v1/contracts/slow/versions`, nestedAnyOf(8, 4, 0));
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ type: 'urn:herald:problem:limit-exceeded', limit: 'HERALD_WORKER_TIMEOUT_MS' });
    expect((await fetch(`${server.url}/v1/contracts/slow`)).status).toBe(404);
    // The replaced worker takes the next document.
    expect((await post(`${server.url}/v1/contracts/next/versions`, largeEnum(10))).status).toBe(201);
  });

  it('stops a worker that runs out of its heap (HERALD_WORKER_HEAP_MB) with 422, and keeps serving', async () => {
    const server = await serve({ HERALD_WORKER_HEAP_MB: '64', HERALD_WORKER_TIMEOUT_MS: '120000', HERALD_MAX_BODY_BYTES: String(16 * 1024 * 1024) });
    const res = await post(`${server.url}/v1/contracts/big/versions`, largeEnum(300_000));
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ type: 'urn:herald:problem:limit-exceeded', limit: 'HERALD_WORKER_HEAP_MB' });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await post(`${server.url}/v1/contracts/small/versions`, largeEnum(10))).status).toBe(201);
  });

  it('an anonymous check of a 50,000-value enum on a token-protected server is answered, and does not hold up others', async () => {
    const admin = 'admin-token-for-hardening-tests';
    const server = await serve({ HERALD_ADMIN_TOKEN: admin });
    expect((await post(`${server.url}/v1/contracts/codes/versions`, largeEnum(50_000, 0), admin)).status).toBe(201);
    const order: string[] = [];
    const check = post(`${server.url}/v1/contracts/codes/compatibility`, largeEnum(50_000, 1)).then((r) => (order.push('check'), r));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    order.push('healthz');
    const res = await check;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { changes: Array<{ kind: string }> }).changes.map((c) => c.kind)).toEqual(['ENUM_ARRAY_CHANGED']);
    expect(order).toEqual(['healthz', 'check']);
  });
});
