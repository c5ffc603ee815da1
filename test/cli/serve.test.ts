/**
 * `herald serve` as a process: structured logs with request ids, graceful shutdown on
 * SIGTERM (the in-flight request finishes, storage closes), embedded data that persists,
 * and PostgreSQL through DATABASE_URL.
 */
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { startServerProcess } from '../helpers/process.js';
import { throwawayDatabase } from '../helpers/storage.js';

const orders = readFileSync('specs/orders.yaml', 'utf8');

describe('herald serve', () => {
  const cleanups: Array<() => unknown> = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('logs one JSON line per request, carrying the request id that the response and problem carry', async () => {
    const server = await startServerProcess();
    cleanups.push(() => server.cleanup());
    const res = await fetch(`${server.url}/v1/contracts/ghost`);
    const problem = (await res.json()) as { requestId: string };
    const id = res.headers.get('X-Request-Id');
    expect(problem.requestId).toBe(id);
    await fetch(`${server.url}/healthz`);
    await server.stop();
    const requests = server.logs.filter((l) => l.msg === 'request');
    expect(requests).toHaveLength(2);
    expect(requests.every((l) => typeof l.requestId === 'string' && l.requestId.length > 0)).toBe(true);
    expect(requests[0]).toMatchObject({ requestId: id, method: 'GET', path: '/v1/contracts/ghost', status: 404 });
  });

  it('writes a request\'s log line while it runs, not only at exit: buffered lines are flushed within a moment', async () => {
    const server = await startServerProcess();
    cleanups.push(() => server.cleanup());
    try {
      const res = await fetch(`${server.url}/v1/contracts/quiet`);
      const id = res.headers.get('X-Request-Id');
      const started = Date.now();
      // One line is far below the 8 KiB the buffer gathers: only the flush timer can write it.
      while (!server.logs.some((l) => l.msg === 'request' && l.requestId === id)) {
        if (Date.now() - started > 10_000) throw new Error('the request line was not written within 10 s');
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      await server.stop();
    }
  });

  it('on SIGTERM, finishes the request in flight, closes storage, exits 0; the data survives a restart', async () => {
    const server = await startServerProcess();
    cleanups.push(() => server.cleanup());
    const url = new URL(`${server.url}/v1/contracts/orders/versions`);
    const body = Buffer.from(orders);
    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(url, { method: 'POST', headers: { 'Content-Type': 'application/yaml', 'Content-Length': body.length } }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, body: text }));
      });
      req.on('error', reject);
      // Half the body now, SIGTERM, the rest a moment later: the request is in flight.
      req.write(body.subarray(0, body.length / 2));
      setTimeout(() => {
        server.child.kill('SIGTERM');
        setTimeout(() => req.end(body.subarray(body.length / 2)), 300);
      }, 200);
    });
    const answer = await response;
    expect(answer.status).toBe(201);
    expect(JSON.parse(answer.body).version).toBe(1);
    expect(await server.exited).toBe(0);
    const messages = server.logs.map((l) => l.msg);
    expect(messages.indexOf('shutting down: finishing in-flight requests')).toBeLessThan(messages.indexOf('stopped'));
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();

    const restarted = await startServerProcess({ dataDir: server.dataDir });
    const again = await fetch(`${restarted.url}/v1/contracts/orders/versions/1/document`);
    expect(await again.text()).toBe(orders);
    await restarted.stop();
  });

  it('uses PostgreSQL when DATABASE_URL is set', async () => {
    const db = await throwawayDatabase();
    cleanups.push(() => db.drop());
    const server = await startServerProcess({ env: { DATABASE_URL: db.url } });
    cleanups.push(() => server.cleanup());
    const ready = (await (await fetch(`${server.url}/readyz`)).json()) as { checks: { storage: { driver: string } } };
    expect(ready.checks.storage.driver).toBe('postgres');
    const res = await fetch(`${server.url}/v1/contracts/orders/versions`, { method: 'POST', body: orders, headers: { 'Content-Type': 'application/yaml' } });
    expect(res.status).toBe(201);
    expect(await server.stop()).toBe(0);
  });

  it('refuses a non-loopback host without an admin token, in one line, exit 2', async () => {
    const { runCli } = await import('../helpers/process.js');
    const res = await runCli(['serve', '--host', '0.0.0.0', '--port', '0'], { HERALD_ADMIN_TOKEN: '' });
    expect(res.code).toBe(2);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toContain('HERALD_ADMIN_TOKEN');
  });
});
