/**
 * Turns a resolved schema object graph into a self-contained JSON Schema. The parser
 * resolves recursive references into object cycles; each object a cycle returns to
 * becomes an entry of `$defs` (or the root, `#`), and the parser's own `x-parser-*`
 * annotations are dropped.
 */
import type { JsonSchema } from './model.js';
import { escapeSegment } from './pointer.js';

export function selfContained(schema: unknown): JsonSchema {
  if (typeof schema === 'boolean') return schema;
  if (schema === null || typeof schema !== 'object') return {};
  const targets = cycleTargets(schema);
  const names = new Map<object, string>();
  const used = new Set<string>(Object.keys(((schema as Record<string, unknown>).$defs as object | undefined) ?? {}));
  for (const target of targets) {
    if (target === schema) continue;
    const hint = (target as Record<string, unknown>)['x-parser-schema-id'];
    let name = typeof hint === 'string' && !hint.startsWith('<') ? hint : 'schema';
    for (let i = 2; used.has(name); i++) name = `${name.replace(/\d+$/, '')}${i}`;
    used.add(name);
    names.set(target, name);
  }
  const emit = (node: unknown, top: boolean): unknown => {
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

/** Objects that are reached again while still being walked: the targets of recursive references. */
function cycleTargets(root: object): Set<object> {
  const targets = new Set<object>();
  const onPath = new Set<object>();
  const done = new Set<object>();
  const walk = (node: unknown): void => {
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
