// Herald SDK runtime: the types of the channel API and its transports. The kafkajs and
// amqplib objects are described by the few members the runtime uses, so that this package
// depends on neither: a kafkajs Producer or Consumer and an amqplib ConfirmChannel fit.

/** One failing field, named by a JSON pointer into the part it belongs to (the gateway's error shape). */
export interface HeraldRuntimeError {
  in: 'payload' | 'headers' | 'key' | 'parameters' | 'message';
  pointer: string;
  message: string;
  keyword?: string;
  candidate?: string;
}

/**
 * Thrown by a handler: the message goes to the channel's DLQ instead of being delivered again.
 * Known by its name, so that the class of another generated package counts as well.
 */
export declare class HeraldNonRetryableError extends Error {
  constructor(message?: string, options?: { cause?: unknown });
}

/** Channel parameters that cannot make a destination: nothing was sent. */
export declare class HeraldParameterError extends Error {
  readonly errors: HeraldRuntimeError[];
}

/** The gateway did not route the message; with status 422 it is in the channel's DLQ. */
export declare class HeraldPublishError extends Error {
  readonly status: number;
  readonly problem: { type?: string; title?: string; status?: number; detail?: string; [member: string]: unknown } | undefined;
}

/** No reply came within the request's timeout. */
export declare class HeraldTimeoutError extends Error {}

/** A message as a consumer gets it: judged valid against one of the operation's messages. */
export interface HeraldReceived<M extends string, P, H> {
  /** The message's id in its channel. */
  message: M;
  payload: P;
  /** The message's headers (broker headers typed as the contract declares them), without Herald's own. */
  headers: H;
  /** The Kafka record key. */
  key?: string;
  /** The message's correlation id, when the contract says where it travels. */
  correlationId?: string;
  /** Where it was read, e.g. `kafka:orders.placed.v1`. */
  destination: string;
  /** The bytes and headers as the broker delivered them. */
  raw: { value: Uint8Array; headers: Readonly<Record<string, string>> };
}

/** Stops a subscription: no new message is taken, and those in hand are settled first. */
export type HeraldStop = () => Promise<void>;

/** Options every send takes. */
export interface HeraldSendOptions {
  /** The Kafka record key; without it, the key schema's `const` or `default`, if any. */
  key?: string;
  /** Written where the message's `correlationId` says (a header), unless the headers hold it already. */
  correlationId?: string;
  /** Through the gateway: the Idempotency-Key (a fresh one per message otherwise). */
  idempotencyKey?: string;
}

/** Options every subscription takes. */
export interface HeraldReceiveOptions {
  /** Kafka consumer group (required for Kafka, here or in the client's options). */
  groupId?: string;
  /** Kafka: read a new group's topics from the beginning (default false, as kafkajs). */
  fromBeginning?: boolean;
  /** RabbitMQ: unacknowledged messages in hand at once (default 100). */
  prefetch?: number;
  /** RabbitMQ: how long a message whose handler failed waits before it goes back to the queue (default 1000 ms). */
  retryDelayMs?: number;
  /**
   * RabbitMQ, for a channel on a named exchange: the queue to bind (default `<contract>.<operation>`,
   * and `<contract>.<operation>.<routing key>` when the address has parameters).
   */
  queue?: string;
}

export interface HeraldRequestOptions extends HeraldSendOptions {
  /** How long to wait for the reply (default 30,000 ms). */
  timeoutMs?: number;
}

export interface HeraldClientOptions {
  /** The Kafka consumer group of every subscription that names none. */
  groupId?: string;
}

/** Where a message goes. */
export type HeraldDestination = { broker: 'kafka'; topic: string } | { broker: 'rabbitmq'; exchange: string; routingKey: string };

/** A message as the runtime hands it to a transport: judged, encoded, addressed. */
export interface HeraldOutgoing {
  /** The registry's name, and its version number when the package came from the registry (else `info.version`). */
  contract: { name: string; version: string | number };
  channel: { id: string };
  message: { id: string; contentType?: string };
  destination: HeraldDestination;
  parameters: Record<string, string>;
  /** The payload: JSON text, or the caller's bytes or text for a payload the contract does not type as JSON. */
  value: Uint8Array | string;
  /** Broker headers (text). */
  headers: Record<string, string>;
  /** The headers as JSON values, for the gateway. */
  typedHeaders: Record<string, unknown>;
  key?: string;
  correlationId?: string;
  idempotencyKey?: string;
}

