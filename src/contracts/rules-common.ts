/** Helpers shared by the 2.x and 3.x rules, as the parser defines them (parser/src/ruleset/utils). */
import type { Diagnostic } from '../errors.js';
import { appendPointer, isObject } from './pointer.js';

/**
 * `{name}` placeholders of a server URL or channel address: what the parser's `/{(.+?)}/g`
 * finds, found in one pass (that expression takes quadratic time on a run of `{`).
 */
export function urlVariables(text: unknown): string[] {
  if (typeof text !== 'string') return [];
  const out: string[] = [];
  // Both only move forward: the next `}` that can end a name, and the next line terminator
  // (which `.` does not cross).
  let close = -1;
  let stop = -1;
  for (let i = text.indexOf('{'); i >= 0 && i < text.length; i = text.indexOf('{', i + 1)) {
    if (close < i + 2) {
      close = text.indexOf('}', i + 2);
      if (close < 0) break;
    }
    if (stop < i + 1) stop = nextLineTerminator(text, i + 1);
    if (stop >= close) {
      out.push(text.slice(i + 1, close));
      i = close;
    }
  }
  return out;
}

function nextLineTerminator(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a || c === 0x0d || c === 0x2028 || c === 0x2029) return i;
  }
  return Number.POSITIVE_INFINITY;
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
