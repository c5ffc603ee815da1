/**
 * Structural validation against the official AsyncAPI JSON Schemas (@asyncapi/specs).
 *
 * The AsyncAPI parser's core ruleset does the same check through Spectral, which compiles
 * the ~40-180 KB AsyncAPI schema anew for every document: that compilation is most of the
 * parser's time. Here each schema is compiled once per process and reused. The schema is
 * prepared exactly as the parser prepares it (parser/src/ruleset/functions/documentStructure.ts),
 * so the same documents pass and fail.
 */
import { createRequire } from 'node:module';
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import type { Diagnostic } from '../errors.js';
import { ajvFor } from './validator.js';
import { appendPointer } from './pointer.js';

const require = createRequire(import.meta.url);
const specs = require('@asyncapi/specs') as { schemas: Record<string, AnySchema> };

type AnySchema = Record<string, any>;

/** AsyncAPI versions Herald accepts: every one the bundled specs describe. */
export const SPEC_VERSIONS: readonly string[] = Object.keys(specs.schemas);

export function newAjv(allErrors: boolean): Ajv {
  return ajvFor('draft7', allErrors);
}

const fast = newAjv(false);
const thorough = newAjv(true);
const cache = new Map<string, ValidateFunction>();

/** The AsyncAPI JSON Schema of a version, prepared the way the parser prepares it. */
export function specSchema(version: string, resolved: boolean): AnySchema {
  const copied = structuredClone(specs.schemas[version]) as AnySchema;
  delete copied.definitions['http://json-schema.org/draft-07/schema'];
  delete copied.definitions['http://json-schema.org/draft-04/schema'];
  copied.$id = String(copied.$id).replace('asyncapi.json', `asyncapi-${resolved ? 'resolved' : 'unresolved'}.json`);
  // $ref values such as '#/channels/a[0]' are valid JSON pointers but not RFC 3986 URIs.
  const reference = copied.definitions[`http://asyncapi.com/definitions/${version}/ReferenceObject.json`];
  if (reference?.format === 'uri-reference') delete reference.format;
  if (resolved && version.startsWith('3.')) {
    // Once resolved, a v3 document holds the referenced objects where it held references.
    const def = (name: string) => copied.definitions[`http://asyncapi.com/definitions/${version}/${name}.json`];
    const channel = def('channel');
    if (channel?.properties?.servers?.items) channel.properties.servers.items.$ref = `http://asyncapi.com/definitions/${version}/server.json`;
    for (const name of ['operation', 'operationReply']) {
      const op = def(name);
      if (op?.properties?.channel) op.properties.channel.$ref = `http://asyncapi.com/definitions/${version}/channel.json`;
      if (op?.properties?.messages?.items) op.properties.messages.items.$ref = `http://asyncapi.com/definitions/${version}/messageObject.json`;
    }
  }
  return copied;
}

function validator(version: string, resolved: boolean, allErrors: boolean): ValidateFunction {
  const key = `${version}:${resolved}:${allErrors}`;
  let fn = cache.get(key);
  if (!fn) {
    fn = (allErrors ? thorough : fast).compile(specSchema(version, resolved));
    cache.set(key, fn);
  }
  return fn;
}

/** Compiles the validators of the given versions ahead of the first document. */
export function warmUp(versions: readonly string[]): void {
  for (const v of versions) {
    validator(v, true, false);
    validator(v, false, false);
  }
}

const isRefRequired = (e: ErrorObject) => e.keyword === 'required' && e.params.missingProperty === '$ref';
const isRefMisplaced = (e: ErrorObject) => e.keyword === 'additionalProperties' && e.params.additionalProperty === '$ref';

/**
 * The parser's post-processing of resolved-structure errors (documentStructure.ts,
 * `prepareResults`), then its removal of reference errors: a resolved document keeps a
 * `$ref` only where a reference is recursive, which is not an error. The order matters:
 * a `oneOf` error is dropped when the error before it lies inside it.
 */
function resolvedErrors(errors: ErrorObject[]): ErrorObject[] {
  const path = (e: ErrorObject) => (e.keyword === 'additionalProperties' ? appendPointer(e.instancePath, String(e.params.additionalProperty)) : e.instancePath);
  const list = errors.filter((e) => !isRefRequired(e));
  for (let i = 0; i < list.length; i++) {
    const e = list[i]!;
    const next = list[i + 1];
    if (next && path(next) === path(e)) {
      list.splice(i + 1, 1);
      i--;
    } else if (i > 0 && e.keyword === 'oneOf' && path(list[i - 1]!).startsWith(path(e))) {
      list.splice(i, 1);
      i--;
    }
  }
  return list.filter((e) => !isRefMisplaced(e));
}

/**
 * Diagnostics for the document's structure. `unresolved` is the document as written (only
 * references in places the spec allows them are reported here); `resolved` has its
 * references replaced by their targets (everything else is reported here).
 */
export function validateStructure(version: string, unresolved: unknown, resolved: unknown): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (!validator(version, true, false)(resolved)) {
    const full = validator(version, true, true);
    full(resolved);
    out.push(...toDiagnostics(resolvedErrors(full.errors ?? []), 'asyncapi-document-resolved'));
  }
  if (!validator(version, false, false)(unresolved)) {
    const full = validator(version, false, true);
    full(unresolved);
    const misplaced = (full.errors ?? []).filter(isRefMisplaced);
    out.push(
      ...dedupe(misplaced).map((e) => ({
        rule: 'asyncapi-document-unresolved',
        pointer: e.instancePath,
        message: 'Referencing in this place is not allowed.',
      })),
    );
  }
  return out;
}

/**
 * Ajv reports every failed branch of a `oneOf`; a document author needs the deepest,
 * most specific errors, one per place.
 */
export function toDiagnostics(errors: ErrorObject[], rule: string): Diagnostic[] {
  const specific = errors.filter(
    (e) => !(['oneOf', 'anyOf', 'if', 'then', 'else'].includes(e.keyword) && errors.some((o) => o !== e && o.instancePath.startsWith(e.instancePath) && o.instancePath !== e.instancePath)),
  );
  return dedupe(specific).map((e) => ({ rule, pointer: errorPointer(e), message: errorMessage(e) }));
}

function errorPointer(e: ErrorObject): string {
  return e.keyword === 'additionalProperties' ? appendPointer(e.instancePath, String(e.params.additionalProperty)) : e.instancePath;
}

function errorMessage(e: ErrorObject): string {
  switch (e.keyword) {
    case 'additionalProperties':
      return `Property "${String(e.params.additionalProperty)}" is not expected here.`;
    case 'required':
      return `Required property "${String(e.params.missingProperty)}" is missing.`;
    case 'enum':
      return `Must be one of: ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}.`;
    case 'oneOf':
    case 'anyOf':
      return 'Matches none of the allowed shapes for this object.';
    default:
      return capitalize(`${e.message ?? 'is invalid'}.`);
  }
}

function dedupe(errors: ErrorObject[]): ErrorObject[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${errorPointer(e)}|${e.keyword}|${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
