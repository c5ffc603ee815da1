/**
 * Herald's validation of an AsyncAPI document: the same verdict as the AsyncAPI parser's
 * default (core) ruleset, at a fraction of its cost. The checks, in order:
 *   1. it is an AsyncAPI document of a supported version (asyncapi-is-asyncapi);
 *   2. every `$ref` is internal and points at something (external-ref, invalid-ref);
 *   3. its structure matches the official JSON Schema (asyncapi-document-[un]resolved);
 *   4. the semantic rules of its major version (rules-v2.ts, rules-v3.ts).
 */
import type { Diagnostic } from '../errors.js';
import { isObject } from './pointer.js';
import { checkPayloadSchema } from './payload-schema.js';
import { parsePointer } from './pointer.js';
import { checkRefs, findRefs, inSchema, internalTarget, isSchemaPlace, isSchemaPosition, resolveDocument, resolvePointer, type RefSite } from './refs.js';
import { rulesV2 } from './rules-v2.js';
import { rulesV3 } from './rules-v3.js';
import { SPEC_VERSIONS, validateStructure } from './structure.js';

export interface ValidationResult {
  /** The `asyncapi` field, when the document has a supported one. */
  version?: string;
  /** The document with internal references replaced (recursive ones stay references). */
  resolved?: Record<string, unknown>;
  diagnostics: Diagnostic[];
}

export function validateDocument(data: unknown, maxRefNodes: number): ValidationResult {
  if (!isObject(data) || typeof data.asyncapi !== 'string') {
    return { diagnostics: [{ rule: 'asyncapi-is-asyncapi', pointer: '', message: 'This is not an AsyncAPI document: the "asyncapi" field (a string) is missing.' }] };
  }
  const version = data.asyncapi;
  if (!SPEC_VERSIONS.includes(version)) {
    return {
      diagnostics: [
        { rule: 'asyncapi-is-asyncapi', pointer: '/asyncapi', message: `AsyncAPI version "${version}" is not supported; supported versions are ${SPEC_VERSIONS.join(', ')}.` },
      ],
    };
  }
  const refs = findRefs(data);
  const refDiagnostics = checkRefs(data, refs);
  if (refDiagnostics.length > 0) return { version, diagnostics: refDiagnostics };

  const resolved = resolveDocument(data, maxRefNodes) as Record<string, unknown>;
  const diagnostics = [
    ...validateStructure(version, data, resolved),
    ...referencedSchemas(version, data, refs),
    ...(version.startsWith('2.') ? rulesV2(version, resolved, data) : rulesV3(resolved, data)),
  ];
  return { version, resolved, diagnostics };
}

/**
 * Schemas that a reference inside a schema leads to, where they are not written as a
 * schema (`#/x-types/Money`, or the `allOf` list of a schema): validated once, as Schema
 * Objects. A schema written as one is validated with the document; the resolved document
 * does not copy referenced schemas in.
 */
function referencedSchemas(version: string, data: unknown, refs: RefSite[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const { pointer, ref } of refs) {
    // A reference at a schema's own place is replaced by its target in the resolved document.
    if (typeof ref !== 'string' || isSchemaPlace(parsePointer(pointer)) || !inSchema(pointer)) continue;
    const target = internalTarget(ref);
    if (target === undefined || seen.has(target) || isSchemaPosition(data, target)) continue;
    seen.add(target);
    out.push(...checkPayloadSchema(version, undefined, resolvePointer(data, target), target));
  }
  return out;
}
