/**
 * A small path selector for the semantic rules: each path is a list of steps, where a
 * step is a key, `*` (every child of an object or array) or a list of alternative keys.
 * It stands in for the JSONPath expressions of the AsyncAPI parser's Spectral rules.
 */
import { appendPointer, isObject } from './pointer.js';

export type Step = string | readonly string[];

export interface Selected {
  pointer: string;
  value: unknown;
}

export function select(root: unknown, steps: readonly Step[]): Selected[] {
  let current: Selected[] = [{ pointer: '', value: root }];
  for (const step of steps) {
    const next: Selected[] = [];
    for (const { pointer, value } of current) {
      if (value === null || typeof value !== 'object') continue;
      if (step === '*') {
        const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
        for (const [key, child] of entries) next.push({ pointer: appendPointer(pointer, key), value: child });
      } else {
        for (const key of typeof step === 'string' ? [step] : step) {
          if (Object.prototype.hasOwnProperty.call(value, key)) {
            next.push({ pointer: appendPointer(pointer, key), value: (value as Record<string, unknown>)[key] });
          }
        }
      }
    }
    current = next;
  }
  return current;
}

/** Union of several selections, without repeating a pointer. */
export function selectAll(root: unknown, paths: ReadonlyArray<readonly Step[]>): Selected[] {
  const seen = new Set<string>();
  const out: Selected[] = [];
  for (const path of paths) {
    for (const s of select(root, path)) {
      if (!seen.has(s.pointer)) {
        seen.add(s.pointer);
        out.push(s);
      }
    }
  }
  return out;
}

export { isObject };
