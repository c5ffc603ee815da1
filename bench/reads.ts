/**
 * The read path (issue 13 item 5): the built `herald serve` with its default logging, on
 * embedded PGlite and on PostgreSQL, against a bare Hono route in its own process answering
 * the very same bytes. GET latest, GET a version by number, GET a schema by id, GET the
 * document; one client at a time and 8 at once; throughput and latency percentiles. Then the
 * reads a standalone `herald gateway` makes of its registry: conditional GETs answered 304.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { startHerald } from './herald-process.js';
import { ms, table } from './stats.js';

const V1 = readFileSync('specs/orders.yaml', 'utf8');
const V2 = V1.replace('        customerId: { type: string }\n', '        customerId: { type: string }\n        giftNote: { type: string }\n');

interface Load {
  perSecond: number;
  p50: number;
  p99: number;
  /** The server's CPU time per request (all its threads), in microseconds; undefined without Linux's /proc. */
  cpuUs?: number;
}

/**
 * CPU time a process has run, all threads, in nanoseconds (Linux's schedstat), or undefined.
 * Throughput alone cannot tell a server's cost once it outruns the one client core; CPU per
 * request can.
 */
function cpuNs(pid: number): number | undefined {
  try {
    let ns = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    return ns;
  } catch {
    return undefined;
  }
}

/** `total` GETs of `path` over `concurrency` keep-alive connections; each answer read in full. */
async function drive(agent: http.Agent, base: string, target: string, headers: Record<string, string>, total: number, concurrency: number, expect: number): Promise<{ times: number[]; elapsed: number }> {
  const url = new URL(target, base);
  const times: number[] = [];
  let left = total;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const started = performance.now();
      const req = http.get({ agent, host: url.hostname, port: url.port, path: url.pathname + url.search, headers }, (res) => {
        if (res.statusCode !== expect) reject(new Error(`${url} answered ${res.statusCode}, not ${expect}`));
        res.on('data', () => {});
        res.on('end', () => {
          times.push(performance.now() - started);
          resolve();
        });
      });
      req.on('error', reject);
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left-- > 0) await one();
    }),
  );
  return { times, elapsed: performance.now() - started };
}

interface Side {
  base: string;
  path: string;
  pid: number;
}

/** Herald and the bare route in alternating blocks, so that drift hits both alike. */
async function compare(herald: Side, bare: Side, headers: Record<string, string>, total: number, concurrency: number, expect = 200): Promise<[Load, Load]> {
  const agents = [new http.Agent({ keepAlive: true, maxSockets: concurrency }), new http.Agent({ keepAlive: true, maxSockets: concurrency })];
  const sides = [herald, bare];
  const acc = sides.map(() => ({ times: [] as number[], elapsed: 0, cpu: 0 as number | undefined }));
  const blocks = 8;
  // Warm-up: connections, caches, JIT.
  for (const [i, side] of sides.entries()) await drive(agents[i]!, side.base, side.path, headers, 1000, concurrency, expect);
  for (let b = 0; b < blocks; b++) {
    for (const [i, side] of sides.entries()) {
      const before = cpuNs(side.pid);
      const run = await drive(agents[i]!, side.base, side.path, headers, Math.ceil(total / blocks), concurrency, expect);
      const after = cpuNs(side.pid);
      acc[i]!.times.push(...run.times);
      acc[i]!.elapsed += run.elapsed;
      const spent = before === undefined || after === undefined ? undefined : after - before;
      acc[i]!.cpu = spent === undefined || acc[i]!.cpu === undefined ? undefined : acc[i]!.cpu + spent;
    }
  }
  for (const agent of agents) agent.destroy();
  return acc.map(({ times, elapsed, cpu }) => {
    times.sort((x, y) => x - y);
    const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
    return { perSecond: times.length / (elapsed / 1000), p50: at(0.5), p99: at(0.99), ...(cpu === undefined ? {} : { cpuUs: cpu / 1000 / times.length }) };
  }) as [Load, Load];
}

