/**
 * Regular expressions in linear time. JSON Schema patterns are ECMAScript regular
 * expressions, which JavaScript runs by backtracking: `^(a+)+$` against thirty a's and a
 * "!" takes minutes. Herald reads each pattern as ECMAScript reads it (no flags, Annex B,
 * as Ajv compiles them), writes the same expression in RE2's syntax, and runs it with
 * RE2JS, whose time grows linearly with the input; patterns that backtracking provably runs
 * in linear time (most: `^[A-Z]{3}$`, a UUID) run on JavaScript's RegExp, which is faster.
 *
 * What RE2 cannot run (backreferences, lookahead and lookbehind, counted repetition over
 * 1000) is refused, unless the operator opts into ECMAScript patterns
 * (HERALD_PATTERN_DIALECT=ecmascript): then those patterns, and only those, run on
 * JavaScript's RegExp. One difference remains: RE2 reads a string as Unicode code points,
 * JavaScript (without the u flag) as UTF-16 units, so `.` and `[^a]` take an emoji as one
 * character where JavaScript takes two halves.
 */
import { RegExpParser, type AST } from '@eslint-community/regexpp';
import type { RegExpEngine, RegExpLike } from 'ajv/dist/types/index.js';
import { RE2JS } from 're2js';
import type { Diagnostic } from '../errors.js';
import { appendPointer } from './pointer.js';

export type PatternDialect = 're2' | 'ecmascript';

/** A pattern Herald cannot run: `unsupported` when only the linear-time engine cannot. */
export class PatternError extends Error {
  constructor(
    readonly reason: string,
    readonly unsupported: boolean,
  ) {
    super(reason);
  }
}

// ---- ECMAScript to RE2 ----------------------------------------------------------------

/** RE2's largest repetition count. */
const MAX_REPEAT = 1000;
/** ECMAScript's \s: the white space and line terminator characters. */
const SPACE: Array<[number, number]> = [[0x09, 0x0d], [0x20, 0x20], [0xa0, 0xa0], [0x1680, 0x1680], [0x2000, 0x200a], [0x2028, 0x2029], [0x202f, 0x202f], [0x205f, 0x205f], [0x3000, 0x3000], [0xfeff, 0xfeff]];
const DIGIT: Array<[number, number]> = [[0x30, 0x39]];
const WORD: Array<[number, number]> = [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]];
/** What `.` does not match without the s flag. */
const LINE_TERMINATORS: Array<[number, number]> = [[0x0a, 0x0a], [0x0d, 0x0d], [0x2028, 0x2029]];
const MAX_CODE_POINT = 0x10ffff;

const parser = new RegExpParser({ ecmaVersion: 2024 });

/** The RE2 expression that means what `new RegExp(source)` means. Throws PatternError. */
export function translatePattern(source: string): string {
  return disjunction(parse(source).alternatives);
}

function parse(source: string): AST.Pattern {
  try {
    return parser.parsePattern(source, 0, source.length, { unicode: false, unicodeSets: false });
  } catch (err) {
    throw new PatternError((err as Error).message.replace(/^Invalid regular expression: /, ''), false);
  }
}

/**
 * Whether backtracking runs the pattern in linear time, provably: anchored at the start, one
 * alternative, a sequence of single characters or classes, each repeated one (greedy) loop
 * at most, and each loop's characters disjoint from whatever may follow it. Giving back a
 * character of such a loop can never let what follows match, so each loop gives back at most
 * once what it took. JavaScript's own RegExp then runs it, ten to twenty times faster than
 * RE2JS: `^[A-Z]{3}$`, a UUID, `^[a-z0-9-]+$` are of this kind; `^(a+)+$`, `^a*a*b$` are not.
 */
