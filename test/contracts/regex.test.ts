/**
 * Schema patterns in linear time: ECMAScript patterns written as RE2 with the same meaning,
 * those RE2 cannot run refused (or, when the operator says so, run by backtracking), and
 * every place Herald evaluates a pattern going through it. A pattern that backtracking
 * takes for ever on is answered here at once; no test times anything, but one that hung
 * would fail by the suite's timeout.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareSchemas } from '../../src/compat/schemas.js';
import { ingest } from '../../src/contracts/ingest.js';
import { checkPatterns, compilePattern, PatternError, translatePattern } from '../../src/contracts/regex.js';
import { runtimeValidator } from '../../src/contracts/validator.js';
import type { InvalidDocumentError } from '../../src/errors.js';
import { patternPayload } from '../helpers/attacks.js';

const evil = (c: string, n: number) => c.repeat(n) + '!';

describe('translation keeps the ECMAScript meaning', () => {
  const cases: Array<[pattern: string, matching: string[], notMatching: string[]]> = [
    ['^[A-Z]{3}$', ['EUR'], ['EURO', 'eur', '']],
    ['.', ['a', ' '], ['\n', '\r', '\u2028', '\u2029', '']],
    ['^\\s+$', [' \t\v\f\u00a0\ufeff\u2003\u3000'], ['a', '\u200b']],
    ['^\\S$', ['a', '\u200b'], [' ', '\v']],
    ['^[^]$', ['\n', 'a'], ['']],
    ['[]', [], ['a', '']],
    ['^\\d\\w\\b', ['1a ', '1a'], ['١a', '1é']],
    ['\\p{L}', ['p{L}'], ['é', 'pL']],
    ['^\\u00e9$', ['é'], ['e']],
    ['^\\uD83D\\uDE00$', ['😀'], ['😁']],
    ['^\\cA$', ['\u0001'], ['cA']],
    ['^a{,3}$', ['a{,3}'], ['aaa']],
    ['\\z\\A\\Q', ['zAQ'], ['']],
    ['^(?<year>\\d{4})-(\\d{2})$', ['2026-12'], ['26-12']],
    ['^[\\w-]+@[^@\\s]+$', ['ops-team@example.com'], ['a@b@c', 'a b@c']],
    ['^$', [''], ['\n']],
    ['a$', ['ba'], ['a\n']],
    ['^x-', ['x-custom'], ['ax-']],
  ];
  it.each(cases)('%s', (pattern, matching, notMatching) => {
    const re = compilePattern(pattern, 're2');
    for (const s of matching) expect([s, re.test(s)]).toEqual([s, true]);
    for (const s of notMatching) expect([s, re.test(s)]).toEqual([s, false]);
    for (const s of [...matching, ...notMatching]) expect(re.test(s)).toBe(new RegExp(pattern).test(s));
  });

  it('agrees with RegExp on generated patterns and strings', () => {
    const chars = ['a', 'b', 'z', '0', '9', '_', '-', '.', ' ', '\t', '\n', '\r', '\v', '\u00a0', '\u2028', 'é', '!', '$', '^', '{', '}', '[', ']', '(', ')', '\\', '/'];
    const char = fc.constantFrom(...chars);
    const escape = (c: string) => (/[\\^$.*+?()[\]{}|/-]/.test(c) ? '\\' + c : c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : c === '\v' ? '\\v' : c === '\u00a0' ? '\\u00a0' : c === '\u2028' ? '\\u2028' : c);
    const { pattern } = fc.letrec<{ pattern: string; atom: string; klass: string }>((tie) => ({
      klass: fc
        .tuple(fc.boolean(), fc.array(fc.oneof(char.map(escape), fc.constantFrom('a-z', '0-9', '\\d', '\\D', '\\w', '\\W', '\\s', '\\S', '\\u00e0-\\u00ff')), { minLength: 1, maxLength: 4 }))
        .map(([negate, items]) => `[${negate ? '^' : ''}${items.join('')}]`),
      atom: fc.oneof(
        { weight: 4, arbitrary: char.map(escape) },
        { weight: 2, arbitrary: fc.constantFrom('.', '\\d', '\\D', '\\w', '\\W', '\\s', '\\S', '\\b', '\\B', '^', '$') },
        { weight: 2, arbitrary: tie('klass') },
        { weight: 1, arbitrary: tie('pattern').map((p) => `(${p})`) },
        { weight: 1, arbitrary: tie('pattern').map((p) => `(?:${p})`) },
      ),
      pattern: fc
        .array(
          fc.tuple(tie('atom'), fc.constantFrom('', '', '', '*', '+', '?', '{2}', '{1,3}', '{2,}', '*?', '+?', '??')).map(([a, q]) => (q && !['^', '$', '\\b', '\\B'].includes(a) ? a + q : a)),
          { minLength: 0, maxLength: 4 },
        )
        .chain((seq) => fc.constantFrom(seq.join(''), `${seq.join('')}|${seq.slice(1).join('')}`)),
    }));
    const text = fc.array(char, { maxLength: 8 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(pattern, fc.array(text, { minLength: 1, maxLength: 5 }), (p, strings) => {
        let native: RegExp;
        try {
          native = new RegExp(p);
        } catch {
          expect(() => compilePattern(p, 're2')).toThrow(PatternError);
          return;
        }
        const linear = compilePattern(p, 're2');
        for (const s of strings) expect([p, s, linear.test(s)]).toEqual([p, s, native.test(s)]);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('patterns backtracking provably runs in linear time', () => {
  it.each([
    ['^[A-Z]{3}$', true],
    ['^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', true],
    ['^[a-z0-9-]+$', true],
    ['^x-[a-z]*\\.[0-9]+$', true],
    ['^(a+)+$', false],
    ['^a*a*b$', false],
    ['^[a-z]+[a-z0-9]*$', false],
    ['^[a-z]+?x$', false],
    ['[a-z]+x', false],
    ['^a|b$', false],
    ['^\\d+\\b', false],
  ])('%s runs on RegExp: %s', (pattern, native) => {
    expect(compilePattern(pattern, 're2') instanceof RegExp).toBe(native);
  });
});

describe('what the linear-time engine cannot run', () => {
  it.each([
    ['(a)\\1', 'backreference'],
    ['(?<x>a)\\k<x>', 'backreference'],
    ['a(?=b)', 'lookahead'],
    ['(?!a)b', 'lookahead'],
    ['(?<=a)b', 'lookbehind'],
    ['^.{1,5000}$', 'counts past 1000'],
  ])('refuses %s (%s)', (pattern, why) => {
    expect(() => translatePattern(pattern)).toThrow(why);
    // The operator may opt into ECMAScript patterns: then these run by backtracking.
    expect(compilePattern(pattern, 'ecmascript').test('ab')).toBe(new RegExp(pattern).test('ab'));
  });

  it('names the pattern and its pointer, and tells a syntax error from an unsupported construct', () => {
    const schema = { type: 'object', properties: { a: { type: 'string', pattern: '(x)\\1' }, b: { type: 'string', pattern: '(' } }, patternProperties: { '^(?=y)': {} }, enum: [{ pattern: '(' }] };
    expect(checkPatterns(schema, '/p', 're2').map((d) => [d.rule, d.pointer])).toEqual([
      ['pattern-unsupported', '/p/patternProperties/^(?=y)'],
      ['pattern-invalid', '/p/properties/b/pattern'],
      ['pattern-unsupported', '/p/properties/a/pattern'],
    ]);
    expect(checkPatterns(schema, '/p', 'ecmascript').map((d) => d.rule)).toEqual(['pattern-invalid']);
  });
});

describe('every pattern Herald runs is linear', () => {
  it('the gateway validator: pattern, patternProperties and propertyNames against inputs backtracking never finishes', () => {
    const validate = runtimeValidator({
      type: 'object',
      properties: { s: { type: 'string', pattern: '^(a+)+$' } },
      patternProperties: { '^(b+)+$': { type: 'integer' } },
      propertyNames: { pattern: '^(c+)+$|^s$|^b+$' },
    }) as ((v: unknown) => boolean) & { errors?: Array<{ keyword: string }> };
    expect(validate({ s: evil('a', 100_000) })).toBe(false);
    expect(validate({ s: 'a'.repeat(100_000) })).toBe(true);
    expect(validate({ [evil('c', 100_000)]: 1 })).toBe(false);
    expect(validate.errors?.map((e) => e.keyword)).toContain('propertyNames');
    expect(validate({ [evil('b', 100_000)]: 'x' })).toBe(false);
  });

  it('registration: an example checked against a catastrophic pattern is judged at once (and refused: it does not match)', async () => {
    const error = (await ingest(patternPayload('^(b+)+$', evil('b', 10_000)), 'yaml').catch((e: unknown) => e)) as InvalidDocumentError;
    expect(error.diagnostics).toEqual([expect.objectContaining({ rule: 'asyncapi2-message-examples', pointer: '/channels/events/subscribe/message/examples/0/payload/s' })]);
    await expect(ingest(patternPayload('^(b+)+$', 'b'.repeat(10_000)), 'yaml')).resolves.toBeDefined();
  });

  it('registration: a pattern the engine cannot run is 422 with its pointer and line', async () => {
    const error = (await ingest(patternPayload('^(a)\\1$'), 'yaml').catch((e: unknown) => e)) as InvalidDocumentError;
    expect(error.diagnostics).toEqual([expect.objectContaining({ rule: 'pattern-unsupported', pointer: '/channels/events/subscribe/message/payload/properties/s/pattern', line: expect.any(Number) })]);
    expect(error.diagnostics[0]!.message).toContain('"^(a)\\\\1$"');
  });

  it('the compatibility engine: an old patternProperties matched against a new property name', () => {
    const old = { type: 'object', patternProperties: { '^(b+)+$': { type: 'string' } }, additionalProperties: false };
    const neu = { type: 'object', properties: { [evil('b', 50_000)]: { type: 'string' } }, patternProperties: { '^(b+)+$': { type: 'string' } }, additionalProperties: false };
    const changes = compareSchemas({ doc: old, ptr: '' }, { doc: neu, ptr: '' }, 'strict');
    expect(changes.map((c) => c.kind)).toEqual(['PROPERTY_ADDED_TO_CLOSED_CONTENT_MODEL']);
  });
});
