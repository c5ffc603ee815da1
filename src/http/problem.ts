/**
 * Every error leaves Herald as RFC 9457 problem+json, mapped here and nowhere else.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ERROR_CODES, HeraldError, type ErrorCode } from '../errors.js';
import type { AppEnv } from './env.js';
import { logOf } from './middleware.js';

const TITLES: Record<ErrorCode, string> = {
  'bad-request': 'Bad request',
  unauthorized: 'Authentication required',
  forbidden: 'Not allowed',
  'not-found': 'Not found',
  'not-acceptable': 'Not acceptable',
  conflict: 'Conflict',
  'payload-too-large': 'Payload too large',
  'unsupported-media-type': 'Unsupported media type',
  'invalid-document': 'Invalid AsyncAPI document',
  'limit-exceeded': 'Document exceeds a limit',
  'outcome-unknown': 'Outcome unknown',
  unavailable: 'Service unavailable',
  internal: 'Internal error',
};

export const PROBLEM_TYPE_PREFIX = 'urn:herald:problem:';

export function problemResponse(c: Context<AppEnv>, err: HeraldError, headers: Record<string, string> = {}): Response {
  const status = ERROR_CODES[err.code] as ContentfulStatusCode;
  const body = {
    type: PROBLEM_TYPE_PREFIX + err.code,
    title: TITLES[err.code],
    status,
    detail: err.message,
    instance: c.req.path,
    requestId: c.get('requestId'),
    ...err.details,
  };
  return c.body(JSON.stringify(body), status, { 'Content-Type': 'application/problem+json', ...headers });
}

/** Errors from storage drivers that mean "not reachable right now" rather than "bug". */
function isUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', '57P01', '57P03'].includes(String(code));
}

export function onError(err: Error, c: Context<AppEnv>): Response {
  if (err instanceof HeraldError) {
    if (err.code === 'unauthorized') return problemResponse(c, err, { 'WWW-Authenticate': 'Bearer realm="herald"' });
    if (err.code === 'unavailable') return problemResponse(c, err, { 'Retry-After': String(err.details.retryAfter ?? 5) });
    return problemResponse(c, err);
  }
  const log = logOf(c);
  if (isUnavailable(err) || isUnavailable((err as { cause?: unknown }).cause)) {
    log?.warn({ err }, 'storage unavailable');
    return problemResponse(c, new HeraldError('unavailable', 'Storage is not reachable right now; try again shortly.'), { 'Retry-After': '5' });
  }
  log?.error({ err }, 'unhandled error');
  return problemResponse(c, new HeraldError('internal', 'Herald failed to handle this request; the log has the details under this requestId.'));
}

export function notFoundRoute(c: Context<AppEnv>): Response {
  return problemResponse(c, new HeraldError('not-found', `No route for ${c.req.method} ${c.req.path}. The API is described at /openapi.json.`));
}
