/**
 * A publish batch: a JSON array of envelopes, or NDJSON (one envelope per line), read into
 * one PublishRequest per message. A message is sent as the very bytes its producer wrote
 * inside the envelope: serializing the parsed value again would cost time and would change
 * what it says (numbers beyond 2^53, escapes, key order of duplicates). So a payload that is
 * not UTF-8, or nests too deep to parse cheaply, is passed on unparsed, as its bytes, for the
 * judge to dead-letter as malformed, like the same payload published alone.
 */
import { isUtf8 } from 'node:buffer';
import { HeraldError } from '../errors.js';
import type { PublishRequest } from '../gateway/gateway.js';
import { DEFAULT_JUDGE_LIMITS, nestingExceeds } from '../gateway/judge.js';

export type Target = Pick<PublishRequest, 'contract' | 'channel' | 'version' | 'parameters'>;

const ENVELOPE_KEYS = new Set(['payload', 'payloadText', 'message', 'key', 'headers', 'parameters', 'idempotencyKey']);

/**
 * One request per envelope, in order; an envelope that is wrong fails alone, as a HeraldError.
 * `maxDepth` is the gateway's HERALD_MESSAGE_MAX_DEPTH: deeper payloads are left to the judge,
 * and an envelope deeper than it outside its payload fails.
 */
export function readBatch(bytes: Buffer, contentType: string | undefined, max: number, base: Target, maxDepth = DEFAULT_JUDGE_LIMITS.maxDepth): (PublishRequest | HeraldError)[] {
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const ndjson = /^application\/(?:x-)?ndjson\b/i.test(contentType ?? '') || /^application\/jsonl\b/i.test(contentType ?? '');
  // One check of the whole body (fast, native); elements are checked one by one only when it fails.
  const reader: Reader = { bytes, utf8: isUtf8(bytes), maxDepth, scanner: new Scanner(bytes) };
  const items = ndjson ? ndjsonItems(reader, start) : arrayItems(reader, start);
  if (items.length > max) throw new HeraldError('payload-too-large', `A batch holds at most ${max} messages (HERALD_BATCH_MAX_MESSAGES); this one has ${items.length}.`);
  return items.map((item, i) => (item instanceof HeraldError ? item : envelope(item, bytes, i, base)));
}

interface Reader {
  bytes: Buffer;
  /** Whether the whole body is valid UTF-8. */
  utf8: boolean;
  maxDepth: number;
  scanner: Scanner;
}

/**
 * A parsed envelope, with where its payload's bytes are when they could be found. `raw`: the
 * payload was not parsed (not UTF-8, or too deep); `value.payload` is then null.
 */
type Item = { value: unknown; payload?: Span | undefined; raw?: boolean };
type Span = [start: number, end: number];

function arrayItems(reader: Reader, start: number): (Item | HeraldError)[] {
  const { bytes, utf8, maxDepth } = reader;
  // Element by element: one string of a large body costs several times what parsing it does
  // (V8 allocates and collects it in its large-object space); small strings are cheap. The
  // whole text is parsed only to say what is wrong with a batch that is not a well-formed array.
  const elements = reader.scanner.elements(start);
  if (elements) {
    try {
      // The spans hold once JSON.parse has accepted each element and the scanner its separators.
      return elements.map((e, i) => parseEnvelope(reader, e.start, e.end, e.payload, (why) => new HeraldError('bad-request', `Item ${i}: ${why}`)));
    } catch {
      // the whole text says where
    }
  }
  // Checked on the bytes, before JSON.parse: megabytes of brackets take it seconds, and
  // decoding would put U+FFFD where the bytes are not UTF-8.
  if (nestingExceeds(bytes.subarray(start), maxDepth + 2)) throw new HeraldError('bad-request', `The batch nests deeper than its envelopes and their payloads may (HERALD_MESSAGE_MAX_DEPTH is ${maxDepth}).`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8', start));
  } catch (err) {
    throw new HeraldError('bad-request', `The batch must be a JSON array of envelopes, or NDJSON with Content-Type application/x-ndjson: ${(err as Error).message}.`);
  }
  if (!Array.isArray(parsed)) throw new HeraldError('bad-request', 'The batch must be a JSON array of envelopes ({payload, message?, key?, headers?, parameters?, idempotencyKey?}).');
  if (!utf8) throw new HeraldError('bad-request', 'The batch is not valid UTF-8, and its payloads could not be told apart to send each one\'s own bytes.');
  // Well-formed after all, in a way the scanner did not follow: send payloads serialized again.
  return parsed.map((value: unknown) => ({ value }));
}

