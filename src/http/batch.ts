/**
 * A publish batch: a JSON array of envelopes, or NDJSON (one envelope per line), read into
 * one PublishRequest per message. A message is sent as the very bytes its producer wrote
 * inside the envelope: serializing the parsed value again would cost time and would change
 * what it says (numbers beyond 2^53, escapes, key order of duplicates).
 */
import { HeraldError } from '../errors.js';
import type { PublishRequest } from '../gateway/gateway.js';

export type Target = Pick<PublishRequest, 'contract' | 'channel' | 'version' | 'parameters'>;

const ENVELOPE_KEYS = new Set(['payload', 'payloadText', 'message', 'key', 'headers', 'parameters', 'idempotencyKey']);

/** One request per envelope, in order; an envelope that is wrong fails alone, as a HeraldError. */
export function readBatch(bytes: Buffer, contentType: string | undefined, max: number, base: Target): (PublishRequest | HeraldError)[] {
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const ndjson = /^application\/(?:x-)?ndjson\b/i.test(contentType ?? '') || /^application\/jsonl\b/i.test(contentType ?? '');
  const items = ndjson ? ndjsonItems(bytes, start) : arrayItems(bytes, start);
  if (items.length > max) throw new HeraldError('payload-too-large', `A batch holds at most ${max} messages (HERALD_BATCH_MAX_MESSAGES); this one has ${items.length}.`);
  return items.map((item, i) => (item instanceof HeraldError ? item : envelope(item.value, item.payload, bytes, i, base)));
}

/** A parsed envelope, with where its payload's bytes are when they could be found. */
type Item = { value: unknown; payload?: Span };
type Span = [start: number, end: number];