function backtracksLinearly(pattern: AST.Pattern): boolean {
  if (pattern.alternatives.length !== 1) return false;
  const elements = pattern.alternatives[0]!.elements;
  if (elements[0]?.type !== 'Assertion' || elements[0].kind !== 'start') return false;
  const steps: Array<{ ranges: Array<[number, number]>; min: number; max: number }> = [];
  for (const [i, e] of elements.entries()) {
    if (i === 0) continue;
    if (e.type === 'Assertion' && e.kind === 'end' && i === elements.length - 1) break;
    const atom = e.type === 'Quantifier' ? e.element : e;
    if (e.type === 'Quantifier' && !e.greedy) return false;
    const ranges = atomRanges(atom);
    if (!ranges) return false;
    steps.push({ ranges, min: e.type === 'Quantifier' ? e.min : 1, max: e.type === 'Quantifier' ? e.max : 1 });
  }
  for (const [i, step] of steps.entries()) {
    if (step.min === step.max) continue;
    // What may come next: the following steps up to the first that must match at least once.
    for (let j = i + 1; j < steps.length; j++) {
      if (overlap(step.ranges, steps[j]!.ranges)) return false;
      if (steps[j]!.min > 0) break;
    }
  }
  return true;
}

/** The characters one element matches, when it matches exactly one character. */
function atomRanges(e: AST.Element): Array<[number, number]> | undefined {
  if (e.type === 'Character') return [[e.value, e.value]];
  if (e.type === 'CharacterSet') return e.kind === 'any' ? complement(LINE_TERMINATORS) : e.kind === 'property' ? undefined : setRanges(e);
  if (e.type !== 'CharacterClass') return undefined;
  const ranges: Array<[number, number]> = [];
  for (const item of e.elements) {
    if (item.type === 'Character') ranges.push([item.value, item.value]);
    else if (item.type === 'CharacterClassRange') ranges.push([item.min.value, item.max.value]);
    else if (item.type === 'CharacterSet' && item.kind !== 'property') ranges.push(...setRanges(item));
    else return undefined;
  }
  return e.negate ? complement(ranges) : merge(ranges);
}

function overlap(a: Array<[number, number]>, b: Array<[number, number]>): boolean {
  return a.some(([x, y]) => b.some(([u, v]) => x <= v && u <= y));
}

function disjunction(alternatives: AST.Alternative[]): string {
  return alternatives.map((a) => sequence(a.elements)).join('|');
}

function sequence(elements: AST.Element[]): string {
  let out = '';
  for (let i = 0; i < elements.length; i++) {
    const e = elements[i]!;
    const next = elements[i + 1];
    // A surrogate pair written as two escapes is one character to RE2.
    if (e.type === 'Character' && isHigh(e.value) && next?.type === 'Character' && isLow(next.value)) {
      out += literal(0x10000 + ((e.value - 0xd800) << 10) + (next.value - 0xdc00));
      i++;
      continue;
    }
    out += element(e);
  }
  return out;
}

function element(e: AST.Element): string {
  switch (e.type) {
    case 'Character':
      return literal(e.value);
    case 'CharacterSet':
      return e.kind === 'any' ? klass(LINE_TERMINATORS, true) : klass(setRanges(e), false);
    case 'CharacterClass':
      return characterClass(e);
    case 'Group':
      return `(?:${disjunction(e.alternatives)})`;
    case 'CapturingGroup':
      // Nothing reads captures: a plain group lets RE2 use its fastest engine.
      return `(?:${disjunction(e.alternatives)})`;
    case 'Quantifier':
      return quantifier(e);
    case 'Assertion':
      if (e.kind === 'start') return '^';
      if (e.kind === 'end') return '$';
      if (e.kind === 'word') return e.negate ? '\\B' : '\\b';
      throw new PatternError(`${e.kind === 'lookahead' ? 'lookahead' : 'lookbehind'} (${e.raw}) cannot run in linear time`, true);
    case 'Backreference':
      throw new PatternError(`the backreference ${e.raw} cannot run in linear time`, true);
    default:
      throw new PatternError(`${(e as AST.Node).raw} is not supported`, true);
  }
}

