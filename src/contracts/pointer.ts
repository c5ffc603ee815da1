/** JSON pointers (RFC 6901). */

export function escapeSegment(segment: string | number): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function appendPointer(pointer: string, ...segments: Array<string | number>): string {
  return pointer + segments.map((s) => '/' + escapeSegment(s)).join('');
}

export function toPointer(segments: ReadonlyArray<string | number>): string {
  return appendPointer('', ...segments);
}

export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`Not a JSON pointer: ${pointer}`);
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The value a pointer names inside `root`, or `undefined` when any segment is missing. */
export function getAt(root: unknown, pointer: string): unknown {
  let node = root;
  for (const segment of parsePointer(pointer)) {
    if (node === null || typeof node !== 'object' || !Object.prototype.hasOwnProperty.call(node, segment)) return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Sets a property that a document names. `obj[key] = value` with the key `__proto__`
 * would change the object's prototype instead (hiding content from every later reader);
 * this always makes an own property, as JSON.parse does.
 */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}
