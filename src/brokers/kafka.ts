/**
 * Kafka through kafkajs. The producer is idempotent with acks from all in-sync replicas, so
 * its own retries (across a broker restart too) never write a message twice. It keeps one
 * request in flight and sends everything that queued up meanwhile as the next batch: under
 * load, single publishes travel in batches; when idle, a message goes out at once.
 *
 * Two kafkajs behaviours would lose acknowledged messages, and are worked around here:
 * - After a batch fails (retries spent, broker gone), kafkajs hands that batch's sequence
 *   numbers to the next batch. If the broker did write the failed one, it takes the next one
 *   of the same size for a duplicate: it acknowledges it and drops it. So after any failure
 *   the producer is replaced: a new producer id starts its own sequence.
 * - On a retry, kafkajs partitions again, and round robin then sends a keyless message to
 *   another partition under the sequence numbers of the first attempt. So a message keeps
 *   the partition it was first given.
 */
import { Kafka, Partitioners, logLevel, type Admin, type Consumer, type ICustomPartitioner, type Message, type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import {
  AmbiguousPublishError,
  PublishTimeoutError,
  TimeoutError,
  UnroutableError,
  withTimeout,
  type Broker,
  type Destination,
  type IncomingMessage,
  type OutgoingMessage,
  type ProvisionItem,
  type ProvisionResult,
  type Subscription,
} from './broker.js';

interface Pending {
  topic: string;
  message: Message;
  /** Epoch ms: still queued then, it is withdrawn. */
  sendBy: number;
  state: 'queued' | 'sent' | 'withdrawn';
  resolve(): void;
  reject(err: Error): void;
}

const MAX_BATCH = 1000;

/** kafkajs's default partitioner, except that a message is never moved once placed. */
const stickyPartitioner: ICustomPartitioner = () => {
  const choose = Partitioners.DefaultPartitioner();
  const placed = new WeakMap<Message, number>();
  return (args) => {
    const earlier = placed.get(args.message);
    if (earlier !== undefined && earlier < args.partitionMetadata.length) return earlier;
    const partition = choose(args);
    placed.set(args.message, partition);
    return partition;
  };
};

export class KafkaBroker implements Broker {
  readonly kind = 'kafka' as const;
  private readonly kafka: Kafka;
  private producer: Producer;
  /** Set when a batch failed: the producer's sequence numbers can no longer be trusted. */
  private producerSpent = false;
  private readonly admin: Admin;
  private readonly consumers = new Set<Consumer>();
  private readonly queue: Pending[] = [];
  private sending = false;
  private pumpScheduled = false;
  /** One timer for the whole queue, set for the earliest deadline, instead of one per message. */
  private sweepTimer?: NodeJS.Timeout;
  private up = false;
  private readonly topics = new Set<string>();
  private ready?: Promise<void>;
  private closed = false;

  constructor(
    brokers: string[],
    private readonly log: Logger,
    clientId = 'herald',
  ) {
    this.kafka = new Kafka({
      clientId,
      brokers,
      logLevel: logLevel.NOTHING,
      // Long enough to ride out a broker restart; the idempotent producer makes retries safe.
      retry: { initialRetryTime: 100, maxRetryTime: 3000, retries: 12 },
      connectionTimeout: 3000,
    });
    this.producer = this.newProducer();
    this.admin = this.kafka.admin();
  }

  private newProducer(): Producer {
    const producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: stickyPartitioner });
    producer.on(producer.events.CONNECT, () => this.state(true));
    producer.on(producer.events.DISCONNECT, () => this.state(false));
    producer.on(producer.events.REQUEST_TIMEOUT, () => this.state(false));
    return producer;
  }

  /** A new producer (and so a new producer id) in place of one whose batch failed; retried until it connects. */
  private async renewProducer(): Promise<void> {
    for (let delay = 200; !this.closed; delay = Math.min(delay * 2, 5000)) {
      const spent = this.producer;
      this.producer = this.newProducer();
      await spent.disconnect().catch(() => {});
      try {
        await this.producer.connect();
        this.producerSpent = false;
        this.log.info('Kafka producer renewed after a failed batch');
        return;
      } catch (err) {
        this.log.warn({ err, retryInMs: delay }, 'Kafka producer could not be renewed; retrying');
        await new Promise((r) => setTimeout(r, delay).unref());
      }
    }
  }

  private state(up: boolean): void {
    if (this.up !== up) this.log.info({ broker: 'kafka', connected: up }, up ? 'Kafka connected' : 'Kafka connection lost');
    this.up = up;
  }

  connected(): boolean {
    return this.up;
  }

  /** Connects, retrying with backoff until it succeeds (or close() is called). */
  connect(): Promise<void> {
    this.ready ??= (async () => {
      for (let delay = 200; !this.closed; delay = Math.min(delay * 2, 5000)) {
        try {
          await this.admin.connect();
          await this.producer.connect();
          this.state(true);
          return;
        } catch (err) {
          if (this.closed) return;
          this.log.warn({ err, retryInMs: delay }, 'Kafka not reachable; retrying');
          // Unref'd: waiting to reconnect must not keep a finished process alive.
          await new Promise((r) => setTimeout(r, delay).unref());
        }
      }
    })();
    return this.ready;
  }

  /** A live check, for readiness: can the broker describe its cluster right now? */
  async ping(timeoutMs: number): Promise<boolean> {
    try {
      await withTimeout(this.connect().then(() => this.admin.describeCluster()), timeoutMs);
      this.state(true);
      return true;
    } catch {
      this.state(false);
      return false;
    }
  }

  async provision(items: ProvisionItem[], deadline: number): Promise<ProvisionResult[]> {
    await this.connect();
    const brokers = (await this.admin.describeCluster()).brokers.length;
    const existing = new Set(await this.admin.listTopics());
    const out: ProvisionResult[] = [];
    for (const item of items) {
      if (item.kind !== 'kafka-topic') continue;
      if (existing.has(item.name)) {
        out.push({ kind: item.kind, name: item.name, status: 'existing' });
      } else {
        // A binding may ask for more replicas than a small (development) cluster has brokers.
        const replicas = Math.min(item.replicationFactor, brokers);
        const created = await this.createTopic(item, replicas, deadline);
        existing.add(item.name);
        const capped = replicas < item.replicationFactor ? `replication factor ${replicas}, not ${item.replicationFactor}: the cluster has ${brokers} broker(s)` : undefined;
        out.push({ kind: item.kind, name: item.name, status: created ? 'created' : 'existing', ...(created && capped ? { detail: capped } : {}) });
      }
      this.topics.add(item.name);
    }
    return out;
  }

  /**
   * Creates one topic; false when another client made it first. A broker that has just
   * started, or is busy, may refuse or time out although nothing is wrong: that is retried
   * until the deadline, and creation is idempotent, so a retry after a late success finds
   * the topic there.
   */
  private async createTopic(item: Extract<ProvisionItem, { kind: 'kafka-topic' }>, replicas: number, deadline: number): Promise<boolean> {
    for (let delay = 250; ; delay = Math.min(delay * 2, 2000)) {
      try {
        // false: the topic exists already (kafkajs absorbs TOPIC_ALREADY_EXISTS).
        return await this.admin.createTopics({
          waitForLeaders: true,
          timeout: Math.max(1000, Math.min(20_000, deadline - Date.now())),
          topics: [{ topic: item.name, numPartitions: item.partitions, replicationFactor: replicas, configEntries: Object.entries(item.config).map(([name, value]) => ({ name, value })) }],
        });
      } catch (err) {
        // A busy controller may answer late although the topic was made: then it is there.
        if (await this.admin.listTopics().then((t) => t.includes(item.name), () => false)) return true;
        if (this.closed || !transient(err) || Date.now() + delay >= deadline) throw err;
        this.log.warn({ err, topic: item.name, retryInMs: delay }, 'Kafka refused to create a topic for now; retrying');
        await new Promise((r) => setTimeout(r, delay).unref());
      }
    }
  }

  /** Topics are created by provisioning only; publishing to a missing one must not create it. */
  private async ensureTopic(topic: string): Promise<void> {
    if (this.topics.has(topic)) return;
    const topics = await this.admin.listTopics();
    topics.forEach((t) => this.topics.add(t));
    if (!this.topics.has(topic)) throw new UnroutableError(`Kafka topic "${topic}" does not exist: provision the contract first (POST /v1/contracts/{name}/provision).`);
  }

  async publish(destination: Destination, message: OutgoingMessage, sendBy: number): Promise<void> {
    if (destination.broker !== 'kafka') throw new Error('not a Kafka destination');
    // After close, kafkajs would open new connections for an admin call: refuse instead.
    if (this.closed) throw new PublishTimeoutError('The Kafka client is closed; the message was not sent.');
    // The common case (connected, topic known) takes no timer and no extra await.
    if (!(this.up && this.topics.has(destination.topic))) {
      await withTimeout(
        this.connect().then(() => this.ensureTopic(destination.topic)),
        Math.max(1, sendBy - Date.now()),
      ).catch((err) => {
        throw err instanceof TimeoutError ? new PublishTimeoutError('Kafka did not answer in time; the message was not sent.') : err;
      });
    }
    const headers = message.contentType ? { ...message.headers, 'content-type': message.contentType } : message.headers;
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ topic: destination.topic, message: { key: message.key ?? null, value: message.value, headers }, sendBy, state: 'queued', resolve, reject });
      this.schedulePump();
      this.scheduleSweep();
    });
  }

  /**
   * Sends on the next turn of the event loop rather than at once, so that messages queued
   * together (a batch, concurrent requests) leave together in one request.
   */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /** Withdraws queued messages past their deadline, so that a retry of them cannot make a duplicate. */
  private scheduleSweep(): void {
    if (this.sweepTimer || this.queue.length === 0) return;
    // Deadlines are one timeout after arrival, so the head of the queue has the earliest.
    const next = this.queue[0]!.sendBy;
    this.sweepTimer = setTimeout(() => {
      this.sweepTimer = undefined;
      const now = Date.now();
      let kept = 0;
      for (const e of this.queue) {
        if (e.state === 'queued' && e.sendBy <= now) {
          e.state = 'withdrawn';
          e.reject(new PublishTimeoutError('Kafka did not take the message in time; it was not sent.'));
        } else this.queue[kept++] = e;
      }
      this.queue.length = kept;
      this.scheduleSweep();
    }, Math.max(1, next - Date.now()));
  }

  private pump(): void {
    if (this.sending || this.queue.length === 0) return;
    if (this.producerSpent) {
      // Messages wait meanwhile; the sweep withdraws those past their deadline.
      this.sending = true;
      void this.renewProducer().finally(() => {
        this.sending = false;
        if (!this.closed) this.pump();
      });
      return;
    }
    const batch = this.queue.splice(0, MAX_BATCH).filter((e) => e.state === 'queued');
    if (batch.length === 0) return this.pump();
    this.sending = true;
    const byTopic = new Map<string, Message[]>();
    for (const e of batch) {
      e.state = 'sent';
      const list = byTopic.get(e.topic);
      if (list) list.push(e.message);
      else byTopic.set(e.topic, [e.message]);
    }
    this.producer
      .sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) })
      .then(
        () => {
          this.state(true);
          for (const e of batch) e.resolve();
        },
        (err: Error & { retriable?: boolean; type?: string }) => {
          this.log.warn({ err, messages: batch.length }, 'Kafka send failed');
          this.producerSpent = true;
          // A protocol error from the broker means it refused the batch; anything else (a lost
          // connection after retries) leaves open whether it was written.
          const refused = err.retriable === false && typeof err.type === 'string' && err.type !== 'UNKNOWN';
          for (const e of batch) {
            e.reject(refused ? new Error(`Kafka refused the message: ${err.message}`) : new AmbiguousPublishError(`Kafka did not acknowledge the message: ${err.message}`));
          }
        },
      )
      .finally(() => {
        this.sending = false;
        this.pump();
      });
  }

  async consume(topic: string, group: string, handler: (message: IncomingMessage) => Promise<void>): Promise<Subscription> {
    const consumer = this.kafka.consumer({ groupId: group, allowAutoTopicCreation: false, retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 5000 } });
    this.consumers.add(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    // kafkajs commits an offset only after eachMessage resolves: at least once.
    await consumer.run({
      eachMessage: async ({ message }) => {
        const headers = Object.create(null) as Record<string, string>;
        for (const [k, v] of Object.entries(message.headers ?? {})) {
          // kafkajs gathers headers into a plain object: a header named `constructor` comes back
          // as [the inherited function, its value], `__proto__` as [Object.prototype, its value].
          // Header values are bytes.
          const values = (Array.isArray(v) ? v : [v]).filter((x) => Buffer.isBuffer(x) || typeof x === 'string');
          if (values.length > 0) headers[k] = String(values[0]);
        }
        await handler({ value: message.value ?? Buffer.alloc(0), ...(message.key ? { key: message.key.toString() } : {}), headers });
      },
    });
    return {
      stop: async () => {
        await consumer.disconnect();
        this.consumers.delete(consumer);
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.sweepTimer);
    for (const c of this.consumers) await c.disconnect().catch(() => {});
    await this.producer.disconnect().catch(() => {});
    await this.admin.disconnect().catch(() => {});
    this.state(false);
  }
}

