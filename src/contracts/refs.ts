/**
 * `$ref` handling. Herald resolves only references inside the submitted document: a file,
 * http or https reference would make the server read a local file or open a connection on
 * a document's behalf, so it is refused before anything else looks at the document.
 */
import { InvalidDocumentError, type Diagnostic } from '../errors.js';
import { appendPointer, isObject, parsePointer, setOwn, toPointer } from './pointer.js';

export interface RefSite {
  /** Pointer of the object that holds the `$ref`. */
  pointer: string;
  /** Not always a string: the document may be wrong. */
  ref: unknown;
}

/** Every `$ref` member in the data, in document order. */
export function findRefs(data: unknown): RefSite[] {
  const found: RefSite[] = [];
  // Pointers are built only for containers: most of a large document is scalars.
  const walk = (node: unknown, pointer: string): void => {
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) if (node[i] !== null && typeof node[i] === 'object') walk(node[i], appendPointer(pointer, i));
    } else if (isObject(node)) {
      if ('$ref' in node) found.push({ pointer, ref: node.$ref as string });
      for (const [key, child] of Object.entries(node)) if (child !== null && typeof child === 'object') walk(child, appendPointer(pointer, key));
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

/** A reference inside the document, followed to its target (undefined for anything else). */
export function derefIn(document: unknown): (ref: string) => unknown {
  return (ref) => {
    const target = internalTarget(ref);
    return target === undefined ? undefined : resolvePointer(document, target);
  };
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
 * The document with internal references replaced by their targets, for validation and the
 * contract model: what the AsyncAPI parser calls the resolved document.
 *
 * References between AsyncAPI objects (a channel's message, an operation's channel) are
 * replaced by copies of their targets; one back into its own ancestors stays a `$ref`.
 * Schemas are not expanded: a schema shared by many others, or a set of mutually recursive
 * types, would multiply without bound. A schema's place holds its target object itself
 * (shared, not copied, references inside it left as they are), and each schema a reference
 * inside a schema leads to is validated once, where it is written (see validate.ts).
 * `maxNodes` bounds the size of the result counted as a tree, shared objects at each place.
 */
export function resolveDocument(data: unknown, maxNodes: number): unknown {
  let budget = maxNodes;
  const spend = (n: number) => {
    budget -= n;
    if (budget < 0) throw expansionLimit(maxNodes);
  };
  // `here` is where the node sits in the original document; `origins` are the places of the
  // references being expanded above it. A target that contains any of them is a cycle.
  // `path` is where the node is used, which tells whether it is a schema.
  const contains = (target: string, pointer: string) => pointer === target || pointer.startsWith(target + '/');
  const expand = (node: unknown, here: string, path: readonly string[], origins: readonly string[]): unknown => {
    spend(1);
    if (node === null || typeof node !== 'object') return node;
    if (Array.isArray(node)) return node.map((child, i) => (child !== null && typeof child === 'object' ? expand(child, appendPointer(here, i), [...path, String(i)], origins) : (spend(1), child)));
    if (!isObject(node)) return node;
    if (isSchemaPlace(path)) {
      const target = followRefs(data, node);
      spend(sizeOf(target));
      // A copy of the referenced schema's top, as the parser's resolved document has: a
      // recursive schema then refers back to its component, by name, not to the place.
      return target !== node && isObject(target) ? { ...target } : target;
    }
    if (typeof node.$ref === 'string') {
      const target = internalTarget(node.$ref);
      if (target === undefined || contains(target, here) || origins.some((o) => contains(target, o))) return node;
      const resolved = resolvePointer(data, target);
      if (resolved === undefined) return node;
      return expand(resolved, target, path, [...origins, here]);
    }
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(node)) setOwn(out, key, expand(child, appendPointer(here, key), [...path, key], origins));
    return out;
  };
  return expand(data, '', [], []);
}

/** A reference chain followed to the object it ends at (the last reference, if it loops or leads nowhere). */
function followRefs(data: unknown, node: Record<string, unknown>): unknown {
  let current: unknown = node;
  for (let hops = 0; hops < 64 && isObject(current) && typeof current.$ref === 'string'; hops++) {
    const target = internalTarget(current.$ref);
    const next = target === undefined ? undefined : resolvePointer(data, target);
    if (next === undefined) return current;
    current = next;
  }
  return current;
}

const MESSAGE_HOLDERS = new Set(['messages', 'messageTraits', 'traits', 'oneOf']);
const BINDING_SCHEMAS = new Set(['key', 'headers', 'query', 'correlationData']);

/**
 * Whether a place (as path segments, where the value is used) holds a JSON Schema: a
 * component schema, a message's (or message trait's) payload or headers, a 2.x
 * parameter's schema, or a schema-valued binding field (Kafka key, HTTP query, WebSocket
 * query and headers, MQTT correlation data).
 */
export function isSchemaPlace(path: readonly string[]): boolean {
  const n = path.length;
  if (n < 2) return false;
  const last = path[n - 1]!;
  if (n >= 3 && path[n - 3] === 'components' && path[n - 2] === 'schemas') return true;
  if (last === 'payload' || last === 'headers') {
    if (path[n - 2] === 'message') return true;
    if (n >= 3 && MESSAGE_HOLDERS.has(path[n - 3]!)) return path[n - 3] !== 'oneOf' || path[n - 4] === 'message';
  }
  if (last === 'schema' && n >= 3 && path[n - 3] === 'parameters') return true;
  if (BINDING_SCHEMAS.has(last) && n >= 3 && path[n - 3] === 'bindings') return true;
  return false;
}

const SUBSCHEMA = new Set(['additionalProperties', 'additionalItems', 'contains', 'propertyNames', 'not', 'if', 'then', 'else', 'unevaluatedItems', 'unevaluatedProperties', 'contentSchema']);
const SUBSCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);
const SUBSCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas', 'dependencies']);

