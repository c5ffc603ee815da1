/**
 * Whether two schemas share a message, and, where they may, an explanation: an instance
 * both accept (checked with the runtime validator, never guessed) and how to keep them apart.
 *
 * Two alternatives are kept apart by their types, by finite values, or by a property that
 * one of them requires and to which they give disjoint schemas (a discriminator such as
 * `type: {const: card}`). A property that may be absent separates nothing: the object
 * without it matches both. Properties separate objects only, so they count only where the
 * two admit no other type in common.
 *
 * All work is counted on the comparison's budget, and the search for an example is bounded
 * on its own (a few candidates, shallow nesting), so that a hostile schema cannot make an
 * explanation costlier than the verdict it explains.
 */
import { appendPointer, isObject, setOwn } from '../contracts/pointer.js';
import { ARRAY, BOOLEAN, declared, FRACTION, INTEGER, NULL, OBJECT, STRING } from './facts.js';
import { branches, conjunction, finish, hasDisjunction, kw, nodeAt, type SchemaNode } from './node.js';
import type { Comparer } from './schemas.js';

/** What the objects of a node admit under one property name: nothing, or the schemas at these places (none: anything). */
type PropertyAcceptance = 'none' | string[];

function requiredNames(node: SchemaNode): Set<string> {
  const names = new Set<string>();
  for (const p of node.parts) {
    const req = kw(p, 'required');
    if (Array.isArray(req)) for (const r of req) if (typeof r === 'string') names.add(r);
  }
  return names;
}

function declaredNames(node: SchemaNode): Set<string> {
  const names = new Set<string>();
  for (const p of node.parts) {
    const props = kw(p, 'properties');
    if (isObject(props)) for (const name of Object.keys(props)) names.add(name);
  }
  return names;
}

/**
 * The schemas a property's value must meet, from `properties`; 'none' when a part closes
 * the object (`additionalProperties: false`, no pattern) without naming it. Other keywords
 * (patterns, additionalProperties schemas) only narrow further and are left out: what is
 * disjoint without them is disjoint with them.
 */
function acceptance(node: SchemaNode, name: string): PropertyAcceptance {
  const ptrs: string[] = [];
  for (const p of node.parts) {
    const props = kw(p, 'properties');
    if (isObject(props) && Object.hasOwn(props, name)) ptrs.push(appendPointer(p.ptr, 'properties', name));
    else if (kw(p, 'additionalProperties') === false && !isObject(kw(p, 'patternProperties'))) return 'none';
  }
  return ptrs;
}

/**
 * Whether no object matches both: some property is required by one of them (so present),
 * and the two give it disjoint schemas, or one of them forbids it.
 */
function objectsDisjoint(cmp: Comparer, a: SchemaNode, b: SchemaNode, depth: number): boolean {
  const ra = requiredNames(a);
  const rb = requiredNames(b);
  for (const name of new Set([...ra, ...rb])) if (valuesDisjoint(cmp, a, b, name, depth)) return true;
  return false;
}

/** Whether `name`, when present in an object, cannot satisfy both; `depth` bounds the recursion into its value. */
function valuesDisjoint(cmp: Comparer, a: SchemaNode, b: SchemaNode, name: string, depth: number): boolean {
  const x = acceptance(a, name);
  const y = acceptance(b, name);
  if (x === 'none' || y === 'none') return true;
  if (x.length === 0 || y.length === 0) return false;
  return disjoint(cmp, conjunction(a.doc, x), conjunction(b.doc, y), depth - 1);
}

/**
 * Answers of `disjoint` per comparison: schemas shared through `$ref` are met along many
 * paths (a property of each alternative referring to one type), and each pair is decided once.
 */
const answers = new WeakMap<Comparer, Map<string, boolean>>();

