/**
 * A JSON Schema read for people: its rules in words ("1 to 64 characters", "one of: a, b"),
 * and an example message built from it when the document has none. Pure functions of the
 * schema; the tree itself is drawn by pages.tsx.
 */

import randexp from 'randexp';
import { runtimeValidator } from '../contracts/validator.js';

export type Schema = Record<string, unknown> | boolean;

const obj = (s: unknown): Record<string, unknown> | undefined => (s && typeof s === 'object' && !Array.isArray(s) ? (s as Record<string, unknown>) : undefined);
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** The schema's type, as written: `string`, `integer | null`, `object`, or what its keywords imply. */
export function typeOf(schema: Schema): string {
  const s = obj(schema);
  if (schema === true || (s && Object.keys(s).length === 0)) return 'any';
  if (schema === false) return 'nothing';
  const t = s!.type;
  const types = Array.isArray(t) ? t.map(String) : typeof t === 'string' ? [t] : [];
  if (s!.nullable === true && !types.includes('null')) types.push('null');
  if (types.length > 0) return types.join(' | ');
  if (s!.properties || s!.additionalProperties !== undefined) return 'object';
  if (s!.items || s!.prefixItems) return 'array';
  if (s!.const !== undefined) return typeof s!.const === 'object' ? 'value' : typeof s!.const;
  return s!.oneOf || s!.anyOf || s!.allOf ? 'one of the below' : 'any';
}

/** The schema's constraints in words. */
export function rules(schema: Schema): string[] {
  const s = obj(schema);
  if (!s) return [];
  const out: string[] = [];
  const range = (lo: unknown, hi: unknown, unit: string) => {
    if (num(lo) && num(hi)) out.push(lo === hi ? `exactly ${lo} ${unit}` : `${lo} to ${hi} ${unit}`);
    else if (num(lo)) out.push(`at least ${lo} ${unit}`);
    else if (num(hi)) out.push(`at most ${hi} ${unit}`);
  };
  range(s.minLength, s.maxLength, 'characters');
  range(s.minItems, s.maxItems, 'items');
  range(s.minProperties, s.maxProperties, 'properties');
  if (num(s.minimum) && num(s.maximum)) out.push(`from ${s.minimum} to ${s.maximum}`);
  else if (num(s.minimum)) out.push(`at least ${s.minimum}`);
  else if (num(s.maximum)) out.push(`at most ${s.maximum}`);
  if (num(s.exclusiveMinimum)) out.push(`more than ${s.exclusiveMinimum}`);
  if (num(s.exclusiveMaximum)) out.push(`less than ${s.exclusiveMaximum}`);
  if (num(s.multipleOf)) out.push(`a multiple of ${s.multipleOf}`);
  if (Array.isArray(s.enum)) out.push(`one of: ${s.enum.map(show).join(', ')}`);
  if (s.const !== undefined) out.push(`exactly ${show(s.const)}`);
  if (typeof s.pattern === 'string') out.push(`matches ${s.pattern}`);
  if (typeof s.format === 'string') out.push(`format ${s.format}`);
  if (s.uniqueItems === true) out.push('items unique');
  if (s.additionalProperties === false) out.push('no other properties');
  if (s.default !== undefined) out.push(`default ${show(s.default)}`);
  if (s.deprecated === true) out.push('deprecated');
  return out;
}

const FORMAT_EXAMPLES: Record<string, string> = {
  uuid: '6f1c1a52-8f0e-4a8e-9a4e-2b7b0c2f6d11',
  'date-time': '2026-12-03T10:00:00Z',
  date: '2026-12-03',
  time: '10:00:00Z',
  email: 'someone@example.com',
  uri: 'https://example.com/',
  'uri-reference': 'https://example.com/',
  hostname: 'example.com',
  ipv4: '192.0.2.1',
  ipv6: '2001:db8::1',
};

