/**
 * Judging one message against its channel's route: which message it is, whether payload,
 * headers, Kafka key and channel parameters hold, and where it goes. Pure: no broker, no
 * clock. The gateway then writes it to the destination or to the DLQ.
 */
import type { ErrorObject } from 'ajv';
import type { Destination } from '../brokers/broker.js';
import { destinationOf, destinationTemplate, type Check, type Route, type RouteMessage } from './routing.js';

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
}

export type Judgement =
  | { ok: true; message: RouteMessage; destination: Destination; key?: string; unvalidated?: string }
  | { ok: false; reason: DeadLetterReason; message?: RouteMessage; errors: MessageError[] };

const KAFKA_TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

export function judge(route: Route, input: Incoming): Judgement {
  const candidates = chooseCandidates(route, input.message);
  if (!Array.isArray(candidates)) return candidates;

  const parameterErrors: MessageError[] = [];
  const destination = route.fixed ?? destinationFrom(route, input.parameters, parameterErrors);
  let parsed: { value: unknown } | { error: string } | undefined = input.parsed;
  const payloadOf = () => (parsed ??= parseJson(input.body));

  const failures: MessageError[] = [];
  let malformed: MessageError | undefined;
  for (const message of candidates) {
    const errors: MessageError[] = [];
    if (message.payload) {
      const p = payloadOf();
      if ('error' in p) {
        malformed = { in: 'payload', pointer: '', message: `The payload is not JSON: ${p.error}` };
        continue;
      }
      errors.push(...run(message.payload, p.value, 'payload'));
    }
    if (message.headers) errors.push(...run(message.headers, input.headers ?? {}, 'headers'));
    if (message.key && input.key !== undefined) errors.push(...runLoose(message.key, input.key, 'key'));
    if (errors.length === 0) {
      if (parameterErrors.length > 0) return { ok: false, reason: 'schema', message, errors: parameterErrors };
      const key = input.key ?? message.defaultKey;
      return {
        ok: true,
        message,
        destination: destination!,
        ...(key !== undefined ? { key } : {}),
        ...(message.unvalidated ? { unvalidated: message.unvalidated } : {}),
      };
    }
    failures.push(...errors.map((e) => (candidates.length > 1 ? { ...e, candidate: message.id } : e)));
  }
  if (malformed && failures.length === 0) return { ok: false, reason: 'malformed', ...(candidates.length === 1 ? { message: candidates[0]! } : {}), errors: [malformed] };
  return { ok: false, reason: 'schema', ...(candidates.length === 1 ? { message: candidates[0]! } : {}), errors: [...failures, ...parameterErrors] };
}

function chooseCandidates(route: Route, wanted: string | undefined): RouteMessage[] | Judgement {
  if (route.messages.length === 0) {
    return { ok: false, reason: 'unknown-message', errors: [{ in: 'message', pointer: '', message: `Channel "${route.channel}" declares no messages.` }] };
  }
  if (wanted === undefined) return route.messages;
  const found = route.messages.find((m) => m.id === wanted) ?? route.messages.find((m) => m.name === wanted);
  if (found) return [found];
  const known = route.messages.map((m) => m.id).join(', ');
  return { ok: false, reason: 'unknown-message', errors: [{ in: 'message', pointer: '', message: `Channel "${route.channel}" has no message "${wanted}"; it has: ${known}.` }] };
}

/**
 * The destination from caller values, then defaults, each checked against its schema; the
 * resolved name must be a legal destination. Undefined when `errors` got any.
 */
function destinationFrom(route: Route, given: Record<string, string>, errors: MessageError[]): Destination | undefined {
  const values: Record<string, string> = {};
  for (const name of route.placeholders) {
    const p = route.parameters.find((x) => x.name === name);
    const value = given[name] ?? p?.default;
    if (value === undefined) {
      errors.push({ in: 'parameters', pointer: `/${name}`, message: `Channel parameter "${name}" is missing; the address ${destinationTemplate(route)} needs it.` });
      continue;
    }
    if (p) errors.push(...runLoose(p.check, value, 'parameters').map((e) => ({ ...e, pointer: `/${name}${e.pointer}` })));
    values[name] = value;
  }
  if (errors.length > 0) return undefined;
  const d = destinationOf(route, values);
  const name = d.broker === 'kafka' ? d.topic : d.routingKey;
  const legal = d.broker === 'kafka' ? KAFKA_TOPIC.test(name) : Buffer.byteLength(name) <= 255;
  if (!legal) {
    errors.push({ in: 'parameters', pointer: '', message: `The parameters make "${name}", which is not a legal ${d.broker === 'kafka' ? 'Kafka topic' : 'RabbitMQ routing key'}.` });
    return undefined;
  }
  return d;
}

function parseJson(body: Buffer): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(body.toString('utf8')) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

function run(check: Check, value: unknown, part: MessageError['in']): MessageError[] {
  if ('error' in check) return [{ in: part, pointer: '', message: check.error }];
  if (check.validate(value)) return [];
  return (check.validate.errors ?? []).map((e) => toError(e, part));
}

/** Keys and parameters arrive as text: a value that fails as a string is tried again as JSON (e.g. a number). */
function runLoose(check: Check, text: string, part: MessageError['in']): MessageError[] {
  const errors = run(check, text, part);
  if (errors.length === 0) return errors;
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
