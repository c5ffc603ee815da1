/**
 * Validates example and default values against the schemas beside them, as the AsyncAPI
 * parser's example rules do: the JSON Schema dialect comes from `$schema` (draft-07 when
 * absent), a schema that cannot be compiled is itself an error, and a recursive schema is
 * skipped (the parser's resolved schema keeps a reference out of itself there, which its
 * validator cannot follow).
 */
import type { ValidateFunction } from 'ajv';
import type { Diagnostic } from '../errors.js';
import { bundle, type Deref } from './schema.js';
import { toDiagnostics } from './structure.js';
import { compileSchema } from './validator.js';

// Schemas in a document are the document's own objects, shared by their examples: bundled once.
const bundled = new WeakMap<object, { schema: unknown; recursive: boolean }>();

function bundledOnce(schema: unknown, deref: Deref): { schema: unknown; recursive: boolean } {
  if (schema === null || typeof schema !== 'object') return { schema, recursive: false };
  let found = bundled.get(schema);
  if (!found) bundled.set(schema, (found = bundle(schema, deref)));
  return found;
}

// Compiled schemas by their JSON text: registrations of one contract repeat the same schemas.
const compiled = new Map<string, ValidateFunction | Error | null>();
const MAX_COMPILED = 2000;

function compile(schema: unknown): ValidateFunction | Error | null {
  const key = JSON.stringify(schema);
  const hit = compiled.get(key);
  if (hit !== undefined) return hit;
  const made = compileSchema(schema, true);
  // A reference that leaves the schema (only recursive schemas keep one) cannot be followed here.
  const result = made instanceof Error && made.constructor.name === 'MissingRefError' ? null : made;
  if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
  compiled.set(key, result);
  return result;
}

/**
 * Diagnostics for `value` (found at `valuePointer` in the document) against `schema`, whose
 * references are followed through `deref`.
 */
export function checkAgainst(schema: unknown, value: unknown, valuePointer: string, rule: string, deref: Deref): Diagnostic[] {
  if (typeof schema === 'boolean') schema = schema ? {} : { not: {} };
  const { schema: own, recursive } = bundledOnce(schema, deref);
  if (recursive) return [];
  const validate = compile(own);
  if (validate === null) return [];
  if (validate instanceof Error) return [{ rule, pointer: valuePointer, message: `The schema cannot be compiled: ${validate.message}` }];
  if (validate(value)) return [];
  return toDiagnostics(validate.errors ?? [], rule).map((d) => ({ ...d, pointer: valuePointer + d.pointer }));
}
