/**
 * Nothing lost: publish 10,000 messages to each broker, valid and invalid, while Kafka is stopped
 * and restarted (once gracefully, once killed) and, separately, while RabbitMQ connections
 * are closed under the gateway. Then read everything back: every message that got 202 is in
 * its destination, every one that got 422 in its DLQ, and none sent with an Idempotency-Key
 * is there twice. Clients behave as the API asks: on 503 they wait and retry the same request.
 *
 * This test runs its own Kafka (port 19092) and its own RabbitMQ user, so stopping a broker
 * or closing connections never disturbs the tests running beside it.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaInstance, startKafka, stopKafka } from '../../scripts/brokers.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { drainQueue, readTopic, runPrefix, shopContract } from '../helpers/brokers.js';

const KAFKA = kafkaInstance('loss', 19092);
const KAFKA_BROKERS = [`127.0.0.1:${KAFKA.port}`];
const USER = `herald-loss-${randomBytes(3).toString('hex')}`;
const PASSWORD = randomBytes(12).toString('hex');
const AMQP_URL = `amqp://${USER}:${PASSWORD}@127.0.0.1:5672`;

const PER_BROKER = 10_000;
const CONCURRENCY = 48;
const run = runPrefix();
const NAME = `loss-${run}`;
let api: TestApp;

const rabbitmqctl = (...args: string[]) => execFileSync('rabbitmqctl', ['--quiet', ...args], { stdio: 'pipe' });

beforeAll(async () => {
  await startKafka(KAFKA, { fresh: true });
  rabbitmqctl('add_user', USER, PASSWORD);
  rabbitmqctl('set_permissions', '-p', '/', USER, '.*', '.*', '.*');
  api = await testApp('pglite', { gateway: { kafkaBrokers: KAFKA_BROKERS, amqpUrl: AMQP_URL, publishTimeoutMs: 3000 } });
  expect((await api.request('POST', `/v1/contracts/${NAME}/versions`, { body: shopContract(run) })).status).toBe(201);
  const provisioned = await api.request('POST', `/v1/contracts/${NAME}/provision`);
  expect([provisioned.status, provisioned.json?.detail]).toEqual([200, undefined]);
}, 180_000);

afterAll(async () => {
  await api?.cleanup();
  await stopKafka(KAFKA);
  try {
    rabbitmqctl('delete_user', USER);
  } catch {
    // never created
  }
}, 120_000);

interface Outcomes {
  routed: Set<number>;
  deadLettered: Set<number>;
  /** 502: the broker lost the connection before acknowledging; not acknowledged, not retried. */
  unknown: Set<number>;
  keyed: Set<number>;
  retries: number;
}

/** Every tenth message is not JSON, every fifth breaks the schema; two in three carry an Idempotency-Key. */
function message(channel: 'audit' | 'refunds', seq: number): string {
  if (seq % 10 === 3) return `not json seq=${seq}`;
  const invalid = seq % 5 === 1;
  if (channel === 'audit') return JSON.stringify(invalid ? { actor: seq, seq } : { actor: `a-${seq}`, seq, note: 'x'.repeat(200) });
  return JSON.stringify(invalid ? { refundId: `r-${seq}`, amount: 0, seq } : { refundId: `r-${seq}`, amount: 1 + (seq % 100), seq });
}

const seqOf = (value: Buffer) => Number(/seq[=":]+\s*(\d+)/.exec(value.toString())![1]);

/**
 * Sends `count` messages with CONCURRENCY clients; `chaos(done)` runs beside them and may use
 * how many messages have been answered so far to time its faults.
 */
async function publishAll(channel: 'audit' | 'refunds', count: number, chaos: (answered: () => number) => Promise<void>): Promise<Outcomes> {
  const out: Outcomes = { routed: new Set(), deadLettered: new Set(), unknown: new Set(), keyed: new Set(), retries: 0 };
  let next = 0;
  const answered = () => out.routed.size + out.deadLettered.size + out.unknown.size;
  const client = async () => {
    for (let seq = next++; seq < count; seq = next++) {
      const keyed = seq % 3 !== 0;
      if (keyed) out.keyed.add(seq);
      const headers: Record<string, string> = keyed ? { 'Idempotency-Key': `${run}-${channel}-${seq}` } : {};
      for (;;) {
        const res = await api.app.request(`/v1/publish/${NAME}/${channel}`, { method: 'POST', body: message(channel, seq), headers });
        const text = await res.text();
        if (res.status === 202) out.routed.add(seq);
        else if (res.status === 422) out.deadLettered.add(seq);
        else if (res.status === 502 && keyed) out.unknown.add(seq);
        else if (res.status === 503 || res.status === 502) {
          // Unkeyed, a 502 may be retried at the risk of a duplicate, which this test counts.
          out.retries++;
          await new Promise((r) => setTimeout(r, 100));
          continue;
        } else throw new Error(`unexpected ${res.status} for message ${seq}: ${text}`);
        break;
      }
    }
  };
  await Promise.all([...Array.from({ length: CONCURRENCY }, client), chaos(answered)]);
  return out;
}

async function when(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 50));
}