/** A line that is not JSON fails alone. */
function ndjsonItems(reader: Reader, start: number): (Item | HeraldError)[] {
  const { bytes, scanner } = reader;
  const items: (Item | HeraldError)[] = [];
  for (let from = start, line = 1; from < bytes.length; line++) {
    const newline = bytes.indexOf(0x0a, from);
    const to = newline === -1 ? bytes.length : newline;
    const begin = scanner.skipSpace(from, to);
    if (begin < to) {
      const bad = (why: string) => new HeraldError('bad-request', `Line ${line}: ${why}`);
      try {
        // The payload's span is needed before parsing only when the line is not parsed whole.
        const span = () => {
          if (bytes[begin] !== 0x7b) return undefined;
          const o = scanner.object(begin);
          return o.end > 0 && o.end <= to ? o.payload : undefined;
        };
        items.push(parseEnvelope(reader, begin, to, span, bad));
      } catch (err) {
        items.push(new HeraldError('bad-request', `Line ${line} is not JSON: ${(err as Error).message}.`));
      }
    }
    from = to + 1;
  }
  return items;
}

/**
 * One envelope from its bytes. Most are parsed whole. One that is not valid UTF-8 or nests
 * deeper than the limit is parsed without its payload (read as null), which is then sent as
 * its bytes and judged malformed; when the rest of the envelope is itself wrong, or its
 * payload cannot be found, the envelope fails. Throws what JSON.parse throws.
 */
function parseEnvelope(reader: Reader, start: number, end: number, payload: Span | undefined | (() => Span | undefined), bad: (why: string) => HeraldError): Item | HeraldError {
  const { bytes, maxDepth } = reader;
  const utf8 = reader.utf8 || isUtf8(bytes.subarray(start, end));
  // The envelope is one level, its payload the rest.
  const deep = nestingExceeds(bytes.subarray(start, end), maxDepth + 1);
  if (utf8 && !deep) {
    const value: unknown = JSON.parse(bytes.toString('utf8', start, end));
    return { value, payload: typeof payload === 'function' ? payload() : payload };
  }
  const span = typeof payload === 'function' ? payload() : payload;
  const why = utf8 ? `it nests deeper than ${maxDepth} levels (HERALD_MESSAGE_MAX_DEPTH)` : 'it is not valid UTF-8';
  if (!span) return bad(`${why}, and its payload could not be found to judge alone (write the key "payload" without escapes).`);
  const rest = Buffer.concat([bytes.subarray(start, span[0]), Buffer.from('null'), bytes.subarray(span[1], end)]);
  if (!isUtf8(rest)) return bad('it is not valid UTF-8 outside its payload.');
  if (nestingExceeds(rest, maxDepth + 1)) return bad(`it nests deeper than ${maxDepth} levels (HERALD_MESSAGE_MAX_DEPTH) outside its payload.`);
  return { value: JSON.parse(rest.toString('utf8')), payload: span, raw: true };
}

