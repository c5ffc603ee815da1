/** Answers kept as text by the registry's read cache (registry/reads.ts), sent with their ETag. */
import type { Context } from 'hono';
import type { Answer } from '../registry/registry.js';
import type { AppEnv } from './env.js';

/** A cached answer as it is, or 304 when the client holds it (RFC 9110: If-None-Match, weak comparison). */
export function send(c: Context<AppEnv>, answer: Answer, type: string): Response {
  c.header('ETag', answer.etag);
  if (etagMatches(c.req.header('If-None-Match'), answer.etag)) return c.body(null, 304);
  return c.body(answer.body, 200, { 'Content-Type': type });
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}
