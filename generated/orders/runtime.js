// Herald SDK runtime: the typed channel API over an injected transport (kafkajs, amqplib or
// Herald's gateway). Shipped as it is in every generated TypeScript package, beside the
// package's own channel table (channels.js) and validators (validators.js). It imports
// nothing else: kafkajs and amqplib objects are handed in by the application, and no
// connection is ever opened from an address written in the contract.
import { HeraldValidationError } from "./validators.js";

/**
 * Thrown by a handler: the message goes to the channel's DLQ instead of being delivered again.
 * Known by its name, so that the class of another generated package counts as well.
 */
export class HeraldNonRetryableError extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = "HeraldNonRetryableError";
  }
}

/** Channel parameters that cannot make a destination: nothing was sent. */
export class HeraldParameterError extends Error {
  constructor(channel, errors) {
    super(`Wrong channel parameters for "${channel}": ${errors.map((e) => `${e.pointer.slice(1) || "parameters"}: ${e.message}`).join("; ")}`);
    this.name = "HeraldParameterError";
    this.errors = errors;
  }
}

/** The gateway did not route the message (`status`, and the problem it answered); with 422 it is in the DLQ. */
export class HeraldPublishError extends Error {
  constructor(status, problem) {
    super(`The gateway answered ${status}: ${problem?.detail ?? problem?.title ?? "no detail"}`);
    this.name = "HeraldPublishError";
    this.status = status;
    this.problem = problem;
  }
}

/** No reply came within the request's timeout. */
export class HeraldTimeoutError extends Error {
  constructor(message) {
    super(message);
    this.name = "HeraldTimeoutError";
  }
}

/** Recognised by name, so that an error class from another copy of this runtime (another package) counts too. */
const isNonRetryable = (err) => err?.name === "HeraldNonRetryableError";

