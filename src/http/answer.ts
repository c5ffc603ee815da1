/**
 * Answers that know their ETag before they are made: the registry's cached answers
 * (registry/reads.ts) and the SDK archives. They answer If-None-Match themselves, so a
 * conditional read is a lookup and a comparison. Every other GET gets its ETag from hono's
 * etag middleware (app.ts), which hashes the body after the route ran and, on a match,
 * builds the 200 before replacing it with a 304: on a cached read that cost more than the
 * read itself. `notModified` reads If-None-Match exactly as that middleware does (a test
 * holds the two together), so a tag matches or not whichever of the two answers.
 */
import type { Context } from 'hono';
import type { Answer } from '../registry/registry.js';
import type { AppEnv } from './env.js';

const TAGS = /"[^"]*"/g;

/**
 * Whether If-None-Match names this ETag: `*`, or any quoted tag in it equal to the ETag
 * without its `W/` (RFC 9110's weak comparison, which If-None-Match uses).
 */
export function notModified(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  if (ifNoneMatch === etag || ifNoneMatch === '*') return true;
  const opaque = etag.startsWith('W/') ? etag.slice(2) : etag;
  return ifNoneMatch.match(TAGS)?.includes(opaque) ?? false;
}

/**
 * `body` with its ETag, or 304 without it when If-None-Match names the ETag. A 304 carries
 * what a cache needs to refresh its copy (ETag, Cache-Control, and any Vary set on `c`).
 */
export function sendTagged(c: Context<AppEnv>, etag: string, body: Uint8Array<ArrayBuffer>, headers: Record<string, string>): Response {
  c.set('conditional', true);
  if (notModified(c.req.header('If-None-Match'), etag)) {
    const cacheControl = headers['Cache-Control'];
    return c.body(null, 304, cacheControl === undefined ? { ETag: etag } : { ETag: etag, 'Cache-Control': cacheControl });
  }
  headers.ETag = etag;
  return c.body(body, 200, headers);
}

/** A cached answer as it is: from memory, so a conditional read touches no storage. */
export function send(c: Context<AppEnv>, answer: Answer, type: string): Response {
  return sendTagged(c, answer.etag, answer.body, { 'Content-Type': type });
}
