/**
 * The engine on documents built to make it work hard: each family that once took minutes
 * (huge enums, nested anyOf, $ref fan-out, mutually recursive types) is judged with work
 * that grows with the document, which the budget counts: a step is one pair of schemas
 * compared, 16 values checked, or 1/50 of a validator compiled. Past the budget, the check
 * ends with "too complex to judge" and says where. No test here times anything.
 */
import { describe, expect, it } from 'vitest';
import { Budget, TooComplexError } from '../../src/compat/budget.js';
import type { Mode } from '../../src/compat/types.js';
import { checkCompatibility, type Verdict } from '../../src/compat/verdict.js';
import { ingest } from '../../src/contracts/ingest.js';
import { largeEnum, mutuallyRecursive, nestedAnyOf, refFanOut } from '../helpers/attacks.js';

async function judge(before: string, after: string, options: { maxSteps?: number; maxChanges?: number; mode?: Mode } = {}): Promise<{ verdict: Verdict; steps: number }> {
  const a = await ingest(before, 'yaml');
  const b = await ingest(after, 'yaml');
  const budget = new Budget({ maxSteps: options.maxSteps ?? Number.POSITIVE_INFINITY });
  const verdict = checkCompatibility(b, [{ ...a, version: 1 }], options.mode ?? 'AUTO', 'lenient', { budget, ...(options.maxChanges ? { maxChanges: options.maxChanges } : {}) });
  return { verdict, steps: budget.spent };
}

describe('enums compare through sets', () => {
  it('judges a 20,000-value enum that lost and gained a value, in steps linear in its size', async () => {
    const { verdict, steps } = await judge(largeEnum(20_000, 0), largeEnum(20_000, 1));
    expect(verdict.changes.map((c) => c.kind)).toEqual(['ENUM_ARRAY_CHANGED']);
    // Two directions, each value checked once: 2 x 20,000 / 16, and a few compilations.
    expect(steps).toBeLessThan(6_000);
    const twice = await judge(largeEnum(40_000, 0), largeEnum(40_000, 1));
    expect(twice.steps).toBeLessThan(2.2 * steps);
  });

  it('names a few of the values it lists, and counts the rest', async () => {
    const { verdict } = await judge(largeEnum(5_000, 0), largeEnum(5_000, 100));
    const message = verdict.changes[0]!.message;
    expect(message).toContain('"value-5000"');
    expect(message).toContain('and 90 more');
    expect(message.length).toBeLessThan(1_000);
  });
});

describe('shared schemas are compared once', () => {
  it('a leaf reached along 100,000 paths is one change, with its paths counted', async () => {
    const { verdict, steps } = await judge(refFanOut(10, 5, 0), refFanOut(10, 5, 1));
    expect(verdict.changes).toHaveLength(1);
    expect(verdict.changes[0]).toMatchObject({ kind: 'MAX_LENGTH_INCREASED', newPath: '/components/schemas/L5/maxLength', occurrences: 100_000 });
    expect(steps).toBeLessThan(50);
    expect(JSON.stringify(verdict).length).toBeLessThan(2_000);
  });

  it('30 mutually recursive types are compared pair by pair, not path by path', async () => {
    const { verdict, steps } = await judge(mutuallyRecursive(30, 2, 0), mutuallyRecursive(30, 2, 1));
    expect(verdict.changes.map((c) => [c.kind, c.newPath])).toEqual([['MAX_LENGTH_INCREASED', '/components/schemas/T0/properties/name/maxLength']]);
    expect(steps).toBeLessThan(200);
    // Against itself, recursion included, nothing changes.
    expect((await judge(mutuallyRecursive(30, 2), mutuallyRecursive(30, 2))).verdict.changes).toEqual([]);
  });
});

describe('the budget', () => {
  it('nested anyOf stays polynomial: 8 branches 3 levels deep are judged within the default budget', async () => {
    const { steps } = await judge(nestedAnyOf(8, 3, 0), nestedAnyOf(8, 3, 1));
    // 512 leaves on each side: at most every pair of leaves once, far below 2,000,000.
    expect(steps).toBeLessThan(512 * 512);
  });

  it('ends a check past it with "too complex to judge", naming where it gave up', async () => {
    const error = await judge(nestedAnyOf(8, 3, 0), nestedAnyOf(8, 3, 1), { maxSteps: 500 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TooComplexError);
    const e = error as TooComplexError;
    expect(e.code).toBe('limit-exceeded');
    expect(e.message).toMatch(/^Too complex to judge: the compatibility check took more than 500 steps \(HERALD_COMPAT_MAX_STEPS\)/);
    expect(e.details.gaveUpAt).toMatchObject({ channel: 'events', message: 'Event' });
    expect((e.details.gaveUpAt as { newPath: string }).newPath).toMatch(/^\/components\/messages\/Event\/payload\/anyOf\//);
  });

  it('ends by the clock when steps alone would allow more', () => {
    let now = 0;
    const budget = new Budget({ maxSteps: Number.POSITIVE_INFINITY, maxMs: 100, now: () => now });
    budget.spend(100, '/a', '/b');
    now = 101;
    expect(() => {
      for (let i = 0; i < 1_000; i++) budget.spend(1, '/a', '/b');
    }).toThrow(/ran longer than 100 ms \(HERALD_COMPAT_MAX_MS\)/);
  });
});

describe('report size', () => {
  const object = (type: string, n: number) =>
    `asyncapi: 3.0.0
info: {title: t, version: '1'}
channels:
  c:
    address: c
    messages:
      m:
        payload:
          type: object
          properties:
${Array.from({ length: n }, (_, i) => `            p${i}: {type: ${type}}`).join('\n')}
operations:
  r: {action: receive, channel: {$ref: '#/channels/c'}}
`;

  it('lists at most maxChanges changes, breaking ones first, and says how many there were', async () => {
    const { verdict } = await judge(object('string', 40), object('integer', 40), { maxChanges: 10 });
    expect(verdict.compatible).toBe(false);
    expect(verdict.changes).toHaveLength(10);
    expect(verdict.changes.every((c) => c.breaking)).toBe(true);
    expect(verdict.truncated).toEqual({ total: 40, shown: 10 });
    expect((await judge(object('string', 40), object('integer', 40))).verdict.truncated).toBeUndefined();
  });
});
