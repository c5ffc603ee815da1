/** Canonical JSON (RFC 8785) and the fingerprints built on it. */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('Value has no JSON form');
  return text;
}

/** sha-256 of the canonical JSON, hex: equal for equal content, whatever the key order or format. */
export function fingerprint(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

/** A digest of a JSON value's content (key order aside), and whether it holds a `$ref` key. */
export interface Shape {
  hash: string;
  hasRef: boolean;
}

// Documents are never changed once parsed, so a value's shape is computed once, bottom-up:
// comparing two subtrees then costs one string comparison, not a walk of both.
const shapes = new WeakMap<object, Shape>();

export function shapeOf(value: unknown): Shape {
  if (value === null || typeof value !== 'object') return { hash: JSON.stringify(value) ?? 'undefined', hasRef: false };
  const known = shapes.get(value);
  if (known) return known;
  let hasRef = false;
  let text: string;
  if (Array.isArray(value)) {
    text = '[' + value.map((v) => { const s = shapeOf(v); hasRef ||= s.hasRef; return s.hash; }).join(',') + ']';
  } else {
    const keys = Object.keys(value).sort();
    text = '{' + keys.map((k) => {
      const s = shapeOf((value as Record<string, unknown>)[k]);
      hasRef ||= s.hasRef || k === '$ref';
      return JSON.stringify(k) + ':' + s.hash;
    }).join(',') + '}';
  }
  // '#' starts no JSON text, so a digest never equals a short value written out.
  const shape = { hash: text.length <= 64 ? text : '#' + createHash('sha256').update(text).digest('base64'), hasRef };
  shapes.set(value, shape);
  return shape;
}
