/**
 * Access control, declared by each route where it is defined:
 *
 *     app.post('/:name/versions', access('write'), handler)
 *     app.delete('/:name', access((c) => (permanent(c) ? 'admin' : 'write')), handler)
 *
 * A rule that depends on the request reads it with the same parser as the handler
 * (params.ts), so the two cannot disagree about what the request asks for.
 *
 * The guard, the app's last middleware, makes a route without a declaration impossible to
 * serve by mistake: before any handler runs, it looks at the handlers the request matched
 * and answers 500 (logged as a bug) when one of them is not preceded by its route's own
 * declaration. It fails closed at run time, whatever the tests cover; `undeclaredRoutes`
 * applies the same check to the whole app, so the tests name such a route before it ships.
 */
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { matchedRoutes } from 'hono/route';
import { HeraldError } from '../errors.js';
import { allows, type Principal, type Scope, type TokenService } from '../registry/tokens.js';
import type { AppEnv } from './env.js';
import { logOf } from './middleware.js';

/** Who a bearer secret stands for: the registry's tokens, or the standalone gateway's admin token. */
export type Authenticator = Pick<TokenService, 'enabled' | 'authenticate'>;

/** What a route needs: nothing ever (`public`), or a token of at least this scope. */
export type Need = 'public' | Scope;

/** A route's need, fixed or worked out from the request (e.g. `?permanent` needs admin). */
export type Rule = Need | ((c: Context<AppEnv>) => Need);

export interface AccessOptions {
  /**
   * A `read` route is open to callers without a token unless HERALD_READ_AUTH is set; with
   * `tokenAlways` it needs a read token whenever access control is on (e.g. /metrics).
   */
  tokenAlways?: boolean;
  /**
   * A page for browsers: a GET that may also take its token from the login cookie (set by
   * POST /login; never read by any other route, so no form elsewhere can ride on it), and
   * whose caller, when a token is missing or wrong, gets `prompt`'s answer (the login form)
   * rather than a problem.
   */
  browser?: { prompt(c: Context<AppEnv>, reason: string): Response | Promise<Response> };
}

/** The cookie a browser keeps its token in, after POST /login. */
export const TOKEN_COOKIE = 'herald_token';

/** What the guard hands each declaration: how to authenticate, and whether reads need a token. */
export interface AccessContext {
  tokens: Authenticator;
  readAuth: boolean;
}

const DECLARATION: unique symbol = Symbol('herald.access');
const GUARD: unique symbol = Symbol('herald.access-guard');

type Declared = MiddlewareHandler<AppEnv> & { [DECLARATION]: { rule: Rule; options: AccessOptions } };

/** The declaration of a route's access: the first handler of every route. */
export function access(rule: Rule, options: AccessOptions = {}): MiddlewareHandler<AppEnv> {
  const declaration: MiddlewareHandler<AppEnv> = async (c, next) => {
    const ctx = c.get('access');
    // Mounted in an app without the guard: refuse rather than serve unchecked.
    if (!ctx) throw new HeraldError('internal', 'This route is served without the access guard.');
    const need = typeof rule === 'function' ? rule(c) : rule;
    let header = c.req.header('Authorization');
    if (header === undefined && options.browser && c.req.method === 'GET') {
      const cookie = getCookie(c, TOKEN_COOKIE);
      if (cookie) header = `Bearer ${cookie}`;
    }
    try {
      c.set('principal', await principalFor(ctx, need, options, header));
    } catch (err) {
      if (options.browser && err instanceof HeraldError && err.code === 'unauthorized') return options.browser.prompt(c, err.message);
      throw err;
    }
    return next();
  };
  return Object.assign(declaration, { [DECLARATION]: { rule, options } }) satisfies Declared;
}

/** The declaration of a handler, when it is one. */
export function declarationOf(handler: unknown): { rule: Rule; options: AccessOptions } | undefined {
  return typeof handler === 'function' ? (handler as Partial<Declared>)[DECLARATION] : undefined;
}

const ANONYMOUS: Principal = { name: 'anonymous', scope: 'read' };

async function principalFor(ctx: AccessContext, need: Need, options: AccessOptions, header: string | undefined): Promise<Principal> {
  // Without an admin token, Herald is open (and bound to loopback, see config.ts).
  if (!ctx.tokens.enabled) return { name: 'anonymous', scope: 'admin' };
  if (need === 'public') return ANONYMOUS;
  if (header === undefined) {
    if (need === 'read' && !ctx.readAuth && !options.tokenAlways) return ANONYMOUS;
    throw new HeraldError('unauthorized', `This request needs a bearer token with the "${need}" scope: send "Authorization: Bearer <token>".`);
  }
  // A token that is sent is checked, also where none is needed: a wrong one is worth knowing about.
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new HeraldError('unauthorized', 'The Authorization header must be "Bearer <token>".');
  const principal = await ctx.tokens.authenticate(match[1]!);
  if (!principal) throw new HeraldError('unauthorized', 'The bearer token is not valid.');
  if (!allows(principal.scope, need)) {
    throw new HeraldError('forbidden', `Token "${principal.name}" has the "${principal.scope}" scope; this request needs "${need}".`);
  }
  return principal;
}

/** A route entry as Hono lists it (app.routes, or the routes one request matched). */
interface RouteEntry {
  method: string;
  path: string;
  handler: unknown;
}

/**
 * Handlers not preceded by a declaration of their own route (same method and path), in
 * the order given. Middleware added with `use` after the guard counts as undeclared too:
 * everything before the guard runs for every request, everything after it belongs to a route.
 */
export function undeclared(entries: readonly RouteEntry[]): RouteEntry[] {
  const out: RouteEntry[] = [];
  // Compared in place, without building keys: this runs on every request.
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (declarationOf(e.handler)) continue;
    let declared = false;
    for (let j = 0; j < i && !declared; j++) {
      const d = entries[j]!;
      declared = d.method === e.method && d.path === e.path && declarationOf(d.handler) !== undefined;
    }
    if (!declared) out.push(e);
  }
  return out;
}

/**
 * The app's last middleware: hands the declarations what they need, and refuses a request
 * that would reach a handler without one.
 */
export function accessGuard(tokens: Authenticator, readAuth: boolean): MiddlewareHandler<AppEnv> {
  const ctx: AccessContext = { tokens, readAuth };
  const guard: MiddlewareHandler<AppEnv> = async (c, next) => {
    const missing = undeclared(matchedRoutes(c).slice(c.req.routeIndex + 1));
    if (missing.length > 0) {
      const which = missing.map((r) => `${r.method} ${r.path}`).join(', ');
      logOf(c)?.error({ routes: which }, 'route without an access declaration');
      throw new HeraldError('internal', `The route ${which} declares no access scope, so Herald does not serve it.`);
    }
    c.set('access', ctx);
    return next();
  };
  return Object.assign(guard, { [GUARD]: true });
}

/** The handlers of an app that would be served without an access declaration (all of them, without the guard). */
export function undeclaredRoutes(app: Hono<AppEnv>): RouteEntry[] {
  const at = app.routes.findIndex((r) => (r.handler as { [GUARD]?: boolean })[GUARD] === true);
  if (at < 0) return app.routes.filter((r) => r.method !== 'ALL' && !declarationOf(r.handler));
  return undeclared(app.routes.slice(at + 1));
}
