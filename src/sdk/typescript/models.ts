/**
 * TypeScript declarations of an SDK's models, from the names and schemas names.ts decided.
 * Herald's own emitter rather than Modelina's (docs/sdk.md says why): the types must describe
 * the JSON on the wire exactly as the gateway's validator judges it, so property names are
 * never renamed, maps are plain index signatures, and the output compiles under the
 * strictest settings a consumer may use (NodeNext, verbatimModuleSyntax,
 * exactOptionalPropertyTypes, noUncheckedIndexedAccess).
 *
 * Where TypeScript cannot say what a schema says (`not`, `if`/`then`/`else`, patterns,
 * bounds, `uniqueItems`, `propertyNames`, ...) the type is wider than the schema, never
 * narrower: every message the validator accepts has the type. The validators enforce the
 * rest, and bounds, formats and patterns are written in the doc comments.
 *
 * The output never names a global type (no `Record`, `Array`, `Map`, `Date`): a model may
 * be called `Record` or `Array` without shadowing anything the declarations use.
 */
import type { JsonSchema } from '../../contracts/model.js';
import { isObject } from '../../contracts/pointer.js';
import type { ModelSet } from '../names.js';

/** JSON types as `type` names them. `number` always comes with `integer` (every integer is a number). */
type Kind = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null';
type Kinds = ReadonlySet<Kind>;
const ALL: Kinds = new Set<Kind>(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);

/** Keywords that make a schema describe a shape of its own (beside any `$ref` or combinator). */
const SHAPE = ['type', 'properties', 'required', 'additionalProperties', 'patternProperties', 'items', 'prefixItems', 'additionalItems'];

/** Names a type alias cannot take: reserved words and TypeScript's predefined type names. */
const RESERVED = new Set(
  ('break case catch class const continue debugger default delete do else enum export extends false finally for function if import in ' +
    'instanceof new null return super switch this throw true try typeof var void while with implements interface let package private ' +
    'protected public static yield await as is keyof infer type readonly unique any unknown never string number boolean symbol bigint object undefined').split(' '),
);
const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
/** Names every object inherits (`toString`, `constructor`, ...). */
const INHERITED = new Set(Object.getOwnPropertyNames(Object.prototype));

/** The identifier a model name is declared as: the name itself (names.ts makes identifiers); a guard otherwise. */
export function tsIdentifier(name: string): string {
  const id = name.replace(/[^A-Za-z0-9_$]/g, '_');
  return IDENT.test(id) && !RESERVED.has(id) ? id : `_${id}`;
}

