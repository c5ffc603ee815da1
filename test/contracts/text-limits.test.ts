/**
 * The limits of reading text: the size of the document as compact JSON with aliases
 * expanded (HERALD_MAX_DOCUMENT_BYTES), its nesting depth checked before any tree is built
 * (HERALD_MAX_DEPTH), and the work a broken document may cause (errors reported, keys compared).
 */
import fc from 'fast-check';
import jsyaml from 'js-yaml';
import { Composer, Document, parseDocument, stringify as toYaml } from 'yaml';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/contracts/ingest.js';
import { MAX_EXPANSION } from '../../src/contracts/json-size.js';
import { parseText, type SourceFormat, type TextLimits } from '../../src/contracts/text.js';
import { InvalidDocumentError } from '../../src/errors.js';

const limits = (over: Partial<TextLimits> = {}): TextLimits => ({ ...DEFAULT_LIMITS, ...over });
const UNLIMITED = limits({ maxDocumentBytes: Number.MAX_SAFE_INTEGER, maxYamlAliases: 1_000_000, maxDepth: 10_000 });

function refusal(read: () => unknown): InvalidDocumentError {
  try {
    read();
  } catch (err) {
    if (err instanceof InvalidDocumentError) return err;
    throw err;
  }
  throw new Error('expected the text to be refused');
}

/** Bytes of the data as compact JSON, the way Herald stores it. */
const jsonBytes = (text: string, format: SourceFormat = 'yaml') => Buffer.byteLength(JSON.stringify(parseText(text, format, UNLIMITED).data));

/** Accepted with the limit at its exact size, refused one byte under it, naming both and the setting. */
function expectSizeBoundary(text: string, format: SourceFormat = 'yaml', over: Partial<TextLimits> = {}): number {
  const size = jsonBytes(text, format);
  expect(() => parseText(text, format, limits({ ...over, maxDocumentBytes: size }))).not.toThrow();
  const err = refusal(() => parseText(text, format, limits({ ...over, maxDocumentBytes: size - 1 })));
  expect(err.code).toBe('limit-exceeded');
  expect(err.diagnostics[0]).toMatchObject({ rule: 'document-size-limit', pointer: '' });
  expect(err.diagnostics[0]!.message).toContain(`${size} bytes`);
  expect(err.diagnostics[0]!.message).toContain(`(${size - 1})`);
  expect(err.message).toContain('HERALD_MAX_DOCUMENT_BYTES');
  return size;
}