/**
 * Whether a literal place holds a schema: a schema place, or a subschema of one (the
 * value of `items`, a member of `allOf`, a property's schema), not a keyword's value
 * that is something else (the `allOf` list itself, `required`, an `enum`).
 */
export function isSchemaPosition(data: unknown, pointer: string): boolean {
  const segments = parsePointer(pointer);
  let i = 2;
  while (i <= segments.length && !isSchemaPlace(segments.slice(0, i))) i++;
  if (i > segments.length) return false;
  let node = resolvePointer(data, toPointer(segments.slice(0, i)));
  let state: 'schema' | 'list' | 'map' | 'data' = 'schema';
  for (const key of segments.slice(i)) {
    const value = node !== null && typeof node === 'object' && Object.hasOwn(node, key) ? (node as Record<string, unknown>)[key] : undefined;
    if (state === 'list' || state === 'map') state = 'schema';
    else if (state !== 'schema') return false;
    else if (SUBSCHEMA.has(key)) state = 'schema';
    else if (key === 'items') state = Array.isArray(value) ? 'list' : 'schema';
    else if (SUBSCHEMA_LISTS.has(key)) state = 'list';
    else if (SUBSCHEMA_MAPS.has(key)) state = 'map';
    else state = 'data';
    node = value;
  }
  // A `dependencies` member that is a list of names (not a schema) ends here too.
  return state === 'schema' && (isObject(node) || typeof node === 'boolean');
}

/** Whether a literal place lies in a schema: some place on its way is one. */
export function inSchema(pointer: string): boolean {
  const segments = parsePointer(pointer);
  for (let i = 2; i <= segments.length; i++) if (isSchemaPlace(segments.slice(0, i))) return true;
  return false;
}

// Documents do not change once parsed: the size of a shared subtree is counted once.
const sizes = new WeakMap<object, number>();

/** Nodes of a value counted as a tree; a value that contains itself (a recursive YAML alias) counts as infinite. */
function sizeOf(value: unknown, onPath: Set<object> = new Set()): number {
  if (value === null || typeof value !== 'object') return 1;
  const known = sizes.get(value);
  if (known !== undefined) return known;
  if (onPath.has(value)) return Number.POSITIVE_INFINITY;
  onPath.add(value);
  let size = 1;
  for (const child of Object.values(value)) size += sizeOf(child, onPath);
  onPath.delete(value);
  sizes.set(value, size);
  return size;
}

function expansionLimit(maxNodes: number): InvalidDocumentError {
  return new InvalidDocumentError(
    [{ rule: 'ref-expansion-limit', pointer: '', message: `Resolving references expands the document beyond the limit (${maxNodes} nodes).` }],
    `Resolving the document's references expands it beyond ${maxNodes} nodes; raise HERALD_MAX_REF_NODES if this is intended.`,
    'limit-exceeded',
  );
}