export function typescriptModels(set: ModelSet): { 'models.d.ts': string; 'models.js': string } {
  const schemas = new Map<string, JsonSchema>(set.models.map((m) => [m.name, m.schema]));
  const idents = identifiers(set.models.map((m) => m.name));
  const refName = (s: Record<string, unknown>): string | undefined => {
    const m = typeof s.$ref === 'string' ? /^#\/\$defs\/([^/]+)$/.exec(s.$ref) : null;
    return m && schemas.has(m[1]!) ? m[1] : undefined;
  };

  /**
   * The JSON types a schema can accept (over-approximated): from `type`, `const`/`enum`,
   * references and combinators. It lets a schema without `type` inside `allOf` (a common
   * way to extend a base object) be typed as what its siblings allow, not as any value.
   */
  const kindMemo = new Map<string, Kinds>();
  const kindsOf = (s: unknown): Kinds => {
    if (s === false) return new Set();
    if (!isObject(s)) return ALL;
    let k = declared(s);
    if (Object.hasOwn(s, 'const')) k = literalKinds([s.const], k);
    else if (Array.isArray(s.enum)) k = literalKinds(s.enum, k);
    const ref = refName(s);
    if (ref !== undefined) {
      if (!kindMemo.has(ref)) {
        kindMemo.set(ref, ALL); // met again inside itself: no narrower than anything
        kindMemo.set(ref, kindsOf(schemas.get(ref)));
      }
      k = intersect(k, kindMemo.get(ref)!);
    }
    for (const m of list(s.allOf)) k = intersect(k, kindsOf(m));
    for (const key of ['anyOf', 'oneOf']) if (Array.isArray(s[key])) k = intersect(k, unite(s[key].map(kindsOf)));
    return k;
  };

  /**
   * TypeScript rejects a type alias that refers to itself outside an object member or an
   * array element (`type A = A | string`, or through another alias). Such "direct"
   * references (through `$ref` and combinators only) that close a cycle are cut where they
   * go back to a name sorting no later than the referrer's (then what remains is acyclic):
   * the cut reference becomes `unknown`, wider and still sound.
   */
  const direct = new Map<string, Set<string>>();
  const directRefs = (s: unknown, out: Set<string>): Set<string> => {
    if (!isObject(s)) return out;
    const ref = refName(s);
    if (ref !== undefined) out.add(ref);
    for (const key of ['allOf', 'anyOf', 'oneOf']) for (const m of list(s[key])) directRefs(m, out);
    return out;
  };
  for (const [name, schema] of schemas) direct.set(name, directRefs(schema, new Set()));
  const reaches = (from: string, to: string): boolean => {
    const seen = new Set<string>();
    const stack = [from];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (n === to) return true;
      if (seen.has(n)) continue;
      seen.add(n);
      stack.push(...(direct.get(n) ?? []));
    }
    return false;
  };

  /** Called with each reference render meets, and the kinds of value that can reach it there. */
  let onRef: ((ref: string, kinds: Kinds) => void) | undefined;

  /** `model`: the alias being declared; `nested`: inside an object member or array element. */
  const render = (s: unknown, ctx: Kinds, model: string, nested: boolean, indent: string): string => {
    if (s === true) return 'unknown';
    if (s === false) return 'never';
    if (!isObject(s)) return 'unknown';
    const kinds = intersect(kindsOf(s), ctx);
    if (kinds.size === 0) return 'never';
    const parts: string[] = [];
    // const/enum with `type`: only the literals the type allows (the validator checks both).
    if (Object.hasOwn(s, 'const')) parts.push(literals([s.const], kinds));
    else if (Array.isArray(s.enum)) parts.push(literals(s.enum, kinds));
    else if (SHAPE.some((k) => Object.hasOwn(s, k))) {
      const shapes: string[] = [];
      if (kinds.has('string')) shapes.push('string');
      if (kinds.has('number') || kinds.has('integer')) shapes.push('number');
      if (kinds.has('boolean')) shapes.push('boolean');
      if (kinds.has('object')) shapes.push(objectShape(s, model, indent));
      if (kinds.has('array')) shapes.push(arrayShape(s, model, indent));
      if (kinds.has('null')) shapes.push('null');
      parts.push(union(shapes));
    }
    const ref = refName(s);
    if (ref !== undefined) {
      onRef?.(ref, kinds);
      parts.push(!nested && ref <= model && reaches(ref, model) ? 'unknown' : idents.get(ref)!);
    }
    for (const m of list(s.allOf)) parts.push(render(m, kinds, model, nested, indent));
    for (const key of ['anyOf', 'oneOf']) if (Array.isArray(s[key])) parts.push(union(s[key].map((m) => render(m, kinds, model, nested, indent))));
    // `not`, `if`/`then`/`else`, `dependentSchemas`...: not expressible; the validator enforces them.
    return intersection(parts);
  };

  const objectShape = (s: Record<string, unknown>, model: string, indent: string): string => {
    const inner = `${indent}  `;
    const props = isObject(s.properties) ? s.properties : {};
    const required = new Set(list(s.required).filter((r): r is string => typeof r === 'string'));
    const patterns = isObject(s.patternProperties) && Object.keys(s.patternProperties).length > 0;
    // What a name not under `properties` may hold. Names matching a pattern are checked against it,
    // others against additionalProperties: an index signature cannot tell them apart, hence unknown.
    const extra = patterns || s.additionalProperties === undefined ? 'unknown' : render(s.additionalProperties, ALL, model, true, inner);
    const members: string[] = [];
    for (const [name, p] of Object.entries(props)) {
      const optional = !required.has(name);
      // TypeScript reads an absent optional `toString` or `constructor` as the one every object
      // inherits, so `toString?: string` would refuse `{}`: such a property is unknown.
      const type = optional && INHERITED.has(name) ? 'unknown' : render(p, ALL, model, true, inner);
      members.push(`${doc(p, inner)}${inner}${propertyName(name)}${optional ? '?' : ''}: ${type};`);
    }
    for (const name of required) if (!Object.hasOwn(props, name)) members.push(`${inner}${propertyName(name)}: ${extra};`);
    // `{}` would accept any value but null: an object with no names allowed is `{ [key: string]: never }`.
    if (members.length === 0) return `{ [key: string]: ${extra} }`;
    // An index signature must cover every declared property: with properties, it is unknown.
    if (extra !== 'never') members.push(`${inner}[key: string]: ${Object.keys(props).length === 0 ? extra : 'unknown'};`);
    return `{\n${members.join('\n')}\n${indent}}`;
  };

  const arrayShape = (s: Record<string, unknown>, model: string, indent: string): string => {
    const el = (e: unknown) => render(e, ALL, model, true, indent);
    // 2020-12: prefixItems + items; draft-07: items as a list + additionalItems.
    const prefix = Array.isArray(s.prefixItems) ? s.prefixItems : Array.isArray(s.items) ? s.items : undefined;
    if (prefix === undefined) return s.items === false ? '[]' : `${atom(el(s.items ?? true))}[]`;
    const rest = Array.isArray(s.prefixItems) ? s.items : s.additionalItems;
    const min = typeof s.minItems === 'number' ? s.minItems : 0;
    const max = typeof s.maxItems === 'number' ? s.maxItems : Infinity;
    // Items are checked only where present: an element at index >= minItems may be missing.
    const elements = prefix.slice(0, max).map((e, i) => (i >= min ? `${atom(el(e))}?` : el(e)));
    const restType = max <= prefix.length ? 'never' : el(rest ?? true);
    if (restType !== 'never') elements.push(`...${atom(restType)}[]`);
    return `[${elements.join(', ')}]`;
  };

  /**
   * The kinds of value each model can meet where it is used. names.ts makes a model of every
   * inline object, so an `allOf` part without `type` (`allOf: [{$ref: Base}, {properties:
   * ...}]`) is a model of its own: on its own it would accept any JSON value, but where it is
   * used its siblings allow objects only, and it is typed so. Message payloads and headers,
   * and models nothing refers to, meet any value. Grown to a fixpoint (kinds only grow).
   */
  const contexts = new Map<string, Kinds>();
  const referenced = new Set<string>();
  onRef = (ref) => referenced.add(ref);
  for (const m of set.models) render(m.schema, ALL, m.name, false, '');
  const roots = new Set<string | undefined>(set.messages.flatMap((e) => [e.payload, e.headers]));
  for (const m of set.models) contexts.set(m.name, roots.has(m.name) || !referenced.has(m.name) ? ALL : new Set());
  for (let changed = true; changed; ) {
    changed = false;
    onRef = (ref, kinds) => {
      const grown = unite([contexts.get(ref)!, kinds]);
      if (grown.size > contexts.get(ref)!.size) {
        contexts.set(ref, grown);
        changed = true;
      }
    };
    for (const m of set.models) if (contexts.get(m.name)!.size > 0) render(m.schema, contexts.get(m.name)!, m.name, false, '');
  }
  onRef = undefined;

  const out = ["// Generated by Herald from the contract's schemas. Do not edit: generate again.", ''];
  for (const m of set.models) {
    // A model only reachable from models nothing reaches (a cycle of its own) meets any value.
    const ctx = contexts.get(m.name)!.size > 0 ? contexts.get(m.name)! : ALL;
    out.push(`${doc(m.schema, '')}export type ${idents.get(m.name)} = ${render(m.schema, ctx, m.name, false, '')};`, '');
  }
  return { 'models.d.ts': out.join('\n'), 'models.js': 'export {};\n' };
}

