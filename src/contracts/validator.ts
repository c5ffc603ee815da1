/**
 * Herald's runtime validators: Ajv with `format` asserted (ajv-formats), the JSON Schema
 * dialect taken from `$schema` (draft-07 when absent). The compatibility engine judges
 * "the messages a schema accepts" by exactly these validators, and the gateway will
 * validate messages with them.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { LRUCache } from 'lru-cache';
import { _, Ajv, Name, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import type { RegExpEngine } from 'ajv/dist/types/index.js';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { canonicalJson } from './canonical.js';
import { coinductive } from './coinductive.js';
import type { JsonSchema } from './model.js';
import { setOwn } from './pointer.js';
import { linearRegExp } from './regex.js';

const require = createRequire(import.meta.url);
const AjvDraft04 = require('ajv-draft-04') as typeof Ajv;
const addFormats = require('ajv-formats') as (ajv: Ajv) => Ajv;
const draft06 = require('ajv/dist/refs/json-schema-draft-06.json') as object;
const standaloneCode = require('ajv/dist/standalone/index.js') as (ajv: Ajv, validate: ValidateFunction) => string;

export type Dialect = 'draft4' | 'draft7' | 'draft2019-09' | 'draft2020-12';

const DRAFT = /^https?:\/\/json-schema.org\/(?:draft-0([467])|draft\/(20(?:19-09|20-12)))\/(?:hyper-)?schema#?$/;

export function dialectOf(schema: unknown): Dialect {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return 'draft7';
  const $schema = (schema as { $schema?: unknown }).$schema;
  if (typeof $schema !== 'string') return 'draft7';
  const m = DRAFT.exec($schema);
  const found = m ? (m[1] ? `draft${m[1]}` : `draft${m[2]}`) : null;
  return found === 'draft4' || found === 'draft2019-09' || found === 'draft2020-12' ? found : 'draft7';
}

/** Options shared with the AsyncAPI parser's own validators (see structure.ts). */
export const AJV_OPTIONS = {
  meta: true,
  messages: true,
  strict: false,
  allowUnionTypes: true,
  unicodeRegExp: false,
  // Every pattern runs in linear time (regex.ts).
  code: { regExp: linearRegExp },
} as const;

const CLASSES = { draft4: AjvDraft04, draft7: Ajv, 'draft2019-09': Ajv2019, 'draft2020-12': Ajv2020 } as const;

/** A full Ajv of a dialect, meta-schemas included: for Herald's own schemas (the AsyncAPI specs). */
export function ajvFor(dialect: Dialect, allErrors: boolean): Ajv {
  const ajv = harden(new CLASSES[dialect]({ ...AJV_OPTIONS, allErrors }));
  if (dialect === 'draft7') ajv.addMetaSchema(draft06);
  return ajv;
}

/** Formats, and keywords in linear time (Ajv's own uniqueItems compares every pair of items). */
function harden(ajv: Ajv): Ajv {
  addFormats(ajv);
  // ajv-formats' `url` expression backtracks polynomially (test/security/regex-audit.test.ts).
  ajv.addFormat('url', isUrl);
  ajv.removeKeyword('uniqueItems');
  ajv.addKeyword({ keyword: 'uniqueItems', type: 'array', schemaType: 'boolean', errors: true, validate: uniqueItems });
  return ajv;
}

/**
 * An absolute http, https or ftp URL with a host, read by the WHATWG URL parser (linear).
 * Unlike ajv-formats' deprecated expression, it does not refuse private IP addresses.
 */
