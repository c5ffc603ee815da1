/**
 * RabbitMQ through amqplib, with its connection recovery (exponential backoff) and a
 * confirm channel: a publish resolves on the broker's confirm. Messages are persistent and
 * mandatory, so a message no queue takes is reported rather than silently dropped.
 */
import { randomUUID } from 'node:crypto';
import amqp, { type Channel, type ConfirmChannel, type ConsumeMessage, type RecoveringChannelModel } from 'amqplib';
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

export class RabbitBroker implements Broker {
  readonly kind = 'rabbitmq' as const;
  private connection?: RecoveringChannelModel;
  private opening?: Promise<RecoveringChannelModel>;
  private closed = false;
  private channel?: Promise<ConfirmChannel>;
  private up = false;
  /** Messages the broker returned as unroutable, by message id, until their confirm arrives. */
  private readonly returned = new Set<string>();
  private readonly subscriptions = new Set<Subscription>();

  constructor(
    private readonly url: string,
    private readonly log: Logger,
  ) {}

  connected(): boolean {
    return this.up;
  }

  /** Connects in the background, retrying with backoff for ever; resolves once connected. */
  async connect(): Promise<void> {
    this.opening ??= amqp
      .connect(this.url, { recovery: { initialDelay: 100, maxDelay: 5000, maxRetries: Infinity, waitForConnect: false } })
      .then((connection) => {
        connection.on('connect', () => this.state(true));
        connection.on('disconnect', (err: Error) => {
          this.state(false, err);
          this.channel = undefined;
        });
        connection.on('error', (err: Error) => this.log.warn({ err }, 'RabbitMQ connection error'));
        this.connection = connection;
        return connection;
      });
    await (await this.opening).waitForConnect();
    this.state(true);
  }

  private state(up: boolean, err?: Error): void {
    if (this.up !== up) this.log.info({ broker: 'rabbitmq', connected: up, err }, up ? 'RabbitMQ connected' : 'RabbitMQ connection lost');
    this.up = up;
  }

  async ping(timeoutMs: number): Promise<boolean> {
    try {
      await this.channelBy(Date.now() + timeoutMs);
      return this.up;
    } catch {
      return false;
    }
  }

  private conn(): RecoveringChannelModel {
    if (!this.connection) throw new Error('RabbitMQ: connect() first');
    return this.connection;
  }

  /** The confirm channel, opened again after a reconnect or a channel error. */
  private confirmChannel(): Promise<ConfirmChannel> {
    if (!this.channel) {
      const opening = (this.connection ? Promise.resolve(this.connection) : this.connect().then(() => this.conn()))
        .then((connection) => connection.createConfirmChannel())
        .then((ch) => {
          ch.on('close', () => {
            if (this.channel === opening) this.channel = undefined;
          });
          ch.on('error', (err: Error) => this.log.warn({ err }, 'RabbitMQ channel error'));
          ch.on('return', (msg: ConsumeMessage) => {
            if (msg.properties.messageId) this.returned.add(String(msg.properties.messageId));
          });
          return ch;
        });
      opening.catch(() => {
        if (this.channel === opening) this.channel = undefined;
      });
      this.channel = opening;
    }
    return this.channel;
  }

  async publish(destination: Destination, message: OutgoingMessage, sendBy: number): Promise<void> {
    if (destination.broker !== 'rabbitmq') throw new Error('not a RabbitMQ destination');
    if (this.closed) throw new PublishTimeoutError('The RabbitMQ client is closed; the message was not sent.');
    let ch: ConfirmChannel;
    try {
      ch = await this.channelBy(sendBy);
    } catch {
      throw new PublishTimeoutError('RabbitMQ is not reachable; the message was not sent.');
    }
    const id = randomUUID();
    return new Promise<void>((resolve, reject) => {
      try {
        ch.publish(
          destination.exchange,
          destination.routingKey,
          message.value,
          { persistent: true, mandatory: true, messageId: id, headers: message.headers, ...(message.contentType ? { contentType: message.contentType } : {}) },
          (err) => {
            // A return, if any, arrives before the confirm of the same message.
            const wasReturned = this.returned.delete(id);
            if (!err && wasReturned) {
              const where = destination.exchange ? `exchange "${destination.exchange}" with routing key "${destination.routingKey}"` : `queue "${destination.routingKey}"`;
              reject(new UnroutableError(`No queue takes messages sent to ${where}: provision the contract, or bind a queue.`));
            } else if (!err) resolve();
            else if (/nack/i.test(String(err.message))) reject(new Error(`RabbitMQ refused the message: ${err.message}`));
            else reject(new AmbiguousPublishError(`RabbitMQ closed the channel before confirming the message: ${err.message}`));
          },
        );
      } catch (err) {
        // The channel was closed before the message was written: nothing was sent.
        reject(new PublishTimeoutError(`RabbitMQ channel unavailable; the message was not sent: ${(err as Error).message}`));
      }
    });
  }

