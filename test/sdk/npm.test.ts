/**
 * The real npm client against a running Herald (the built server, PGlite, an admin token):
 * a project whose .npmrc points the @herald scope at Herald's /npm/ installs the SDK of a
 * contract by semver range, reinstalls the same bytes from its lockfile, compiles against it
 * and validates with it; without a token it is refused; and npm itself refuses a tarball whose
 * bytes do not match the packument's integrity.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../helpers/process.js';

const ADMIN = 'npm-test-admin';
const ORDERS = readFileSync('specs/orders.yaml', 'utf8');
const COMPATIBLE = ORDERS.replace('cancelledAt: { type: string, format: date-time }\n', 'cancelledAt: { type: string, format: date-time }\n          note: { type: string }\n');
const BREAKING = COMPATIBLE.replace('cancelledAt: { type: string, format: date-time }', 'cancelledAt: { type: integer }');

const dir = mkdtempSync(path.join(tmpdir(), 'herald-npm-'));
let server: ServerProcess;
let reader: string;
let proxy: Server;
let proxyUrl: string;

async function api(method: string, route: string, body?: string, type = 'application/yaml'): Promise<{ status: number; json: any }> {
  const res = await fetch(`${server.url}${route}`, { method, body, headers: { authorization: `Bearer ${ADMIN}`, ...(body ? { 'content-type': type } : {}) } });
  return { status: res.status, json: await res.json().catch(() => undefined) };
}

/** A project whose .npmrc sends the @herald scope to `registry` (with `token`, if any); its own npm cache. */
function project(name: string, registry: string, token?: string): string {
  const root = path.join(dir, name);
  mkdirSync(root, { recursive: true });
  writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name, version: '0.0.0', private: true, type: 'module' }));
  const host = new URL(registry).host;
  writeFileSync(path.join(root, '.npmrc'), [`@herald:registry=${registry}/npm/`, ...(token ? [`//${host}/npm/:_authToken=${token}`] : [])].join('\n') + '\n');
  return root;
}

