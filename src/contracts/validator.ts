/**
 * Herald's runtime validators: Ajv with `format` asserted (ajv-formats), the JSON Schema
 * dialect taken from `$schema` (draft-07 when absent). The compatibility engine judges
 * "the messages a schema accepts" by exactly these validators, and the gateway will
 * validate messages with them.
 */
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { canonicalJson } from './canonical.js';

const require = createRequire(import.meta.url);
const AjvDraft04 = require('ajv-draft-04') as typeof Ajv;
const addFormats = require('ajv-formats') as (ajv: Ajv) => Ajv;
const draft06 = require('ajv/dist/refs/json-schema-draft-06.json') as object;

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
export const AJV_OPTIONS = { meta: true, messages: true, strict: false, allowUnionTypes: true, unicodeRegExp: false } as const;

export function ajvFor(dialect: Dialect, allErrors: boolean): Ajv {
  const options = { ...AJV_OPTIONS, allErrors };
  const ajv =
    dialect === 'draft4' ? new AjvDraft04(options)
    : dialect === 'draft2019-09' ? new Ajv2019(options)
    : dialect === 'draft2020-12' ? new Ajv2020(options)
    : new Ajv(options);
  addFormats(ajv);
  if (dialect === 'draft7') ajv.addMetaSchema(draft06);
  return ajv;
}

const runtime = new Map<Dialect, Ajv>();
const compiled = new Map<string, ValidateFunction | Error>();
const MAX_COMPILED = 5000;

/** The runtime validator of a self-contained schema, compiled once per distinct schema. */
export function runtimeValidator(schema: unknown): ValidateFunction | Error {
  const key = canonicalJson(schema);
  let fn = compiled.get(key);
  if (fn === undefined) {
    const dialect = dialectOf(schema);
    let ajv = runtime.get(dialect);
    // All errors: the gateway reports every failing field, not just the first.
    if (!ajv) runtime.set(dialect, (ajv = ajvFor(dialect, true)));
    try {
      fn = ajv.compile(typeof schema === 'boolean' ? schema : (schema as object));
    } catch (err) {
      fn = err as Error;
    }
    if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
    compiled.set(key, fn);
  }
  return fn;
}

/** Formats the runtime validators assert; any other `format` is an annotation. */
export const ASSERTED_FORMATS: ReadonlySet<string> = new Set(Object.keys(ajvFor('draft7', false).formats));
/** Asserted formats that apply to numbers; the rest apply to strings. */
export const NUMBER_FORMATS: ReadonlySet<string> = new Set(['int32', 'int64', 'float', 'double']);