describe('document size, aliases expanded (maxDocumentBytes)', () => {
  it('counts anchors on scalars, maps and sequences at their size wherever they are repeated', () => {
    const text = 's: &s "hello"\nm: &m {a: 1, b: [x, y]}\nq: &q [1, 2, {c: d}]\nrs: *s\nrm: *m\nrq: *q\nall: [*s, *m, *q]\n';
    expectSizeBoundary(text);
  });

  it('counts an alias of a map that itself contains aliases at its expanded size', () => {
    const text = [
      'a: &a {x: &x "a long string, repeated", y: *x, z: [*x, *x]}',
      'b: &b {p: *a, q: [*a, *x], r: {deep: *a}}',
      'c: [*b, *b, *a, {s: *b}]',
      '',
    ].join('\n');
    const size = expectSizeBoundary(text);
    expect(size).toBeGreaterThan(10 * 'a long string, repeated'.length);
  });

  it('counts alias keys as the key toJS makes of them', () => {
    // A scalar alias as a key is its value; a collection alias as a key is written "*m".
    expectSizeBoundary('k: &k key\n*k : v\nm: &m [1, 2]\n? *m\n: w\n');
  });

  it('counts a merge key (<<: *a) as a key of YAML 1.2, and as at most its source map in YAML 1.1', () => {
    expectSizeBoundary('base: &base {x: 1, name: "a name"}\nderived:\n  <<: *base\n  z: 2\n');
    // In YAML 1.1 the keys are merged; the measure counts the source map whole (an upper bound).
    const v11 = '%YAML 1.1\n---\nbase: &base {x: 1, name: "a name"}\nderived:\n  <<: *base\n  z: 2\nmore: {<<: [*base], w: 3}\n';
    const merged = parseText(v11, 'yaml', UNLIMITED).data as Record<string, unknown>;
    expect(merged.derived).toEqual({ x: 1, name: 'a name', z: 2 });
    const size = jsonBytes(v11);
    expect(() => parseText(v11, 'yaml', limits({ maxDocumentBytes: size + 20 }))).not.toThrow();
    expect(refusal(() => parseText(v11, 'yaml', limits({ maxDocumentBytes: size - 1 }))).diagnostics[0]!.rule).toBe('document-size-limit');
  });

  it('counts strings byte for byte as JSON writes them: escapes, control characters, UTF-8, surrogates', () => {
    const text = [
      's: &s "quote \\" backslash \\\\ tab \\t newline \\n nul \\0 bell \\a del \\x7f"',
      'u: &u "é € 😀 \\ud800 lone, \\u2028 separator"',
      'plain: &p  multi word plain',
      'copies: [*s, *u, *p, *s]',
      '',
    ].join('\n');
    expectSizeBoundary(text);
  });

  it('counts numbers, booleans, nulls and the keys they make as JSON writes them', () => {
    expectSizeBoundary('n: &n [1e20, -0, 0x1F, 0o17, .inf, -.inf, .nan, 1.5, 1e-7, true, false, ~, null]\n1e20: *n\n~: *n\ntrue: *n\n3: *n\n');
  });

  it('counts a pair inside a flow sequence as the map of one pair it becomes', () => {
    expectSizeBoundary('a: &a [k: v, {x: y}, z: [1]]\nb: *a\n');
  });

  it('is exact on documents with shared objects (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), fc.jsonValue({ maxDepth: 3 }), (shared, other) => {
        // yaml writes a repeated object once with an anchor and aliases it everywhere else.
        const text = toYaml({ a: shared, b: [shared, other, shared], c: { d: shared, e: other } });
        const size = jsonBytes(text);
        expect(() => parseText(text, 'yaml', limits({ maxDocumentBytes: size }))).not.toThrow();
        expect(() => parseText(text, 'yaml', limits({ maxDocumentBytes: size - 1 }))).toThrow(/HERALD_MAX_DOCUMENT_BYTES/);
      }),
      { numRuns: 150 },
    );
  });

  it('makes the same data as yaml, an alias being the same object as its anchor (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 })), (value, map) => {
        const shared = { map, list: [value, map] };
        const text = toYaml({ a: shared, b: [shared, value, { c: shared, d: map }], '__proto__': map, e: map });
        const data = parseText(text, 'yaml', UNLIMITED).data as { a: unknown; b: unknown[]; e: unknown };
        expect(data).toEqual(parseDocument(text, { version: '1.2' }).toJS({ maxAliasCount: -1 }));
        expect(data.b[0]).toBe(data.a);
        expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
      }),
      { numRuns: 150 },
    );
  });

  it('refuses a billion laughs by its size, before any alias is expanded', () => {
    let text = 'l0: &l0 "lol"\n';
    for (let i = 1; i <= 12; i++) text += `l${i}: &l${i} [${Array.from({ length: 10 }, () => `*l${i - 1}`).join(', ')}]\n`;
    const err = refusal(() => parseText(text, 'yaml', limits({ maxYamlAliases: 1_000_000_000 })));
    expect(err.diagnostics[0]!.rule).toBe('document-size-limit');
    expect(err.diagnostics[0]!.message).toMatch(/largest repeated node is \*l11/);
    expect(err.diagnostics[0]!.line).toBe(13);
  });

  it('refuses an alias inside the node it names: its data would be infinite', () => {
    const err = refusal(() => parseText('a: &a [1, {b: *a}]\n', 'yaml', UNLIMITED));
    expect(err.diagnostics[0]).toMatchObject({ rule: 'yaml-alias-cycle', line: 1 });
  });

  describe('without aliases (the js-yaml path)', () => {
    it('measures a text that could reach the limit, exactly, in YAML and JSON', () => {
      const text = 'a: "x \\" y"\nb: [1, 2.5, true, null, "é"]\nc: {d: {e: [f, g]}}\n';
      expectSizeBoundary(text, 'yaml');
      expectSizeBoundary(JSON.stringify({ a: 'x " y', b: [1, 2.5, true, null, 'é'], c: { d: { e: ['f', 'g'] } } }, null, 2), 'json');
    });

    it('is exact on any JSON value (property)', () => {
      fc.assert(
        fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
          const text = JSON.stringify(value);
          const size = Buffer.byteLength(text);
          expect(() => parseText(text, 'json', limits({ maxDocumentBytes: size }))).not.toThrow();
          expect(() => parseText(text, 'json', limits({ maxDocumentBytes: size - 1 }))).toThrow(/HERALD_MAX_DOCUMENT_BYTES/);
        }),
        { numRuns: 200 },
      );
    });

    it(`is skipped below limit / ${MAX_EXPANSION} bytes: no alias-free YAML grows that much`, () => {
      const digits = ['1', '2', '3', '4', '5', '6', '7', '8', '9'];
      const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('');
      const densest: Record<string, string> = {
        'exponent numbers': `[${Array(2000).fill('1e20').join(',')}]`,
        'exponent keys without values': `[${Array(200).fill(`{${digits.map((d) => `${d}e20`).join(',')},${digits.map((d) => `${d}e19`).join(',')}}`).join(',')}]`,
        'one-letter keys without values': `[${Array(100).fill(`{${letters.join(',')}}`).join(',')}]`,
        'escaped NULs': `"${'\\0'.repeat(5000)}"`,
        'flow nulls': `[${Array(5000).fill('~').join(',')}]`,
        'block nulls': '-\n'.repeat(5000),
      };
      for (const [name, text] of Object.entries(densest)) {
        const ratio = jsonBytes(text) / Buffer.byteLength(text);
        expect(ratio, name).toBeLessThan(MAX_EXPANSION);
      }
    });
  });
});