function arrayItems(bytes: Buffer, start: number): (Item | HeraldError)[] {
  // Element by element: JSON.parse of many small strings is much faster than of one big one,
  // which V8 allocates (and collects) in its large-object space. The whole text is parsed
  // only to say what is wrong with a batch that is not a well-formed array.
  const scanner = new Scanner(bytes);
  const elements = scanner.elements(start);
  if (elements) {
    try {
      return elements.map(([from, to]) => {
        const value: unknown = JSON.parse(bytes.toString('utf8', from, to));
        const payload = bytes[from] === 0x7b ? scanner.member(from, 'payload') : undefined;
        return { value, ...(payload ? { payload } : {}) };
      });
    } catch {
      // the whole text says where
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8', start));
  } catch (err) {
    throw new HeraldError('bad-request', `The batch must be a JSON array of envelopes, or NDJSON with Content-Type application/x-ndjson: ${(err as Error).message}.`);
  }
  if (!Array.isArray(parsed)) throw new HeraldError('bad-request', 'The batch must be a JSON array of envelopes ({payload, message?, key?, headers?, parameters?, idempotencyKey?}).');
  // Well-formed after all, in a way the scanner did not follow: send payloads serialized again.
  return parsed.map((value: unknown) => ({ value }));
}

/** A line that is not JSON fails alone. */
function ndjsonItems(bytes: Buffer, start: number): (Item | HeraldError)[] {
  const scanner = new Scanner(bytes);
  const items: (Item | HeraldError)[] = [];
  for (let from = start, line = 1; from < bytes.length; line++) {
    const newline = bytes.indexOf(0x0a, from);
    const to = newline === -1 ? bytes.length : newline;
    const begin = scanner.skipSpace(from, to);
    if (begin < to) {
      try {
        const value: unknown = JSON.parse(bytes.toString('utf8', begin, to));
        const payload = bytes[begin] === 0x7b ? scanner.member(begin, 'payload') : undefined;
        items.push({ value, ...(payload ? { payload } : {}) });
      } catch (err) {
        items.push(new HeraldError('bad-request', `Line ${line} is not JSON: ${(err as Error).message}.`));
      }
    }
    from = to + 1;
  }
  return items;
}

/** `{payload}` is sent as the bytes of that value; `{payloadText}` as exactly these characters (e.g. to send non-JSON). */
function envelope(item: unknown, span: Span | undefined, bytes: Buffer, index: number, base: Target): PublishRequest | HeraldError {
  const bad = (why: string) => new HeraldError('bad-request', `Item ${index}: ${why}`);
  if (!item || typeof item !== 'object' || Array.isArray(item)) return bad('an envelope must be an object with a payload.');
  const e = item as Record<string, unknown>;
  for (const k in e) {
    if (!ENVELOPE_KEYS.has(k)) {
      const unknown = Object.keys(e).filter((key) => !ENVELOPE_KEYS.has(key));
      return bad(`unknown field(s) ${unknown.join(', ')}; an envelope has ${[...ENVELOPE_KEYS].join(', ')}.`);
    }
  }
  const hasPayload = 'payload' in e;
  if (hasPayload === 'payloadText' in e) return bad('give exactly one of payload and payloadText.');
  if ('payloadText' in e && typeof e.payloadText !== 'string') return bad('payloadText must be a string.');
  for (const k of ['message', 'key', 'idempotencyKey'] as const) if (k in e && typeof e[k] !== 'string') return bad(`${k} must be a string.`);
  for (const k of ['headers', 'parameters'] as const) if (k in e && (!e[k] || typeof e[k] !== 'object' || Array.isArray(e[k]))) return bad(`${k} must be an object.`);
  const req: PublishRequest = {
    ...base,
    body: !hasPayload ? Buffer.from(e.payloadText as string) : span ? bytes.subarray(span[0], span[1]) : Buffer.from(JSON.stringify(e.payload)),
    // Already parsed with the batch: judging need not parse the bytes again.
    ...(hasPayload ? { parsed: { value: e.payload } } : {}),
  };
  if (e.parameters !== undefined) {
    const parameters = { ...base.parameters };
    for (const [k, v] of Object.entries(e.parameters as Record<string, unknown>)) parameters[k] = String(v);
    req.parameters = parameters;
  }
  if (e.message !== undefined) req.message = e.message as string;
  if (e.key !== undefined) req.key = e.key as string;
  if (e.headers !== undefined) req.headers = e.headers as Record<string, unknown>;
  if (e.idempotencyKey !== undefined) req.idempotencyKey = e.idempotencyKey as string;
  return req;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Finds values in JSON bytes that JSON.parse has already accepted, so it checks nothing and
 * builds nothing: it only skips strings and nesting to find where a member's value starts and
 * ends. A key written with escapes is not recognized; its envelope falls back to serializing.
 */
class Scanner {
  constructor(private readonly b: Buffer) {}

  /**
   * The span of each element of the array starting at `from`, or undefined when the bytes are
   * not an array of that shape (the elements themselves are left to JSON.parse).
   */
  elements(from: number): Span[] | undefined {
    const b = this.b;
    const spans: Span[] = [];
    let i = this.skipSpace(from);
    if (b[i] !== 0x5b) return undefined;
    i = this.skipSpace(i + 1);
    if (b[i] !== 0x5d) {
      for (;;) {
        const end = this.skipValue(i);
        if (end < 0) return undefined;
        spans.push([i, end]);
        i = this.skipSpace(end);
        if (b[i] !== 0x2c) break;
        i = this.skipSpace(i + 1);
      }
    }
    return b[i] === 0x5d && this.skipSpace(i + 1) === b.length ? spans : undefined;
  }

  /** The span of the last member named `name` of the object at `from` (the one JSON.parse keeps). */
  member(from: number, name: string): Span | undefined {
    let found: Span | undefined;
    let i = this.skipSpace(from + 1);
    if (this.b[i] === 0x7d) return undefined;
    for (;;) {
      const keyEnd = this.skipString(i);
      const key = this.b.toString('latin1', i + 1, keyEnd - 1);
      const value = this.skipSpace(this.skipSpace(keyEnd) + 1);
      const end = this.skipValue(value);
      if (key === name) found = [value, end];
      else if (key.includes('\\') && JSON.parse(`"${key}"`) === name) found = undefined;
      i = this.skipSpace(end);
      if (this.b[i] !== 0x2c) return found; // '}'
      i = this.skipSpace(i + 1);
    }
  }

  skipSpace(i: number, end = this.b.length): number {
    const b = this.b;
    while (i < end && (b[i] === 0x20 || b[i] === 0x0a || b[i] === 0x0d || b[i] === 0x09)) i++;
    return i;
  }

  /** Past the closing quote of the string opening at i; -1 when it is not closed. */
  private skipString(i: number): number {
    const b = this.b;
    for (let from = i + 1; ; ) {
      const quote = b.indexOf(QUOTE, from);
      if (quote < 0) return -1;
      let backslashes = 0;
      while (b[quote - 1 - backslashes] === BACKSLASH) backslashes++;
      if (backslashes % 2 === 0) return quote + 1;
      from = quote + 1;
    }
  }

  /** Past the value starting at i; -1 when it does not end. */
  private skipValue(i: number): number {
    const b = this.b;
    const c = b[i];
    if (c === QUOTE) return this.skipString(i);
    if (c === 0x7b || c === 0x5b) {
      for (let depth = 0; i < b.length; ) {
        const d = b[i];
        if (d === QUOTE) {
          i = this.skipString(i);
          if (i < 0) return -1;
          continue;
        }
        if (d === 0x7b || d === 0x5b) depth++;
        else if ((d === 0x7d || d === 0x5d) && --depth === 0) return i + 1;
        i++;
      }
      return -1;
    }
    // A number, true, false or null.
    while (i < b.length && b[i] !== 0x2c && b[i] !== 0x5d && b[i] !== 0x7d && b[i] !== 0x20 && b[i] !== 0x0a && b[i] !== 0x0d && b[i] !== 0x09) i++;
    return i;
  }
}
