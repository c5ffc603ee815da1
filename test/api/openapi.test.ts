/** openapi/openapi.yaml describes every route the app serves, and is served itself. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.js';
import { openapi } from '../helpers/openapi.js';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

describe('the OpenAPI document', () => {
  let ts: TestApp;
  let routes: Array<{ method: string; path: string }>;
  beforeAll(async () => {
    ts = await testApp('pglite');
    // Middleware registrations show up as method ALL; handlers carry a real method.
    routes = ts.app.routes
      .filter((r) => r.method !== 'ALL')
      .map((r) => ({ method: r.method.toLowerCase(), path: r.path.replace(/\/$/, '').replace(/:(\w+)/g, '{$1}') || '/' }));
  });
  afterAll(async () => ts.cleanup());

  it('describes every route of the app', () => {
    expect(routes.length).toBeGreaterThan(15);
    const missing = routes.filter((r) => !openapi.paths[r.path]?.[r.method]).map((r) => `${r.method.toUpperCase()} ${r.path}`);
    expect(missing).toEqual([]);
  });

  it('describes no route the app lacks', () => {
    const documented = Object.entries(openapi.paths).flatMap(([path, ops]) => Object.keys(ops).filter((m) => METHODS.includes(m)).map((m) => `${m.toUpperCase()} ${path}`));
    const served = new Set(routes.map((r) => `${r.method.toUpperCase()} ${r.path}`));
    expect(documented.filter((d) => !served.has(d))).toEqual([]);
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