/** `n` containers nested: `[[…]]`. */
const brackets = (n: number) => '['.repeat(n) + ']'.repeat(n);

describe('nesting depth, before any tree is built (maxDepth)', () => {
  const depth4 = limits({ maxDepth: 4 });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  function expectDepthRefusal(text: string, format: SourceFormat, over: Partial<TextLimits> = {}) {
    const err = refusal(() => parseText(text, format, limits({ maxDepth: 4, ...over })));
    expect(err.code).toBe('limit-exceeded');
    expect(err.diagnostics[0]!.rule).toBe('depth-limit');
    expect(err.message).toContain('HERALD_MAX_DEPTH');
    return err;
  }

  it('JSON: accepts the limit, refuses one more, at the line and column where it is passed', () => {
    expect(() => parseText(brackets(4), 'json', depth4)).not.toThrow();
    expect(expectDepthRefusal(brackets(5), 'json').diagnostics[0]).toMatchObject({ line: 1, column: 5 });
    const pretty = JSON.stringify({ a: { b: { c: { d: { e: 1 } } } } }, null, 2);
    expect(expectDepthRefusal(pretty, 'json').diagnostics[0]).toMatchObject({ line: 5, column: 14 });
    expect(() => parseText(JSON.stringify({ a: { b: { c: { d: 1 } } } }, null, 2), 'json', depth4)).not.toThrow();
  });

  it('JSON: does not count brackets in strings, escaped quotes included', () => {
    const text = JSON.stringify({ a: '[[[[[[ {{{{ ', b: 'say \\"[[[[[" \\\\', c: [[['"]]]"']]] });
    expect(() => parseText(text, 'json', depth4)).not.toThrow();
    expect((parseText(text, 'json', depth4).data as { c: unknown }).c).toEqual([[['"]]]"']]]);
  });

  it('YAML flow collections: the limit under block keys, counted with them', () => {
    expect(() => parseText(`a:\n  b: ${brackets(2)}\n`, 'yaml', depth4)).not.toThrow();
    expectDepthRefusal(`a:\n  b: ${brackets(3)}\n`, 'yaml');
    expect(() => parseText(`a: ${'{x: '.repeat(3)}1${'}'.repeat(3)}\n`, 'yaml', depth4)).not.toThrow();
    expectDepthRefusal(`a: ${'{x: '.repeat(4)}1${'}'.repeat(4)}\n`, 'yaml');
    // The text scan counts flow levels only: it stops at the fifth, past the limit on its own.
    expect(expectDepthRefusal(`a: ${'{x: '.repeat(5)}1${'}'.repeat(5)}\n`, 'yaml').diagnostics[0]).toMatchObject({ line: 1, column: 20 });
  });

  it('YAML: does not count flow indicators in quoted scalars, comments, block scalars or plain scalars', () => {
    const text = [
      "single: '[[[[ {{{{ ]]'",
      'double: "[[[[ {{{{ \\" [[["',
      'comment: 1 # [[[[ {{{{',
      '# [[[[[[[[',
      'literal: |',
      '  [[[[[[',
      '  {{{{{{',
      'folded: >',
      '  [[[[ {{{{',
      'plain: a[[[[b{{{{c',
      'real: [[x]]',
      '',
    ].join('\n');
    const data = parseText(text, 'yaml', depth4).data as Record<string, unknown>;
    expect(data.plain).toBe('a[[[[b{{{{c');
    expect(data.literal).toBe('[[[[[[\n{{{{{{\n');
    expect(() => parseText(text.replace('[[x]]', brackets(4)), 'yaml', depth4)).toThrow(/HERALD_MAX_DEPTH/);
  });

  it('YAML that starts like JSON but is not: a " inside a plain scalar hides nothing', () => {
    // To a JSON scanner `"b, [[…` would be a string; to YAML `a"b` is a plain scalar.
    expectDepthRefusal(`[a"b, ${brackets(4)}, "]`, 'yaml');
    expect(() => parseText(`[a"b, ${brackets(3)}]`, 'yaml', depth4)).not.toThrow();
    expectDepthRefusal(`{"k": 'x', "l": ${brackets(4)}}`, 'json');
  });

  it('YAML block nesting: sequences in a line, and mappings by indentation', () => {
    expect(() => parseText('- - - - x\n', 'yaml', depth4)).not.toThrow();
    expectDepthRefusal('- - - - - x\n', 'yaml');
    const indented = (n: number) => Array.from({ length: n }, (_, i) => `${'  '.repeat(i)}k:`).join('\n') + ' 1\n';
    expect(() => parseText(indented(4), 'yaml', depth4)).not.toThrow();
    expectDepthRefusal(indented(5), 'yaml');
  });

  it('on the yaml package path (documents with aliases), the same limits, from the parser stack', () => {
    expect(() => parseText('x: &x 1\ny: *x\nz:\n  - - - x\n', 'yaml', depth4)).not.toThrow();
    expect(expectDepthRefusal('x: &x 1\ny: *x\nz:\n  - - - - x\n', 'yaml').diagnostics[0]!.line).toBe(4);
    expectDepthRefusal(`x: &x 1\ny: *x\nz: ${'a: '.repeat(5)}1\n`, 'yaml'); // invalid, and nested all the same
  });

  it('counts the depth an alias adds where it is used, and names the path', () => {
    const text = 'a: &a [[x]]\nb: [[*a]]\n';
    expect(() => parseText(text, 'yaml', limits({ maxDepth: 5 }))).not.toThrow();
    const err = expectDepthRefusal(text, 'yaml');
    expect(err.diagnostics[0]!.pointer).toBe('/b/0/0/0');
  });

  it('hands neither parser a flood of brackets, in YAML or JSON', () => {
    const load = vi.spyOn(jsyaml, 'load');
    const compose = vi.spyOn(Composer.prototype, 'compose');
    for (const [text, format] of [
      ['['.repeat(100_000), 'json'],
      ['['.repeat(100_000), 'yaml'],
      ['{'.repeat(100_000), 'json'],
      [`a: ${'{'.repeat(100_000)}`, 'yaml'],
      [`x: *y\nz: ${'['.repeat(100_000)}`, 'yaml'],
      [brackets(100_000), 'json'],
    ] as const) {
      expectDepthRefusal(text, format, { maxDepth: 128 });
    }
    expect(load).not.toHaveBeenCalled();
    expect(compose).not.toHaveBeenCalled();
  });

  it('stops js-yaml and the yaml composer at the limit on block nesting', () => {
    const compose = vi.spyOn(Composer.prototype, 'compose');
    expectDepthRefusal('- '.repeat(100_000) + 'x', 'yaml', { maxDepth: 128 });
    // With an alias, the yaml package's parser reads it: its stack is watched token by token.
    expectDepthRefusal('x: *y\n' + '- '.repeat(100_000) + 'x', 'yaml', { maxDepth: 128 });
    expect(compose).toHaveBeenCalledTimes(1);
  });
});

