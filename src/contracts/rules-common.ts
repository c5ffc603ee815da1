/** Helpers shared by the 2.x and 3.x rules, as the parser defines them (parser/src/ruleset/utils). */
import type { Diagnostic } from '../errors.js';
import { appendPointer, isObject } from './pointer.js';

/** `{name}` placeholders of a server URL or channel address. */
export function urlVariables(text: unknown): string[] {
  if (typeof text !== 'string') return [];
  return (text.match(/{(.+?)}/g) ?? []).map((v) => v.slice(1, -1));
}

/** Names used but not defined, and defined but not used. An empty definition object lacks every name. */
export function missingAndRedundant(used: string[], defined: Record<string, unknown>): { missing: string[]; redundant: string[] } {
  const keys = Object.keys(defined);
  return {
    missing: keys.length === 0 ? used : used.filter((v) => !Object.prototype.hasOwnProperty.call(defined, v)),
    redundant: used.length === 0 ? keys : keys.filter((k) => !used.includes(k)),
  };
}

/** Repeated tag names; skipped unless every tag is an object with a string name. */
export function duplicateTags(tags: unknown, pointer: string, rule: string): Diagnostic[] {
  if (!Array.isArray(tags) || !tags.every((t) => isObject(t) && typeof t.name === 'string')) return [];
  const names = tags.map((t) => (t as { name: string }).name);
  return names.flatMap((name, i) =>
    names.indexOf(name) === i ? [] : [{ rule, pointer: appendPointer(pointer, i, 'name'), message: `"tags" object contains duplicate tag name "${name}".` }],
  );
}
