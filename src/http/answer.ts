/** Answers kept as text by the registry's read cache (registry/reads.ts), sent with their ETag. */
import type { Context } from 'hono';
import type { Answer } from '../registry/registry.js';
import type { AppEnv } from './env.js';

/**
 * A cached answer as it is, with its ETag. The app's ETag middleware (app.ts) answers 304 when
 * If-None-Match holds it: the answer came from memory, so a conditional read touches no storage.
 */
export function send(c: Context<AppEnv>, answer: Answer, type: string): Response {
  return c.body(answer.body, 200, { 'Content-Type': type, ETag: answer.etag });
}