/** Identifiers for the model names, unique: valid names keep themselves, guarded ones give way. */
function identifiers(names: string[]): Map<string, string> {
  const out = new Map<string, string>();
  const used = new Set<string>();
  for (const pass of [true, false]) {
    for (const name of names) {
      if ((tsIdentifier(name) === name) !== pass) continue;
      let id = tsIdentifier(name);
      for (let i = 2; used.has(id); i++) id = `${tsIdentifier(name)}${i}`;
      used.add(id);
      out.set(name, id);
    }
  }
  return out;
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const intersect = (a: Kinds, b: Kinds): Kinds => new Set([...a].filter((k) => b.has(k)));
const unite = (sets: Kinds[]): Kinds => new Set(sets.flatMap((s) => [...s]));

/** The kinds `type` (with OpenAPI's `nullable: true`, which Ajv reads too) allows; all of them without it. */
function declared(s: Record<string, unknown>): Kinds {
  const names = typeof s.type === 'string' ? [s.type] : Array.isArray(s.type) ? s.type : undefined;
  if (names === undefined || !names.every((n) => typeof n === 'string' && (ALL as Set<string>).has(n))) return ALL;
  const kinds = new Set<Kind>(names as Kind[]);
  if (kinds.has('number')) kinds.add('integer');
  if (s.nullable === true) kinds.add('null');
  return kinds;
}

function allows(kinds: Kinds, v: unknown): boolean {
  if (v === null) return kinds.has('null');
  if (typeof v === 'number') return kinds.has('number') || (kinds.has('integer') && Number.isInteger(v));
  if (Array.isArray(v)) return kinds.has('array');
  return kinds.has(typeof v as Kind);
}

function literalKinds(values: unknown[], kinds: Kinds): Kinds {
  const out = new Set<Kind>();
  for (const v of values.filter((x) => allows(kinds, x))) {
    if (typeof v === 'number') (kinds.has('number') ? ['number', 'integer'] : ['integer']).forEach((k) => out.add(k as Kind));
    else out.add(v === null ? 'null' : Array.isArray(v) ? 'array' : (typeof v as Kind));
  }
  return out;
}

const literals = (values: unknown[], kinds: Kinds): string => union(values.filter((v) => allows(kinds, v)).map(literal));

/** A literal type of any JSON value: objects and arrays as object and tuple types. */
function literal(v: unknown): string {
  if (typeof v === 'string') return stringLiteral(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(Object.is(v, -0) ? 0 : v) : 'number';
  if (v === null || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(literal).join(', ')}]`;
  if (isObject(v)) {
    const entries = Object.entries(v);
    return entries.length === 0 ? '{ [key: string]: never }' : `{ ${entries.map(([k, x]) => `${propertyName(k)}: ${literal(x)}`).join('; ')} }`;
  }
  return 'unknown';
}

/** JSON.stringify escapes quotes, backslashes, CR, LF and lone surrogates; U+2028/2029 are escaped too, for older tools. */
const stringLiteral = (s: string): string => JSON.stringify(s).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
const propertyName = (name: string): string => (IDENT.test(name) ? name : stringLiteral(name));

function union(parts: string[]): string {
  const unique = [...new Set(parts)].filter((p) => p !== 'never');
  if (unique.includes('unknown')) return 'unknown';
  return unique.length === 0 ? 'never' : unique.join(' | ');
}

function intersection(parts: string[]): string {
  const unique = [...new Set(parts)].filter((p) => p !== 'unknown');
  if (unique.includes('never')) return 'never';
  if (unique.length === 0) return 'unknown';
  return unique.length === 1 ? unique[0]! : unique.map((p) => (topLevel(p, '|') ? `(${p})` : p)).join(' & ');
}

/** A type that may take a postfix `[]` or `?`: unions, intersections and negative literals in parentheses. */
const atom = (t: string): string => (topLevel(t, '|&') || t.startsWith('-') ? `(${t})` : t);

/** Whether one of `chars` occurs in a type's text outside brackets, string literals and comments. */
function topLevel(t: string, chars: string): boolean {
  let depth = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t[i]!;
    if (c === '"') for (i++; i < t.length && t[i] !== '"'; i++) i += t[i] === '\\' ? 1 : 0;
    else if (c === '/' && t[i + 1] === '*') i = t.includes('*/', i + 2) ? t.indexOf('*/', i + 2) + 1 : t.length;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (depth === 0 && chars.includes(c)) return true;
  }
  return false;
}

const DOC_TAGS = ['format', 'pattern', 'minimum', 'exclusiveMinimum', 'maximum', 'exclusiveMaximum', 'multipleOf', 'minLength', 'maxLength', 'minItems', 'maxItems', 'uniqueItems', 'minProperties', 'maxProperties'];

/** A doc comment from title, description, format, pattern, bounds, default and deprecated. */
function doc(s: unknown, indent: string): string {
  if (!isObject(s)) return '';
  const lines: string[] = [];
  const texts = [s.title, s.description].filter((t): t is string => typeof t === 'string' && t.trim() !== '');
  for (const text of new Set(texts)) lines.push(...text.trim().split(/\r\n|[\r\n\u2028\u2029]/).map((l) => l.trimEnd()));
  const breaks: Record<string, string> = { '\r': '\\r', '\n': '\\n', '\u2028': '\\u2028', '\u2029': '\\u2029' };
  const oneLine = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v)).replace(/[\r\n\u2028\u2029]/g, (c) => breaks[c]!);
  for (const key of DOC_TAGS) if (s[key] !== undefined) lines.push(`@${key} ${oneLine(s[key])}`);
  if (Object.hasOwn(s, 'default')) lines.push(`@default ${oneLine(JSON.stringify(s.default) ?? 'null')}`);
  if (s.deprecated === true) lines.push('@deprecated');
  if (lines.length === 0) return '';
  // `*/` would end the comment early.
  const safe = lines.map((l) => l.replace(/\*\//g, '*\\/'));
  if (safe.length === 1) return `${indent}/** ${safe[0]} */\n`;
  return `${indent}/**\n${safe.map((l) => `${indent} *${l === '' ? '' : ` ${l}`}`).join('\n')}\n${indent} */\n`;
}