/** Whether no message matches both: by type, by finite values, or by a property one requires to which they give disjoint schemas. */
export function disjoint(cmp: Comparer, a: SchemaNode, b: SchemaNode, depth: number): boolean {
  if (a.never || b.never) return true;
  const side = (node: SchemaNode) => (node.doc === cmp.oldDoc ? 'o' : node.doc === cmp.newDoc ? 'n' : undefined);
  const sa = side(a);
  const sb = side(b);
  const key = sa && sb ? `${sa}${sb}${depth}|${a.key}|${b.key}` : undefined;
  let known = answers.get(cmp);
  if (!known) answers.set(cmp, (known = new Map()));
  const memo = key === undefined ? undefined : known.get(key);
  if (memo !== undefined) return memo;
  const answer = decide(cmp, a, b, depth);
  if (key !== undefined) known.set(key, answer);
  return answer;
}

function decide(cmp: Comparer, a: SchemaNode, b: SchemaNode, depth: number): boolean {
  cmp.budget.spend(1, a.parts[0]?.ptr ?? '', b.parts[0]?.ptr ?? '');
  const { facts } = cmp;
  const shared = facts.admitted(a) & facts.admitted(b);
  if (shared === 0) return true;
  const va = facts.finiteValues(a);
  if (va && va.every((v) => !facts.accepts(b, v))) return true;
  const vb = facts.finiteValues(b);
  if (vb && vb.every((v) => !facts.accepts(a, v))) return true;
  if (depth === 0) return false;
  // Apart when every alternative of one is apart from the other (a subtype that is itself a base).
  for (const [x, y] of [[a, b], [b, a]] as const) {
    if (hasDisjunction(x)) return branches(x, '').branches.every((br) => disjoint(cmp, br.node, y, depth - 1));
  }
  // `required` and `properties` constrain objects only: any other shared type passes both.
  return (shared & ~OBJECT) === 0 && objectsDisjoint(cmp, a, b, depth);
}

// ---- explaining an overlap -------------------------------------------------------------------

export interface Explanation {
  /** Present only when the runtime validator accepts the value under both schemas. */
  example?: { value: unknown };
  fix: string;
}

/** Most property names looked at for a discriminator; most candidates validated for an example; most guesses built. */
const MAX_NAMES = 32;
const MAX_CANDIDATES = 12;
const MAX_GUESSES = 200;

/** Why two schemas of one document, which `disjoint` could not separate, may share a message; with an instance when one is found. */
export function explainOverlap(cmp: Comparer, a: SchemaNode, b: SchemaNode): Explanation {
  const shared = cmp.facts.admitted(a) & cmp.facts.admitted(b);
  const others = (shared & ~OBJECT) !== 0;
  const discriminator = shared & OBJECT ? findDiscriminator(cmp, a, b) : undefined;
  const example = findExample(cmp, a, b);
  const ra = requiredNames(a);
  const rb = requiredNames(b);
  let fix: string;
  if (discriminator !== undefined && !ra.has(discriminator) && !rb.has(discriminator)) {
    fix = `make ${named(discriminator)} required in each alternative${others ? ', and declare `type: object` in each' : ''}: a property tells alternatives apart only when it cannot be left out`;
  } else if (others && shared & OBJECT && (discriminator !== undefined || objectsDisjoint(cmp, a, b, 3))) {
    fix = 'declare `type: object` in each alternative: their objects are told apart, but a value of another type matches both';
  } else {
    fix = 'make the alternatives exclusive: give them different types, or a property required in each with a different `const` (a discriminator); or use `anyOf` if a message may match several';
  }
  return { ...(example ? { example } : {}), fix };
}

/** A property name for a sentence: as code when plain, else quoted as JSON (and cut short). */
function named(name: string): string {
  if (/^[A-Za-z0-9_$@.-]{1,64}$/.test(name)) return `\`${name}\``;
  const quoted = JSON.stringify(name);
  return quoted.length > 66 ? `${quoted.slice(0, 64)}…"` : quoted;
}