async function startBare(routes: Record<string, { body: string; type: string; etag: string }>): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'herald-bench-bare-'));
  const file = path.join(dir, 'routes.json');
  writeFileSync(file, JSON.stringify(routes));
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/bare-server.ts', file], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()));
    child.once('exit', (code) => reject(new Error(`bare server exited with ${code}`)));
  });
  return {
    url,
    child,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * On a machine of two or more cores, the servers share one core and the client has another,
 * so that each server's throughput is its own, not what is left beside the client's work.
 * Without taskset, nothing is pinned and the table says so.
 */
function pin(pid: number, cpus: string): boolean {
  try {
    execFileSync('taskset', ['-a', '-cp', cpus, String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export async function benchReads(total: number, databaseUrl?: string): Promise<string> {
  const driver = databaseUrl ? 'PostgreSQL' : 'PGlite';
  const herald = await startHerald(databaseUrl ? { DATABASE_URL: databaseUrl } : {});
  let bare: Awaited<ReturnType<typeof startBare>> | undefined;
  const cores = os.cpus().length;
  try {
    for (const text of [V1, V2]) {
      const res = await fetch(`${herald.url}/v1/contracts/orders/versions`, { method: 'POST', body: text, headers: { 'content-type': 'application/yaml' } });
      if (res.status !== 201) throw new Error(`registration answered ${res.status}: ${await res.text()}`);
    }
    const v1 = (await (await fetch(`${herald.url}/v1/contracts/orders/versions/1`)).json()) as { schemas: Array<{ id: number }> };
    const cases = [
      { what: 'GET latest', path: '/v1/contracts/orders/versions/latest' },
      { what: 'GET version by number', path: '/v1/contracts/orders/versions/1' },
      { what: 'GET schema by id', path: `/v1/schemas/${v1.schemas[0]!.id}` },
      { what: 'GET document', path: '/v1/contracts/orders/versions/1/document' },
    ];
    // The bare routes answer exactly what Herald answers, byte for byte.
    const routes: Record<string, { body: string; type: string; etag: string }> = {};
    for (const [i, c] of cases.entries()) {
      const res = await fetch(herald.url + c.path);
      routes[`/r${i}`] = { body: await res.text(), type: res.headers.get('content-type')!, etag: res.headers.get('etag')! };
    }
    bare = await startBare(routes);
    const pinned = cores >= 2 && pin(herald.pid, '1') && pin(bare.child.pid!, '1') && pin(process.pid, '0');
    // Both servers warmed on every path first (JIT, caches), so that the first row is not
    // measured colder than the rest.
    const warm = new http.Agent({ keepAlive: true, maxSockets: 8 });
    for (const [i, c] of cases.entries()) {
      await drive(warm, herald.url, c.path, {}, 3000, 8, 200);
      await drive(warm, bare.url, `/r${i}`, {}, 3000, 8, 200);
    }
    warm.destroy();
    const rows: Array<Record<string, string>> = [];
    const row = (what: string, bytes: number, concurrency: number, [h, b]: [Load, Load]) => {
      rows.push({
        request: what,
        bytes: String(bytes),
        clients: String(concurrency),
        'Herald p50': ms(h.p50),
        'Herald p99': ms(h.p99),
        'Herald req/s': h.perSecond.toFixed(0),
        'bare p50': ms(b.p50),
        'bare p99': ms(b.p99),
        'bare req/s': b.perSecond.toFixed(0),
        ratio: (h.perSecond / b.perSecond).toFixed(2),
        'CPU per read, Herald / bare': h.cpuUs === undefined || b.cpuUs === undefined ? 'n/a' : `${h.cpuUs.toFixed(0)} / ${b.cpuUs.toFixed(0)} µs`,
      });
    };
    for (const concurrency of [1, 8]) {
      for (const [i, c] of cases.entries()) {
        row(c.what, Buffer.byteLength(routes[`/r${i}`]!.body), concurrency, await compare({ base: herald.url, path: c.path, pid: herald.pid }, { base: bare.url, path: `/r${i}`, pid: bare.child.pid! }, {}, total, concurrency));
      }
    }
    // What `herald gateway` asks its registry each refresh interval: is my version still current?
    const gatewayRows = rows.length;
    for (const concurrency of [1, 8]) {
      for (const [i, c] of cases.slice(0, 2).entries()) {
        const headers = { 'If-None-Match': routes[`/r${i}`]!.etag };
        row(`${c.what}, If-None-Match (304)`, 0, concurrency, await compare({ base: herald.url, path: c.path, pid: herald.pid }, { base: bare.url, path: `/r${i}`, pid: bare.child.pid! }, headers, total, concurrency, 304));
      }
    }
    return [
      `## Read path, ${driver} (${total} requests per contender and row)`,
      '',
      '- Herald: the built `herald serve` with its default logging (info, a JSON line per request), ' + (databaseUrl ? 'on the machine\'s PostgreSQL' : 'on embedded PGlite') + ', contract `orders` (specs/orders.yaml) registered twice.',
      '- bare: a Hono route on @hono/node-server in its own process answering the same bytes, encoded once (and 304 for the same ETag), from memory.',
      `- Client: node:http with keep-alive, in this process; ratio = Herald's requests per second / bare's. Goal: at least 0.6. ${pinned ? 'Herald and bare pinned to core 1 (taskset), the client to core 0.' : 'Nothing pinned (no taskset or one core).'}`,
      "- CPU per read: the server process's CPU time (all threads, Linux schedstat) over the requests it answered. Where both servers outrun the one client core (ratios near 1 with 8 clients), this is what still tells their costs apart.",
      '',
      table(rows.slice(0, gatewayRows)),
      '',
      `### The reads of a standalone \`herald gateway\` (${driver} behind the registry)`,
      '',
      'It asks again for `latest` (and any pinned version) every HERALD_GATEWAY_REFRESH_MS with the ETag it holds; the registry answers 304 from memory. When the version changed, it gets the full answer of the rows above.',
      '',
      table(rows.slice(gatewayRows)),
      '',
    ].join('\n');
  } finally {
    if (cores >= 2) pin(process.pid, `0-${cores - 1}`);
    await bare?.stop();
    await herald.stop();
  }
}