/** npm, isolated from this machine's and the test runner's npm settings. */
function npm(cwd: string, ...args: string[]): Promise<{ code: number | null; out: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
  const userconfig = path.join(dir, 'empty-npmrc');
  writeFileSync(userconfig, '');
  return new Promise((resolve, reject) => {
    const child = spawn('npm', [...args, '--cache', path.join(cwd, '.npm-cache'), '--no-audit', '--no-fund', '--no-update-notifier', '--ignore-scripts'], {
      cwd,
      env: { ...env, npm_config_userconfig: userconfig },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

/** sha256 of every file of an installed package, by path. */
function digest(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const entry of readdirSync(d).sort()) {
      const p = path.join(d, entry);
      if (statSync(p).isDirectory()) walk(p);
      else out[path.relative(root, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(root);
  return out;
}

const installed = (root: string) => JSON.parse(readFileSync(path.join(root, 'node_modules/@herald/orders/package.json'), 'utf8')).version as string;

beforeAll(async () => {
  server = await startServerProcess({ env: { HERALD_ADMIN_TOKEN: ADMIN } });
  for (const text of [ORDERS, COMPATIBLE]) expect((await api('POST', '/v1/contracts/orders/versions', text)).status).toBe(201);
  expect((await api('PUT', '/v1/config/orders', JSON.stringify({ compatibility: 'NONE' }), 'application/json')).status).toBe(200);
  expect((await api('POST', '/v1/contracts/orders/versions', BREAKING)).status).toBe(201);
  reader = (await api('POST', '/v1/tokens', JSON.stringify({ name: 'npm-reader', scope: 'read' }), 'application/json')).json.token;
  // In front of Herald: passes everything on, but damages one byte of every tarball.
  proxy = createServer((req, res) => {
    const upstream = httpRequest(`${server.url}${req.url}`, { method: req.method, headers: req.headers }, (up) => {
      const chunks: Buffer[] = [];
      up.on('data', (c: Buffer) => chunks.push(c));
      up.on('end', () => {
        const body = Buffer.concat(chunks);
        if (req.url!.endsWith('.tgz') && body.length > 100) body[100] = body[100]! ^ 0xff;
        res.writeHead(up.statusCode!, up.headers);
        res.end(body);
      });
    });
    req.pipe(upstream);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
}, 120_000);

afterAll(async () => {
  proxy?.close();
  await server?.stop();
  server?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

it('installs @herald/orders@^1 (the latest compatible) and @2 (after the breaking version); npm ci installs the same bytes from the lockfile', async () => {
  const app = project('consumer', server.url, reader);
  const one = await npm(app, 'install', '@herald/orders@^1');
  expect(one.code, one.out).toBe(0);
  expect(installed(app)).toBe('1.1.0');
  const two = await npm(app, 'install', '@herald/orders@2');
  expect(two.code, two.out).toBe(0);
  expect(installed(app)).toBe('2.0.0');
  const lock = JSON.parse(readFileSync(path.join(app, 'package-lock.json'), 'utf8'));
  expect(lock.packages['node_modules/@herald/orders']).toMatchObject({ version: '2.0.0', integrity: expect.stringMatching(/^sha512-/) });
  const before = digest(path.join(app, 'node_modules/@herald/orders'));
  rmSync(path.join(app, 'node_modules'), { recursive: true });
  rmSync(path.join(app, '.npm-cache'), { recursive: true });
  const ci = await npm(app, 'ci');
  expect(ci.code, ci.out).toBe(0);
  expect(digest(path.join(app, 'node_modules/@herald/orders'))).toEqual(before);
}, 180_000);

it('the installed SDK compiles under tsc --strict (NodeNext) and its validator accepts a valid message', async () => {
  const app = project('typed', server.url, reader);
  expect((await npm(app, 'install', '@herald/orders@^1')).code).toBe(0);
  writeFileSync(
    path.join(app, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', verbatimModuleSyntax: true, noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true, skipLibCheck: false, types: [], lib: ['ES2022'] }, files: ['use.ts'] }),
  );
  writeFileSync(
    path.join(app, 'use.ts'),
    `import { isOrderCancelledPayload, type OrderCancelledPayload } from '@herald/orders';
declare const console: { log(text: string): void };
const cancelled: OrderCancelledPayload = { orderId: '6f1c1a52-8f0e-4a8e-9a4e-2b7b0c2f6d11', reason: 'out-of-stock', cancelledAt: '2026-12-03T10:00:00Z', note: 'from 1.1.0' };
console.log(JSON.stringify([isOrderCancelledPayload(cancelled), isOrderCancelledPayload({ ...cancelled, reason: 'bored' })]));
`,
  );
  const tsc = await new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(process.execPath, [path.resolve('node_modules/typescript/bin/tsc'), '-p', app]);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code, out }));
  });
  expect(tsc, tsc.out).toEqual({ code: 0, out: '' });
  const run = await new Promise<string>((resolve) => {
    const child = spawn(process.execPath, [path.join(app, 'use.js')], { cwd: app });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('close', () => resolve(out.trim()));
  });
  expect(run).toBe('[true,false]');
}, 180_000);

it('without a token in .npmrc npm gets 401 and installs nothing', async () => {
  const app = project('anonymous', server.url);
  const res = await npm(app, 'install', '@herald/orders@^1');
  expect(res.code).not.toBe(0);
  expect(res.out).toMatch(/E401|401 Unauthorized/);
}, 120_000);

it('npm refuses a tarball whose bytes do not match the integrity of the packument', async () => {
  const app = project('damaged', proxyUrl, reader);
  // Without retries: npm would fetch the damaged bytes again, after a back-off of tens of seconds.
  const res = await npm(app, 'install', '@herald/orders@^1', '--fetch-retries=0');
  expect(res.code).not.toBe(0);
  expect(res.out).toMatch(/EINTEGRITY/);
}, 120_000);
