/**
 * Reading what the gateway wrote, straight from the brokers (kafkajs and amqplib, no
 * Herald code in between), and a per-run prefix so runs never share a topic or a queue.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import amqp from 'amqplib';
import { Kafka, logLevel } from 'kafkajs';

export const KAFKA_BROKERS = ['127.0.0.1:9092'];
export const AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';

export const runPrefix = () => `t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;

/** The gateway fixture contract with this run's prefix in every destination name. */
export function shopContract(prefix: string): string {
  return readFileSync(new URL('../fixtures/gateway/shop.yaml', import.meta.url), 'utf8').replaceAll('RUN.', `${prefix}.`);
}

export interface Read {
  value: Buffer;
  key?: string;
  headers: Record<string, string>;
  partition?: number;
}

const shared = new Kafka({ clientId: 'herald-test-reader', brokers: KAFKA_BROKERS, logLevel: logLevel.NOTHING });

/** How many messages a topic holds (the sum of its partitions' end offsets): cheap to poll. */
export async function topicSize(topic: string): Promise<number> {
  const admin = shared.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Everything in a topic now: read from the beginning up to each partition's end offset. */
export async function readTopic(topic: string, timeoutMs = 30_000, brokers = KAFKA_BROKERS): Promise<Read[]> {
  const kafka = brokers === KAFKA_BROKERS ? shared : new Kafka({ clientId: 'herald-test-reader', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
  await admin.disconnect();
  const left = new Set([...ends].filter(([, high]) => high > 0).map(([p]) => p));
  const out: Read[] = [];
  if (left.size === 0) return out;
  const consumer = kafka.consumer({ groupId: `reader-${randomBytes(6).toString('hex')}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`reading ${topic}: partitions ${[...left].join(', ')} not read to their end in ${timeoutMs} ms`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ message, partition }) => {
          if (Number(message.offset) >= ends.get(partition)!) return;
          // As Herald's consumer reads them (brokers/kafka.ts): kafkajs's plain object makes a
          // header named `constructor` [the inherited function, its value]; values are bytes.
          const headers = Object.create(null) as Record<string, string>;
          for (const [k, v] of Object.entries(message.headers ?? {})) {
            const values = (Array.isArray(v) ? v : [v]).filter((x) => Buffer.isBuffer(x) || typeof x === 'string');
            if (values.length > 0) headers[k] = values.map(String).join(',');
          }
          out.push({ value: message.value ?? Buffer.alloc(0), ...(message.key ? { key: message.key.toString() } : {}), headers, partition });
          if (Number(message.offset) === ends.get(partition)! - 1) left.delete(partition);
          if (left.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return out;
}

/** Every message now in a queue, taken off it (the gateway's writes are confirmed, so they are there). */
export async function drainQueue(queue: string, url = AMQP_URL): Promise<Read[]> {
  const connection = await amqp.connect(url);
  const out: Read[] = [];
  try {
    const ch = await connection.createChannel();
    for (;;) {
      const msg = await ch.get(queue, { noAck: true });
      if (!msg) break;
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(msg.properties.headers ?? {})) headers[k] = Buffer.isBuffer(v) ? v.toString() : String(v);
      out.push({ value: msg.content, headers });
    }
  } finally {
    await connection.close();
  }
  return out;
}

/** A queue of the test's own, bound to an exchange, as a consumer of an exchange channel would have. */
export async function bindQueue(exchange: string, routingKey: string, queue: string): Promise<void> {
  const connection = await amqp.connect(AMQP_URL);
  try {
    const ch = await connection.createChannel();
    await ch.assertQueue(queue, { durable: true });
    await ch.bindQueue(queue, exchange, routingKey);
  } finally {
    await connection.close();
  }
}

/** Publishes straight to a queue or topic, as a producer that bypasses Herald would (for relay tests). */
export async function sendRaw(to: { topic: string } | { queue: string }, values: Buffer[]): Promise<void> {
  if ('topic' in to) {
    const producer = shared.producer();
    await producer.connect();
    await producer.send({ topic: to.topic, acks: -1, messages: values.map((value) => ({ value })) });
    await producer.disconnect();
    return;
  }
  const connection = await amqp.connect(AMQP_URL);
  try {
    const ch = await connection.createConfirmChannel();
    await ch.assertQueue(to.queue, { durable: true });
    for (const value of values) ch.sendToQueue(to.queue, value, { persistent: true });
    await ch.waitForConfirms();
  } finally {
    await connection.close();
  }
}
