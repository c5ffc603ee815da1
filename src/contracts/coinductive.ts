/**
 * Schemas that come back to themselves without descending into the message, read the way
 * their authors mean them. Jackson, Springwolf and many Java generators describe a
 * discriminated hierarchy as a base whose `oneOf` lists subtypes that each `allOf` the
 * base again. Taken literally, validating a message against the base never ends (base ->
 * subtype -> base -> ...), and Ajv overflows its stack.
 *
 * Herald reads such a loop coinductively: a schema met again on the same value, before any
 * keyword has descended into a part of it, is assumed to hold. The base's own keywords were
 * already applied where the loop began, so a subtype checks the base once, as intended.
 *
 * The rewrite works on a self-contained schema: each reference becomes a reference to a
 * variant of its target for the chain of schemas it was reached through on the same value,
 * and a reference back into that chain is dropped. Schemas without such a loop are returned
 * unchanged. The variants and the schema objects they hold are bounded; past either the
 * schema does not compile, as it does not when a loop runs under `not` (no sound reading)
 * or through `$recursiveRef`/`$dynamicRef` (resolved only at validation time).
 */
import type { JsonSchema } from './model.js';
import { escapeSegment, isObject, setOwn } from './pointer.js';
import { internalTarget, resolvePointer } from './refs.js';

/** Keywords whose subschemas apply to a part of the value: past them, the chain starts again. */
const DESCEND_ONE = new Set(['additionalProperties', 'items', 'additionalItems', 'contains', 'propertyNames', 'unevaluatedProperties', 'unevaluatedItems']);
const DESCEND_MAP = new Set(['properties', 'patternProperties']);
const DESCEND_LIST = new Set(['prefixItems']);
/** Keywords whose subschemas apply to the value itself. */
const IN_PLACE_ONE = new Set(['not', 'if', 'then', 'else']);
const IN_PLACE_LIST = new Set(['allOf', 'anyOf', 'oneOf']);
const IN_PLACE_MAP = new Set(['dependentSchemas', 'dependencies']);
/** Values that are data, not schemas. */
const DATA = new Set(['const', 'enum', 'default', 'examples', 'example', 'required']);

/** Most variants one schema may unfold into, and most schema objects they may hold together. */
export const MAX_VARIANTS = 2000;
export const MAX_NODES = 100_000;

