/**
 * Judging one message against its channel's route: where it goes (its channel parameters,
 * checked first: a wrong one is the caller's error, answered 400), which message it is, and
 * whether payload, headers and Kafka key hold. Pure: no broker, no clock. The gateway then
 * writes it to the destination or to the DLQ.
 */
import { isUtf8 } from 'node:buffer';
import type { ErrorObject } from 'ajv';
import type { Destination } from '../brokers/broker.js';
import { HeraldError } from '../errors.js';
import { destinationOf, destinationTemplate, parameterValueProblem, type Check, type Route, type RouteMessage } from './routing.js';

export type DeadLetterReason = 'schema' | 'malformed' | 'unknown-message' | 'unroutable';

/** One failing field, named by a JSON pointer into the part it belongs to. */
export interface MessageError {
  in: 'payload' | 'headers' | 'key' | 'parameters' | 'message';
  pointer: string;
  message: string;
  keyword?: string;
  /** The message of the channel this error was found against, when the channel has several. */
  candidate?: string;
}

export interface Incoming {
  body: Buffer;
  /** The body already parsed as JSON, when the caller had to parse it anyway (a batch). */
  parsed?: { value: unknown };
  /** Message id or name, from the Herald-Message header. */
  message?: string;
  key?: string;
  headers?: Record<string, unknown>;
  parameters: Record<string, string>;
  /** What the caller found wrong before judging (relay: a header nested too deep to read): dead-lettered as malformed. */
  malformed?: MessageError;
}

export interface JudgeLimits {
  /** Deepest nesting of arrays and objects in a payload, headers, key or parameter (HERALD_MESSAGE_MAX_DEPTH). */
  maxDepth: number;
}

export const DEFAULT_JUDGE_LIMITS: JudgeLimits = { maxDepth: 128 };

export type Judgement =
  | { ok: true; message: RouteMessage; destination: Destination; key?: string; unvalidated?: string }
  | { ok: false; reason: DeadLetterReason; message?: RouteMessage; errors: MessageError[]; destination: Destination };

/** A channel parameter that cannot make a destination: the request is wrong (400), the message is not judged. */
export class ParameterError extends HeraldError {
  constructor(
    route: Route,
    readonly errors: MessageError[],
  ) {
    const each = errors.map((e) => (e.pointer === '' ? e.message : `${e.pointer.slice(1)}: ${e.message}`));
    super('bad-request', `Wrong channel parameters for "${route.channel}" (address ${destinationTemplate(route)}): ${each.join('; ')}.`, { errors });
  }
}

const KAFKA_TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

/** Throws ParameterError when the channel parameters cannot make a destination. */
export function judge(route: Route, input: Incoming, limits: JudgeLimits = DEFAULT_JUDGE_LIMITS): Judgement {
  const destination = route.fixed ?? resolveDestination(route, input.parameters, limits);
  const fail = (reason: DeadLetterReason, errors: MessageError[], message?: RouteMessage): Judgement => ({ ok: false, reason, errors, destination, ...(message ? { message } : {}) });
  const chosen = chooseCandidates(route, input.message);
  if ('unknown' in chosen) return fail('unknown-message', [chosen.unknown]);
  const candidates = chosen.messages;
  const only = candidates.length === 1 ? candidates[0] : undefined;
  if (input.malformed) return fail('malformed', [input.malformed], only);
  if (input.headers !== undefined && nestedDeeperThan(input.headers, limits.maxDepth)) {
    return fail('malformed', [{ in: 'headers', pointer: '', message: `The headers nest deeper than ${limits.maxDepth} levels (HERALD_MESSAGE_MAX_DEPTH).` }], only);
  }

  let payload: { value: unknown } | { error: string } | undefined;
  const payloadOf = () => (payload ??= readPayload(input, limits.maxDepth));
  const failures: MessageError[] = [];
  let malformed: MessageError | undefined;
  for (const message of candidates) {
    const errors: MessageError[] = [];
    if (message.payload) {
      const p = payloadOf();
      if ('error' in p) {
        malformed = { in: 'payload', pointer: '', message: p.error };
        continue;
      }
      errors.push(...run(message.payload, p.value, 'payload'));
    }
    if (message.headers) errors.push(...run(message.headers, input.headers ?? {}, 'headers'));
    if (message.key && input.key !== undefined) errors.push(...runLoose(message.key, input.key, 'key', limits.maxDepth));
    if (errors.length === 0) {
      const key = input.key ?? message.defaultKey;
      return {
        ok: true,
        message,
        destination,
        ...(key !== undefined ? { key } : {}),
        ...(message.unvalidated ? { unvalidated: message.unvalidated } : {}),
      };
    }
    failures.push(...errors.map((e) => (candidates.length > 1 ? { ...e, candidate: message.id } : e)));
  }
  if (malformed && failures.length === 0) return fail('malformed', [malformed], only);
  return fail('schema', failures, only);
}

