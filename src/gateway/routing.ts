/**
 * The routing table: for each channel of one contract version, which broker, which
 * destination (Kafka topic, or RabbitMQ exchange + routing key / queue), which dead-letter
 * queue, and the compiled validators of its messages, parameters and Kafka key. Pure: the
 * contract in, routes out. Hosts named in the document are never used; only protocols.
 */
import type { ValidateFunction } from 'ajv';
import type { Channel, Contract, JsonSchema, Message } from '../contracts/model.js';
import { isJsonSchemaFormat } from '../contracts/payload-schema.js';
import { runtimeValidator } from '../contracts/validator.js';
import type { BrokerKind, Destination, ProvisionItem } from '../brokers/broker.js';

export interface RouteMessage {
  id: string;
  name?: string;
  contentType?: string;
  /** Absent: the message has no payload schema, any payload goes. */
  payload?: Check;
  headers?: Check;
  /** Declared JSON types of each header, to read headers that arrive as text (relay mode). */
  headerTypes: Record<string, string[]>;
  /** The Kafka key schema from the message's kafka binding. */
  key?: Check;
  /** The key to use when the caller sends none: the key schema's `const` or `default`. */
  defaultKey?: string;
  /** Why the payload is routed unvalidated, when it is (a schema format or content type Herald does not validate). */
  unvalidated?: string;
}

/** A compiled validator, or the reason the schema could not be compiled. */
export type Check = { validate: ValidateFunction } | { error: string };

export interface RouteParameter {
  name: string;
  check: Check;
  default?: string;
  /** Values listed by the schema's enum, for provisioning every destination of the channel. */
  values?: string[];
}

export interface KafkaTopicSettings {
  partitions: number;
  replicas: number;
  config: Record<string, string>;
}

export type RouteTarget =
  | { broker: 'kafka'; topic: string; settings: KafkaTopicSettings }
  | { broker: 'rabbitmq'; is: 'routingKey'; exchange: { name: string; type: string; durable: boolean; autoDelete: boolean }; routingKey: string }
  | { broker: 'rabbitmq'; is: 'queue'; queue: { name: string; durable: boolean; exclusive: boolean; autoDelete: boolean } };

export interface Route {
  contract: string;
  version: number;
  channel: string;
  /** Why Herald cannot route this channel; the other fields are then placeholders. */
  unroutable?: string;
  broker: BrokerKind;
  /** Topic, routing key or queue name; may hold `{parameter}` placeholders. */
  target: RouteTarget;
  parameters: RouteParameter[];
  messages: RouteMessage[];
  /** Where messages that break the contract go: a Kafka topic, or a RabbitMQ queue. */
  dlq: string;
  /** The parameters the destination name needs, in order. */
  placeholders: string[];
  /** The destination, when it needs no parameters: worked out once, not per message. */
  fixed?: Destination;
}

const PROTOCOLS: Record<string, BrokerKind> = {
  kafka: 'kafka',
  'kafka-secure': 'kafka',
  amqp: 'rabbitmq',
  amqps: 'rabbitmq',
  amqp1: 'rabbitmq',
};

const JSON_CONTENT = /^application\/(?:[\w.+-]+\+)?json(?:\s*;.*)?$/i;

export function routingTable(name: string, version: number, contract: Contract): Map<string, Route> {
  const routes = new Map<string, Route>();
  for (const channel of contract.channels) {
    const r = route(name, version, contract, channel);
    r.placeholders = placeholders(destinationTemplate(r));
    if (r.placeholders.length === 0) r.fixed = destinationOf(r, {});
    routes.set(channel.id, r);
  }
  return routes;
}

/**
 * Where each channel's messages travel (broker, topic, exchange or queue), without compiling
 * its messages' validators: for the docs' service map, which shows the gateway's routing.
 */
export function channelTargets(name: string, version: number, contract: Contract): Route[] {
  return contract.channels.map((channel) => route(name, version, contract, channel, false));
}