/** `{payload}` is sent as the bytes of that value; `{payloadText}` as exactly these characters (e.g. to send non-JSON). */
function envelope(item: Item, bytes: Buffer, index: number, base: Target): PublishRequest | HeraldError {
  const bad = (why: string) => new HeraldError('bad-request', `Item ${index}: ${why}`);
  const span = item.payload;
  if (!item.value || typeof item.value !== 'object' || Array.isArray(item.value)) return bad('an envelope must be an object with a payload.');
  const e = item.value as Record<string, unknown>;
  const has = (k: string) => Object.hasOwn(e, k);
  for (const k in e) {
    if (!ENVELOPE_KEYS.has(k)) {
      const unknown = Object.keys(e).filter((key) => !ENVELOPE_KEYS.has(key));
      return bad(`unknown field(s) ${unknown.join(', ')}; an envelope has ${[...ENVELOPE_KEYS].join(', ')}.`);
    }
  }
  const hasPayload = has('payload');
  if (hasPayload === has('payloadText')) return bad('give exactly one of payload and payloadText.');
  if (has('payloadText') && typeof e.payloadText !== 'string') return bad('payloadText must be a string.');
  // UTF-8 has no code for half a surrogate pair: the bytes sent would not be these characters.
  if (typeof e.payloadText === 'string' && LONE_SURROGATE.test(e.payloadText)) return bad('payloadText holds an unpaired surrogate (\\ud800-\\udfff), which UTF-8 cannot carry.');
  for (const k of ['message', 'key', 'idempotencyKey'] as const) if (has(k) && typeof e[k] !== 'string') return bad(`${k} must be a string.`);
  for (const k of ['headers', 'parameters'] as const) if (has(k) && (!e[k] || typeof e[k] !== 'object' || Array.isArray(e[k]))) return bad(`${k} must be an object.`);
  const req: PublishRequest = {
    contract: base.contract,
    channel: base.channel,
    parameters: base.parameters,
    body: !hasPayload ? Buffer.from(e.payloadText as string) : span ? bytes.subarray(span[0], span[1]) : Buffer.from(JSON.stringify(e.payload)),
  };
  if (base.version !== undefined) req.version = base.version;
  // Already parsed with the batch: judging need not parse the bytes again.
  if (hasPayload && !item.raw) req.parsed = { value: e.payload };
  if (e.parameters !== undefined) {
    // Without a prototype: parameters named "__proto__" or "constructor" are kept and looked up as given.
    const parameters = Object.assign(Object.create(null) as Record<string, string>, base.parameters);
    for (const [k, v] of Object.entries(e.parameters as Record<string, unknown>)) parameters[k] = String(v);
    req.parameters = parameters;
  }
  if (e.message !== undefined) req.message = e.message as string;
  if (e.key !== undefined) req.key = e.key as string;
  if (e.headers !== undefined) req.headers = e.headers as Record<string, unknown>;
  if (e.idempotencyKey !== undefined) req.idempotencyKey = e.idempotencyKey as string;
  return req;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const PAYLOAD = Buffer.from('payload');

/** An element of the array: where it is, and where its `payload` member's value is. */
type Element = { start: number; end: number; payload: Span | undefined };

/**
 * Finds where elements and members are in JSON bytes without building anything: it skips
 * strings and nesting, and checks only the separators between elements. Whatever it finds in
 * an element holds once JSON.parse has accepted that element; until then it only guards its
 * bounds (-1: the bytes ended, or are not what JSON would have there).
 */
class Scanner {
  constructor(private readonly b: Buffer) {}

  /** The elements of the array starting at `from`, or undefined when the bytes are not an array. */
  elements(from: number): Element[] | undefined {
    const b = this.b;
    const out: Element[] = [];
    let i = this.skipSpace(from);
    if (b[i] !== 0x5b) return undefined;
    i = this.skipSpace(i + 1);
    if (b[i] !== 0x5d) {
      for (;;) {
        const element = b[i] === 0x7b ? this.object(i) : { end: this.skipValue(i), payload: undefined };
        if (element.end < 0) return undefined;
        out.push({ start: i, end: element.end, payload: element.payload });
        i = this.skipSpace(element.end);
        if (b[i] !== 0x2c) break;
        i = this.skipSpace(i + 1);
      }
    }
    return b[i] === 0x5d && this.skipSpace(i + 1) === b.length ? out : undefined;
  }

  /**
   * The end of the object at `from`, and the span of its last `payload` member (the one
   * JSON.parse keeps). Keys written with escapes are not decoded: after one, a `payload`
   * found earlier is forgotten (the escaped key may be "payload" too) and, unless another
   * comes, the envelope's payload is serialized again.
   */
  object(from: number): { end: number; payload: Span | undefined } {
    const b = this.b;
    let payload: Span | undefined;
    let i = this.skipSpace(from + 1);
    if (b[i] === 0x7d) return { end: i + 1, payload };
    for (;;) {
      if (b[i] !== QUOTE) return { end: -1, payload };
      const keyEnd = this.skipString(i);
      if (keyEnd < 0) return { end: -1, payload };
      const colon = this.skipSpace(keyEnd);
      if (b[colon] !== 0x3a) return { end: -1, payload };
      const value = this.skipSpace(colon + 1);
      const end = this.skipValue(value);
      if (end < 0) return { end: -1, payload };
      const key = b.subarray(i + 1, keyEnd - 1);
      if (key.equals(PAYLOAD)) payload = [value, end];
      else if (key.includes(BACKSLASH)) payload = undefined;
      i = this.skipSpace(end);
      if (b[i] === 0x7d) return { end: i + 1, payload };
      if (b[i] !== 0x2c) return { end: -1, payload };
      i = this.skipSpace(i + 1);
    }
  }

  skipSpace(i: number, end = this.b.length): number {
    const b = this.b;
    while (i < end && (b[i] === 0x20 || b[i] === 0x0a || b[i] === 0x0d || b[i] === 0x09)) i++;
    return i;
  }

  /** Past the closing quote of the string opening at i. */
  private skipString(i: number): number {
    const b = this.b;
    for (i++; i < b.length; i++) {
      const c = b[i];
      if (c === QUOTE) return i + 1;
      if (c === BACKSLASH) i++;
    }
    return -1;
  }

  /** Past the value starting at i. */
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
