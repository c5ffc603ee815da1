/** Request logging and access control, as plain Hono middleware. */
import type { MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import { HeraldError } from '../errors.js';
import { allows, type Scope, type TokenService } from '../registry/tokens.js';
import type { AppEnv } from './env.js';

/** A child logger carrying the request id, and one line per finished request. */
export function requestLog(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const log = logger.child({ requestId: c.get('requestId') });
    c.set('log', log);
    const started = performance.now();
    await next();
    log.info({ method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round((performance.now() - started) * 10) / 10 }, 'request');
  };
}

/** The scope a request needs, or undefined when it needs none. */
export type ScopeRule = (method: string, path: string, query: (name: string) => string | undefined) => Scope | undefined;

export const scopeFor =
  (readAuth: boolean): ScopeRule =>
  (method, path, query) => {
    if (!path.startsWith('/v1/')) return undefined;
    if (path === '/v1/tokens' || path.startsWith('/v1/tokens/')) return 'admin';
    // A compatibility check is a POST that changes nothing: it reads.
    const reads = method === 'GET' || method === 'HEAD' || (method === 'POST' && path.endsWith('/compatibility'));
    if (reads) return readAuth ? 'read' : undefined;
    if (path.startsWith('/v1/config')) return 'admin';
    if (method === 'DELETE' && query('permanent') === 'true') return 'admin';
    return 'write';
  };

/**
 * Without an admin token, Herald is open (and bound to loopback, see config.ts). With one,
 * a missing or unknown token is 401 and a token without the needed scope is 403.
 */
/** Who a bearer secret stands for: the registry's tokens, or the standalone gateway's admin token. */
export type Authenticator = Pick<TokenService, 'enabled' | 'authenticate'>;

export function authenticate(tokens: Authenticator, rule: ScopeRule): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!tokens.enabled) {
      c.set('principal', { name: 'anonymous', scope: 'admin' });
      return next();
    }
    const need = rule(c.req.method, c.req.path, (n) => c.req.query(n));
    const header = c.req.header('Authorization');
    if (header === undefined) {
      if (need !== undefined) throw new HeraldError('unauthorized', `This request needs a bearer token with the "${need}" scope: send "Authorization: Bearer <token>".`);
      c.set('principal', { name: 'anonymous', scope: 'read' });
      return next();
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new HeraldError('unauthorized', 'The Authorization header must be "Bearer <token>".');
    const principal = await tokens.authenticate(match[1]!);
    if (!principal) throw new HeraldError('unauthorized', 'The bearer token is not valid.');
    if (need !== undefined && !allows(principal.scope, need)) {
      throw new HeraldError('forbidden', `Token "${principal.name}" has the "${principal.scope}" scope; this request needs "${need}".`);
    }
    c.set('principal', principal);
    return next();
  };
}
