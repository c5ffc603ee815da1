/**
 * `$ref` handling. Herald resolves only references inside the submitted document: a file,
 * http or https reference would make the server read a local file or open a connection on
 * a document's behalf, so it is refused before anything else looks at the document.
 */
import { InvalidDocumentError, type Diagnostic } from '../errors.js';
import { appendPointer, isObject } from './pointer.js';

export interface RefSite {
  /** Pointer of the object that holds the `$ref`. */
  pointer: string;
  /** Not always a string: the document may be wrong. */
  ref: unknown;
}

/** Every `$ref` member in the data, in document order. */
export function findRefs(data: unknown): RefSite[] {
  const found: RefSite[] = [];
  const walk = (node: unknown, pointer: string): void => {
    if (Array.isArray(node)) {
      node.forEach((child, i) => walk(child, appendPointer(pointer, i)));
    } else if (isObject(node)) {
      if ('$ref' in node) found.push({ pointer, ref: node.$ref as string });
      for (const [key, child] of Object.entries(node)) walk(child, appendPointer(pointer, key));
    }
  };
  walk(data, '');
  return found;
}

/** The JSON pointer an internal reference names, or undefined for anything that is not `#...`. */
export function internalTarget(ref: string): string | undefined {
  if (!ref.startsWith('#')) return undefined;
  try {
    return decodeURIComponent(ref.slice(1));
  } catch {
    return ref.slice(1);
  }
}

/** External references and references to nothing, as diagnostics. */
export function checkRefs(data: unknown, refs: RefSite[]): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const { pointer, ref } of refs) {
    if (typeof ref !== 'string') {
      // The parser's resolver fails on these too, whatever the surrounding object is.
      diagnostics.push({ rule: 'invalid-ref', pointer: appendPointer(pointer, '$ref'), message: `A "$ref" must be a string, not ${JSON.stringify(ref)}.` });
      continue;
    }
    const target = internalTarget(ref);
    if (target === undefined) {
      diagnostics.push({
        rule: 'external-ref',
        pointer: appendPointer(pointer, '$ref'),
        message:
          `External reference "${ref}" is not allowed: Herald resolves only references inside the document ("#/..."). ` +
          'Bundle local files into one document first (`herald register` does this for you).',
      });
    } else if (target !== '' && !target.startsWith('/')) {
      diagnostics.push({ rule: 'invalid-ref', pointer: appendPointer(pointer, '$ref'), message: `"${ref}" is not a valid JSON pointer reference.` });
    } else if (resolvePointer(data, target) === undefined) {
      diagnostics.push({ rule: 'invalid-ref', pointer: appendPointer(pointer, '$ref'), message: `"${ref}" does not point to anything in the document.` });
    }
  }
  return diagnostics;
}

/**
 * Follows a pointer. Where a step names a key the node does not have but the node is a
 * `$ref`, the reference is followed first (the parser resolves such pointers the same way).
 */
export function resolvePointer(data: unknown, pointer: string, hops = 0): unknown {
  if (hops > 64) return undefined;
  let node = data;
  for (const segment of pointer === '' ? [] : pointer.slice(1).split('/')) {
    const key = segment.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!(isObject(node) && Object.prototype.hasOwnProperty.call(node, key))) node = followRef(data, node, hops);
    if (node === null || typeof node !== 'object' || !Object.prototype.hasOwnProperty.call(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/**
 * The literal pointer of what `pointer` names: each `$ref` met on the way, and at the end,
 * is followed, so the result points at an object actually written there. Undefined when
 * the path leads nowhere.
 */
export function literalPointer(data: unknown, pointer: string): string | undefined {
  let at = '';
  let node = data;
  const segments = pointer === '' ? [] : pointer.slice(1).split('/');
  for (let i = 0; i <= segments.length; i++) {
    const next = i < segments.length ? segments[i]!.replace(/~1/g, '/').replace(/~0/g, '~') : undefined;
    for (let hops = 0; isObject(node) && typeof node.$ref === 'string' && (next === undefined || !Object.prototype.hasOwnProperty.call(node, next)); hops++) {
      const target = internalTarget(node.$ref);
      if (target === undefined || hops > 64) return undefined;
      at = target;
      node = resolvePointer(data, target);
    }
    if (next === undefined) break;
    const key = next;
    if (node === null || typeof node !== 'object' || !Object.prototype.hasOwnProperty.call(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
    at += '/' + segments[i];
  }
  return at;
}

function followRef(data: unknown, node: unknown, hops: number): unknown {
  if (isObject(node) && typeof node.$ref === 'string') {
    const target = internalTarget(node.$ref);
    return target === undefined ? undefined : resolvePointer(data, target, hops + 1);
  }
  return node;
}

/**
 * A copy of the document with every internal reference replaced by its target. A reference
 * back into one of its own ancestors (a recursive schema) stays a `$ref`, as the AsyncAPI
 * parser leaves it, so the copy has no cycles and can be validated. `maxNodes` bounds the
 * expansion: references can multiply a small document ("billion laughs" through `$ref`).
 */
export function resolveDocument(data: unknown, maxNodes: number): unknown {
  let budget = maxNodes;
  // `here` is where the node sits in the original document; `origins` are the places of the
  // references being expanded above it. A target that contains any of them is a cycle.
  const contains = (target: string, pointer: string) => pointer === target || pointer.startsWith(target + '/');
  const expand = (node: unknown, here: string, origins: readonly string[]): unknown => {
    if (--budget < 0) throw expansionLimit(maxNodes);
    if (Array.isArray(node)) return node.map((child, i) => expand(child, appendPointer(here, i), origins));
    if (!isObject(node)) return node;
    if (typeof node.$ref === 'string') {
      const target = internalTarget(node.$ref);
      if (target === undefined || contains(target, here) || origins.some((o) => contains(target, o))) return node;
      const resolved = resolvePointer(data, target);
      if (resolved === undefined) return node;
      return expand(resolved, target, [...origins, here]);
    }
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(node)) out[key] = expand(child, appendPointer(here, key), origins);
    return out;
  };
  try {
    return expand(data, '', []);
  } catch (err) {
    if (err instanceof RangeError) throw expansionLimit(maxNodes);
    throw err;
  }
}

function expansionLimit(maxNodes: number): InvalidDocumentError {
  return new InvalidDocumentError(
    [{ rule: 'ref-expansion-limit', pointer: '', message: `Resolving references expands the document beyond the limit (${maxNodes} nodes).` }],
    `Resolving the document's references expands it beyond ${maxNodes} nodes; raise HERALD_MAX_REF_NODES if this is intended.`,
    'limit-exceeded',
  );
}