function quantifier(q: AST.Quantifier): string {
  if (q.min > MAX_REPEAT || (q.max !== Infinity && q.max > MAX_REPEAT)) {
    throw new PatternError(`the repetition ${q.raw.slice(q.element.raw.length)} counts past ${MAX_REPEAT}, the most the linear-time engine allows`, true);
  }
  const body = element(q.element);
  const atom = q.element.type === 'Character' || q.element.type === 'CharacterSet' || q.element.type === 'CharacterClass' ? body : `(?:${body})`;
  const count = q.min === 0 && q.max === Infinity ? '*' : q.min === 1 && q.max === Infinity ? '+' : q.min === 0 && q.max === 1 ? '?' : q.max === Infinity ? `{${q.min},}` : q.min === q.max ? `{${q.min}}` : `{${q.min},${q.max}}`;
  return atom + count + (q.greedy ? '' : '?');
}

function characterClass(c: AST.CharacterClass): string {
  const ranges: Array<[number, number]> = [];
  for (const item of c.elements) {
    if (item.type === 'Character') ranges.push([item.value, item.value]);
    else if (item.type === 'CharacterClassRange') ranges.push([item.min.value, item.max.value]);
    else if (item.type === 'CharacterSet' && item.kind !== 'property') ranges.push(...setRanges(item));
    else throw new PatternError(`${item.raw} is not supported in a class`, true);
  }
  if (ranges.some(([a, b]) => a <= 0xdfff && b >= 0xd800)) {
    throw new PatternError('a class holding halves of surrogate pairs cannot be matched by characters; write the characters themselves', true);
  }
  return klass(ranges, c.negate);
}

function setRanges(s: AST.EscapeCharacterSet | AST.UnicodePropertyCharacterSet): Array<[number, number]> {
  if (s.kind === 'property') throw new PatternError(`${s.raw} is not supported`, true);
  const base = s.kind === 'digit' ? DIGIT : s.kind === 'word' ? WORD : SPACE;
  return s.negate ? complement(base) : base;
}

/** A class of code point ranges, every character written as an escape. */
function klass(ranges: Array<[number, number]>, negate: boolean): string {
  const normal = merge(negate ? complement(ranges) : ranges);
  // An empty class matches nothing; RE2 needs that spelled as a class that excludes everything.
  if (normal.length === 0) return `[^\\x{0}-\\x{${MAX_CODE_POINT.toString(16)}}]`;
  return `[${normal.map(([a, b]) => (a === b ? hex(a) : `${hex(a)}-${hex(b)}`)).join('')}]`;
}

/** The code points not in `ranges`, surrogates aside (RE2 matches no surrogate code point). */
function complement(ranges: Array<[number, number]>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let next = 0;
  for (const [a, b] of merge(ranges)) {
    if (a > next) out.push([next, a - 1]);
    next = Math.max(next, b + 1);
  }
  if (next <= MAX_CODE_POINT) out.push([next, MAX_CODE_POINT]);
  return out.flatMap(([a, b]) => (a <= 0xdfff && b >= 0xd800 ? [[a, 0xd7ff], [0xe000, b]].filter(([x, y]) => x! <= y!) as Array<[number, number]> : [[a, b] as [number, number]]));
}