/** A message as a transport hands it to the runtime. */
export interface HeraldIncoming {
  value: Uint8Array;
  headers: Record<string, string>;
  key?: string;
  destination: string;
}

export type HeraldSource =
  | { broker: 'kafka'; topic: string | RegExp }
  | { broker: 'rabbitmq'; queue: string; exchange?: string; routingKey?: string };

/** How messages travel. Made by kafkaTransport, amqpTransport or gatewayTransport, or by hand (e.g. in tests). */
export interface HeraldTransport {
  send(message: HeraldOutgoing): Promise<void>;
  deadLetter(dlq: string, message: { value: Uint8Array; headers: Record<string, string>; key?: string }): Promise<void>;
  subscribe(source: HeraldSource, options: HeraldReceiveOptions, deliver: (message: HeraldIncoming) => Promise<void>): Promise<HeraldStop>;
}

/** The parts of a kafkajs Producer the runtime uses. */
export interface KafkaProducerLike {
  sendBatch(batch: {
    acks?: number;
    topicMessages?: { topic: string; messages: { key?: Uint8Array | string | null; value: Uint8Array | string | null; headers?: Record<string, Uint8Array | string | (Uint8Array | string)[] | undefined> }[] }[];
  }): Promise<unknown>;
}

/** The parts of a kafkajs Consumer the runtime uses. */
export interface KafkaConsumerLike {
  connect(): Promise<void>;
  subscribe(subscription: { topics: (string | RegExp)[]; fromBeginning?: boolean }): Promise<void>;
  run(config: {
    eachMessage: (payload: {
      topic: string;
      partition: number;
      message: { key: Uint8Array | null; value: Uint8Array | null; offset: string; headers?: Record<string, Uint8Array | string | (Uint8Array | string)[] | undefined> };
    }) => Promise<void>;
  }): Promise<void>;
  disconnect(): Promise<void>;
}

/** The parts of an amqplib message the runtime reads. */
export interface AmqpMessageLike {
  content: Uint8Array;
  fields: { exchange: string; routingKey: string };
  properties: { headers?: Record<string, unknown> | undefined; messageId?: unknown; correlationId?: unknown };
}

/** The parts of an amqplib ConfirmChannel the runtime uses. */
export interface AmqpConfirmChannelLike {
  publish(exchange: string, routingKey: string, content: Uint8Array, options: Record<string, unknown>, callback: (err: unknown, ok: unknown) => void): boolean;
  on(event: 'return', listener: (message: AmqpMessageLike) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  consume(queue: string, onMessage: (message: AmqpMessageLike | null) => void, options?: { noAck?: boolean }): Promise<{ consumerTag: string }>;
  ack(message: AmqpMessageLike): void;
  nack(message: AmqpMessageLike, allUpTo?: boolean, requeue?: boolean): void;
  cancel(consumerTag: string): Promise<unknown>;
  prefetch(count: number): Promise<unknown>;
  assertQueue(queue: string, options?: { durable?: boolean; exclusive?: boolean; autoDelete?: boolean }): Promise<{ queue: string }>;
  bindQueue(queue: string, source: string, pattern: string): Promise<unknown>;
}

/**
 * Kafka through kafkajs: sends with acks from all in-sync replicas, sends of the same tick as
 * one batch. `consumer(groupId)` makes the Consumer of each subscription.
 */
export declare function kafkaTransport(options: { producer: KafkaProducerLike; consumer?: (groupId: string) => KafkaConsumerLike }): HeraldTransport;

/** RabbitMQ through an amqplib ConfirmChannel: persistent, mandatory, confirmed publishes; acks after the handler. */
export declare function amqpTransport(options: { channel: AmqpConfirmChannelLike }): HeraldTransport;

/**
 * Herald's gateway over HTTP (sending only), retrying a 503 with the same Idempotency-Key. A
 * 502 (the broker's answer was lost) is thrown, not retried: the gateway remembers keys per
 * process, so a retry that reaches another gateway could publish the message twice.
 */
export declare function gatewayTransport(options: {
  /** The gateway's base address, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** A bearer token with write access, when the gateway has an admin token set. */
  token?: string;
  /** A registered version number (default: the latest). */
  version?: number;
  fetch?: (input: string, init: { method: string; headers: Record<string, string>; body: Uint8Array }) => Promise<{ status: number; headers: { get(name: string): string | null }; json(): Promise<unknown>; arrayBuffer(): Promise<ArrayBuffer> }>;
  /** Retries of a 503 (default 3). */
  retries?: number;
}): HeraldTransport;
