import type { Context } from 'hono';
import { HeraldError } from '../errors.js';

/** A JSON request body; 400 when it is not JSON, 415 when it is declared as something else. */
export async function jsonBody(c: Context): Promise<unknown> {
  const type = (c.req.header('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== '' && type !== 'application/json') throw new HeraldError('unsupported-media-type', `Send this body as application/json, not ${type}.`);
  const text = await c.req.text();
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new HeraldError('bad-request', `The body is not valid JSON: ${(err as Error).message}`);
  }
}
