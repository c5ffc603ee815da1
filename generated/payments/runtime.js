// Herald SDK runtime: the typed channel API over an injected transport (kafkajs, amqplib or
// Herald's gateway). Shipped as it is in every generated TypeScript package, beside the
// package's own channel table (channels.js) and validators (validators.js). It imports
// nothing else: kafkajs and amqplib objects are handed in by the application, and no
// connection is ever opened from an address written in the contract.
import { HeraldValidationError } from "./validators.js";

/** Thrown by a handler: the message goes to the channel's DLQ instead of being delivered again. */
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

const KAFKA_PARAMETER = /^[A-Za-z0-9_-]+$/;
const AMQP_FORBIDDEN = /[.#*\s\p{Cc}\p{Cs}]/u;
const PLACEHOLDER = /\{([^{}]+)\}/g;
/** Headers Herald writes itself; a consumer does not hand them to the application. */
const OWN_HEADER = /^(?:content-type|herald\..*)$/i;
/** The most bytes of errors a dead letter's `herald.error` header carries, as the gateway's default. */
const DLQ_ERROR_MAX_BYTES = 8192;
const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The client of one contract: `send`, `receive` and `request` objects with one function per
 * operation, keyed by the operation's id as the contract writes it.
 */
export function createClient(contract, channels, operations, transport, options = {}) {
  const client = { send: {}, receive: {}, request: {} };
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
  const parameters = channel.parameters.length === 0 ? NONE : resolveParameters(channel, opts.parameters ?? NONE);
  const chosen = opts.message === undefined ? messages : messages.filter((m) => m.id === opts.message || m.name === opts.message);
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
      destination: parameters === NONE ? (channel.fixed ??= destinationOf(channel.target, NONE)) : destinationOf(channel.target, parameters),
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

/** The caller's values, else defaults; each must be legal in a destination of the broker (the gateway's rule). */
function resolveParameters(channel, given) {
  const out = Object.create(null);
  const errors = [];
  for (const p of channel.parameters) {
    const value = Object.hasOwn(given, p.name) ? String(given[p.name]) : p.default;
    const pointer = `/${p.name}`;
    if (value === undefined) errors.push({ in: "parameters", pointer, message: "is required: the address needs it and it has no default" });
    else if (value === "") errors.push({ in: "parameters", pointer, message: "must not be empty" });
    else if (p.values && !p.values.includes(value)) errors.push({ in: "parameters", pointer, message: `must be one of ${p.values.join(", ")}` });
    else if (channel.broker === "kafka" ? !KAFKA_PARAMETER.test(value) : AMQP_FORBIDDEN.test(value)) {
      errors.push({ in: "parameters", pointer, message: channel.broker === "kafka" ? 'may hold only letters, digits, "_" and "-"' : 'must not hold ".", "#", "*", whitespace or control characters' });
    } else out[p.name] = value;
  }
  if (errors.length > 0) throw new HeraldParameterError(channel.id, errors);
  return out;
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

/** What a receiving operation consumes: a topic (a pattern when parameters are left open), or a queue. */
function sourceOf(contract, channel, op, opts) {
  const given = opts.parameters ?? {};
  const t = channel.target;
  if (t.broker === "kafka") {
    const open = [...t.topic.matchAll(PLACEHOLDER)].some((m) => !Object.hasOwn(given, m[1]));
    if (!open) return { broker: "kafka", topic: destinationOf(t, resolveParameters(channel, given)).topic };
    // Every topic the address can make: each open parameter is a run of the characters a value may hold.
    const parts = t.topic.split(PLACEHOLDER).map((part, i) => (i % 2 === 0 ? part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") : Object.hasOwn(given, part) ? given[part] : "[A-Za-z0-9_-]+"));
    return { broker: "kafka", topic: new RegExp(`^${parts.join("")}$`) };
  }
  if (t.queue !== undefined) return { broker: "rabbitmq", queue: destinationOf(t, resolveParameters(channel, given)).routingKey };
  // An exchange: the application's own queue, bound with the routing key (open parameters as `*`).
  const key = t.routingKey.replace(PLACEHOLDER, (all, name) => (Object.hasOwn(given, name) ? String(given[name]) : "*"));
  return { broker: "rabbitmq", queue: opts.queue ?? `${contract.name}.${op.id}`, exchange: t.exchange, routingKey: key };
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
      if (!(err instanceof HeraldNonRetryableError)) throw err;
      return deadLetter(contract, channel, transport, incoming, {
        reason: "handler",
        message: verdict.message,
        errors: [{ in: "message", pointer: "", message: `The handler refused the message: ${err.message}` }],
      });
    }
  });
}

/** The message the bytes and headers are, as the gateway's judge decides: named by herald.message, else the first that validates. */
function judge(channel, messages, incoming) {
  const wanted = incoming.headers["herald.message"];
  const candidates = wanted === undefined ? messages : messages.filter((m) => m.id === wanted || m.name === wanted);
  if (candidates.length === 0) {
    return { ok: false, reason: "unknown-message", errors: [{ in: "message", pointer: "", message: `Channel "${channel.id}" has no message "${wanted}" here; it has: ${messages.map((m) => m.id).join(", ")}.` }] };
  }
  const only = candidates.length === 1 ? candidates[0] : undefined;
  let payload;
  const failures = [];
  for (const message of candidates) {
    if (payload === undefined && message.json) {
      try {
        payload = { value: JSON.parse(strictUtf8.decode(incoming.value)) };
      } catch (err) {
        return { ok: false, reason: "malformed", message: only, errors: [{ in: "payload", pointer: "", message: `The payload is not UTF-8 JSON: ${err.message}` }] };
      }
    }
    const headers = typedHeaders(message, incoming.headers);
    const value = message.json ? payload.value : incoming.value;
    const errors = [...(message.payload ? message.payload(value, "payload") : []), ...(message.headers ? message.headers(headers, "headers") : [])];
    if (errors.length === 0) {
      const received = { message: message.id, payload: value, headers, destination: incoming.destination, raw: { value: incoming.value, headers: incoming.headers } };
      if (incoming.key !== undefined) received.key = incoming.key;
      const correlationId = message.correlationHeader !== undefined ? headers[message.correlationHeader] : undefined;
      if (correlationId !== undefined) received.correlationId = String(correlationId);
      return { ok: true, message, received };
    }
    failures.push(...errors.map((e) => (candidates.length > 1 ? { ...e, candidate: message.id } : e)));
  }
  return { ok: false, reason: "schema", message: only, errors: failures };
}

/** Broker headers are text: a header the message types as other than string is read as JSON (as relay mode does). */
function typedHeaders(message, raw) {
  const out = Object.create(null);
  for (const [name, text] of Object.entries(raw)) {
    if (OWN_HEADER.test(name)) continue;
    out[name] = text;
    const types = Object.hasOwn(message.headerTypes, name) ? message.headerTypes[name] : [];
    if (types.length === 0 || types.includes("string")) continue;
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
  for (const [k, v] of Object.entries(incoming.headers)) if (!/^herald\./i.test(k)) headers[k] = v;
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
 * tick go to the broker as one batch. Receiving needs `consumer(groupId)`, which makes a
 * kafkajs Consumer: its offsets are committed only after a handler resolves.
 */
export function kafkaTransport({ producer, consumer }) {
  let pending = [];
  const flush = () => {
    const batch = pending;
    pending = [];
    const byTopic = new Map();
    for (const item of batch) {
      const list = byTopic.get(item.topic) ?? [];
      list.push(item.record);
      byTopic.set(item.topic, list);
    }
    producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) }).then(
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
  const returned = new Set();
  channel.on("return", (msg) => {
    if (msg.properties.messageId) returned.add(String(msg.properties.messageId));
  });
  const publish = (exchange, routingKey, value, headers, extra = {}) =>
    new Promise((resolve, reject) => {
      const id = globalThis.crypto.randomUUID();
      channel.publish(exchange, routingKey, bytes(value), { persistent: true, mandatory: true, messageId: id, headers, ...extra }, (err) => {
        // A return, if any, arrives before the confirm of the same message.
        const wasReturned = returned.delete(id);
        if (err) reject(err instanceof Error ? err : new Error(String(err)));
        else if (wasReturned) reject(new Error(`No queue takes messages sent to ${exchange ? `exchange "${exchange}" with routing key "${routingKey}"` : `queue "${routingKey}"`}.`));
        else resolve();
      });
    });
  let replies;
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
      if (opts.prefetch !== undefined) await channel.prefetch(opts.prefetch);
      const where = source.exchange !== undefined ? `rabbitmq:exchange/${source.exchange}/${source.routingKey}` : `rabbitmq:queue/${source.queue}`;
      const inFlight = new Set();
      const { consumerTag } = await channel.consume(source.queue, (msg) => {
        if (!msg) return;
        const headers = amqpHeaders(msg);
        const destination = msg.fields.exchange ? `rabbitmq:exchange/${msg.fields.exchange}/${msg.fields.routingKey}` : where;
        const handling = deliver({ value: msg.content, headers, destination }).then(
          () => channel.ack(msg),
          () => channel.nack(msg, false, true),
        );
        const settled = handling.catch(() => {}).finally(() => inFlight.delete(settled));
        inFlight.add(settled);
      });
      return async () => {
        await channel.cancel(consumerTag);
        await Promise.all([...inFlight]);
      };
    },
    /** One exclusive, server-named queue per transport, for the replies to its requests. */
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
              });
            });
          },
          cancel(correlationId) {
            waiting.get(correlationId)?.cancel();
            waiting.delete(correlationId);
          },
        };
      })();
      return replies;
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
 * answers 503 or 502, so a retry never publishes twice. Sending only.
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
        ...(Object.keys(out.typedHeaders).length > 0 ? { "herald-headers": JSON.stringify(out.typedHeaders) } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      };
      for (let attempt = 0; ; attempt++) {
        const res = await fetchImpl(target, { method: "POST", headers, body: out.value });
        if (res.status === 202) {
          await res.arrayBuffer();
          return;
        }
        const problem = await res.json().catch(() => undefined);
        if ((res.status === 503 || res.status === 502) && attempt < retries) {
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
