/**
 * Browsers and tokens: when reads need a token, a docs page answers 401 with a login form;
 * POST /login checks the token and keeps it in an HttpOnly, SameSite=Strict cookie, which only
 * docs pages read (never the API, so no form on another site can ride on it); the token never
 * appears in a URL; sign-in from another site's form is refused.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.js';

const ADMIN = 'admin-secret-for-login-tests';
let api: TestApp;
let open: TestApp;
let reader: string;

beforeAll(async () => {
  api = await testApp('pglite', { adminToken: ADMIN, readAuth: true });
  open = await testApp('pglite');
  expect((await api.request('POST', '/v1/contracts/orders/versions', { body: readFileSync('specs/orders.yaml', 'utf8'), token: ADMIN })).status).toBe(201);
  reader = (await api.request('POST', '/v1/tokens', { body: JSON.stringify({ name: 'browser', scope: 'read' }), contentType: 'application/json', token: ADMIN })).json.token;
});
afterAll(async () => {
  await api?.cleanup();
  await open?.cleanup();
});

const form = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
  api.app.request('http://localhost/login', { method: 'POST', body: new URLSearchParams(fields).toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'http://localhost', ...headers } });
const cookieOf = (res: Response) => /herald_token=([^;]*)/.exec(res.headers.get('set-cookie') ?? '')?.[1];

describe('a docs page that needs a token', () => {
  it('answers 401 with the login form, which comes back to the page; the API still answers problem+json', async () => {
    const res = await api.app.request('http://localhost/docs/orders/latest?deleted=true');
    expect([res.status, res.headers.get('content-type'), res.headers.get('www-authenticate')]).toEqual([401, 'text/html; charset=UTF-8', 'Bearer realm="herald"']);
    const html = await res.text();
    expect(html).toContain('<form class="login" method="post" action="/login">');
    expect(html).toContain('<label for="token">Token</label>');
    expect(html).toContain('name="next" value="/docs/orders/latest?deleted=true"');
    expect((await api.app.request('http://localhost/v1/contracts/orders')).headers.get('content-type')).toBe('application/problem+json');
  });

  it('signs in with a valid token: an HttpOnly, SameSite=Strict cookie, and a redirect to the page, which then renders', async () => {
    const res = await form({ token: reader, next: '/docs/orders/latest' });
    expect([res.status, res.headers.get('location')]).toEqual([303, '/docs/orders/latest']);
    const set = res.headers.get('set-cookie')!;
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Strict/);
    expect(set).toMatch(/Path=\//);
    expect(cookieOf(res)).toBe(reader);
    const page = await api.app.request('http://localhost/docs/orders/latest', { headers: { Cookie: `herald_token=${reader}` } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Orders service');
  });

  it('refuses a wrong token with the form again and no cookie', async () => {
    const res = await form({ token: 'not-a-token', next: '/' });
    expect([res.status, cookieOf(res)]).toEqual([422, undefined]);
    expect(await res.text()).toContain('That token is not valid.');
    const page = await api.app.request('http://localhost/', { headers: { Cookie: 'herald_token=not-a-token' } });
    expect([page.status, await page.text()]).toEqual([401, expect.stringContaining('The bearer token is not valid.')]);
  });

  it('never reads the cookie on the API: a cross-site form or fetch cannot use it', async () => {
    const cookie = { Cookie: `herald_token=${ADMIN}` };
    expect((await api.app.request('http://localhost/v1/contracts/orders', { headers: cookie })).status).toBe(401);
    expect((await api.app.request('http://localhost/v1/contracts/orders', { method: 'DELETE', headers: cookie })).status).toBe(401);
    expect((await api.app.request('http://localhost/v1/contracts/orders/versions/1/document', { headers: cookie })).status).toBe(401);
  });

  it('answers a form it cannot read with 400, and keeps serving', async () => {
    const res = await api.app.request('http://localhost/login', { method: 'POST', headers: { 'Content-Type': 'multipart/form-data; boundary=x', Origin: 'http://localhost' } });
    expect([res.status, res.headers.get('content-type')]).toEqual([400, 'application/problem+json']);
    expect((await form({ token: reader, next: '/' })).status).toBe(303);
  });

  it('refuses sign-in and sign-out posted from another site', async () => {
    expect((await form({ token: reader, next: '/' }, { Origin: 'https://evil.example' })).status).toBe(403);
    expect((await form({ token: reader, next: '/' }, { 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
    const out = await api.app.request('http://localhost/logout', { method: 'POST', headers: { Origin: 'https://evil.example' } });
    expect(out.status).toBe(403);
  });

  it.each(['//evil.example/', '/\\evil.example', '/\t/evil.example', '/\n/evil.example', 'https://evil.example/', 'javascript:alert(1)'])('goes back only to a path on this Herald, not %s', async (next) => {
    const res = await form({ token: reader, next });
    expect([res.status, res.headers.get('location')]).toEqual([303, '/']);
  });

  it('signs out: the cookie is cleared', async () => {
    const res = await api.app.request('http://localhost/logout', { method: 'POST', headers: { Origin: 'http://localhost' } });
    expect([res.status, res.headers.get('location')]).toEqual([303, '/']);
    expect(res.headers.get('set-cookie')).toMatch(/herald_token=;.*Max-Age=0/);
  });
});

it('without an admin token, the login page says every page is open', async () => {
  const res = await open.app.request('http://localhost/login');
  expect(res.status).toBe(200);
  expect(await res.text()).toContain('every page is open');
});

describe('a sign-in form of crafted size', () => {
  it('is refused 413 past the body limit before it is read, as the API\'s bodies are, and the server keeps serving', async () => {
    const small = await testApp('pglite', { adminToken: ADMIN, maxBodyBytes: 4096 });
    try {
      const huge = await small.app.request('http://localhost/login', { method: 'POST', body: `token=${'x'.repeat(100_000)}`, headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'http://localhost' } });
      expect([huge.status, huge.headers.get('content-type')]).toEqual([413, 'application/problem+json']);
      expect(((await huge.json()) as { detail: string }).detail).toContain('HERALD_MAX_BODY_BYTES');
      const wrong = await small.app.request('http://localhost/login', { method: 'POST', body: 'token=nope', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'http://localhost' } });
      expect(wrong.status).toBe(422);
    } finally {
      await small.cleanup();
    }
  });
});