function chooseCandidates(route: Route, wanted: string | undefined): { messages: RouteMessage[] } | { unknown: MessageError } {
  if (route.messages.length === 0) return { unknown: { in: 'message', pointer: '', message: `Channel "${route.channel}" declares no messages.` } };
  if (wanted === undefined) return { messages: route.messages };
  const found = route.messages.find((m) => m.id === wanted) ?? route.messages.find((m) => m.name === wanted);
  if (found) return { messages: [found] };
  const known = route.messages.map((m) => m.id).join(', ');
  return { unknown: { in: 'message', pointer: '', message: `Channel "${route.channel}" has no message ${shown(wanted)}; it has: ${known}.` } };
}

/**
 * The destination from the caller's values, else defaults: each value must be legal in a
 * destination name of the broker (see parameterValueProblem) and match its schema, and the
 * name made must be legal. Throws ParameterError naming each wrong parameter and the rule.
 */
export function resolveDestination(route: Route, given: Record<string, string>, limits: JudgeLimits = DEFAULT_JUDGE_LIMITS): Destination {
  const errors: MessageError[] = [];
  const values = Object.create(null) as Record<string, string>;
  for (const name of route.placeholders) {
    const p = route.parameters.find((x) => x.name === name);
    // Own values only: a parameter named "constructor" or "toString" is not Object.prototype's.
    const value = Object.hasOwn(given, name) ? given[name] : p?.default;
    if (typeof value !== 'string') {
      errors.push({ in: 'parameters', pointer: `/${escape(name)}`, message: `is missing; the address ${destinationTemplate(route)} needs it (a query parameter ?${name}=...)` });
      continue;
    }
    const problem = parameterValueProblem(route.broker, value);
    if (problem) errors.push({ in: 'parameters', pointer: `/${escape(name)}`, keyword: 'herald-destination', message: `${shown(value)} ${problem}` });
    if (p) errors.push(...runLoose(p.check, value, 'parameters', limits.maxDepth).map((e) => ({ ...e, pointer: `/${escape(name)}${e.pointer}`, message: `${shown(value)} ${e.message}` })));
    values[name] = value;
  }
  if (errors.length > 0) throw new ParameterError(route, errors);
  const d = destinationOf(route, values);
  const name = d.broker === 'kafka' ? d.topic : d.routingKey;
  const legal = d.broker === 'kafka' ? KAFKA_TOPIC.test(name) : Buffer.byteLength(name) <= 255;
  if (!legal) {
    const what = d.broker === 'kafka' ? 'Kafka topic (at most 249 characters)' : 'RabbitMQ routing key (at most 255 bytes)';
    throw new ParameterError(route, [{ in: 'parameters', pointer: '', keyword: 'herald-destination', message: `the parameters make ${shown(name)}, which is not a legal ${what}` }]);
  }
  return d;
}

/** A caller's value in a message: quoted, escaped, and cut short. */
function shown(value: string): string {
  return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
}

