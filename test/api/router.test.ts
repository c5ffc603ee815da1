/**
 * The app's router (http/router.ts): the API on Hono's RegExpRouter, the docs pages on a
 * router of their own, the app's middleware in front of both.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SplitRouter } from '../../src/http/router.js';
import { testApp, type TestApp } from '../helpers/app.js';

describe('the router', () => {
  let api: TestApp;
  beforeAll(async () => {
    api = await testApp('pglite');
    expect((await api.request('POST', '/v1/contracts/orders/versions', { body: readFileSync('specs/orders.yaml', 'utf8') })).status).toBe(201);
  });
  afterAll(() => api?.cleanup());

  it('matches the API with RegExpRouter: no API route has a shape that would make every read walk a trie', async () => {
    expect((await api.request('GET', '/v1/contracts/orders/versions/1')).status).toBe(200);
    expect((await api.request('GET', '/docs/orders/1')).status).toBe(200);
    const router = api.app.router as SplitRouter<unknown>;
    expect(router.api.activeRouter.name).toBe('RegExpRouter');
    // The docs pages' shapes (/docs/map beside /docs/:name/:version) are why they have their own.
    expect(router.pages.activeRouter.name).toBe('TrieRouter');
  });

  it('sends a route to each part whose requests it may match', () => {
    const router = new SplitRouter<string>();
    for (const path of ['/*', '/v1/x/:id', '/docs/:name/:version', '/:any/page']) router.add('GET', path, path);
    const matched = (path: string) => router.match('GET', path)[0].map(([handler]) => handler);
    expect(matched('/v1/x/1')).toEqual(['/*', '/v1/x/:id']);
    expect(matched('/docs/orders/1')).toEqual(['/*', '/docs/:name/:version']);
    expect(matched('/docs/page')).toEqual(['/*', '/:any/page']);
    expect(matched('/other/page')).toEqual(['/*', '/:any/page']);
  });

  it('runs the app\'s middleware for both parts: a request id everywhere, problems for unknown paths in either', async () => {
    for (const path of ['/v1/contracts/orders', '/docs/orders/1', '/docs/map', '/docs/orders/history', '/', '/healthz']) {
      const res = await api.request('GET', path);
      expect([res.status, res.headers.get('X-Request-Id')], path).toEqual([200, expect.stringMatching(/^[\w-]{8,}$/)]);
    }
    for (const path of ['/docs', '/docs/', '/docs/orders/1/nothing', '/v1/nothing', '/v1/contracts/orders/versions/1/nothing']) {
      const res = await api.request('GET', path, { undocumented: true });
      expect([res.status, res.headers.get('Content-Type'), res.headers.get('X-Request-Id')], path).toEqual([404, 'application/problem+json', expect.any(String)]);
    }
  });

  it('routes crafted paths by what they name once the URL is normalized, each behind its own route\'s access', async () => {
    const canonical = await api.request('GET', '/v1/contracts/orders');
    for (const path of ['/docs/../v1/contracts/orders', '/docs/%2e%2e/v1/contracts/orders']) {
      const res = await api.app.request(path);
      expect([res.status, await res.text()], path).toEqual([200, canonical.text]);
    }
    for (const path of ['/docs%2F..%2Fv1/contracts/orders', '//docs/orders/1', '/DOCS/orders/1', '/docs//orders/1']) {
      expect((await api.app.request(path)).status, path).toBe(404);
    }
    const guarded = await testApp('pglite', { adminToken: 'admin-secret', store: api.store });
    try {
      for (const path of ['/docs/../v1/tokens', '/docs/%2e%2e/v1/tokens', '/v1/tokens']) {
        const res = await guarded.app.request(path);
        expect([res.status, res.headers.get('Content-Type')], path).toEqual([401, 'application/problem+json']);
      }
    } finally {
      await guarded.cleanup();
    }
  });
});