function route(name: string, version: number, contract: Contract, channel: Channel, withMessages = true): Route {
  const base = {
    contract: name,
    version,
    channel: channel.id,
    parameters: channel.parameters.map(parameter),
    messages: withMessages ? channel.messages.map(routeMessage) : [],
    placeholders: [] as string[],
  };
  const broker = brokerOf(contract, channel);
  const address = channel.address ?? channel.id;
  const dlqOverride = typeof channel.extensions['x-herald-dlq'] === 'string' ? (channel.extensions['x-herald-dlq'] as string) : undefined;
  // The other fields of an unroutable route are placeholders: nothing routes by them.
  const unroutable = (reason: string, kind: BrokerKind): Route => ({
    ...base,
    unroutable: reason,
    broker: kind,
    target: { broker: 'kafka', topic: address, settings: { partitions: 1, replicas: 1, config: {} } },
    dlq: '',
  });
  if (typeof broker !== 'string') return unroutable(broker.reason, 'kafka');
  if (channel.address === null && !channel.bindings.kafka && !channel.bindings.amqp) {
    return unroutable(`Channel "${channel.id}" has no address and no binding that names a destination.`, broker);
  }
  if (broker === 'kafka') {
    const b = channel.bindings.kafka ?? {};
    const topic = typeof b.topic === 'string' ? b.topic : address;
    const settings: KafkaTopicSettings = {
      partitions: positiveInt(b.partitions) ?? 1,
      replicas: positiveInt(b.replicas) ?? 1,
      config: topicConfig(b.topicConfiguration),
    };
    return { ...base, broker, target: { broker, topic, settings }, dlq: dlqOverride ?? `${withoutPlaceholders(topic)}.dlq` };
  }
  const b = channel.bindings.amqp ?? {};
  const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
  if (b.is === 'queue') {
    const q = obj(b.queue);
    const queue = {
      name: typeof q.name === 'string' ? q.name : address,
      durable: q.durable !== false,
      exclusive: q.exclusive === true,
      autoDelete: q.autoDelete === true,
    };
    return { ...base, broker, target: { broker, is: 'queue', queue }, dlq: dlqOverride ?? `${withoutPlaceholders(queue.name)}.dlq` };
  }
  const e = obj(b.exchange);
  const exchange = {
    name: typeof e.name === 'string' ? e.name : '',
    type: typeof e.type === 'string' ? e.type : 'topic',
    durable: e.durable !== false,
    autoDelete: e.autoDelete === true,
  };
  return { ...base, broker, target: { broker, is: 'routingKey', exchange, routingKey: address }, dlq: dlqOverride ?? `${withoutPlaceholders(address)}.dlq` };
}

/** The broker from the protocols of the channel's servers, else from its bindings. */
function brokerOf(contract: Contract, channel: Channel): BrokerKind | { reason: string } {
  const servers = channel.servers.length > 0 ? contract.servers.filter((s) => channel.servers.includes(s.id)) : contract.servers;
  const kinds = new Set(servers.map((s) => PROTOCOLS[s.protocol.toLowerCase()]).filter((k): k is BrokerKind => k !== undefined));
  if (kinds.size === 1) return [...kinds][0]!;
  const bound = new Set<BrokerKind>([...(channel.bindings.kafka ? ['kafka' as const] : []), ...(channel.bindings.amqp ? ['rabbitmq' as const] : [])]);
  if (bound.size === 1 && (kinds.size === 0 || kinds.has([...bound][0]!))) return [...bound][0]!;
  const protocols = [...new Set(servers.map((s) => s.protocol))].join(', ') || 'none';
  return {
    reason:
      kinds.size > 1
        ? `Channel "${channel.id}" is served by both Kafka and RabbitMQ servers; give it a kafka or an amqp binding (not both), or list its servers, so Herald knows where to route it.`
        : `Channel "${channel.id}" has no Kafka or AMQP server (protocols: ${protocols}) and no kafka or amqp binding.`,
  };
}

function routeMessage(m: Message): RouteMessage {
  const out: RouteMessage = { id: m.id, ...(m.name ? { name: m.name } : {}), ...(m.contentType ? { contentType: m.contentType } : {}), headerTypes: headerTypes(m.headers) };
  if (!isJsonSchemaFormat(m.schemaFormat)) out.unvalidated = `the payload schema format is ${m.schemaFormat}`;
  else if (m.contentType && !JSON_CONTENT.test(m.contentType)) out.unvalidated = `the content type is ${m.contentType}`;
  else if (m.payload !== undefined) out.payload = check(m.payload);
  if (m.headers !== undefined) out.headers = check(m.headers);
  const key = m.bindings.kafka?.key;
  if (key !== undefined && (typeof key === 'boolean' || (key && typeof key === 'object'))) out.key = check(key as JsonSchema);
  if (key && typeof key === 'object') {
    const fixed = (key as { const?: unknown; default?: unknown }).const ?? (key as { default?: unknown }).default;
    if (typeof fixed === 'string' || typeof fixed === 'number') out.defaultKey = String(fixed);
  }
  return out;
}