/**
 * An example value the schema accepts, for a message whose document gives none: the schema's
 * own examples, const, default or enum first, else a value of its type within its bounds.
 * Refs and depth are bounded, so a recursive schema gives a finite example; the work is
 * bounded too (values built, string length), since a crafted schema can ask for a billion
 * items or a billion-character string: past the budget there is no example.
 */
export function exampleOf(schema: Schema, root: Schema = schema, depth = 0, budget: Budget = { values: EXAMPLE_BUDGET.values }): unknown {
  if (--budget.values < 0) throw OVER_BUDGET;
  const s = obj(schema);
  if (!s || depth > 12) return schema === false ? undefined : {};
  if (typeof s.$ref === 'string' && s.$ref.startsWith('#')) return exampleOf(resolve(root, s.$ref) ?? {}, root, depth + 1, budget);
  // A value the schema itself gives, when it is of the schema's type (documents write `default: 'false'` for a boolean).
  for (const given of [s.const, ...(Array.isArray(s.examples) ? s.examples.slice(0, 1) : []), s.default, ...(Array.isArray(s.enum) ? s.enum.slice(0, 1) : [])]) {
    if (given !== undefined && ofType(given, s.type)) return given;
  }
  const alternatives = (s.oneOf ?? s.anyOf) as Schema[] | undefined;
  if (Array.isArray(alternatives) && alternatives.length > 0) return exampleOf(alternatives[0]!, root, depth + 1, budget);
  if (Array.isArray(s.allOf)) {
    const merged: Record<string, unknown> = {};
    for (const part of s.allOf as Schema[]) Object.assign(merged, obj(exampleOf(part, root, depth + 1, budget)) ?? {});
    return Object.assign(merged, obj(exampleOf({ ...s, allOf: undefined }, root, depth + 1, budget)) ?? {});
  }
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  if (type === 'object' || (type === undefined && s.properties)) {
    const out: Record<string, unknown> = {};
    const props = obj(s.properties) ?? {};
    const required = Array.isArray(s.required) ? s.required.map(String) : [];
    for (const [k, v] of Object.entries(props)) if (required.includes(k) || depth < 2) out[k] = exampleOf(v as Schema, root, depth + 1, budget);
    return out;
  }
  if (type === 'array') {
    const n = num(s.minItems) ? Math.max(1, s.minItems) : 1;
    // Item by item, so that the budget stops a huge minItems before it is allocated.
    const items: unknown[] = [];
    while (items.length < n) items.push(exampleOf((s.items as Schema) ?? {}, root, depth + 1, budget));
    return items;
  }
  if (type === 'integer' || type === 'number') {
    let v = num(s.minimum) ? s.minimum : num(s.exclusiveMinimum) ? s.exclusiveMinimum + 1 : num(s.maximum) ? Math.min(0, s.maximum) : 1;
    if (type === 'integer') v = Math.ceil(v);
    if (num(s.multipleOf) && s.multipleOf > 0) v = Math.ceil(v / s.multipleOf) * s.multipleOf;
    return v;
  }
  if (type === 'boolean') return true;
  if (type === 'null') return null;
  if (type === 'string') {
    let v = typeof s.format === 'string' && FORMAT_EXAMPLES[s.format] ? FORMAT_EXAMPLES[s.format]! : typeof s.pattern === 'string' ? matching(s.pattern) ?? 'string' : 'string';
    if (num(s.minLength) && v.length < s.minLength) {
      if (s.minLength > EXAMPLE_BUDGET.stringLength) throw OVER_BUDGET;
      v = v.padEnd(s.minLength, 'x');
    }
    if (num(s.maxLength) && v.length > s.maxLength) v = v.slice(0, s.maxLength);
    return v;
  }
  return {};
}

/** How much an example may take: values built in all, and the longest string. */
export const EXAMPLE_BUDGET = { values: 5000, stringLength: 10_000 };
interface Budget {
  values: number;
}
const OVER_BUDGET = new Error('the example would be too large');