export function coinductive(schema: JsonSchema): JsonSchema {
  if (!isObject(schema) || !loopsInPlace(schema)) return schema;
  // Dynamic references resolve at validation time: a loop through them cannot be unfolded here.
  if (/"\$(recursiveRef|dynamicRef)"/.test(JSON.stringify(schema))) throw new Error('it comes back to itself in place through $recursiveRef or $dynamicRef');
  let nodes = 0;
  const variants = new Map<string, { name: string; body?: unknown }>();
  const pending: Array<{ key: string; target: string; chain: string[] }> = [];
  const variantRef = (target: string, chain: string[]): string => {
    const nextChain = [...chain, target].sort();
    const key = `${target}\u0000${nextChain.join('\u0000')}`;
    let v = variants.get(key);
    if (!v) {
      // Reported by the compiler's caller as a schema that cannot be compiled (schema-compile).
      if (variants.size >= MAX_VARIANTS) throw new Error(`it comes back to itself in place along more than ${MAX_VARIANTS} different paths, too many to unfold`);
      v = { name: `v${variants.size}` };
      variants.set(key, v);
      pending.push({ key, target, chain: nextChain });
    }
    return v.name;
  };
  const rootName = variantRef('', []);

  const emit = (node: unknown, chain: string[], negated = false): unknown => {
    if (!isObject(node)) return Array.isArray(node) ? node.map((n) => emit(n, chain, negated)) : node;
    if (++nodes > MAX_NODES) throw new Error(`unfolding its loops in place takes more than ${MAX_NODES} schema objects`);
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === '$defs' || key === 'definitions') continue; // reached through references only
      if (key === '$ref' && typeof value === 'string') {
        const target = internalTarget(value);
        if (target === undefined) setOwn(out, key, value);
        else if (!chain.includes(target)) setOwn(out, key, `#/$defs/${encodeURIComponent(escapeSegment(variantRef(target, chain)))}`);
        // Back on a schema of this chain, on the same value: assumed to hold (dropped). Under
        // `not`, assuming it holds would assume its negation fails: no reading is sound there.
        else if (negated) throw new Error('it comes back to itself in place under `not`');
        continue;
      }
      if (DATA.has(key)) setOwn(out, key, value);
      else if (DESCEND_ONE.has(key)) setOwn(out, key, emit(value, []));
      else if (DESCEND_LIST.has(key) && Array.isArray(value)) setOwn(out, key, value.map((v) => emit(v, [])));
      else if (DESCEND_MAP.has(key) && isObject(value)) setOwn(out, key, mapValues(value, (v) => emit(v, [])));
      else if (IN_PLACE_ONE.has(key)) setOwn(out, key, emit(value, chain, key === 'not' ? !negated : key === 'if' || negated));
      else if (IN_PLACE_LIST.has(key) && Array.isArray(value)) setOwn(out, key, value.map((v) => emit(v, chain, negated)));
      else if (IN_PLACE_MAP.has(key) && isObject(value)) setOwn(out, key, mapValues(value, (v) => (Array.isArray(v) ? v : emit(v, chain, negated))));
      else setOwn(out, key, value);
    }
    return out;
  };

  const defs: Record<string, unknown> = {};
  let root: Record<string, unknown> = {};
  for (let next = pending.shift(); next; next = pending.shift()) {
    const body = emit(resolvePointer(schema, next.target), next.chain);
    if (variants.get(next.key)!.name === rootName) root = isObject(body) ? body : { allOf: [body] };
    else setOwn(defs, variants.get(next.key)!.name, body);
  }
  // The root variant is the schema itself, and also a definition for references back to it.
  setOwn(defs, rootName, withoutIdentity(root));
  for (const [name, body] of Object.entries(defs)) if (isObject(body)) setOwn(defs, name, withoutIdentity(body));
  return { ...root, $defs: defs };
}

/** A copy of a schema without what may appear once per document (its id, dialect, anchors). */
function withoutIdentity(schema: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) if (!['$id', 'id', '$schema', '$anchor', '$dynamicAnchor', '$recursiveAnchor'].includes(k)) setOwn(out, k, v);
  return out;
}

function mapValues(o: Record<string, unknown>, fn: (v: unknown) => unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) setOwn(out, k, fn(v));
  return out;
}

/** Whether a chain of references and in-place keywords comes back to where it started. */
export function loopsInPlace(root: JsonSchema): boolean {
  const state = new Map<object, 'open' | 'done'>();
  const frames: Array<{ node: object; next: unknown[] }> = [];
  const enter = (node: unknown): boolean => {
    if (!isObject(node)) return false;
    const s = state.get(node);
    if (s === 'open') return true;
    if (s === 'done') return false;
    state.set(node, 'open');
    frames.push({ node, next: inPlace(root, node) });
    return false;
  };
  if (enter(root)) return true;
  while (frames.length > 0) {
    const top = frames[frames.length - 1]!;
    if (top.next.length === 0) {
      state.set(top.node, 'done');
      frames.pop();
    } else if (enter(top.next.pop())) return true;
  }
  return false;
}

/** The subschemas applied to the same value as `node` (its reference's target among them). */
function inPlace(root: JsonSchema, node: Record<string, unknown>): unknown[] {
  const out: unknown[] = [];
  if (typeof node.$ref === 'string') {
    const target = internalTarget(node.$ref);
    if (target !== undefined) out.push(resolvePointer(root, target));
  }
  // Taken as leading to the root, where their anchor usually is: enough to see a loop.
  if (typeof node.$recursiveRef === 'string' || typeof node.$dynamicRef === 'string') out.push(root);
  for (const [key, value] of Object.entries(node)) {
    if (IN_PLACE_ONE.has(key)) out.push(value);
    else if (IN_PLACE_LIST.has(key) && Array.isArray(value)) out.push(...value);
    else if (IN_PLACE_MAP.has(key) && isObject(value)) out.push(...Object.values(value).filter((v) => !Array.isArray(v)));
  }
  return out;
}
