/**
 * If-None-Match read two ways: by the answers that know their ETag (answer.ts) and by hono's
 * etag middleware for every other GET. They must agree, or a tag would match one answer and
 * not another of the same shape.
 */
import fc from 'fast-check';
import { Hono } from 'hono';
import { etag } from 'hono/etag';
import { describe, expect, it } from 'vitest';
import { notModified } from '../../src/http/answer.js';

/** What hono's middleware answers for this ETag and If-None-Match. */
async function honoSays(tag: string, ifNoneMatch: string): Promise<boolean> {
  const app = new Hono();
  app.use(etag());
  app.get('/', (c) => c.body('x', 200, { ETag: tag }));
  const res = await app.request('/', { headers: { 'If-None-Match': ifNoneMatch } });
  return res.status === 304;
}

const opaque = fc.stringMatching(/^[\w+/=-]{0,12}$/);
const tag = fc.oneof(opaque.map((t) => `"${t}"`), opaque.map((t) => `W/"${t}"`));
// Lists of tags, weak or not, with the separators and stray text a crafted header may have.
const header = (known: string) =>
  fc
    .array(fc.oneof(tag, fc.constant(known), fc.constant(`W/${known}`), fc.constantFrom('*', '', ' ', '"', 'W/', ',', '"*"', known.slice(1))), { maxLength: 6 })
    .chain((parts) => fc.constantFrom(', ', ',', ' ', '').map((sep) => parts.join(sep)));

describe('If-None-Match', () => {
  it('matches for an answer exactly when hono\'s etag middleware would', async () => {
    await fc.assert(
      fc.asyncProperty(
        tag.chain((t) => fc.tuple(fc.constant(t), header(t))),
        async ([t, raw]) => {
          // As a route reads it: the Headers API strips the whitespace around a field's value.
          const h = new Headers({ 'If-None-Match': raw }).get('If-None-Match')!;
          expect(notModified(h, t), `${t} / ${h}`).toBe(await honoSays(t, raw));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('agrees with hono on a star with the whitespace a request may carry around it', async () => {
    expect(notModified(new Headers({ 'If-None-Match': '*   ' }).get('If-None-Match')!, '"a"')).toBe(true);
    expect(await honoSays('"a"', '*   ')).toBe(true);
  });

  it('names the cases by RFC 9110: weak comparison, lists, and * for any', () => {
    expect(notModified('"a"', '"a"')).toBe(true);
    expect(notModified('W/"a"', '"a"')).toBe(true);
    expect(notModified('"a"', 'W/"a"')).toBe(true);
    expect(notModified('"b", "a"', '"a"')).toBe(true);
    expect(notModified('*', '"a"')).toBe(true);
    expect(notModified('"b"', '"a"')).toBe(false);
    expect(notModified('a', '"a"')).toBe(false);
    expect(notModified(undefined, '"a"')).toBe(false);
  });
});