/** The schema a local `$ref` names. */
export function resolve(root: Schema, ref: string): Schema | undefined {
  let node: unknown = root;
  for (const raw of ref.replace(/^#/, '').split('/').slice(1)) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    const o = obj(node);
    if (!o || !Object.hasOwn(o, key)) return undefined;
    node = o[key];
  }
  return node as Schema;
}

function ofType(value: unknown, type: unknown): boolean {
  const types = Array.isArray(type) ? type.map(String) : typeof type === 'string' ? [type] : [];
  if (types.length === 0) return true;
  const actual = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  return types.some((t) => t === actual || (t === 'integer' && Number.isInteger(value)) || (t === 'number' && actual === 'number'));
}

// randexp is CommonJS whose types declare an ES default export: the class is the module itself.
const RandExp = randexp as unknown as new (pattern: string) => { max: number; randInt: (from: number, to: number) => number; gen(): string };

/**
 * The counted repetitions `{n}`, `{n,}` and `{n,m}` of a pattern, as [n, m] (m undefined when
 * open), read in one pass: a regular expression for this backtracks on a long run of digits.
 */
function counts(pattern: string): Array<[number, number | undefined]> {
  const out: Array<[number, number | undefined]> = [];
  for (let i = pattern.indexOf('{'); i >= 0; i = pattern.indexOf('{', i + 1)) {
    let j = i + 1;
    const digits = (): string => {
      const start = j;
      while (j < pattern.length && pattern[j]! >= '0' && pattern[j]! <= '9') j++;
      return pattern.slice(start, j);
    };
    const from = digits();
    if (!from) continue;
    if (pattern[j] === '}') {
      out.push([Number(from), Number(from)]);
      continue;
    }
    if (pattern[j] !== ',') continue;
    j++;
    const to = digits();
    if (pattern[j] === '}') out.push([Number(from), to ? Number(to) : undefined]);
  }
  return out;
}

/**
 * A string a pattern matches, the same every time (a fixed seed), or none when the pattern is
 * beyond the generator or would make too long a string. randexp honours counted repetition
 * (`a{1000000000}` builds a billion characters) and nested repetition multiplies, so the
 * product of the counts is bounded, as is the nesting of groups (open repetition, `*` and
 * `+`, repeats at most twice here).
 */
function matching(pattern: string): string | undefined {
  if (pattern.length > 512) return undefined;
  let product = 1;
  for (const [from, to] of counts(pattern)) {
    product *= Math.max(1, to ?? from + 2);
    if (product > 100_000) return undefined;
  }
  let depth = 0;
  for (const ch of pattern) {
    // Escaped or in a class, a parenthesis still counts: this only errs on the side of no example.
    if (ch === '(' && ++depth > 6) return undefined;
    if (ch === ')') depth = Math.max(0, depth - 1);
  }
  try {
    const gen = new RandExp(pattern);
    gen.max = 2;
    let seed = 7;
    gen.randInt = (from: number, to: number) => {
      seed = (seed * 48271) % 2147483647;
      return from + (seed % (to - from + 1));
    };
    return gen.gen();
  } catch {
    return undefined;
  }
}

/**
 * An example the gateway's own validator accepts, or none: the example built from the schema,
 * else one built from each of its alternatives (two alternatives may both accept the first).
 * The docs never show a generated message the gateway would dead-letter.
 */
export function validExample(schema: Schema): unknown {
  const validate = runtimeValidator(schema);
  if (validate instanceof Error) return undefined;
  const s = obj(schema);
  const alternatives = ((s?.oneOf ?? s?.anyOf) as Schema[] | undefined) ?? [];
  const candidates = [() => exampleOf(schema), ...alternatives.slice(0, 8).map((alt) => () => exampleOf(alt, schema))];
  for (const candidate of candidates) {
    let value: unknown;
    try {
      value = candidate();
    } catch (err) {
      if (err === OVER_BUDGET) continue;
      throw err;
    }
    if (validate(value) === true) return value;
  }
  return undefined;
}
