/**
 * Turns a resolved schema into a self-contained JSON Schema. References left in it (Herald
 * leaves them inside schemas; the parser leaves recursive ones) are followed through
 * `deref`. Each object a cycle returns to becomes an entry of `$defs` (or the root, `#`);
 * so does each object referenced more than once, when copying it to every place would make
 * the schema large (a schema shared along many paths would otherwise multiply). The
 * parser's own `x-parser-*` annotations are dropped.
 */
import { InvalidDocumentError } from '../errors.js';
import type { JsonSchema } from './model.js';
import { escapeSegment, setOwn } from './pointer.js';

/** Resolves a document reference to its target object (the same object for the same target). */
export type Deref = (ref: string) => unknown;

/** Up to this many nodes, shared schemas are copied to each place: the shape most tools expect. */
const INLINE_LIMIT = 10_000;

export function selfContained(schema: unknown, deref: Deref = () => undefined): JsonSchema {
  return bundle(schema, deref).schema;
}

/** The self-contained schema, and whether it is recursive (refers back into itself). */
export function bundle(schema: unknown, deref: Deref = () => undefined): { schema: JsonSchema; recursive: boolean } {
  if (typeof schema === 'boolean') return { schema, recursive: false };
  if (schema === null || typeof schema !== 'object') return { schema: {}, recursive: false };
  try {
    return build(schema, deref);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    throw new InvalidDocumentError(
      [{ rule: 'depth-limit', pointer: '', message: 'A schema nests (through its references) too deeply to be read.' }],
      'A schema nests too deeply, through its references, to be read; flatten the chain of references.',
      'limit-exceeded',
    );
  }
}

function build(schema: object, deref: Deref): { schema: JsonSchema; recursive: boolean } {
  const hints = new Map<object, string>();
  const follow = (node: unknown): unknown => {
    for (let hops = 0; hops < 32 && isRef(node); hops++) {
      const target = deref(node.$ref);
      if (target === undefined) return node;
      if (target !== null && typeof target === 'object' && !hints.has(target)) hints.set(target, lastSegment(node.$ref));
      node = target;
    }
    return node;
  };
  const start = follow(schema);
  if (start === null || typeof start !== 'object') return { schema: typeof start === 'boolean' ? start : {}, recursive: false };
  const graph = analyse(start, follow);
  const targets = new Set(graph.cycles);
  if (graph.inlinedSize > INLINE_LIMIT) for (const shared of graph.shared) targets.add(shared);
  const names = new Map<object, string>();
  const used = new Set<string>(Object.keys(((start as Record<string, unknown>).$defs as object | undefined) ?? {}));
  const nameOf = (target: object): string => {
    const hint = (target as Record<string, unknown>)['x-parser-schema-id'];
    let name = typeof hint === 'string' && !hint.startsWith('<') ? hint : (hints.get(target) ?? 'schema');
    for (let i = 2; used.has(name); i++) name = `${withoutTrailingDigits(name)}${i}`;
    used.add(name);
    names.set(target, name);
    return name;
  };
  /** Objects being emitted: met again inside themselves, they are a cycle and must be referenced. */
  const emitting = new Set<object>();
  let lateCycle = false;
  const emit = (raw: unknown, top: boolean): unknown => {
    const node = top ? raw : follow(raw);
    if (Array.isArray(node)) return node.map((n) => emit(n, false));
    if (node === null || typeof node !== 'object') return node;
    if (!top) {
      // A cycle the analysis did not cut (it met the object again along another path) is cut here.
      if (emitting.has(node) && !targets.has(node) && !names.has(node)) lateCycle = true;
      if (node === start && (targets.has(node) || emitting.has(node))) return { $ref: '#' };
      const name = names.get(node) ?? (emitting.has(node) ? nameOf(node) : undefined);
      if (name !== undefined) return { $ref: `#/$defs/${encodeURIComponent(escapeSegment(name))}` };
    }
    emitting.add(node);
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      if (!key.startsWith('x-parser-')) setOwn(out, key, emit(value, false));
    }
    emitting.delete(node);
    return out;
  };
  for (const target of targets) if (target !== start) nameOf(target);
  const root = emit(start, true) as Record<string, unknown>;
  if (names.size > 0) {
    const defs: Record<string, unknown> = {};
    for (const [key, value] of Object.entries((root.$defs as object | undefined) ?? {})) setOwn(defs, key, value);
    for (const [target, name] of names) setOwn(defs, name, emit(target, true));
    root.$defs = defs;
  }
  return { schema: root, recursive: graph.cycles.size > 0 || lateCycle };
}

/** `name` without the digits it ends with (a loop: `/\d+$/` is quadratic on a run of digits). */
function withoutTrailingDigits(name: string): string {
  let end = name.length;
  while (end > 0 && name.charCodeAt(end - 1) >= 0x30 && name.charCodeAt(end - 1) <= 0x39) end--;
  return name.slice(0, end);
}

const isRef = (node: unknown): node is { $ref: string } =>
  node !== null && typeof node === 'object' && !Array.isArray(node) && typeof (node as { $ref?: unknown }).$ref === 'string';

function lastSegment(ref: string): string {
  const last = ref.split('/').pop()?.replace(/^#/, '') ?? '';
  let decoded = last;
  try {
    decoded = decodeURIComponent(last);
  } catch {
    // a malformed escape: the segment as written
  }
  return decoded.replace(/~1/g, '/').replace(/~0/g, '~') || 'schema';
}

/**
 * The reference graph of a schema: objects a cycle returns to, objects referenced more than
 * once, and the size the schema would have with every non-recursive reference copied in
 * place (computed once per referenced object, so this is linear in the schema's size).
 *
 * A cycle is cut at the first object on it that a reference leads to, so that a recursive
 * schema refers back to its component by name; a cycle of plain objects (the parser's
 * dereferenced output) is cut where it closes.
 */
function analyse(root: object, follow: (node: unknown) => unknown): { cycles: Set<object>; shared: Set<object>; inlinedSize: number } {
  const cycles = new Set<object>();
  const shared = new Set<object>();
  const path: Array<{ node: object; viaRef: boolean }> = [];
  const onPath = new Map<object, number>();
  const sizes = new Map<object, number>();
  const walk = (raw: unknown): number => {
    const node = follow(raw);
    if (node === null || typeof node !== 'object') return 1;
    const viaRef = node !== raw;
    const at = onPath.get(node);
    if (at !== undefined) {
      const cut = path.slice(at).find((p) => p.viaRef)?.node ?? node;
      cycles.add(cut);
      return 1;
    }
    // Only a reference names a schema: objects written in place are walked wherever they
    // appear (a YAML alias repeats content), referenced ones once.
    const known = viaRef ? sizes.get(node) : undefined;
    if (known !== undefined) {
      if (!Array.isArray(node)) shared.add(node);
      return known;
    }
    onPath.set(node, path.length);
    path.push({ node, viaRef });
    let size = 1;
    for (const value of Object.values(node)) size = Math.min(Number.MAX_SAFE_INTEGER, size + walk(value));
    path.pop();
    onPath.delete(node);
    if (viaRef) sizes.set(node, size);
    return size;
  };
  return { cycles, shared, inlinedSize: walk(root) };
}