/**
 * A property both declare, with disjoint schemas, that would separate their objects if it
 * were required (or that does, where the two share other types). Names with a `const` or
 * `enum` come first.
 */
function findDiscriminator(cmp: Comparer, a: SchemaNode, b: SchemaNode): string | undefined {
  const inB = declaredNames(b);
  const names = [...declaredNames(a)].filter((n) => inB.has(n));
  const finite = (node: SchemaNode, name: string) => {
    const acc = acceptance(node, name);
    return acc !== 'none' && acc.some((ptr) => nodeAt({ doc: node.doc, ptr }).parts.some((p) => kw(p, 'const') !== undefined || Array.isArray(kw(p, 'enum'))));
  };
  const ranked = [...names.filter((n) => finite(a, n) || finite(b, n)), ...names.filter((n) => !(finite(a, n) || finite(b, n)))];
  for (const name of ranked.slice(0, MAX_NAMES)) {
    const x = acceptance(a, name);
    const y = acceptance(b, name);
    if (x === 'none' || y === 'none' || x.length === 0 || y.length === 0) continue;
    const nx = conjunction(a.doc, x);
    const ny = conjunction(b.doc, y);
    // A property one of them forbids outright would empty that alternative if required.
    if (nx.never || ny.never) continue;
    if (disjoint(cmp, nx, ny, 2)) return name;
  }
  return undefined;
}

/** The first of a few candidate instances that the runtime validator accepts under both. */
function findExample(cmp: Comparer, a: SchemaNode, b: SchemaNode): { value: unknown } | undefined {
  // A candidate is built for the two at once, then checked against each.
  const both = finish(a.doc, [...a.parts, ...b.parts], a.never || b.never);
  const candidates = guesses(cmp, both, 3, { left: MAX_GUESSES }).slice(0, MAX_CANDIDATES);
  for (const value of candidates) if (accepts(cmp, a, value) && accepts(cmp, b, value)) return { value };
  return undefined;
}

function accepts(cmp: Comparer, node: SchemaNode, value: unknown): boolean {
  try {
    return cmp.facts.accepts(node, value);
  } catch (err) {
    // A schema that recurses on the same value overflows the validator's stack: no example from it.
    if (err instanceof RangeError) return false;
    throw err;
  }
}

const FORMAT_SAMPLES: Record<string, string> = {
  'date-time': '2024-01-01T00:00:00Z',
  date: '2024-01-01',
  time: '00:00:00Z',
  email: 'a@example.com',
  'idn-email': 'a@example.com',
  hostname: 'example.com',
  'idn-hostname': 'example.com',
  ipv4: '127.0.0.1',
  ipv6: '::1',
  uri: 'https://example.com',
  'uri-reference': 'https://example.com',
  iri: 'https://example.com',
  'iri-reference': 'https://example.com',
  url: 'https://example.com',
  uuid: '00000000-0000-0000-0000-000000000000',
  duration: 'P1D',
  regex: '.*',
};

/** Longest string, most items and most properties a guess builds. */
const MAX_LENGTH = 256;
const MAX_ITEMS = 4;
const MAX_PROPERTIES = 64;

const numbers = (node: SchemaNode, name: string): number[] => node.parts.map((p) => kw(p, name)).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));

/**
 * A few plausible instances of a node, cheapest first: its `const`/`enum` values, then a
 * small value of each type it admits (an object with its required properties filled in,
 * `depth` levels down). Guesses only, which the caller validates; `work` bounds how many
 * nodes are visited in all.
 */
