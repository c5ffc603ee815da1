/**
 * How large a document is as data: its size as compact JSON, counted without building the
 * JSON, and the check of HERALD_MAX_DOCUMENT_BYTES. Used on the YAML syntax tree (yaml-ast.ts,
 * aliases expanded) and on parsed data (text.ts).
 */
import { InvalidDocumentError } from '../errors.js';
import type { DocumentMeasure } from './yaml-ast.js';

/**
 * Most bytes of compact JSON one byte of alias-free YAML can become. The densest cases known:
 * `1e20` (4 bytes) is `100000000000000000000` (21) in JSON, and as a key of a flow map with
 * no values, `{1e20,2e20,…}`, each 5 bytes become 29 (`"100000000000000000000":null,`): 5.8.
 * Escapes (`"\0"`, 2 bytes, is `"\u0000"`, 6) triple at most, implicit nulls (`[~,~]`) are 2.5.
 * Below limit / 8 bytes, an alias-free text cannot reach the size limit and is not measured.
 */
export const MAX_EXPANSION = 8;

export function mayOutgrow(text: string, limit: number): boolean {
  // A UTF-16 code unit is at most 3 bytes of UTF-8.
  if (text.length * 3 * MAX_EXPANSION <= limit) return false;
  return Buffer.byteLength(text, 'utf8') * MAX_EXPANSION > limit;
}

export function checkSize(bytes: number, limit: number, largest?: DocumentMeasure['largestAlias']): void {
  if (bytes <= limit) return;
  const hint = largest && largest.bytes > 0 ? ` The largest repeated node is *${largest.source} (${largest.bytes} bytes) at line ${largest.line}.` : '';
  throw new InvalidDocumentError(
    [
      {
        rule: 'document-size-limit',
        message: `The document is ${bytes} bytes as JSON, aliases expanded, more than the limit (${limit}).${hint}`,
        pointer: '',
        ...(largest ? { line: largest.line, column: largest.column } : {}),
      },
    ],
    `The document is ${describeBytes(bytes)} as JSON once its aliases are expanded, more than the limit of ${describeBytes(limit)} (HERALD_MAX_DOCUMENT_BYTES); repeat less content or raise the limit.`,
    'limit-exceeded',
  );
}

const describeBytes = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB (${n} bytes)` : `${n} bytes`);

/** Compact JSON size of a scalar value, as JSON.stringify writes it after toJS. */
export function valueBytes(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return stringBytes(value);
    case 'number':
      return Number.isFinite(value) ? String(value).length : 4;
    case 'boolean':
      return value ? 4 : 5;
    case 'bigint':
      return String(value).length;
    case 'object':
      if (value === null) return 4;
      // YAML 1.1 !!binary: a Buffer, written as {"type":"Buffer","data":[…]} of 3 digits and a comma a byte at most.
      if (value instanceof Uint8Array) return 32 + 4 * value.length;
      return Buffer.byteLength(JSON.stringify(value) ?? 'null', 'utf8');
    default:
      return 4;
  }
}

const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** UTF-8 bytes of JSON.stringify(s), without building it. */
export function stringBytes(s: string): number {
  let bytes = 2 + Buffer.byteLength(s, 'utf8');
  if (!NEEDS_ESCAPE.test(s)) return bytes;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22 || c === 0x5c || c === 0x08 || c === 0x0c || c === 0x0a || c === 0x0d || c === 0x09) bytes += 1;
    else if (c < 0x20) bytes += 5; // \u00XX
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++;
    else if (c >= 0xd800 && c <= 0xdfff) bytes += 3; // a lone surrogate: \uXXXX, where UTF-8 counted 3
  }
  return bytes;
}

/**
 * Compact JSON size and depth of js-yaml's data, without recursion. A tree is walked once;
 * when objects are shared (aliases), each is measured once and counted wherever it is used
 * (post-order), so that repetition costs an addition and not a walk.
 */
export function measureData(data: unknown, shared: boolean): { bytes: number; depth: number } {
  const measured = shared ? new Map<object, { bytes: number; depth: number }>() : undefined;
  const values: unknown[] = [data];
  const expanded: boolean[] = [false];
  const sizes: number[] = [];
  const depths: number[] = [];
  while (values.length > 0) {
    const value = values.pop();
    const done = expanded.pop();
    if (value === null || typeof value !== 'object' || value instanceof Date) {
      sizes.push(valueBytes(value));
      depths.push(0);
      continue;
    }
    const known = measured?.get(value);
    if (known) {
      sizes.push(known.bytes);
      depths.push(known.depth);
      continue;
    }
    const items: unknown[] = Array.isArray(value) ? value : Object.values(value);
    if (!done) {
      values.push(value);
      expanded.push(true);
      for (const item of items) {
        values.push(item);
        expanded.push(false);
      }
      continue;
    }
    let bytes = 2 + Math.max(0, items.length - 1);
    let depth = 0;
    for (let i = 0; i < items.length; i++) {
      bytes += sizes.pop()!;
      depth = Math.max(depth, depths.pop()!);
    }
    if (!Array.isArray(value)) for (const key of Object.keys(value)) bytes += stringBytes(key) + 1;
    depth += 1;
    measured?.set(value, { bytes, depth });
    sizes.push(bytes);
    depths.push(depth);
  }
  return { bytes: sizes[0]!, depth: depths[0]! };
}