const KAFKA_PARAMETER = /^[A-Za-z0-9_-]+$/;
const KAFKA_TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;
const AMQP_FORBIDDEN = /[.#*\s\p{Cc}\p{Cs}]/u;
const PLACEHOLDER = /\{([^{}]+)\}/g;
/** Headers Herald writes itself; a consumer does not hand them to the application, nor copy them into a dead letter. */
const OWN_HEADER = /^(?:content-type|herald\..*)$/i;
/** The gateway's defaults: the most bytes of errors in a dead letter's `herald.error`, the deepest nesting of a message, the largest Kafka batch. */
const DLQ_ERROR_MAX_BYTES = 8192;
const MAX_DEPTH = 128;
const MAX_BATCH = 1000;
/** RabbitMQ: messages in hand at once, and the wait before a failed one is handed back, unless the subscription says otherwise. */
const DEFAULT_PREFETCH = 100;
const DEFAULT_RETRY_DELAY_MS = 1000;
const utf8 = new TextEncoder();
// ignoreBOM keeps a byte order mark in the text, where JSON.parse refuses it, as the gateway does.
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * The client of one contract: `send`, `receive` and `request` objects with one function per
 * operation, keyed by the operation's id as the contract writes it.
 */
export function createClient(contract, channels, operations, transport, options = {}) {
  // Null prototypes: an operation may be called `__proto__` or `constructor`.
  const client = { send: Object.create(null), receive: Object.create(null), request: Object.create(null) };
  for (const op of operations) {
    const channel = channels[op.channel];
    const messages = op.messages.map((id) => channel.messages.find((m) => m.id === id));
    if (op.action === "send") {
      client.send[op.id] = (payload, opts = {}) => {
        let out;
        try {
          out = outgoing(contract, channel, op, messages, payload, opts);
        } catch (err) {
          return Promise.reject(err);
        }
        // Called in the same tick as the send, so that a transport can batch what one tick sends.
        return transport.send(out);
      };
      if (op.reply) client.request[op.id] = (payload, opts = {}) => request(contract, channels, channel, op, messages, transport, payload, opts);
    } else {
      client.receive[op.id] = (handler, opts = {}) => subscribe(contract, channel, op, messages, transport, handler, { ...options, ...opts });
    }
  }
  return client;
}

const NONE = Object.freeze(Object.create(null));

/**
 * A message ready for a transport, judged as the gateway would judge it; throws what is wrong,
 * and nothing is sent. The hot path of every send: no copy of what the caller passed.
 */
function outgoing(contract, channel, op, messages, payload, opts) {
  if (channel.unroutable) throw new Error(channel.unroutable);
  const parameters = channel.placeholders.length === 0 ? NONE : resolveParameters(channel, opts.parameters ?? NONE);
  const chosen = opts.message === undefined ? messages : named(messages, opts.message);
  if (chosen.length === 0) throw new Error(`Operation "${op.id}" sends no message "${opts.message}"; it sends ${messages.map((m) => m.id).join(", ")}.`);
  let failure;
  for (const message of chosen) {
    const headers = withCorrelationId(message, opts.headers ?? NONE, opts.correlationId);
    let errors = message.payload ? message.payload(payload, "payload") : [];
    if (message.headers) {
      const more = message.headers(headers, "headers");
      if (more.length > 0) errors = [...errors, ...more];
    }
    if (errors.length > 0) {
      failure ??= new HeraldValidationError(message.model, errors);
      continue;
    }
    const wire = encodeHeaders(headers);
    // The gateway reads which message this is from Herald-Message; a consumer from herald.message.
    if (channel.messages.length > 1) wire["herald.message"] = message.id;
    const out = {
      contract,
      channel,
      message,
      destination: parameters === NONE ? (channel.fixed ??= destinationOf(channel.target, NONE)) : legalDestination(channel, parameters),
      parameters,
      value: encodePayload(message, payload),
      headers: wire,
      typedHeaders: headers,
    };
    const key = opts.key ?? message.defaultKey;
    if (key !== undefined) out.key = key;
    if (opts.idempotencyKey !== undefined) out.idempotencyKey = opts.idempotencyKey;
    if (opts.correlationId !== undefined) out.correlationId = opts.correlationId;
    return out;
  }
  throw failure;
}

/** The message a name means, as the gateway reads Herald-Message: by id first, else by name. */
function named(messages, name) {
  const found = messages.find((m) => m.id === name) ?? messages.find((m) => m.name === name);
  return found ? [found] : [];
}

/** The message's correlation id, where its contract says it travels (a header), unless the caller set it there. */
function withCorrelationId(message, headers, id) {
  const at = message.correlationHeader;
  if (id === undefined || at === undefined || headers[at] !== undefined) return headers;
  return { ...headers, [at]: id };
}

/** JSON text, or the caller's bytes or text for a payload the contract does not type as JSON. */
function encodePayload(message, payload) {
  if (!message.json && (payload instanceof Uint8Array || typeof payload === "string")) return payload;
  return JSON.stringify(payload);
}

/** Bytes a broker client takes: a Buffer over the same memory, or the text's UTF-8. */
function bytes(value) {
  return typeof value === "string" ? Buffer.from(value) : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

/** Broker headers are text: strings as they are, other JSON values as JSON (as the gateway writes them). */
function encodeHeaders(headers) {
  const out = Object.create(null);
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = typeof v === "string" ? v : JSON.stringify(v);
  return out;
}

/**
 * The value of every placeholder of the address: the caller's, else the default; each must be
 * legal in a destination of the broker and one of the schema's `enum` (the gateway's rules).
 * With `open`, a placeholder the caller leaves out stays out instead of failing.
 */
function resolveParameters(channel, given, open = false) {
  const out = Object.create(null);
  const errors = [];
  for (const name of channel.placeholders) {
    const p = channel.parameters.find((x) => x.name === name);
    const value = Object.hasOwn(given, name) ? String(given[name]) : open ? undefined : p?.default;
    const pointer = `/${name.replace(/~/g, "~0").replace(/\//g, "~1")}`;
    if (value === undefined) {
      if (!open) errors.push({ in: "parameters", pointer, message: "is required: the address needs it and it has no default" });
    } else if (value === "") errors.push({ in: "parameters", pointer, message: "must not be empty" });
    else if (p?.values && !p.values.includes(value)) errors.push({ in: "parameters", pointer, message: `must be one of ${p.values.join(", ")}` });
    else if (channel.broker === "kafka" ? !KAFKA_PARAMETER.test(value) : AMQP_FORBIDDEN.test(value)) {
      errors.push({ in: "parameters", pointer, message: channel.broker === "kafka" ? 'may hold only letters, digits, "_" and "-"' : 'must not hold ".", "#", "*", whitespace or control characters' });
    } else out[name] = value;
  }
  if (errors.length > 0) throw new HeraldParameterError(channel.id, errors);
  return out;
}

/** The destination the values make, refused when its name is not one the broker takes (as the gateway refuses it). */
function legalDestination(channel, values) {
  const d = destinationOf(channel.target, values);
  const name = d.broker === "kafka" ? d.topic : d.routingKey;
  if (d.broker === "kafka" ? KAFKA_TOPIC.test(name) : utf8.encode(name).length <= 255) return d;
  const what = d.broker === "kafka" ? "Kafka topic (at most 249 characters)" : "RabbitMQ routing key (at most 255 bytes)";
  throw new HeraldParameterError(channel.id, [{ in: "parameters", pointer: "", message: `the parameters make ${JSON.stringify(name)}, which is not a legal ${what}` }]);
}

function substitute(template, values) {
  return template.replace(PLACEHOLDER, (all, name) => (Object.hasOwn(values, name) ? values[name] : all));
}

/** Where a message goes: a topic, or an exchange and routing key (the default exchange for a queue). */
function destinationOf(target, values) {
  if (target.broker === "kafka") return { broker: "kafka", topic: substitute(target.topic, values) };
  if (target.queue !== undefined) return { broker: "rabbitmq", exchange: "", routingKey: substitute(target.queue, values) };
  return { broker: "rabbitmq", exchange: target.exchange, routingKey: substitute(target.routingKey, values) };
}

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * What a receiving operation consumes: a topic (a pattern of topics when parameters are left
 * open), a queue, or an exchange to bind the application's own queue to. Given values are
 * checked as a send checks them.
 */
function sourceOf(contract, channel, op, opts) {
  const given = opts.parameters ?? NONE;
  const values = resolveParameters(channel, given, true);
  const open = channel.placeholders.filter((name) => !Object.hasOwn(values, name));
  const t = channel.target;
  if (t.broker === "kafka") {
    if (open.length === 0) return { broker: "kafka", topic: legalDestination(channel, resolveParameters(channel, given)).topic };
    // Every topic the address can make: each open parameter is a run of the characters a value may hold.
    const parts = t.topic.split(PLACEHOLDER).map((part, i) => (i % 2 === 0 ? escapeRegExp(part) : Object.hasOwn(values, part) ? escapeRegExp(values[part]) : "[A-Za-z0-9_-]+"));
    return { broker: "kafka", topic: new RegExp(`^${parts.join("")}$`) };
  }
  // A queue, or the default exchange, whose routing key is a queue's name: that queue is consumed.
  if (t.queue !== undefined || t.exchange === "") return { broker: "rabbitmq", queue: legalDestination(channel, resolveParameters(channel, given)).routingKey };
  // An exchange: the application's own queue, bound with the routing key; an open parameter is
  // the word wildcard `*`, which only a topic exchange understands (a fanout ignores the key).
  if (open.length > 0 && t.exchangeType !== "topic" && t.exchangeType !== "fanout") {
    throw new HeraldParameterError(channel.id, open.map((name) => ({ in: "parameters", pointer: `/${name}`, message: `is required to receive from the ${t.exchangeType} exchange "${t.exchange}", which cannot bind a wildcard` })));
  }
  const key = t.routingKey.replace(PLACEHOLDER, (all, name) => (Object.hasOwn(values, name) ? values[name] : "*"));
  // One default queue per binding, so that two subscriptions with other parameters do not share one.
  const queue = opts.queue ?? (channel.placeholders.length > 0 ? `${contract.name}.${op.id}.${key}` : `${contract.name}.${op.id}`);
  return { broker: "rabbitmq", queue, exchange: t.exchange, routingKey: key };
}

/**
 * Consumes an operation's channel: each message is read and judged as the gateway judges it;
 * a valid one goes to the handler, and counts as handled (offset committed, message acked)
 * only once the handler resolves. An invalid one, or one whose handler throws
 * HeraldNonRetryableError, is written to the channel's DLQ with the gateway's herald.*
 * headers and then counts as handled. Any other error leaves it to be delivered again.
 */
async function subscribe(contract, channel, op, messages, transport, handler, opts) {
  if (channel.unroutable) throw new Error(channel.unroutable);
  const source = sourceOf(contract, channel, op, opts);
  return transport.subscribe(source, opts, async (incoming) => {
    const verdict = judge(channel, messages, incoming);
    if (!verdict.ok) return deadLetter(contract, channel, transport, incoming, verdict);
    try {
      await handler(verdict.received);
    } catch (err) {
      if (!isNonRetryable(err)) throw err;
      return deadLetter(contract, channel, transport, incoming, {
        reason: "handler",
        message: verdict.message,
        errors: [{ in: "message", pointer: "", message: `The handler refused the message: ${err.message}` }],
      });
    }
  });
}

/**
 * The message the bytes and headers are, as the gateway's judge decides: the one herald.message
 * names, else the first that validates. The payload is parsed for a message that validates it;
 * one that cannot be read is malformed only when no message holds and none failed its schema.
 */
function judge(channel, messages, incoming) {
  const wanted = incoming.headers["herald.message"];
  const candidates = wanted === undefined ? messages : named(messages, wanted);
  if (candidates.length === 0) {
    return { ok: false, reason: "unknown-message", errors: [{ in: "message", pointer: "", message: `Channel "${channel.id}" has no message "${wanted}" here; it has: ${messages.map((m) => m.id).join(", ")}.` }] };
  }
  const only = candidates.length === 1 ? candidates[0] : undefined;
  let payload;
  const payloadOf = () => (payload ??= readPayload(incoming.value));
  const failures = [];
  let malformed;
  for (const message of candidates) {
    const headers = typedHeaders(message, incoming.headers);
    if (headers === undefined) {
      malformed = { in: "headers", pointer: "", message: `A header nests deeper than ${MAX_DEPTH} levels.` };
      continue;
    }
    let value = incoming.value;
    const errors = [];
    if (message.payload) {
      const p = payloadOf();
      if (p.error !== undefined) {
        malformed = { in: "payload", pointer: "", message: p.error };
        continue;
      }
      value = p.value;
      errors.push(...message.payload(value, "payload"));
    } else if (message.json && payloadOf().error === undefined) {
      // JSON the contract does not constrain: handed over parsed when it parses, as bytes otherwise.
      value = payloadOf().value;
    }
    if (message.headers) errors.push(...message.headers(headers, "headers"));
    if (errors.length === 0) {
      const received = { message: message.id, payload: value, headers, destination: incoming.destination, raw: { value: incoming.value, headers: incoming.headers } };
      if (incoming.key !== undefined) received.key = incoming.key;
      const correlationId = message.correlationHeader !== undefined ? headers[message.correlationHeader] : undefined;
      if (correlationId !== undefined) received.correlationId = String(correlationId);
      return { ok: true, message, received };
    }
    failures.push(...errors.map((e) => (candidates.length > 1 ? { ...e, candidate: message.id } : e)));
  }
  if (malformed && failures.length === 0) return { ok: false, reason: "malformed", message: only, errors: [malformed] };
  return { ok: false, reason: "schema", message: only, errors: failures };
}

/** The payload as JSON: UTF-8, nested no deeper than the gateway allows (checked before parsing), then parsed. */
function readPayload(bytes) {
  let text;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return { error: "The payload is not valid UTF-8." };
  }
  if (nestingExceeds(text, MAX_DEPTH)) return { error: `The payload nests deeper than ${MAX_DEPTH} levels.` };
  try {
    return { value: JSON.parse(text) };
  } catch (err) {
    return { error: `The payload is not JSON: ${err.message}` };
  }
}

/**
 * Whether JSON text nests arrays and objects deeper than `max`, before JSON.parse (slow on
 * megabytes of brackets) and validators (recursive) see it; brackets in strings do not count.
 * The gateway's check (judge.ts), on text instead of bytes.
 */
function nestingExceeds(text, max) {
  if (text.length <= max) return false;
  let brackets = 0;
  for (const open of ["{", "["]) {
    for (let i = text.indexOf(open); i >= 0; i = text.indexOf(open, i + 1)) if (++brackets > max) return deeperThan(text, max);
  }
  return false;
}

function deeperThan(text, max) {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // To the closing quote: one not preceded by an odd run of backslashes.
      for (;;) {
        i = text.indexOf('"', i + 1);
        if (i < 0) return false;
        let k = i - 1;
        while (text.charCodeAt(k) === 0x5c) k--;
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

/**
 * Broker headers are text: a header the message types as other than string is read as JSON
 * (as relay mode does). Undefined when one nests deeper than the gateway allows.
 */
function typedHeaders(message, raw) {
  const out = Object.create(null);
  for (const [name, text] of Object.entries(raw)) {
    if (OWN_HEADER.test(name)) continue;
    out[name] = text;
    const types = Object.hasOwn(message.headerTypes, name) ? message.headerTypes[name] : [];
    if (types.length === 0 || types.includes("string")) continue;
    if (nestingExceeds(text, MAX_DEPTH)) return undefined;
    try {
      out[name] = JSON.parse(text);
    } catch {
      // not JSON: the text is judged
    }
  }
  return out;
}

/** The original bytes and headers, with the herald.* headers the gateway writes, to the channel's DLQ. */
function deadLetter(contract, channel, transport, incoming, why) {
  const headers = Object.create(null);
  for (const [k, v] of Object.entries(incoming.headers)) if (!OWN_HEADER.test(k)) headers[k] = v;
  Object.assign(headers, {
    "herald.error": errorHeader(why.reason, why.errors),
    "herald.contract": contract.name,
    "herald.contract.version": contract.version,
    "herald.channel": channel.id,
    ...(why.message ? { "herald.message": why.message.id } : {}),
    "herald.destination": incoming.destination,
    "herald.received-at": new Date().toISOString(),
  });
  return transport.deadLetter(channel.dlq, { value: incoming.value, headers, ...(incoming.key !== undefined ? { key: incoming.key } : {}) });
}

/** JSON of the reason and errors, errors dropped from the end until it fits (as the gateway does). */
function errorHeader(reason, errors) {
  const all = JSON.stringify({ reason, errors });
  if (utf8.encode(all).length <= DLQ_ERROR_MAX_BYTES) return all;
  let used = utf8.encode(JSON.stringify({ reason, errors: [], truncated: errors.length })).length;
  let n = 0;
  for (const e of errors) {
    const size = utf8.encode(JSON.stringify(e)).length + (n > 0 ? 1 : 0);
    if (used + size > DLQ_ERROR_MAX_BYTES) break;
    used += size;
    n++;
  }
  return JSON.stringify({ reason, errors: errors.slice(0, n), truncated: errors.length - n });
}

/**
 * Request/reply: sends the request with a fresh correlation id (and, when the reply's address
 * travels in a header, the transport's reply queue there), then waits for the reply that
 * carries the same id, judged against the reply's messages.
 */
async function request(contract, channels, channel, op, messages, transport, payload, opts) {
  if (!transport.replies) throw new Error("This transport cannot wait for replies: request/reply needs amqpTransport.");
  const reply = op.reply;
  const correlationId = opts.correlationId ?? globalThis.crypto.randomUUID();
  const replyChannel = reply.channel !== undefined ? channels[reply.channel] : undefined;
  // A reply message outside the reply channel (or of no channel) is taken as any JSON.
  const replyMessages = reply.messages.map((id) => replyChannel?.messages.find((m) => m.id === id) ?? { id, model: id, json: true, headerTypes: {} });
  const queue = await transport.replies();
  const headers = { ...opts.headers };
  if (reply.addressHeader !== undefined) headers[reply.addressHeader] ??= queue.name;
  const out = outgoing(contract, channel, op, messages, payload, { ...opts, headers, correlationId });
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const correlationHeaders = replyMessages.map((m) => m.correlationHeader).filter((h) => h !== undefined);
  const answer = queue.wait(correlationId, correlationHeaders, timeoutMs, (incoming) => {
    const verdict = judge(replyChannel ?? { id: `${op.id} reply` }, replyMessages, incoming);
    if (!verdict.ok) throw new HeraldValidationError(verdict.message?.model ?? "reply", verdict.errors);
    return verdict.received;
  });
  await transport.send(out).catch((err) => {
    queue.cancel(correlationId);
    throw err;
  });
  return answer;
}

// ---- transports ---------------------------------------------------------------------------

/**
 * Kafka through kafkajs: sends with acks from all in-sync replicas; sends issued in the same
 * tick go to the broker as one batch (of at most 1000 messages, as the gateway's). Receiving
 * needs `consumer(groupId)`, which makes a kafkajs Consumer: its offsets are committed only
 * after a handler resolves.
 */
export function kafkaTransport({ producer, consumer }) {
  let pending = [];
  const flush = () => {
    for (let start = 0; start < pending.length; start += MAX_BATCH) send(pending.slice(start, start + MAX_BATCH));
    pending = [];
  };
  const send = (batch) => {
    const byTopic = new Map();
    for (const item of batch) {
      const list = byTopic.get(item.topic) ?? [];
      list.push(item.record);
      byTopic.set(item.topic, list);
    }
    // Through a promise, so that a producer that throws instead of rejecting fails these sends, not the flush.
    Promise.resolve()
      .then(() => producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) }))
      .then(
        () => batch.forEach((item) => item.resolve()),
        (err) => batch.forEach((item) => item.reject(err)),
      );
  };
  const enqueue = (topic, record) =>
    new Promise((resolve, reject) => {
      if (pending.length === 0) queueMicrotask(flush);
      pending.push({ topic, record, resolve, reject });
    });
  // kafkajs takes text values as they are, and writes them as UTF-8.
  const record = (m) => ({ value: typeof m.value === "string" ? m.value : bytes(m.value), headers: m.headers, key: m.key });
  return {
    send(out) {
      if (out.destination.broker !== "kafka") return Promise.reject(new Error(`Channel "${out.channel.id}" is on RabbitMQ, not Kafka.`));
      // As the gateway writes a Kafka record: the content type in a header (out.headers is the runtime's own).
      if (out.message.contentType) out.headers["content-type"] = out.message.contentType;
      return enqueue(out.destination.topic, record(out));
    },
    deadLetter(dlq, message) {
      return enqueue(dlq, record(message));
    },
    async subscribe(source, opts, deliver) {
      if (source.broker !== "kafka") throw new Error("This channel is on RabbitMQ, not Kafka.");
      if (!consumer) throw new Error("kafkaTransport needs `consumer: (groupId) => kafka.consumer({ groupId })` to receive.");
      if (!opts.groupId) throw new Error("Receiving from Kafka needs a groupId.");
      const c = consumer(opts.groupId);
      await c.connect();
      await c.subscribe({ topics: [source.topic], fromBeginning: opts.fromBeginning ?? false });
      await c.run({
        eachMessage: async ({ topic, message }) => {
          const headers = Object.create(null);
          for (const [k, v] of Object.entries(message.headers ?? {})) {
            const values = (Array.isArray(v) ? v : [v]).filter((x) => x instanceof Uint8Array || typeof x === "string");
            if (values.length > 0) headers[k] = String(values[0]);
          }
          const incoming = { value: message.value ?? new Uint8Array(0), headers, destination: `kafka:${topic}`, ...(message.key ? { key: message.key.toString() } : {}) };
          // kafkajs resolves the offset only when this returns: a throw has it delivered again.
          await deliver(incoming);
        },
      });
      return () => c.disconnect();
    },
  };
}

