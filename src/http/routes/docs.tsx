/**
 * The browsable docs (src/docs/): the catalog at `/`, a contract at `/docs/{name}/{version}`
 * (`latest` always resolves to the latest), and the stylesheet. HTML rendered on the server;
 * reads follow the API's access rules. The Content-Security-Policy lets a page load only
 * Herald's own stylesheet and scripts: nothing a document says can run.
 */
import { Hono, type Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { catalog, contractPage, messageExamples } from '../../docs/views.js';
import { CatalogView, ContractView, LoginView, MessageView } from '../../docs/pages.js';
import { HeraldError } from '../../errors.js';
import { STYLESHEET } from '../../docs/style.js';
import type { Gateway } from '../../gateway/gateway.js';
import type { PackageService } from '../../registry/packages.js';
import type { Registry } from '../../registry/registry.js';
import { TOKEN_COOKIE, access } from '../access.js';
import { historyRoutes } from './docs-history.js';
import { mapRoutes } from './docs-map.js';
import { searchRoutes } from './docs-search.js';
import type { AppEnv } from '../env.js';
import { deleted, selector } from '../params.js';

export const DOCS_CSP = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/** Security headers on every docs response; set in the handler, so each route stays one handler after its access declaration. */
export function secure(c: Context<AppEnv>): void {
  c.header('Content-Security-Policy', DOCS_CSP);
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'no-referrer');
}

/**
 * The access of every docs page: a read, which a browser may also prove with the login
 * cookie; without a valid token (when one is needed) the page answers 401 with the login form.
 */
export function pageAccess() {
  return access('read', {
    browser: {
      prompt(c, reason) {
        secure(c);
        c.header('WWW-Authenticate', 'Bearer realm="herald"');
        const url = new URL(c.req.url);
        return c.html(<LoginView next={url.pathname + url.search} reason={reason} />, 401);
      },
    },
  });
}

/**
 * Where to go after signing in: a path on this Herald only, never another site (`//host`,
 * `/\\host`, nor `/<tab>/host`, since browsers drop tabs and newlines from a URL).
 */
function localPath(next: unknown): string {
  return typeof next === 'string' && next.length <= 2048 && /^\/(?![/\\])/.test(next) && !/[\s\u0000-\u001f\u007f]/.test(next) ? next : '/';
}

/**
 * A form posted from another site is refused: browsers send Origin (and Sec-Fetch-Site) with
 * a POST, so signing someone in or out from elsewhere fails.
 */
function sameOrigin(c: Context<AppEnv>): boolean {
  const origin = c.req.header('Origin');
  const site = c.req.header('Sec-Fetch-Site');
  return (origin === undefined || origin === new URL(c.req.url).origin) && (site === undefined || site === 'same-origin' || site === 'none');
}

/** What the docs read besides the registry: the SDK package names and the gateway's traffic. */
export interface BrowseDeps {
  registry: Registry;
  packages: Pick<PackageService, 'packageName'>;
  gateway: Pick<Gateway, 'brokerKinds' | 'metrics'>;
}

export function browseRoutes({ registry, packages, gateway }: BrowseDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  // Before /docs/:name/:version, which would take "assets" for a contract.
  app.get('/docs/assets/herald.css', access('public'), (c) => {
    secure(c);
    return c.body(STYLESHEET, 200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'public, max-age=3600' });
  });
  app.get('/login', access('public'), (c) => {
    secure(c);
    return c.html(<LoginView next={localPath(c.req.query('next'))} open={!c.get('access').tokens.enabled} />);
  });
  app.post('/login', access('public'), async (c) => {
    secure(c);
    if (!sameOrigin(c)) throw new HeraldError('forbidden', 'Sign-in is accepted only from a form on this Herald.');
    const form = await c.req.parseBody().catch(() => {
      throw new HeraldError('bad-request', 'The sign-in form could not be read: send it as application/x-www-form-urlencoded with a "token" field.');
    });
    const next = localPath(form.next);
    const token = typeof form.token === 'string' ? form.token.trim() : '';
    const principal = token && token.length <= 512 ? await c.get('access').tokens.authenticate(token) : undefined;
    // 422, as a form whose content was refused: a 401 would ask for a token that this route does not need.
    if (!principal) return c.html(<LoginView next={next} reason="That token is not valid." />, 422);
    // HttpOnly: no script reads it; Strict: no other site's link or form sends it.
    setCookie(c, TOKEN_COOKIE, token, { httpOnly: true, sameSite: 'Strict', path: '/', secure: new URL(c.req.url).protocol === 'https:' });
    return c.redirect(next, 303);
  });
  app.post('/logout', access('public'), (c) => {
    secure(c);
    if (!sameOrigin(c)) throw new HeraldError('forbidden', 'Sign-out is accepted only from a form on this Herald.');
    deleteCookie(c, TOKEN_COOKIE, { path: '/' });
    return c.redirect('/', 303);
  });
  // Before /docs/:name/:version, which would take "map", "history" or "diff" for a version.
  app.route('/', historyRoutes(registry));
  app.route('/', mapRoutes(registry));
  app.route('/', searchRoutes(registry));
  app.get('/', pageAccess(), async (c) => {
    secure(c);
    return c.html(<CatalogView entries={await catalog(registry)} />);
  });
  app.get('/docs/:name/:version', pageAccess(), async (c) => {
    secure(c);
    const page = await contractPage(registry, c.req.param('name'), selector(c.req.param('version')), deleted(c));
    const use = { packageName: packages.packageName(page.name), brokers: gateway.brokerKinds(), counts: await gateway.metrics.outcomes(page.name) };
    return c.html(<ContractView page={page} origin={new URL(c.req.url).origin} use={use} />);
  });
  app.get('/docs/:name/:version/channels/:channel/messages/:message', pageAccess(), async (c) => {
    secure(c);
    const page = await contractPage(registry, c.req.param('name'), selector(c.req.param('version')), deleted(c));
    const channel = page.contract.channels.find((ch) => ch.id === c.req.param('channel'));
    const message = channel?.messages.find((m) => m.id === c.req.param('message'));
    if (!channel || !message) throw new HeraldError('not-found', `Version ${page.version.version} of "${page.name}" has no message "${c.req.param('message')}" in channel "${c.req.param('channel')}".`);
    return c.html(<MessageView page={page} channel={channel} message={message} examples={messageExamples(page.document, message)} />);
  });
  return app;
}