function headerTypes(schema: JsonSchema | undefined): Record<string, string[]> {
  const properties = schema && typeof schema === 'object' ? schema.properties : undefined;
  const out = dictionary<string[]>();
  if (!properties || typeof properties !== 'object') return out;
  for (const [name, s] of Object.entries(properties as Record<string, unknown>)) {
    const type = s && typeof s === 'object' ? (s as { type?: unknown }).type : undefined;
    if (typeof type === 'string') out[name] = [type];
    else if (Array.isArray(type)) out[name] = type.map(String);
  }
  return out;
}

function parameter(p: Channel['parameters'][number]): RouteParameter {
  const s = p.schema && typeof p.schema === 'object' ? p.schema : {};
  const values = Array.isArray(s.enum) && s.enum.every((v) => typeof v === 'string' || typeof v === 'number') ? s.enum.map(String) : undefined;
  return {
    name: p.name,
    check: check(p.schema),
    ...(s.default !== undefined && s.default !== null ? { default: String(s.default) } : {}),
    ...(values ? { values } : {}),
  };
}

function check(schema: JsonSchema): Check {
  const fn = runtimeValidator(schema);
  return fn instanceof Error ? { error: `The schema does not compile: ${fn.message}` } : { validate: fn };
}

/** Kafka topic configuration values are strings; AsyncAPI lists (cleanup.policy) join with commas. */
function topicConfig(raw: unknown): Record<string, string> {
  const out = dictionary<string>();
  if (!raw || typeof raw !== 'object') return out;
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined || v === null) continue;
    out[k] = Array.isArray(v) ? v.map(String).join(',') : String(v);
  }
  return out;
}

function positiveInt(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined;
}

const PLACEHOLDER = /\{([^{}]+)\}/g;

/** A parameterized address has one DLQ for all its values: placeholders become their names. */
function withoutPlaceholders(name: string): string {
  return name.replace(PLACEHOLDER, '$1');
}

export function placeholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

export function substitute(template: string, values: Record<string, string>): string {
  return template.replace(PLACEHOLDER, (_, name: string) => (Object.hasOwn(values, name) ? values[name]! : `{${name}}`));
}

/**
 * An object for keys that come from documents or callers: without a prototype, so that
 * `__proto__`, `constructor` or `toString` are ordinary keys, both to set and to look up.
 */
export function dictionary<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