/** Counts each sequence number in what was read back. */
function tally(read: { value: Buffer }[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const m of read) counts.set(seqOf(m.value), (counts.get(seqOf(m.value)) ?? 0) + 1);
  return counts;
}

function check(label: string, out: Outcomes, destination: Map<number, number>, dlq: Map<number, number>) {
  const missing = [...out.routed].filter((s) => !destination.has(s));
  const missingDead = [...out.deadLettered].filter((s) => !dlq.has(s));
  const both = [...destination.keys()].filter((s) => dlq.has(s));
  const copies = (s: number) => (destination.get(s) ?? 0) + (dlq.get(s) ?? 0);
  const keyedDuplicates = [...out.keyed].filter((s) => copies(s) > 1);
  const unkeyedDuplicates = [...destination.keys(), ...dlq.keys()].filter((s) => !out.keyed.has(s) && copies(s) > 1);
  const unknownFound = [...out.unknown].filter((s) => copies(s) > 0).length;
  console.log(
    `${label}: ${out.routed.size} routed (202), ${out.deadLettered.size} dead-lettered (422), ${out.unknown.size} outcome unknown (502), ` +
      `${out.retries} retries after 503; read back ${[...destination.values()].reduce((a, b) => a + b, 0)} from the destination and ` +
      `${[...dlq.values()].reduce((a, b) => a + b, 0)} from the DLQ; missing ${missing.length + missingDead.length}; ` +
      `duplicates: ${keyedDuplicates.length} with an Idempotency-Key, ${new Set(unkeyedDuplicates).size} without; ` +
      `of the unknown outcomes, ${unknownFound} were stored.`,
  );
  expect(missing).toEqual([]);
  expect(missingDead).toEqual([]);
  expect(both).toEqual([]);
  expect(keyedDuplicates).toEqual([]);
}

describe('no acknowledged message is lost', () => {
  it(`Kafka stopped and restarted, then killed and restarted, under ${PER_BROKER} messages`, async () => {
    const out = await publishAll('audit', PER_BROKER, async (answered) => {
      await when(() => answered() >= PER_BROKER / 4);
      await stopKafka(KAFKA);
      await new Promise((r) => setTimeout(r, 2000));
      await startKafka(KAFKA);
      await when(() => answered() >= (PER_BROKER * 2) / 3);
      await stopKafka(KAFKA, { hard: true });
      await new Promise((r) => setTimeout(r, 1000));
      await startKafka(KAFKA);
    });
    expect(out.routed.size + out.deadLettered.size + out.unknown.size).toBe(PER_BROKER);
    expect(out.retries).toBeGreaterThan(0);
    check('Kafka', out, tally(await readTopic(`${run}.audit`, 120_000, KAFKA_BROKERS)), tally(await readTopic(`${run}.audit.rejected`, 120_000, KAFKA_BROKERS)));
  }, 600_000);

  it(`RabbitMQ connections closed under the gateway, under ${PER_BROKER} messages`, async () => {
    let closed = 0;
    const out = await publishAll('refunds', PER_BROKER, async (answered) => {
      for (const share of [0.2, 0.4, 0.6, 0.8]) {
        await when(() => answered() >= PER_BROKER * share);
        // Asynchronously, so that publishing goes on while RabbitMQ closes the connections.
        await promisify(execFile)('rabbitmqctl', ['--quiet', 'close_all_user_connections', USER, 'loss test']);
        closed++;
      }
    });
    expect(closed).toBe(4);
    expect(out.retries + out.unknown.size).toBeGreaterThan(0);
    expect(out.routed.size + out.deadLettered.size + out.unknown.size).toBe(PER_BROKER);
    check('RabbitMQ', out, tally(await drainQueue(`${run}.refunds`)), tally(await drainQueue(`${run}.refunds.dlq`)));
  }, 600_000);
});