function merge(ranges: Array<[number, number]>): Array<[number, number]> {
  const sorted = [...ranges].sort((x, y) => x[0] - y[0]);
  const out: Array<[number, number]> = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

const hex = (cp: number) => `\\x{${cp.toString(16)}}`;
const literal = (cp: number) => (/[A-Za-z0-9_]/.test(String.fromCharCode(cp)) && cp < 128 ? String.fromCharCode(cp) : hex(cp));
const isHigh = (v: number) => v >= 0xd800 && v <= 0xdbff;
const isLow = (v: number) => v >= 0xdc00 && v <= 0xdfff;

// ---- compiling and running --------------------------------------------------------------

let current: PatternDialect = 're2';

/** The dialect patterns are read in, for the whole process (HERALD_PATTERN_DIALECT). */
export function setPatternDialect(dialect: PatternDialect): void {
  current = dialect;
}

const cache = new Map<string, RegExpLike>();
const MAX_CACHED = 10_000;

/** A compiled pattern, cached; throws PatternError. */
export function compilePattern(source: string, dialect: PatternDialect = current): RegExpLike {
  const key = `${dialect}\u0000${source}`;
  let compiled = cache.get(key);
  if (!compiled) {
    compiled = build(source, dialect);
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
    cache.set(key, compiled);
  }
  return compiled;
}

function build(source: string, dialect: PatternDialect): RegExpLike {
  let translated: string;
  let linear: boolean;
  try {
    const pattern = parse(source);
    translated = disjunction(pattern.alternatives);
    linear = backtracksLinearly(pattern);
  } catch (err) {
    if (err instanceof PatternError && err.unsupported && dialect === 'ecmascript') return new RegExp(source);
    throw err;
  }
  if (linear) return new RegExp(source);
  let re: RE2JS;
  try {
    re = RE2JS.compile(translated);
  } catch (err) {
    // Translation gave RE2 something it refuses (a construct it has no room for).
    if (dialect === 'ecmascript') return new RegExp(source);
    throw new PatternError(`the linear-time engine cannot run it (${(err as Error).message})`, true);
  }
  // Ajv keys compiled patterns by toString(): one per source.
  return { test: (s: string) => re.test(s), toString: () => `/${source}/` } as RegExpLike;
}

/** The engine for Ajv's `code.regExp` option: every pattern Ajv compiles goes through compilePattern. */
export const linearRegExp: RegExpEngine = Object.assign((source: string) => compilePattern(source), {
  // How Ajv's standalone code would name the engine; Herald compiles in process only.
  code: 'compilePattern',
});

// ---- finding the patterns of a document --------------------------------------------------

/** Keywords whose values are data, not schemas: a `pattern` key inside them is not one. */
const DATA = new Set(['enum', 'const', 'default', 'examples', 'example']);

/**
 * Every `pattern` and `patternProperties` key of a schema, with its JSON pointer (the
 * schema's own `$ref`s are not followed: each schema is checked where it is written).
 */
function patternsIn(schema: unknown, pointer: string): Array<{ pointer: string; source: string }> {
  const found: Array<{ pointer: string; source: string }> = [];
  const stack: Array<[unknown, string]> = [[schema, pointer]];
  while (stack.length > 0) {
    const [node, at] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      node.forEach((child, i) => stack.push([child, appendPointer(at, i)]));
      continue;
    }
    for (const [key, value] of Object.entries(node)) {
      if (DATA.has(key)) continue;
      if (key === 'pattern' && typeof value === 'string') found.push({ pointer: appendPointer(at, key), source: value });
      if (key === 'patternProperties' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
        for (const source of Object.keys(value)) found.push({ pointer: appendPointer(at, key, source), source });
      }
      stack.push([value, appendPointer(at, key)]);
    }
  }
  return found;
}

/** Diagnostics for the patterns of a schema that Herald cannot run. */
export function checkPatterns(schema: unknown, pointer: string, dialect: PatternDialect = current): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const p of patternsIn(schema, pointer)) {
    try {
      compilePattern(p.source, dialect);
    } catch (err) {
      if (!(err instanceof PatternError)) throw err;
      out.push(
        err.unsupported
          ? {
              rule: 'pattern-unsupported',
              pointer: p.pointer,
              message: `The pattern ${JSON.stringify(p.source)} cannot be used: ${err.reason}. Rewrite it without that, or set HERALD_PATTERN_DIALECT=ecmascript to run such patterns by backtracking (see docs/security.md).`,
            }
          : { rule: 'pattern-invalid', pointer: p.pointer, message: `The pattern ${JSON.stringify(p.source)} is not a regular expression: ${err.reason}.` },
      );
    }
  }
  return out;
}