/**
 * Whether a refusal to create a topic may pass by itself. kafkajs gives up on createTopics at
 * the first error other than NOT_CONTROLLER, so this decides: protocol errors it marks
 * retriable (REQUEST_TIMED_OUT from a busy controller), lost connections and timeouts, and
 * INVALID_REPLICATION_FACTOR, since replicas were capped at the brokers the cluster lists: a
 * broker that has just started, or was fenced for a moment, is listed but cannot take them
 * yet. A refusal of the request itself (bad config, not authorized) does not pass.
 */
function transient(err: unknown): boolean {
  const e = err as { name?: string; type?: string; retriable?: boolean; errors?: unknown[]; cause?: unknown } | undefined;
  if (!e || typeof e !== 'object') return false;
  if (e.name === 'KafkaJSAggregateError') return Array.isArray(e.errors) && e.errors.length > 0 && e.errors.every(transient);
  if (e.name === 'KafkaJSNumberOfRetriesExceeded' || e.name === 'KafkaJSNonRetriableError') return e.cause !== undefined && e.cause !== e && transient(e.cause);
  if (e.retriable === true || e.type === 'INVALID_REPLICATION_FACTOR') return true;
  return ['KafkaJSConnectionError', 'KafkaJSConnectionClosedError', 'KafkaJSRequestTimeoutError', 'KafkaJSTimeout', 'KafkaJSBrokerNotFound', 'KafkaJSNoBrokerAvailableError'].includes(e.name ?? '');
}