/**
 * RabbitMQ through an amqplib ConfirmChannel: persistent, mandatory publishes, each awaited
 * until the broker confirms it; a message no queue takes is an error, not a silent drop.
 * Receiving acks a message only after its handler resolves, and requeues it otherwise.
 */
export function amqpTransport({ channel }) {
  // Message ids of this transport's publishes awaiting their confirm; a return names one of them.
  const pending = new Set();
  const returned = new Set();
  channel.on("return", (msg) => {
    const id = msg.properties.messageId === undefined ? undefined : String(msg.properties.messageId);
    if (id !== undefined && pending.has(id)) returned.add(id);
  });
  let replies;
  channel.on("close", () => {
    // The reply queue was exclusive to the channel: it is gone, and so is every reply still due.
    const closing = replies;
    replies = undefined;
    closing?.then((queue) => queue.fail(new Error("The AMQP channel closed before the reply came.")), () => {});
  });
  const publish = (exchange, routingKey, value, headers, extra = {}) =>
    new Promise((resolve, reject) => {
      const id = globalThis.crypto.randomUUID();
      pending.add(id);
      channel.publish(exchange, routingKey, bytes(value), { persistent: true, mandatory: true, messageId: id, headers, ...extra }, (err) => {
        // A return, if any, arrives before the confirm of the same message.
        pending.delete(id);
        const wasReturned = returned.delete(id);
        if (err) reject(err instanceof Error ? err : new Error(String(err)));
        else if (wasReturned) reject(new Error(`No queue takes messages sent to ${exchange ? `exchange "${exchange}" with routing key "${routingKey}"` : `queue "${routingKey}"`}.`));
        else resolve();
      });
    });
  return {
    send(out) {
      if (out.destination.broker !== "rabbitmq") return Promise.reject(new Error(`Channel "${out.channel.id}" is on Kafka, not RabbitMQ.`));
      const extra = { ...(out.message.contentType ? { contentType: out.message.contentType } : {}), ...(out.correlationId !== undefined ? { correlationId: out.correlationId } : {}) };
      return publish(out.destination.exchange, out.destination.routingKey, out.value, out.headers, extra);
    },
    deadLetter(dlq, message) {
      return publish("", dlq, message.value, message.headers);
    },
    async subscribe(source, opts, deliver) {
      if (source.broker !== "rabbitmq") throw new Error("This channel is on Kafka, not RabbitMQ.");
      if (source.exchange !== undefined) {
        await channel.assertQueue(source.queue, { durable: true });
        await channel.bindQueue(source.queue, source.exchange, source.routingKey);
      }
      await channel.prefetch(opts.prefetch ?? DEFAULT_PREFETCH);
      const retryDelayMs = opts.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
      const where = source.exchange !== undefined ? `rabbitmq:exchange/${source.exchange}/${source.routingKey}` : `rabbitmq:queue/${source.queue}`;
      const inFlight = new Set();
      const { consumerTag } = await channel.consume(source.queue, (msg) => {
        if (!msg) return;
        const headers = amqpHeaders(msg);
        const destination = msg.fields.exchange ? `rabbitmq:exchange/${msg.fields.exchange}/${msg.fields.routingKey}` : where;
        // A failed message goes back to the queue after a pause, not at once: RabbitMQ would hand it
        // straight back, and a handler that fails for a while (a database down) would spin.
        const handling = deliver({ value: msg.content, headers, destination }).then(
          () => channel.ack(msg),
          () => new Promise((r) => setTimeout(r, retryDelayMs)).then(() => channel.nack(msg, false, true)),
        );
        const settled = handling.catch(() => {}).finally(() => inFlight.delete(settled));
        inFlight.add(settled);
      });
      return async () => {
        await channel.cancel(consumerTag);
        await Promise.all([...inFlight]);
      };
    },
    /** One exclusive, server-named queue per transport, for the replies to its requests; made again after a failure or a closed channel. */
    replies() {
      replies ??= (async () => {
        const { queue } = await channel.assertQueue("", { exclusive: true, autoDelete: true, durable: false });
        const waiting = new Map();
        // Where replies carry their correlation id: the headers the contract names, else AMQP's own property.
        const names = new Set();
        await channel.consume(
          queue,
          (msg) => {
            if (!msg) return;
            const headers = amqpHeaders(msg);
            const ids = [...names].map((n) => headers[n]);
            if (msg.properties.correlationId !== undefined) ids.push(String(msg.properties.correlationId));
            const id = ids.find((i) => i !== undefined && waiting.has(i));
            // A reply nobody waits for (timed out, or not ours) is dropped: the queue is this transport's own.
            if (id !== undefined) waiting.get(id).settle({ value: msg.content, headers, destination: `rabbitmq:queue/${queue}` });
          },
          { noAck: true },
        );
        return {
          name: queue,
          wait(correlationId, headerNames, timeoutMs, read) {
            // A second request with the same id would take the first one's reply: thrown before it is sent.
            if (waiting.has(correlationId)) throw new Error(`A request with correlation id ${correlationId} is already waiting for its reply.`);
            headerNames.forEach((n) => names.add(n));
            return new Promise((resolve, reject) => {
              const timer = setTimeout(() => {
                waiting.delete(correlationId);
                reject(new HeraldTimeoutError(`No reply with correlation id ${correlationId} within ${timeoutMs} ms.`));
              }, timeoutMs);
              waiting.set(correlationId, {
                settle: (incoming) => {
                  clearTimeout(timer);
                  waiting.delete(correlationId);
                  try {
                    resolve(read(incoming));
                  } catch (err) {
                    reject(err);
                  }
                },
                cancel: () => clearTimeout(timer),
                fail: (err) => {
                  clearTimeout(timer);
                  waiting.delete(correlationId);
                  reject(err);
                },
              });
            });
          },
          fail(err) {
            for (const w of [...waiting.values()]) w.fail(err);
          },
          cancel(correlationId) {
            waiting.get(correlationId)?.cancel();
            waiting.delete(correlationId);
          },
        };
      })();
      const made = replies;
      made.catch(() => {
        if (replies === made) replies = undefined;
      });
      return made;
    },
  };
}

