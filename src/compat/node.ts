/**
 * Schema nodes as the comparison sees them: a conjunction of parts, each part a schema
 * object written at one place of a document. Following `$ref` and flattening `allOf` both
 * just add parts, so composition (`allOf: [{$ref: Base}, {...}]`) compares like the object
 * it describes, and every keyword still has a place in the document to point at.
 */
import { appendPointer, isObject } from '../contracts/pointer.js';
import { derefIn, internalTarget, resolvePointer } from '../contracts/refs.js';
import { selfContained } from '../contracts/schema.js';

export interface Loc {
  doc: unknown;
  ptr: string;
}

export interface Part {
  /** Literal place of the schema object (references followed). */
  ptr: string;
  value: Record<string, unknown>;
  /** Keywords of `value` that another part stands for (e.g. the `anyOf` a branch replaces). */
  omit?: ReadonlySet<string>;
}

export interface SchemaNode {
  doc: unknown;
  parts: Part[];
  /** A part is `false`: the node admits nothing. */
  never: boolean;
  /** A `$ref` that leads outside the document. */
  unresolved?: string;
  /** Identity for recursion checks. */
  key: string;
}

const TRUE: Record<string, unknown> = {};

/** The schema at a location, references followed and `allOf` flattened. */
export function nodeAt(loc: Loc): SchemaNode {
  const parts: Part[] = [];
  let never = false;
  let unresolved: string | undefined;
  const seen = new Set<string>();
  const add = (ptr: string, omit?: ReadonlySet<string>): void => {
    let at = ptr;
    let value = resolvePointer(loc.doc, at);
    for (let hops = 0; isObject(value) && typeof value.$ref === 'string'; hops++) {
      const target = internalTarget(value.$ref);
      if (target === undefined || hops > 64) {
        unresolved = value.$ref;
        return;
      }
      at = target;
      value = resolvePointer(loc.doc, target);
      if (value === undefined) {
        unresolved = `#${target}`;
        return;
      }
    }
    if (seen.has(at)) return;
    seen.add(at);
    if (value === false) {
      never = true;
      return;
    }
    if (!isObject(value)) return; // `true`, or nothing: no constraint
    parts.push({ ptr: at, value, ...(omit ? { omit } : {}) });
    if (Array.isArray(value.allOf) && !omit?.has('allOf')) value.allOf.forEach((_, i) => add(appendPointer(at, 'allOf', i)));
  };
  add(loc.ptr);
  return finish(loc.doc, parts, never, unresolved);
}

/**
 * A node of these parts, each place once. A place met twice on the same value is a schema
 * that came back to itself in place (a polymorphic base, through a subtype's `allOf`): read
 * coinductively, what one copy already stands for (the combinator being expanded, in
 * `omit`) is assumed for the other, so the copies merge and the expansion ends.
 */
export function finish(doc: unknown, parts: Part[], never: boolean, unresolved?: string): SchemaNode {
  const byPtr = new Map<string, Part>();
  for (const p of parts) {
    const had = byPtr.get(p.ptr);
    if (!had) byPtr.set(p.ptr, p);
    else if (p.omit) byPtr.set(p.ptr, { ...had, omit: new Set([...(had.omit ?? []), ...p.omit]) });
  }
  const unique = byPtr.size === parts.length ? parts : [...byPtr.values()];
  const key = unique.map((p) => p.ptr + (p.omit ? `-${[...p.omit].sort().join(',')}` : '')).join('&') + (never ? '&false' : '');
  return { doc, parts: unique, never, ...(unresolved ? { unresolved } : {}), key };
}

/** A node standing for "any value" (an absent schema). */
export const anything = (doc: unknown): SchemaNode => finish(doc, [], false);

/** The node of several locations at once (a property constrained by several parts). */
export function conjunction(doc: unknown, ptrs: string[]): SchemaNode {
  const nodes = ptrs.map((ptr) => nodeAt({ doc, ptr }));
  const parts: Part[] = [];
  const seen = new Set<string>();
  for (const n of nodes) for (const p of n.parts) if (!seen.has(p.ptr)) (seen.add(p.ptr), parts.push(p));
  return finish(doc, parts, nodes.some((n) => n.never), nodes.find((n) => n.unresolved)?.unresolved);
}

/** A keyword's value in a part, unless the part omits it. */
export function kw(part: Part, keyword: string): unknown {
  return part.omit?.has(keyword) ? undefined : part.value[keyword];
}

/** Parts that have a keyword, with its value. */
export function withKw(node: SchemaNode, keyword: string): Array<{ part: Part; value: unknown }> {
  return node.parts.filter((p) => kw(p, keyword) !== undefined).map((part) => ({ part, value: kw(part, keyword) }));
}

/** Where a node is written: its first part, else the place asked for. */
export const where = (node: SchemaNode, fallback: string) => node.parts[0]?.ptr ?? fallback;

/** The node as one self-contained JSON Schema, for the runtime validator. */
export function asSchema(node: SchemaNode): unknown {
  if (node.never) return false;
  const deref = derefIn(node.doc);
  const schemas = node.parts.map((p) => {
    const value = p.omit ? Object.fromEntries(Object.entries(p.value).filter(([k]) => !p.omit!.has(k))) : p.value;
    return selfContained(value, deref);
  });
  if (schemas.length === 0) return TRUE;
  return schemas.length === 1 ? schemas[0] : { allOf: schemas };
}

export type Combinator = 'anyOf' | 'oneOf';

export function hasDisjunction(node: SchemaNode): boolean {
  return node.parts.some((p) => Array.isArray(kw(p, 'anyOf')) || Array.isArray(kw(p, 'oneOf')));
}

export interface Branch {
  node: SchemaNode;
  path: string;
  /** Its place in the combinator's list. */
  index: number;
}

/** The alternatives of a node (its first `anyOf`/`oneOf`), each with the node's other keywords folded in. */
export function branches(node: SchemaNode, fallback: string): { combinator?: Combinator; branches: Branch[]; path: string } {
  const index = node.parts.findIndex((p) => Array.isArray(kw(p, 'anyOf')) || Array.isArray(kw(p, 'oneOf')));
  if (index < 0) return { branches: [{ node, path: node.parts[0]?.ptr ?? fallback, index: 0 }], path: node.parts[0]?.ptr ?? fallback };
  const part = node.parts[index]!;
  const combinator: Combinator = Array.isArray(kw(part, 'anyOf')) ? 'anyOf' : 'oneOf';
  const others = node.parts.filter((_, i) => i !== index);
  const rest: Part = { ...part, omit: new Set([...(part.omit ?? []), combinator]) };
  const members = kw(part, combinator) as unknown[];
  return {
    combinator,
    path: appendPointer(part.ptr, combinator),
    branches: members.map((_, i) => {
      const ptr = appendPointer(part.ptr, combinator, i);
      const member = nodeAt({ doc: node.doc, ptr });
      return {
        node: finish(node.doc, [...others, rest, ...member.parts], node.never || member.never, node.unresolved ?? member.unresolved),
        path: member.parts[0]?.ptr ?? ptr,
        index: i,
      };
    }),
  };
}
