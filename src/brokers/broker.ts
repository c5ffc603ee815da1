/**
 * One interface for both brokers: connect, provision, publish with confirmation, consume,
 * close. Addresses come from Herald's configuration only, never from a document.
 */

export type BrokerKind = 'kafka' | 'rabbitmq';

/** Where a message goes. RabbitMQ's default exchange ('') routes to the queue named by the key. */
export type Destination = { broker: 'kafka'; topic: string } | { broker: 'rabbitmq'; exchange: string; routingKey: string };

export interface OutgoingMessage {
  value: Buffer;
  key?: string;
  headers: Record<string, string>;
  contentType?: string;
}

export interface IncomingMessage {
  value: Buffer;
  key?: string;
  headers: Record<string, string>;
}

export type ProvisionItem =
  | { kind: 'kafka-topic'; name: string; partitions: number; replicationFactor: number; config: Record<string, string> }
  | { kind: 'amqp-exchange'; name: string; type: string; durable: boolean; autoDelete: boolean }
  | { kind: 'amqp-queue'; name: string; durable: boolean; exclusive: boolean; autoDelete: boolean; deadLetterExchange?: string }
  | { kind: 'amqp-binding'; queue: string; exchange: string; routingKey: string };

export interface ProvisionResult {
  kind: ProvisionItem['kind'];
  name: string;
  status: 'created' | 'existing' | 'conflict';
  detail?: string;
}

/** The broker lost the message's connection before acknowledging it: it may or may not be stored. */
export class AmbiguousPublishError extends Error {}
/** The message was not handed to the broker by its deadline; it was withdrawn, so retrying is safe. */
export class PublishTimeoutError extends Error {}
/** A broker call that did not settle in time (see withTimeout). */
export class TimeoutError extends Error {}

/** The promise's outcome, or TimeoutError after `ms`; the timer is cleared either way. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new TimeoutError(`timed out after ${ms} ms`)), ms);
    promise.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e) => (clearTimeout(timer), reject(e)),
    );
  });
}

/** The broker accepted the message but has nowhere to put it (no queue bound, no such topic). */
export class UnroutableError extends Error {}

export interface Subscription {
  stop(): Promise<void>;
}

export interface Broker {
  readonly kind: BrokerKind;
  /** Whether the broker connection is up right now. */
  connected(): boolean;
  /** Waits for the first connection; later losses are recovered in the background. */
  connect(): Promise<void>;
  /** A live check, for readiness: does the broker answer within `timeoutMs`? */
  ping(timeoutMs: number): Promise<boolean>;
  /**
   * Creates what is missing, idempotently. A transient refusal is retried until `deadline`
   * (epoch ms); the caller stops waiting there.
   */
  provision(items: ProvisionItem[], deadline: number): Promise<ProvisionResult[]>;
  /**
   * Resolves once the broker has acknowledged the message (Kafka acks=all; RabbitMQ publisher
   * confirm). A message not handed to the broker by `sendBy` (epoch ms) is withdrawn with
   * PublishTimeoutError; one already sent is followed to its end, however long the broker
   * takes, so callers can tell "not sent" from "outcome unknown".
   */
  publish(destination: Destination, message: OutgoingMessage, sendBy: number): Promise<void>;
  /**
   * Delivers messages from a topic or queue one at a time; a message counts as handled
   * (offset committed, or acked) only after the handler's promise resolves.
   */
  consume(source: string, group: string, handler: (message: IncomingMessage) => Promise<void>): Promise<Subscription>;
  close(): Promise<void>;
}
