/**
 * Turns a resolved schema into a self-contained JSON Schema. The parser leaves recursive
 * references as `$ref`s into the document; they are followed here (through `deref`), and
 * each object a cycle returns to becomes an entry of `$defs` (or the root, `#`). The
 * parser's own `x-parser-*` annotations are dropped.
 */
import type { JsonSchema } from './model.js';
import { escapeSegment } from './pointer.js';

/** Resolves a document reference to its target object (the same object for the same target). */
export type Deref = (ref: string) => unknown;

export function selfContained(schema: unknown, deref: Deref = () => undefined): JsonSchema {
  if (typeof schema === 'boolean') return schema;
  if (schema === null || typeof schema !== 'object') return {};
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
  const targets = cycleTargets(schema, follow);
  const names = new Map<object, string>();
  const used = new Set<string>(Object.keys(((schema as Record<string, unknown>).$defs as object | undefined) ?? {}));
  for (const target of targets) {
    if (target === schema) continue;
    const hint = (target as Record<string, unknown>)['x-parser-schema-id'];
    let name = typeof hint === 'string' && !hint.startsWith('<') ? hint : (hints.get(target) ?? 'schema');
    for (let i = 2; used.has(name); i++) name = `${name.replace(/\d+$/, '')}${i}`;
    used.add(name);
    names.set(target, name);
  }
  const emit = (raw: unknown, top: boolean): unknown => {
    const node = top ? raw : follow(raw);
    if (Array.isArray(node)) return node.map((n) => emit(n, false));
    if (node === null || typeof node !== 'object') return node;
    if (!top) {
      if (node === schema && targets.has(node)) return { $ref: '#' };
      const name = names.get(node);
      if (name !== undefined) return { $ref: `#/$defs/${encodeURIComponent(escapeSegment(name))}` };
    }
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      if (!key.startsWith('x-parser-')) out[key] = emit(value, false);
    }
    return out;
  };
  const root = emit(schema, true) as Record<string, unknown>;
  if (names.size > 0) {
    const defs: Record<string, unknown> = { ...((root.$defs as object | undefined) ?? {}) };
    for (const [target, name] of names) defs[name] = emit(target, true);
    root.$defs = defs;
  }
  return root;
}

const isRef = (node: unknown): node is { $ref: string } =>
  node !== null && typeof node === 'object' && !Array.isArray(node) && typeof (node as { $ref?: unknown }).$ref === 'string';

const lastSegment = (ref: string) => decodeURIComponent(ref.split('/').pop() ?? 'schema').replace(/~1/g, '/').replace(/~0/g, '~') || 'schema';

/** Objects that are reached again while still being walked: the targets of recursive references. */
function cycleTargets(root: object, follow: (node: unknown) => unknown): Set<object> {
  const targets = new Set<object>();
  const onPath = new Set<object>();
  const done = new Set<object>();
  const walk = (raw: unknown): void => {
    const node = follow(raw);
    if (node === null || typeof node !== 'object') return;
    if (onPath.has(node)) {
      targets.add(node);
      return;
    }
    if (done.has(node)) return;
    onPath.add(node);
    for (const value of Object.values(node)) walk(value);
    onPath.delete(node);
    done.add(node);
  };
  walk(root);
  return targets;
}