/** The payload as JSON: it must be UTF-8 and nest no deeper than the limit, checked on the bytes before parsing. */
function readPayload(input: Incoming, maxDepth: number): { value: unknown } | { error: string } {
  const body = input.body;
  // JSON text is UTF-8 (RFC 8259); decoding would silently put U+FFFD where the bytes are wrong.
  if (!isUtf8(body)) return { error: `The payload is not valid UTF-8 (first bad byte at offset ${firstInvalidUtf8(body)}).` };
  // Before JSON.parse, which takes seconds on megabytes of brackets, and before validators that recurse.
  if (nestingExceeds(body, maxDepth)) return { error: `The payload nests deeper than ${maxDepth} levels (HERALD_MESSAGE_MAX_DEPTH).` };
  if (input.parsed) return input.parsed;
  try {
    return { value: JSON.parse(body.toString('utf8')) };
  } catch (err) {
    return { error: `The payload is not JSON: ${(err as Error).message}` };
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Whether JSON text nests arrays and objects deeper than `max`, from its bytes alone. Not a
 * JSON check: on text that is not JSON it only counts brackets. Most messages hold fewer
 * brackets than the limit, anywhere, and counting them with the native search settles it
 * (~0.3 µs for the gateway bench's 1 KB message, a twentieth of JSON.parse); only the others
 * are scanned for depth, skipping strings, so that brackets inside them do not count.
 */
export function nestingExceeds(b: Buffer, max: number): boolean {
  if (b.length <= max) return false;
  let brackets = 0;
  for (let i = b.indexOf(0x7b); i >= 0; i = b.indexOf(0x7b, i + 1)) if (++brackets > max) return deeperThan(b, max);
  for (let i = b.indexOf(0x5b); i >= 0; i = b.indexOf(0x5b, i + 1)) if (++brackets > max) return deeperThan(b, max);
  return false;
}

function deeperThan(b: Buffer, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c === QUOTE) {
      // To the closing quote: one not preceded by an odd run of backslashes.
      for (;;) {
        i = b.indexOf(QUOTE, i + 1);
        if (i < 0) return false;
        let k = i - 1;
        while (b[k] === BACKSLASH) k--;
        if ((i - k) % 2 === 1) break;
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}

/** Whether a parsed value nests arrays and objects deeper than `max` (a value of JSON, so no cycles). */
function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  for (let top = stack.pop(); top; top = stack.pop()) {
    const [v, depth] = top;
    if (v === null || typeof v !== 'object') continue;
    if (depth + 1 > max) return true;
    for (const child of Object.values(v)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

/** The offset of the first byte that breaks UTF-8 (overlong forms, surrogates and code points past U+10FFFF included). */
function firstInvalidUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    const [n, lo, hi] = c >= 0xc2 && c <= 0xdf ? [1, 0x80, 0xbf] : c === 0xe0 ? [2, 0xa0, 0xbf] : c === 0xed ? [2, 0x80, 0x9f] : c >= 0xe1 && c <= 0xef ? [2, 0x80, 0xbf] : c === 0xf0 ? [3, 0x90, 0xbf] : c >= 0xf1 && c <= 0xf3 ? [3, 0x80, 0xbf] : c === 0xf4 ? [3, 0x80, 0x8f] : [0, 0, 0];
    if (n === 0) return i;
    // The second byte has the narrower range; the others are plain continuation bytes.
    const second = b[i + 1];
    if (second === undefined || second < lo || second > hi) return i;
    for (let k = 2; k <= n; k++) {
      const next = b[i + k];
      if (next === undefined || next < 0x80 || next > 0xbf) return i;
    }
    i += n + 1;
  }
  return b.length;
}

function run(check: Check, value: unknown, part: MessageError['in']): MessageError[] {
  if ('error' in check) return [{ in: part, pointer: '', message: check.error }];
  let valid: unknown;
  try {
    valid = check.validate(value);
  } catch (err) {
    // A schema that recurses without end ($ref: '#'), or data deep enough to exhaust the stack
    // of a recursive schema: the contract cannot judge this message. Not a broker failure.
    return [{ in: part, pointer: '', keyword: 'herald-validator', message: `The ${part} schema could not be evaluated on this message (${(err as Error).message}): it may recurse without end. Fix the schema in the contract.` }];
  }
  if (valid === true) return [];
  if (valid !== false) return [{ in: part, pointer: '', keyword: '$async', message: `The ${part} schema is asynchronous ($async), which the gateway does not run.` }];
  return (check.validate.errors ?? []).map((e) => toError(e, part));
}

/** Keys and parameters arrive as text: a value that fails as a string is tried again as JSON (e.g. a number). */
function runLoose(check: Check, text: string, part: MessageError['in'], maxDepth: number): MessageError[] {
  const errors = run(check, text, part);
  if (errors.length === 0) return errors;
  if (nestingExceeds(Buffer.from(text), maxDepth)) return errors;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'string' && run(check, parsed, part).length === 0) return [];
  } catch {
    // not JSON: the string verdict stands
  }
  return errors;
}

function toError(e: ErrorObject, part: MessageError['in']): MessageError {
  const params = e.params as Record<string, unknown>;
  // Ajv reports a missing or extra property at the object; name the property itself.
  let pointer = e.instancePath;
  if (e.keyword === 'required' && typeof params.missingProperty === 'string') pointer += `/${escape(params.missingProperty)}`;
  if (e.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') pointer += `/${escape(params.additionalProperty)}`;
  return { in: part, pointer, keyword: e.keyword, message: e.message ?? e.keyword };
}

const escape = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');
