/** Request logging, as plain Hono middleware. Access control is in access.ts. */
import type { Context, MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import type { AppEnv } from './env.js';

/** One line per finished request, carrying the request id the response carries. */
export function requestLog(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set('logger', logger);
    const started = performance.now();
    await next();
    logger.info({ requestId: c.get('requestId'), method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round((performance.now() - started) * 10) / 10 }, 'request');
  };
}

/** A logger for what happens in a request, carrying its id; made only when something is logged (a child logger per request costs a read a few per cent). */
export function logOf(c: Context<AppEnv>): Logger | undefined {
  return c.get('logger')?.child({ requestId: c.get('requestId') });
}