function guesses(cmp: Comparer, node: SchemaNode, depth: number, work: { left: number }): unknown[] {
  if (node.never || work.left <= 0) return [];
  work.left--;
  cmp.budget.spend(1, node.parts[0]?.ptr ?? '', '');
  const out: unknown[] = [];
  for (const p of node.parts) {
    const c = kw(p, 'const');
    if (c !== undefined) out.push(c);
    const e = kw(p, 'enum');
    if (Array.isArray(e)) out.push(...e.slice(0, 3));
  }
  const bits = declared(node);
  if (bits & STRING) {
    const min = Math.max(0, ...numbers(node, 'minLength'));
    const format = node.parts.map((p) => kw(p, 'format')).find((f): f is string => typeof f === 'string' && Object.hasOwn(FORMAT_SAMPLES, f));
    if (format !== undefined) out.push(FORMAT_SAMPLES[format]);
    if (min <= MAX_LENGTH) out.push('a'.repeat(min));
  }
  if (bits & (INTEGER | FRACTION)) out.push(number(node, (bits & FRACTION) === 0));
  if (bits & OBJECT) {
    const obj = depth > 0 ? object(cmp, node, depth, work) : {};
    if (obj !== undefined) out.push(obj);
  }
  if (bits & BOOLEAN) out.push(true, false);
  if (bits & NULL) out.push(null);
  if (bits & ARRAY) {
    const arr = depth > 0 ? array(cmp, node, depth, work) : [];
    if (arr !== undefined) out.push(arr);
  }
  return out;
}

/** The number nearest 0 within the bounds (a multiple of `multipleOf`, or an integer when `integer`). */
function number(node: SchemaNode, integer: boolean): number {
  const step = numbers(node, 'multipleOf').find((m) => m > 0) ?? (integer ? 1 : undefined);
  // draft-04 writes an exclusive bound as `exclusiveMinimum: true` beside `minimum`.
  const bound = (inclusive: string, exclusive: string, lower: boolean) => {
    let best: { value: number; strict: boolean } | undefined;
    for (const p of node.parts) {
      const found: Array<[unknown, boolean]> = [[kw(p, inclusive), kw(p, exclusive) === true], [kw(p, exclusive), true]];
      for (const [v, strict] of found) {
        if (typeof v !== 'number' || !Number.isFinite(v)) continue;
        if (!best || (lower ? v > best.value : v < best.value) || (v === best.value && strict && !best.strict)) best = { value: v, strict };
      }
    }
    return best;
  };
  const lo = bound('minimum', 'exclusiveMinimum', true);
  const hi = bound('maximum', 'exclusiveMaximum', false);
  let value = 0;
  if (lo && (value < lo.value || (value === lo.value && lo.strict))) {
    value = lo.strict ? lo.value + (step ?? 1) / 2 : lo.value;
    if (step !== undefined) value = Math.ceil(value / step) * step;
  } else if (hi && (value > hi.value || (value === hi.value && hi.strict))) {
    value = hi.strict ? hi.value - (step ?? 1) / 2 : hi.value;
    if (step !== undefined) value = Math.floor(value / step) * step;
  }
  return Number.isFinite(value) ? value : 0;
}

/** An object with each required property given its first guess; undefined when one cannot be present. */
function object(cmp: Comparer, node: SchemaNode, depth: number, work: { left: number }): Record<string, unknown> | undefined {
  const names = [...requiredNames(node)];
  if (names.length > MAX_PROPERTIES) return undefined;
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const acc = acceptance(node, name);
    if (acc === 'none') return undefined;
    const value = acc.length === 0 ? null : guesses(cmp, conjunction(node.doc, acc), depth - 1, work)[0];
    setOwn(out, name, value === undefined ? null : value);
  }
  return out;
}

/** An array of `minItems` copies of the items' first guess. */
function array(cmp: Comparer, node: SchemaNode, depth: number, work: { left: number }): unknown[] | undefined {
  const min = Math.max(0, ...numbers(node, 'minItems'));
  if (min === 0) return [];
  if (min > MAX_ITEMS) return undefined;
  const items = node.parts.filter((p) => isObject(kw(p, 'items'))).map((p) => appendPointer(p.ptr, 'items'));
  const value = items.length ? guesses(cmp, conjunction(node.doc, items), depth - 1, work)[0] : null;
  return Array.from({ length: min }, () => (value === undefined ? null : value));
}
