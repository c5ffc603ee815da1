/**
 * The gateway as users run it: inside `herald serve`, standalone as `herald gateway` reading
 * a registry over HTTP, `herald provision`, and `herald relay` consuming raw topics and queues.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AMQP_URL, KAFKA_BROKERS, drainQueue, readTopic, runPrefix, sendRaw, shopContract, topicSize } from '../helpers/brokers.js';
import { runCli, startProcess, startServerProcess, type LongRunning, type ServerProcess } from '../helpers/process.js';

const BROKERS = { HERALD_KAFKA_BROKERS: KAFKA_BROKERS.join(','), HERALD_AMQP_URL: AMQP_URL };
const run = runPrefix();
const NAME = `shop-${run}`;
const dir = mkdtempSync(path.join(tmpdir(), 'herald-gw-'));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};
let registry: ServerProcess;
let R: string[];

beforeAll(async () => {
  registry = await startServerProcess({ env: BROKERS });
  R = ['--registry', registry.url];
  expect((await runCli(['register', file('shop.yaml', shopContract(run)), '--contract', NAME, ...R])).code).toBe(0);
});
afterAll(async () => {
  await registry?.stop();
  registry?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/** Polls until `check` holds, for things that happen in another process. */
async function eventually<T>(fn: () => Promise<T>, check: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (check(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
}

const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

describe('herald provision', () => {
  it('creates what the contract needs, then finds it all existing', async () => {
    const first = await runCli(['provision', '--contract', NAME, ...R]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`created\tkafka-topic\t${run}.orders.v1\t(replication factor 1, not 3: the cluster has 1 broker(s))`);
    expect(first.stdout).toContain(`created\tamqp-queue\t${run}.refunds.dlq`);
    const again = await runCli(['provision', '--contract', NAME, '--json', ...R]);
    expect(JSON.parse(again.stdout).results.every((r: { status: string }) => r.status === 'existing')).toBe(true);
  });
});

describe('herald serve with brokers configured', () => {
  it('routes published messages, and reports the brokers in /readyz', async () => {
    const res = await post(`${registry.url}/v1/publish/${NAME}/audit`, { actor: 'serve' });
    expect(res.status).toBe(202);
    const ready = (await (await fetch(`${registry.url}/readyz`)).json()) as { checks: Record<string, { status: string }> };
    expect(ready.checks).toMatchObject({ kafka: { status: 'ok' }, rabbitmq: { status: 'ok' } });
  });
});

describe('herald gateway, standalone', () => {
  let gateway: LongRunning;
  beforeAll(async () => {
    gateway = await startProcess(['gateway', '--port', '0', ...R], { ...BROKERS, HERALD_GATEWAY_REFRESH_MS: '200' });
  });
  afterAll(async () => gateway?.stop());

  it('validates against the registry\'s contract, and takes up a new version without a restart', async () => {
    const order = { orderId: '0b6f4b8e-7c1e-4a8e-9d6a-0d2f3c4b5a69', total: 5000 };
    const before = await post(`${gateway.url}/v1/publish/${NAME}/orders`, order);
    expect(before.status).toBe(202);
    const v2 = shopContract(run).replace('            minimum: 0\n          coupon:', '            minimum: 0\n            maximum: 1000\n          coupon:');
    expect((await runCli(['register', file('shop-v2.yaml', v2), '--contract', NAME, ...R])).code).toBe(0);
    const after = await eventually(
      () => post(`${gateway.url}/v1/publish/${NAME}/orders`, order).then(async (r) => ({ status: r.status, body: (await r.json()) as { version: number } })),
      (r) => r.status === 422,
    );
    expect(after).toMatchObject({ status: 422, body: { version: 2, status: 'dead-lettered' } });
  });

  it('serves its own health, readiness and metrics, and no registry routes', async () => {
    expect((await fetch(`${gateway.url}/readyz`)).status).toBe(200);
    expect(await (await fetch(`${gateway.url}/metrics`)).text()).toContain(`herald_gateway_messages_total{contract="${NAME}",channel="orders",outcome="routed"}`);
    expect((await fetch(`${gateway.url}/v1/contracts`)).status).toBe(404);
  });
});

describe('herald relay', () => {
  it('routes a raw Kafka topic: valid messages to the destination, the rest to the DLQ', async () => {
    const raw = `${run}.raw`;
    const admin = new Kafka({ brokers: KAFKA_BROKERS, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: raw, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const valid = Array.from({ length: 10 }, (_, i) => Buffer.from(JSON.stringify({ actor: `relay-${i}` })));
    const invalid = Array.from({ length: 5 }, (_, i) => Buffer.from(i % 2 ? '{"actor": 1}' : 'not json'));
    await sendRaw({ topic: raw }, [...valid, ...invalid]);
    const relay = await startProcess(['relay', '--contract', NAME, '--channel', 'audit', '--from', `kafka:${raw}`, ...R], BROKERS, 'relaying');
    try {
      // The audit topic already holds one message from the serve test above.
      await eventually(() => topicSize(`${run}.audit`), (n) => n >= 11);
      const routed = await readTopic(`${run}.audit`);
      expect(routed.filter((x) => x.value.toString().includes('relay-')).map((m) => m.value.toString()).sort()).toEqual(valid.map(String).sort());
      await eventually(() => topicSize(`${run}.audit.rejected`), (n) => n >= 5);
      const dead = await readTopic(`${run}.audit.rejected`);
      expect(dead.map((m) => m.value.toString()).sort()).toEqual(invalid.map(String).sort());
      expect(dead.map((m) => JSON.parse(m.headers['herald.error']!).reason).sort()).toEqual(['malformed', 'malformed', 'malformed', 'schema', 'schema']);
    } finally {
      await relay.stop();
    }
  });

  it('from a RabbitMQ queue into Kafka, acknowledging a message only once it is routed', async () => {
    // A contract whose topics do not exist yet: nothing can be routed, so nothing may be consumed.
    const other = `${run}x`;
    const name = `shop-${other}`;
    expect((await runCli(['register', file('other.yaml', shopContract(other)), '--contract', name, ...R])).code).toBe(0);
    const queue = `${run}.rawq`;
    const values = Array.from({ length: 6 }, (_, i) => Buffer.from(JSON.stringify({ actor: `q-${i}` })));
    await sendRaw({ queue }, values);
    const stuck = await startProcess(['relay', '--contract', name, '--channel', 'audit', '--from', `amqp:${queue}`, ...R], BROKERS, 'relaying');
    await new Promise((r) => setTimeout(r, 1500));
    await stuck.stop();
    expect((await drainQueue(queue)).map((m) => m.value.toString()).sort()).toEqual(values.map(String).sort());

    await sendRaw({ queue }, values);
    expect((await runCli(['provision', '--contract', name, ...R])).code).toBe(0);
    const relay = await startProcess(['relay', '--contract', name, '--channel', 'audit', '--from', `amqp:${queue}`, ...R], BROKERS, 'relaying');
    try {
      await eventually(() => topicSize(`${other}.audit`), (n) => n >= 6);
      const routed = await readTopic(`${other}.audit`);
      expect(routed.map((m) => m.value.toString()).sort()).toEqual(values.map(String).sort());
      expect(await eventually(() => drainQueue(queue), (m) => m.length === 0)).toEqual([]);
    } finally {
      await relay.stop();
    }
  });
});
