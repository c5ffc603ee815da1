/**
 * openapi/openapi.yaml describes every route the app serves, and the access each needs;
 * every route declares its access; the document is served itself.
 */
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { access, declarationOf, undeclaredRoutes } from '../../src/http/access.js';
import { createGatewayApp } from '../../src/http/app.js';
import { createLogger } from '../../src/log.js';
import { AdminToken } from '../../src/registry/tokens.js';
import type { AppEnv } from '../../src/http/env.js';
import { onError } from '../../src/http/problem.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { declaredAccess, METHODS, openapi, operations } from '../helpers/openapi.js';

describe('the OpenAPI document', () => {
  let ts: TestApp;
  let routes: Array<{ method: string; path: string }>;
  beforeAll(async () => {
    ts = await testApp('pglite');
    // Middleware registrations show up as method ALL; handlers carry a real method, as do
    // access declarations (each the first handler of its route).
    routes = ts.app.routes
      .filter((r) => r.method !== 'ALL' && !declarationOf(r.handler))
      .map((r) => ({ method: r.method.toLowerCase(), path: r.path.replace(/\/$/, '').replace(/:(\w+)/g, '{$1}') || '/' }));
  });
  afterAll(async () => ts.cleanup());

  it('describes every route of the app', () => {
    expect(routes.length).toBeGreaterThan(15);
    const missing = routes.filter((r) => !openapi.paths[r.path]?.[r.method]).map((r) => `${r.method.toUpperCase()} ${r.path}`);
    expect(missing).toEqual([]);
  });

  it('states the access of every operation', () => {
    const states = operations().map(({ method, path, operation, parameters }) => [`${method.toUpperCase()} ${path}`, declaredAccess(operation, parameters).scope]);
    expect(states.length).toBe(routes.length);
    expect(Object.fromEntries(states)).toMatchObject({ 'POST /v1/contracts/{name}/compatibility': 'read', 'GET /healthz': 'public', 'GET /metrics': 'read', 'GET /v1/tokens': 'admin' });
  });

  it('describes no route the app lacks', () => {
    const documented = Object.entries(openapi.paths).flatMap(([path, ops]) => Object.keys(ops).filter((m) => METHODS.includes(m)).map((m) => `${m.toUpperCase()} ${path}`));
    const served = new Set(routes.map((r) => `${r.method.toUpperCase()} ${r.path}`));
    expect(documented.filter((d) => !served.has(d))).toEqual([]);
  });
});

describe('access declarations', () => {
  let ts: TestApp;
  beforeAll(async () => {
    ts = await testApp('pglite', { adminToken: 'admin-secret' });
  });
  afterAll(async () => ts.cleanup());

  it('every route of the app declares its access', () => {
    expect(undeclaredRoutes(ts.app).map((r) => `${r.method} ${r.path}`)).toEqual([]);
  });

  it('a route added without a declaration fails closed: 500, and its handler never runs', async () => {
    // An app of its own (on the same store): Hono cannot take a route away again.
    const own = await testApp('pglite', { adminToken: 'admin-secret', store: ts.store });
    try {
      let ran = 0;
      own.app.post('/v1/sneaky', (c) => (ran++, c.json({ done: true })));
      own.app.use('/v1/late/*', async (_, next) => (ran++, next()));
      own.app.get('/v1/late/x', access('public'), (c) => (ran++, c.json({ done: true })));
      for (const [method, path] of [['POST', '/v1/sneaky'], ['GET', '/v1/late/x']] as const) {
        const res = await own.request(method, path, { undocumented: true, token: 'admin-secret' });
        expect(res.status, path).toBe(500);
        expect(res.json.detail).toContain('declares no access scope');
      }
      expect(ran).toBe(0);
      expect(undeclaredRoutes(own.app).map((r) => `${r.method} ${r.path}`)).toEqual(['POST /v1/sneaky', 'ALL /v1/late/*']);
      // Unknown routes are still 404.
      expect((await own.request('GET', '/v1/nowhere', { undocumented: true })).status).toBe(404);
    } finally {
      await own.cleanup();
    }
  });

  it('so does every route of the standalone gateway, where only the admin token opens anything', async () => {
    const app = createGatewayApp({ gateway: ts.gateway, tokens: new AdminToken('gateway-admin'), logger: createLogger('silent'), maxBodyBytes: 1024, maxBatch: 10, readAuth: false, metricsPublic: false });
    expect(undeclaredRoutes(app).map((r) => `${r.method} ${r.path}`)).toEqual([]);
    expect((await app.request('/healthz')).status).toBe(200);
    expect((await app.request('/metrics')).status).toBe(401);
    expect((await app.request('/metrics', { headers: { Authorization: 'Bearer gateway-admin' } })).status).toBe(200);
    expect((await app.request('/v1/publish/orders/placed', { method: 'POST', body: '{}' })).status).toBe(401);
  });

  it('a declared route served without the guard refuses too', async () => {
    const app = new Hono<AppEnv>().get('/x', access('public'), (c) => c.json({ served: true }));
    app.onError(onError);
    expect((await app.request('/x')).status).toBe(500);
    expect(undeclaredRoutes(app)).toHaveLength(1);
  });
});

describe('serving the document', () => {
  let api: TestApp;
  beforeAll(async () => {
    api = await testApp('pglite');
  });
  afterAll(async () => api.cleanup());

  it('serves it as JSON at /openapi.json', async () => {
    const res = await api.request('GET', '/openapi.json');
    expect(res.json.openapi).toBe('3.1.0');
    expect(Object.keys(res.json.paths)).toEqual(Object.keys(openapi.paths));
  });

  it('serves an interactive reference page with its assets, no CDN', async () => {
    const page = await api.request('GET', '/reference');
    expect(page.headers.get('Content-Type')).toContain('text/html');
    expect(page.text).toContain('/openapi.json');
    expect(page.text).not.toMatch(/https?:\/\//);
    const script = await api.request('GET', '/reference/swagger-ui-bundle.js');
    expect(script.status).toBe(200);
    expect(script.text.length).toBeGreaterThan(100_000);
    expect((await api.request('GET', '/reference/secrets.txt')).status).toBe(404);
    expect((await api.request('GET', '/reference/..%2Fpackage.json')).status).toBe(404);
  });
});