const KAFKA_PARAMETER = /^[A-Za-z0-9_-]+$/;
// Separators and wildcards of AMQP topic routing, whitespace, control characters, lone surrogates (not UTF-8).
const AMQP_FORBIDDEN = /[.#*\s\p{Cc}\p{Cs}]/u;

/**
 * Why a channel parameter's value cannot go into a destination name of this broker, if it
 * cannot: a value fills one placeholder and must not add levels, words or wildcards to the
 * name. Kafka: only letters, digits, `_` and `-` (topic names allow `.` too, but `.` is the
 * separator of topic hierarchies, and a value must not make `orders.{region}` reach
 * `orders.eu.admin`). RabbitMQ: no `.` (word separator), `#` or `*` (wildcards), whitespace
 * or control characters.
 */
export function parameterValueProblem(broker: BrokerKind, value: string): string | undefined {
  if (value === '') return 'must not be empty';
  if (broker === 'kafka') {
    return KAFKA_PARAMETER.test(value) ? undefined : 'may hold only letters A-Z and a-z, digits, "_" and "-" (in a Kafka topic name, "." would add a level to the topic hierarchy)';
  }
  return AMQP_FORBIDDEN.test(value) ? 'must not hold ".", "#", "*", whitespace or control characters (in a RabbitMQ routing key "." separates words and "#" and "*" are wildcards)' : undefined;
}

/** The template of the destination name: topic, routing key or queue. */
export function destinationTemplate(route: Route): string {
  const t = route.target;
  return t.broker === 'kafka' ? t.topic : t.is === 'queue' ? t.queue.name : t.routingKey;
}

export function destinationOf(route: Route, values: Record<string, string>): Destination {
  const t = route.target;
  if (t.broker === 'kafka') return { broker: 'kafka', topic: substitute(t.topic, values) };
  if (t.is === 'queue') return { broker: 'rabbitmq', exchange: '', routingKey: substitute(t.queue.name, values) };
  return { broker: 'rabbitmq', exchange: t.exchange.name, routingKey: substitute(t.routingKey, values) };
}

/** Dead letters go straight to the DLQ: a topic, or a queue through RabbitMQ's default exchange. */
export function dlqOf(route: Route): Destination {
  return route.broker === 'kafka' ? { broker: 'kafka', topic: route.dlq } : { broker: 'rabbitmq', exchange: '', routingKey: route.dlq };
}

/** A human name for a destination, as answers and DLQ headers show it. */
export function describe(d: Destination): string {
  if (d.broker === 'kafka') return `kafka:${d.topic}`;
  return d.exchange === '' ? `rabbitmq:queue/${d.routingKey}` : `rabbitmq:exchange/${d.exchange}/${d.routingKey}`;
}

/**
 * Every concrete value combination of the channel's parameters, when each lists its values
 * (capped); values that cannot be published to (see parameterValueProblem) are left out.
 */
function parameterValues(route: Route, template: string, cap: number, refused: string[]): Record<string, string>[] | undefined {
  let combos: Record<string, string>[] = [dictionary()];
  for (const name of placeholders(template)) {
    const p = route.parameters.find((x) => x.name === name);
    const listed = p?.values ?? (p?.default !== undefined ? [p.default] : undefined);
    if (!listed) return undefined;
    const values = listed.filter((v) => {
      const problem = parameterValueProblem(route.broker, v);
      if (problem) refused.push(`${name}=${JSON.stringify(v)} ${problem}`);
      return !problem;
    });
    combos = combos.flatMap((c) => values.map((v) => Object.assign(dictionary<string>(), c, { [name]: v })));
    if (combos.length > cap) return undefined;
  }
  return combos;
}

export interface ProvisionPlan {
  items: ProvisionItem[];
  /** Destinations Herald cannot create because a parameter's values are open; the caller creates them. */
  skipped: { channel: string; name: string; reason: string }[];
}

/** What a contract needs on its brokers: destinations as bound, each with its DLQ. */
export function provisionPlan(routes: Iterable<Route>, maxCombinations = 64): ProvisionPlan {
  const items: ProvisionItem[] = [];
  const skipped: ProvisionPlan['skipped'] = [];
  const seen = new Set<string>();
  const add = (item: ProvisionItem) => {
    const id = JSON.stringify([item.kind, 'name' in item ? item.name : [item.exchange, item.queue, item.routingKey]]);
    if (!seen.has(id)) (seen.add(id), items.push(item));
  };
  for (const route of routes) {
    if (route.unroutable) continue;
    const template = destinationTemplate(route);
    const refused: string[] = [];
    const combos = parameterValues(route, template, maxCombinations, refused);
    if (!combos) skipped.push({ channel: route.channel, name: template, reason: 'the address has parameters without a list of values (enum); create these destinations yourself' });
    else if (refused.length > 0) skipped.push({ channel: route.channel, name: template, reason: `values that cannot be published to: ${refused.join('; ')}` });
    const t = route.target;
    if (t.broker === 'kafka') {
      for (const values of combos ?? []) {
        add({ kind: 'kafka-topic', name: substitute(t.topic, values), partitions: t.settings.partitions, replicationFactor: t.settings.replicas, config: t.settings.config });
      }
      add({ kind: 'kafka-topic', name: route.dlq, partitions: t.settings.partitions, replicationFactor: t.settings.replicas, config: {} });
      continue;
    }
    const dlq = { kind: 'amqp-queue' as const, name: route.dlq, durable: true, exclusive: false, autoDelete: false };
    if (t.is === 'routingKey') {
      if (t.exchange.name !== '') add({ kind: 'amqp-exchange', name: t.exchange.name, type: t.exchange.type, durable: t.exchange.durable, autoDelete: t.exchange.autoDelete });
      else {
        // The default exchange routes by queue name: the queue is the destination.
        for (const values of combos ?? []) add({ kind: 'amqp-queue', name: substitute(t.routingKey, values), durable: true, exclusive: false, autoDelete: false });
      }
      add(dlq);
      continue;
    }
    // Consumers that reject a message (nack without requeue) dead-letter it natively into the DLQ.
    const dlx = `${route.dlq.replace(/\.dlq$/, '')}.dlx`;
    add({ kind: 'amqp-exchange', name: dlx, type: 'fanout', durable: true, autoDelete: false });
    add(dlq);
    add({ kind: 'amqp-binding', exchange: dlx, queue: route.dlq, routingKey: '' });
    for (const values of combos ?? []) {
      add({ kind: 'amqp-queue', name: substitute(t.queue.name, values), durable: t.queue.durable, exclusive: t.queue.exclusive, autoDelete: t.queue.autoDelete, deadLetterExchange: dlx });
    }
  }
  return { items, skipped };
}