  /** The confirm channel, waiting through a reconnect until `sendBy`. */
  private async channelBy(sendBy: number): Promise<ConfirmChannel> {
    for (;;) {
      const left = sendBy - Date.now();
      if (left <= 0) throw new PublishTimeoutError('no channel');
      try {
        return await withTimeout(this.confirmChannel(), left);
      } catch (err) {
        if (err instanceof TimeoutError) throw err;
        await new Promise((r) => setTimeout(r, Math.min(100, Math.max(1, sendBy - Date.now()))));
      }
    }
  }

  async provision(items: ProvisionItem[], _deadline: number): Promise<ProvisionResult[]> {
    await this.connect();
    const out: ProvisionResult[] = [];
    for (const item of items) {
      if (item.kind === 'kafka-topic') continue;
      const result = await this.provisionOne(item);
      // RabbitMQ cannot be asked whether a binding exists; it does if its queue and exchange did.
      if (item.kind === 'amqp-binding' && result.status === 'created') {
        const before = (name: string) => out.find((r) => r.kind !== 'amqp-binding' && r.name === name)?.status;
        if (before(item.queue) === 'existing' && before(item.exchange) === 'existing') result.status = 'existing';
      }
      out.push(result);
    }
    return out;
  }

  /** Each check runs on its own channel: a failed check or a refused declaration closes the channel. */
  private async provisionOne(item: Exclude<ProvisionItem, { kind: 'kafka-topic' }>): Promise<ProvisionResult> {
    const name = item.kind === 'amqp-binding' ? `${item.exchange} -> ${item.queue} (${item.routingKey})` : item.name;
    const onChannel = async <T>(fn: (ch: Channel) => Promise<T>): Promise<T> => {
      const ch = await this.conn().createChannel();
      ch.on('error', () => {});
      try {
        return await fn(ch);
      } finally {
        await ch.close().catch(() => {});
      }
    };
    const exists = await onChannel(async (ch) => {
      if (item.kind === 'amqp-exchange') await ch.checkExchange(item.name);
      else if (item.kind === 'amqp-queue') await ch.checkQueue(item.name);
      else return false;
      return true;
    }).catch(() => false);
    try {
      await onChannel(async (ch) => {
        if (item.kind === 'amqp-exchange') await ch.assertExchange(item.name, item.type, { durable: item.durable, autoDelete: item.autoDelete });
        else if (item.kind === 'amqp-queue') {
          const args = item.deadLetterExchange ? { 'x-dead-letter-exchange': item.deadLetterExchange } : undefined;
          await ch.assertQueue(item.name, { durable: item.durable, exclusive: item.exclusive, autoDelete: item.autoDelete, ...(args ? { arguments: args } : {}) });
        } else await ch.bindQueue(item.queue, item.exchange, item.routingKey);
      });
    } catch (err) {
      // RabbitMQ refuses to redeclare with other properties (406 PRECONDITION_FAILED); anything else is a failure.
      if ((err as { code?: unknown }).code !== 406) throw err;
      return { kind: item.kind, name, status: 'conflict', detail: (err as Error).message };
    }
    return { kind: item.kind, name, status: exists ? 'existing' : 'created' };
  }

  async consume(queue: string, _group: string, handler: (message: IncomingMessage) => Promise<void>): Promise<Subscription> {
    await this.connect();
    const connection = this.conn();
    let current: Channel | undefined;
    let opening: Promise<void> | undefined;
    let stopped = false;
    // One consuming channel, opened again after a reconnect or a channel error.
    const open = (): Promise<void> =>
      (opening ??= (async () => {
        const ch = await connection.createChannel();
        ch.on('error', () => {});
        ch.on('close', () => {
          if (current === ch) current = undefined;
          if (!stopped && this.up) void open().catch(() => {});
        });
        await ch.prefetch(100);
        await ch.consume(queue, (msg) => {
          if (!msg) return;
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(msg.properties.headers ?? {})) headers[k] = Buffer.isBuffer(v) ? v.toString() : String(v);
          // On a channel that closed meanwhile, RabbitMQ requeues the message itself.
          const settle = (ok: boolean) => {
            try {
              if (ok) ch.ack(msg);
              else ch.nack(msg, false, true);
            } catch {
              // channel gone: the broker requeues what was not acked
            }
          };
          handler({ value: msg.content, headers }).then(
            () => settle(true),
            () => settle(false),
          );
        });
        current = ch;
      })().finally(() => (opening = undefined)));
    const reconnected = () => {
      if (!stopped && !current) void open().catch(() => {});
    };
    connection.on('connect', reconnected);
    await open();
    const subscription: Subscription = {
      stop: async () => {
        stopped = true;
        connection.off('connect', reconnected);
        await current?.close().catch(() => {});
        this.subscriptions.delete(subscription);
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const s of [...this.subscriptions]) await s.stop();
    await this.connection?.close().catch(() => {});
    this.state(false);
  }
}
