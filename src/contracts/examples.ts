/**
 * Validates example and default values against the schemas beside them, as the AsyncAPI
 * parser's example rules do: the JSON Schema dialect comes from `$schema` (draft-07 when
 * absent), a schema that cannot be compiled is itself an error, and a schema that refers
 * outside itself (a recursive schema, once resolved) is skipped.
 */
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { Diagnostic } from '../errors.js';
import { ajvOptions, toDiagnostics } from './structure.js';

const require = createRequire(import.meta.url);
const AjvDraft04 = require('ajv-draft-04') as typeof Ajv;
const addFormats = require('ajv-formats') as (ajv: Ajv) => Ajv;
const draft06 = require('ajv/dist/refs/json-schema-draft-06.json') as object;

type Dialect = 'draft4' | 'draft7' | 'draft2019-09' | 'draft2020-12';

const DRAFT = /^https?:\/\/json-schema.org\/(?:draft-0([467])|draft\/(20(?:19-09|20-12)))\/(?:hyper-)?schema#?$/;

function dialectOf(schema: unknown): Dialect {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return 'draft7';
  const $schema = (schema as { $schema?: unknown }).$schema;
  if (typeof $schema !== 'string' || !$schema.includes('//json-schema.org/')) return 'draft7';
  const m = DRAFT.exec($schema);
  const found = m ? (m[1] ? `draft${m[1]}` : `draft${m[2]}`) : null;
  return found === 'draft4' || found === 'draft2019-09' || found === 'draft2020-12' ? found : 'draft7';
}

const instances = new Map<Dialect, Ajv>();
function ajvFor(dialect: Dialect): Ajv {
  let ajv = instances.get(dialect);
  if (!ajv) {
    const options = { ...ajvOptions, allErrors: true };
    ajv =
      dialect === 'draft4' ? new AjvDraft04(options)
      : dialect === 'draft2019-09' ? new Ajv2019(options)
      : dialect === 'draft2020-12' ? new Ajv2020(options)
      : new Ajv(options);
    addFormats(ajv);
    if (dialect === 'draft7') ajv.addMetaSchema(draft06);
    instances.set(dialect, ajv);
  }
  return ajv;
}

// Compiled schemas by their JSON text: registrations of one contract repeat the same schemas.
const compiled = new Map<string, ValidateFunction | Error | null>();
const MAX_COMPILED = 2000;

function compile(schema: unknown): ValidateFunction | Error | null {
  const key = JSON.stringify(schema);
  const hit = compiled.get(key);
  if (hit !== undefined) return hit;
  let result: ValidateFunction | Error | null;
  try {
    result = ajvFor(dialectOf(schema)).compile(schema as object);
  } catch (err) {
    // A reference that leaves the schema (only recursive schemas keep one) cannot be followed here.
    result = err instanceof Error && err.constructor.name === 'MissingRefError' ? null : (err as Error);
  }
  if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
  compiled.set(key, result);
  return result;
}

/** Diagnostics for `value` (found at `valuePointer` in the document) against `schema`. */
export function checkAgainst(schema: unknown, value: unknown, valuePointer: string, rule: string): Diagnostic[] {
  if (typeof schema === 'boolean') schema = schema ? {} : { not: {} };
  const validate = compile(schema);
  if (validate === null) return [];
  if (validate instanceof Error) return [{ rule, pointer: valuePointer, message: `The schema cannot be compiled: ${validate.message}` }];
  if (validate(value)) return [];
  return toDiagnostics(validate.errors ?? [], rule).map((d) => ({ ...d, pointer: valuePointer + d.pointer }));
}