function isUrl(value: string): boolean {
  if (!/^(?:https?|ftp):\/\//i.test(value) || /\s/.test(value)) return false;
  try {
    return new URL(value).hostname !== '';
  } catch {
    return false;
  }
}

/** Items equal as JSON values (key order aside) are duplicates: found through a map, not pairwise. */
function uniqueItems(this: unknown, schema: boolean, data: unknown[]): boolean {
  if (!schema) return true;
  const seen = new Map<string, number>();
  for (let j = 0; j < data.length; j++) {
    const key = canonicalJson(data[j] ?? null);
    const i = seen.get(key);
    if (i !== undefined) {
      uniqueItems.errors = [{ keyword: 'uniqueItems', message: `must NOT have duplicate items (items ## ${i} and ${j} are identical)`, params: { i, j } }];
      return false;
    }
    seen.set(key, j);
  }
  return true;
}
uniqueItems.errors = undefined as undefined | Array<Partial<ErrorObject>>;

/** Names every object inherits: a schema naming one as a property is validated by own properties only. */
const INHERITED = Object.getOwnPropertyNames(Object.prototype);

/** Per dialect: checks a schema against its meta-schema without registering it anywhere. */
const metaCheckers = new Map<Dialect, Ajv>();

/**
 * Compiles a schema in an Ajv of its own. Schemas from different documents never share
 * an id space: a `$id` in one contract's payload cannot clash with (or be reached from)
 * another's. The schema is checked against its meta-schema first, by a shared instance
 * that keeps nothing of it. Returns the error rather than throwing.
 */
export function compileSchema(schema: unknown, allErrors = true): ValidateFunction | Error {
  return compileIn(schema, allErrors);
}

/**
 * compileSchema, with options added to its Ajv's and a look at that Ajv before it compiles
 * (for standaloneValidatorCode).
 */
function compileIn(schema: unknown, allErrors: boolean, extra: Options = {}, setup?: (ajv: Ajv) => void): ValidateFunction | Error {
  const dialect = dialectOf(schema);
  const target = typeof schema === 'boolean' ? schema : (schema as object);
  let meta = metaCheckers.get(dialect);
  if (!meta) metaCheckers.set(dialect, (meta = ajvFor(dialect, false)));
  try {
    if (typeof target !== 'boolean' && !meta.validateSchema(target)) {
      return new Error(`schema is invalid: ${meta.errorsText(meta.errors, { dataVar: 'schema' })}`);
    }
    const text = typeof target === 'boolean' ? '' : JSON.stringify(target);
    // `required: [constructor]` must not be met by what every object inherits. Checking own
    // properties costs every validation a call, so only schemas that name one pay it.
    const ownProperties = INHERITED.some((name) => text.includes(`"${name}"`));
    const own = harden(new CLASSES[dialect]({ ...AJV_OPTIONS, meta: false, validateSchema: false, allErrors, ownProperties, ...extra }));
    setup?.(own);
    return own.compile(typeof target === 'boolean' ? target : protoAsPattern(coinductive(target as JsonSchema) as object, text));
  } catch (err) {
    return err as Error;
  }
}

/** What a standalone validator module needs from its importer, by name. */
export interface StandaloneNames {
  /** An object of the formats compileSchema's Ajv asserts (ajv-formats' full formats, `url` as isUrl below). */
  formats: string;
  /** A function doing what uniqueItems below does, errors included. */
  uniqueItems: string;
}

/**
 * compileSchema's validator (all errors), as the source of an ES module from Ajv's standalone
 * code, for generated SDKs: the same dialect, options, keywords, formats and transforms. The
 * module exports `validate`; it `require`s Ajv's runtime helpers and refers to free names its
 * importer must define: the two of `names`, `self` (the Ajv instance, which Herald's keywords
 * never read) and `compilePattern` (regex.ts's engine), called with each of `patterns`.
 */
export function standaloneValidatorCode(schema: unknown, names: StandaloneNames): { code: string; patterns: string[] } | Error {
  const patterns = new Set<string>();
  const regExp: RegExpEngine = Object.assign((source: string, flags: string) => (patterns.add(source), linearRegExp(source, flags)), { code: linearRegExp.code });
  let ajv: Ajv | undefined;
  const fn = compileIn(schema, true, { code: { ...AJV_OPTIONS.code, regExp, source: true, esm: true, formats: _`${new Name(names.formats)}` } }, (own) => {
    ajv = own;
    // Ajv's standalone code needs the code of each value its validator refers to; a keyword's
    // function has none. Named here first, the keyword's function is found under this name.
    own.scope.value('keyword', { ref: uniqueItems, code: _`${new Name(names.uniqueItems)}` });
  });
  if (fn instanceof Error) return fn;
  try {
    return { code: standaloneCode(ajv!, fn), patterns: [...patterns].sort() };
  } catch (err) {
    return err as Error;
  }
}

/**
 * Ajv skips a property named `__proto__` under `properties` (a guard of its own), so its
 * schema would go unchecked and `additionalProperties: false` would refuse it. The same
 * constraint, written as a pattern that matches only that name, is checked as any other.
 */
function protoAsPattern(schema: object, text: string): object {
  if (!text.includes('"__proto__"')) return schema;
  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (node === null || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) setOwn(out, key, rewrite(value));
    const props = out.properties;
    if (props !== null && typeof props === 'object' && !Array.isArray(props) && Object.hasOwn(props, '__proto__')) {
      // An own `__proto__` property (setOwn above) shadows the accessor: these read and drop it.
      const { ['__proto__']: proto, ...rest } = props as Record<string, unknown>;
      out.properties = rest;
      const patterns = { ...((out.patternProperties as object | undefined) ?? {}) } as Record<string, unknown>;
      const exact = '^__proto__$';
      patterns[exact] = Object.hasOwn(patterns, exact) ? { allOf: [patterns[exact], proto] } : proto;
      out.patternProperties = patterns;
    }
    return out;
  };
  return rewrite(schema) as object;
}

/**
 * Compiled validators by the hash of their schema's canonical JSON, bounded by entries and by
 * an estimate of their size (compiled code runs to several times its schema's text), so that
 * many large contracts cannot grow the gateway without limit.
 */
let compiled = validatorCache(64 * 1024 * 1024);

function validatorCache(maxBytes: number): LRUCache<string, { fn: ValidateFunction | Error }> {
  return new LRUCache({ max: 5000, maxSize: maxBytes, sizeCalculation: (_v, key) => Number(key.slice(0, key.indexOf(':'))) });
}

/** The byte bound of the compiled validators (a quarter of HERALD_CACHE_MAX_BYTES in a server). */
export function setValidatorCacheBytes(maxBytes: number): void {
  compiled = validatorCache(maxBytes);
}

/** The runtime validator of a self-contained schema, compiled once per distinct schema. */
export function runtimeValidator(schema: unknown): ValidateFunction | Error {
  const text = canonicalJson(schema);
  // The key carries the entry's estimated size, so the cache need not keep the text.
  const key = `${Math.max(1, 8 * text.length)}:${createHash('sha256').update(text).digest('base64url')}`;
  let entry = compiled.get(key);
  if (entry === undefined) {
    // All errors: the gateway reports every failing field, not just the first.
    entry = { fn: compileSchema(schema, true) };
    compiled.set(key, entry);
  }
  return entry.fn;
}

/** Formats the runtime validators assert; any other `format` is an annotation. */
export const ASSERTED_FORMATS: ReadonlySet<string> = new Set(Object.keys(ajvFor('draft7', false).formats));
/** Asserted formats that apply to numbers; the rest apply to strings. */
export const NUMBER_FORMATS: ReadonlySet<string> = new Set(['int32', 'int64', 'float', 'double']);