describe('the work a document may cause', () => {
  it("resolves each alias in constant time: 60,000 of them, 50 to an anchor, without yaml's toJS", () => {
    // yaml's toJS scans every earlier anchor and alias for each alias: 25 s for these.
    const toJS = vi.spyOn(Document.prototype, 'toJS');
    const items: string[] = [];
    for (let a = 0; a < 1200; a++) items.push(`&a${a} ${a}`, ...Array<string>(50).fill(`*a${a}`));
    const data = parseText(`[${items.join(', ')}]\n`, 'yaml', DEFAULT_LIMITS).data as number[];
    expect(data).toHaveLength(1200 * 51);
    expect(data[51 * 1199 + 50]).toBe(1199);
    expect(toJS).not.toHaveBeenCalled();
    vi.restoreAllMocks();
  });

  describe('past what the yaml package may read (250,000 tokens), on js-yaml and its data', () => {
    /** About 300,000 tokens of filler. */
    const filler = `filler: [${Array(100_000).fill('1').join(', ')}]\n`;

    it('measures the size with shared objects counted wherever they are used, exactly', () => {
      const text = `${filler}a: &a {x: [1, 2, "three"], y: {z: null}}\nb: [*a, *a, {c: *a}]\nc: &c [*a, *a]\nd: [*c, *c]\n`;
      expectSizeBoundary(text);
      const data = parseText(text, 'yaml', UNLIMITED).data as { a: unknown; b: unknown[] };
      expect(data.b[0]).toBe(data.a);
    });

    it('refuses a billion laughs by its size, and nesting that aliases add by its depth', () => {
      let laughs = `${filler}l0: &l0 [lol]\n`;
      for (let i = 1; i <= 12; i++) laughs += `l${i}: &l${i} [${Array(10).fill(`*l${i - 1}`).join(', ')}]\n`;
      expect(refusal(() => parseText(laughs, 'yaml', DEFAULT_LIMITS)).diagnostics[0]!.rule).toBe('document-size-limit');
      let deep = `${filler}d0: &d0 [[[x]]]\n`;
      for (let i = 1; i <= 50; i++) deep += `d${i}: &d${i} [[[*d${i - 1}]]]\n`;
      expect(refusal(() => parseText(deep, 'yaml', DEFAULT_LIMITS)).diagnostics[0]!.rule).toBe('depth-limit');
    });

    it("reports js-yaml's syntax error, with its position", () => {
      const err = refusal(() => parseText(`${filler}a: [1, 2\nb: *nope\n`, 'yaml', DEFAULT_LIMITS));
      expect(err.diagnostics[0]).toMatchObject({ rule: 'yaml-syntax', line: 3 });
      expect(err.diagnostics).toHaveLength(1);
    });

    it('locates nothing rather than parse it with yaml', () => {
      const parsed = parseText(`${filler}a: {b: 1}\n`, 'yaml', DEFAULT_LIMITS);
      expect(parsed.locate('/a/b')).toBeUndefined();
      expect(parseText('x: 1\na: {b: 1}\n', 'yaml', DEFAULT_LIMITS).locate('/a/b')).toEqual({ line: 2, column: 8 });
    });
  });

  it('counts the uses of one anchor against maxYamlAliases, on either conversion', () => {
    const uses = (n: number, head = '') => `${head}a: &a {x: 1}\nb: [${Array(n).fill('*a').join(', ')}]\n`;
    expect(() => parseText(uses(99), 'yaml', DEFAULT_LIMITS)).not.toThrow();
    expect(refusal(() => parseText(uses(100), 'yaml', DEFAULT_LIMITS)).diagnostics[0]!.rule).toBe('yaml-alias-limit');
    // YAML 1.1 documents are converted by yaml itself, with at most maxYamlAliases aliases in all.
    expect(() => parseText(uses(50, '%YAML 1.1\n---\n'), 'yaml', DEFAULT_LIMITS)).not.toThrow();
    expect(refusal(() => parseText(uses(101, '%YAML 1.1\n---\n'), 'yaml', DEFAULT_LIMITS)).message).toMatch(/HERALD_MAX_YAML_ALIASES/);
  });

  it('reports the first errors of a flood of them, not one Error per stray token', () => {
    const err = refusal(() => parseText('a: 1\n' + ']'.repeat(200_000), 'yaml', DEFAULT_LIMITS));
    expect(err.diagnostics.length).toBeGreaterThan(0);
    expect(err.diagnostics.length).toBeLessThanOrEqual(21);
    expect(err.diagnostics[0]!.rule).toBe('yaml-syntax');
    const nested = refusal(() => parseText('*x\n' + 'a: '.repeat(200_000), 'yaml', DEFAULT_LIMITS));
    expect(nested.diagnostics.length).toBeLessThanOrEqual(21);
  });

  it('finds duplicate keys in linear time, with their lines', () => {
    const keys = Array.from({ length: 30_000 }, (_, i) => `k${i}: *x`).join('\n');
    const many = limits({ maxYamlAliases: 100_000 });
    expect(() => parseText(`x: &x 1\n${keys}\n`, 'yaml', many)).not.toThrow();
    const err = refusal(() => parseText(`x: &x 1\n${keys}\nk7: 2\nk8: 3\n`, 'yaml', many));
    expect(err.diagnostics.map((d) => [d.rule, d.message, d.line])).toEqual([
      ['yaml-syntax', 'Map keys must be unique', 30_002],
      ['yaml-syntax', 'Map keys must be unique', 30_003],
    ]);
    const json = refusal(() => parseText('{"a": 1, "b": {"c": 1, "c": 2}, "a": 3}', 'json', DEFAULT_LIMITS));
    expect(json.diagnostics.map((d) => [d.rule, d.column])).toEqual([
      ['json-syntax', 24],
      ['json-syntax', 33],
    ]);
  });
});