/** An AMQP message's headers as text, as the gateway's consumer reads them. */
function amqpHeaders(msg) {
  const headers = Object.create(null);
  for (const [k, v] of Object.entries(msg.properties.headers ?? {})) headers[k] = v instanceof Uint8Array ? Buffer.from(v).toString() : String(v);
  return headers;
}

/**
 * Herald's gateway over HTTP: POST /v1/publish/{contract}/{channel}, with an Idempotency-Key
 * (the caller's, else a fresh one per message), retried with the same key while the gateway
 * answers 503 (it did not publish). A 502 is not retried: the gateway does not know whether
 * the broker took the message, and it remembers keys per process, so a retry that reaches
 * another gateway could publish it twice. Sending only.
 */
export function gatewayTransport({ url, token, version, fetch: fetchImpl = globalThis.fetch, retries = 3 }) {
  const base = url.endsWith("/") ? url.slice(0, -1) : url;
  return {
    async send(out) {
      const query = new URLSearchParams(Object.entries(out.parameters));
      if (version !== undefined) query.set("version", String(version));
      const target = `${base}/v1/publish/${encodeURIComponent(out.contract.name)}/${encodeURIComponent(out.channel.id)}${query.size > 0 ? `?${query}` : ""}`;
      const headers = {
        "content-type": out.message.contentType ?? "application/json",
        "idempotency-key": out.idempotencyKey ?? globalThis.crypto.randomUUID(),
        "herald-message": out.message.id,
        ...(out.key !== undefined ? { "herald-key": out.key } : {}),
        ...(Object.keys(out.typedHeaders).length > 0 ? { "herald-headers": asciiJson(out.typedHeaders) } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      };
      for (let attempt = 0; ; attempt++) {
        const res = await fetchImpl(target, { method: "POST", headers, body: out.value });
        if (res.status === 202) {
          await res.arrayBuffer();
          return;
        }
        const problem = await res.json().catch(() => undefined);
        if (res.status === 503 && attempt < retries) {
          const after = Number(res.headers.get("retry-after"));
          await new Promise((r) => setTimeout(r, Math.min(Number.isFinite(after) && after > 0 ? after * 1000 : 200 * 2 ** attempt, 5000)));
          continue;
        }
        throw new HeraldPublishError(res.status, problem);
      }
    },
    deadLetter() {
      throw new Error("The gateway transport only sends.");
    },
    subscribe() {
      throw new Error("The gateway transport only sends: receive with kafkaTransport or amqpTransport.");
    },
  };
}

/** JSON in an HTTP header: fetch takes only Latin-1 there, so everything past ASCII is written as \uXXXX. */
function asciiJson(value) {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
