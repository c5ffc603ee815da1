/**
 * The validating gateway against bare clients on the same real brokers, in this same run:
 * HTTP batch and single publishes through `herald serve` against a bare kafkajs producer and
 * a bare amqplib confirm channel with the same durability; Herald's judge() against a bare
 * Ajv validator in process; and the dead-letter path against the valid one. Targets: batch
 * throughput at least 0.7x the bare client's; validation at least 0.9x bare Ajv's.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import amqp from 'amqplib';
import { Kafka, logLevel } from 'kafkajs';
import { startKafka, startRabbit, stopKafka, stopRabbit } from '../scripts/brokers.js';
import * as srcIngest from '../src/contracts/ingest.js';
import * as srcJudge from '../src/gateway/judge.js';
import * as srcRouting from '../src/gateway/routing.js';
import { startHerald } from './herald-process.js';
import { interleaved, ms, opsPerSecond, table, type Stats } from './stats.js';

const require = createRequire(import.meta.url);
const addFormats = require('ajv-formats') as (ajv: Ajv) => Ajv;

const KAFKA_BROKERS = ['127.0.0.1:9092'];
const AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';
const PARTITIONS = 3;
const KAFKA_CHANNEL = 'kafkaOrders';
const RABBIT_CHANNEL = 'rabbitOrders';

/** The benchmark's contract: one Kafka channel, one RabbitMQ queue channel, one ~1 KB message. */
function contractYaml(prefix: string): string {
  return `asyncapi: 3.0.0
info:
  title: Gateway benchmark
  version: 1.0.0
defaultContentType: application/json
servers:
  kafka:
    host: kafka.invalid:9092
    protocol: kafka
  rabbit:
    host: rabbit.invalid:5672
    protocol: amqp
channels:
  ${KAFKA_CHANNEL}:
    address: ${prefix}.kafka.orders
    servers:
      - $ref: '#/servers/kafka'
    messages:
      OrderPlaced:
        $ref: '#/components/messages/OrderPlaced'
    bindings:
      kafka:
        topic: ${prefix}.kafka.orders
        partitions: ${PARTITIONS}
        replicas: 1
  ${RABBIT_CHANNEL}:
    address: ${prefix}.rabbit.orders
    servers:
      - $ref: '#/servers/rabbit'
    messages:
      OrderPlaced:
        $ref: '#/components/messages/OrderPlaced'
    bindings:
      amqp:
        is: queue
        queue:
          name: ${prefix}.rabbit.orders
          durable: true
          exclusive: false
          autoDelete: false
operations:
  placeOrderKafka:
    action: send
    channel:
      $ref: '#/channels/${KAFKA_CHANNEL}'
  placeOrderRabbit:
    action: send
    channel:
      $ref: '#/channels/${RABBIT_CHANNEL}'
components:
  messages:
    OrderPlaced:
      payload:
        type: object
        additionalProperties: false
        required: [orderId, customerId, email, placedAt, status, currency, total, items, shipping, channel]
        properties:
          orderId: { type: string, format: uuid }
          customerId: { type: string, format: uuid }
          email: { type: string, format: email, maxLength: 254 }
          placedAt: { type: string, format: date-time }
          status: { type: string, enum: [placed, paid, shipped, cancelled] }
          currency: { type: string, pattern: '^[A-Z]{3}$' }
          total: { type: number, minimum: 0 }
          itemCount: { type: integer, minimum: 1 }
          items:
            type: array
            minItems: 1
            maxItems: 50
            items:
              type: object
              additionalProperties: false
              required: [sku, quantity, unitPrice]
              properties:
                sku: { type: string, pattern: '^[A-Z0-9-]{4,32}$' }
                name: { type: string, maxLength: 200 }
                quantity: { type: integer, minimum: 1 }
                unitPrice: { type: number, minimum: 0 }
          shipping:
            type: object
            required: [street, city, postalCode, country]
            properties:
              street: { type: string, maxLength: 200 }
              city: { type: string, maxLength: 100 }
              postalCode: { type: string, maxLength: 16 }
              country: { type: string, pattern: '^[A-Z]{2}$' }
          channel: { type: string, enum: [web, app, store, phone] }
          clientIp: { type: string, format: ipv4 }
          referrer: { type: string, format: uri }
          gift: { type: boolean }
          priority: { type: integer, minimum: 0, maximum: 9 }
          tags: { type: array, uniqueItems: true, items: { type: string, maxLength: 32 } }
          note: { type: string, maxLength: 500 }
`;
}

const TARGET_BYTES = 1024;

/** A valid OrderPlaced of exactly TARGET_BYTES bytes of compact JSON (the note pads it). */
function validPayload(i: number): Record<string, unknown> {
  const hex = (n: number, width: number) => n.toString(16).padStart(width, '0').slice(-width);
  const uuid = (n: number) => `${hex(n, 8)}-${hex(n >>> 3, 4)}-4${hex(n, 3)}-8${hex(n >>> 5, 3)}-${hex(n * 7919, 12)}`;
  const p: Record<string, unknown> = {
    orderId: uuid(i + 1),
    customerId: uuid(i * 31 + 17),
    email: `customer.${i}@example.com`,
    placedAt: new Date(Date.UTC(2026, 10, 28, 12, 0, i % 60)).toISOString(),
    status: 'placed',
    currency: 'EUR',
    total: 187.45 + (i % 100),
    itemCount: 4,
    items: [
      { sku: `SKU-${1000 + (i % 9000)}`, name: 'Espresso machine descaler', quantity: 2, unitPrice: 12.5 },
      { sku: 'SKU-2201', name: 'Milk frothing jug, stainless steel', quantity: 1, unitPrice: 24.9 },
      { sku: 'SKU-3310-B', name: 'Coffee beans, single origin, 1 kg', quantity: 3, unitPrice: 31.2 },
      { sku: 'SKU-4410', name: 'Paper filters, pack of 100', quantity: 1, unitPrice: 4.35 },
    ],
    shipping: { street: '221B Baker Street', city: 'London', postalCode: 'NW1 6XE', country: 'GB' },
    channel: 'web',
    clientIp: `10.${i % 250}.${(i >> 8) % 250}.7`,
    referrer: 'https://shop.example.com/campaigns/autumn?utm_source=newsletter',
    gift: i % 2 === 0,
    priority: i % 10,
    tags: ['autumn-sale', 'newsletter', 'returning-customer'],
    note: '',
  };
  return padded(p);
}

/** The message with its note grown to make it TARGET_BYTES bytes of compact JSON. */
function padded(p: Record<string, unknown>): Record<string, unknown> {
  p.note = '';
  const left = TARGET_BYTES - Buffer.byteLength(JSON.stringify(p));
  p.note = 'Please leave the parcel with the neighbour if nobody is home. '.repeat(10).slice(0, Math.max(0, left));
  return p;
}

/** The same message breaking the contract in four places: two formats, a minimum, a required property. */
function invalidPayload(i: number): Record<string, unknown> {
  const p = validPayload(i);
  p.orderId = `order-${i}`;
  p.total = -1;
  p.placedAt = 'yesterday';
  delete p.email;
  return padded(p);
}

/**
 * The modules as `herald serve` runs them: dist/ as tsc built it. Through tsx, src/ carries
 * esbuild's keepNames helper (`__name`), called for every closure judge() creates.
 */
async function built(): Promise<{ ingest: typeof srcIngest.ingest; judge: typeof srcJudge.judge; routingTable: typeof srcRouting.routingTable }> {
  const load = async <T>(file: string) => (await import(new URL(`../dist/${file}`, import.meta.url).href)) as T;
  return {
    ingest: (await load<typeof srcIngest>('contracts/ingest.js')).ingest,
    judge: (await load<typeof srcJudge>('gateway/judge.js')).judge,
    routingTable: (await load<typeof srcRouting>('gateway/routing.js')).routingTable,
  };
}

/**
 * Bare Hono routes over the same HTTP stack, in their own process. `/echo` reads the body and
 * answers: what the HTTP hop alone costs. `/gateway` is the least a validating gateway can do
 * with the declared stack, written as plainly as it gets: JSON.parse the batch, check each
 * payload with a compiled Ajv validator, send the valid ones with one kafkajs send() (the
 * same producer settings as the bare one) and answer a status per message. No DLQ, no
 * idempotency, no metrics: a reference for what the gateway's own machinery costs.
 */
const BARE_HTTP = `
import { createRequire } from 'node:module';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { Ajv } from 'ajv';
import { Kafka, logLevel } from 'kafkajs';
const require = createRequire(process.cwd() + '/');
const addFormats = require('ajv-formats');
const ajv = new Ajv({ allErrors: true });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(process.env.BARE_SCHEMA));
const topic = process.env.BARE_TOPIC;
const producer = new Kafka({ clientId: 'bare-gateway', brokers: process.env.BARE_BROKERS.split(','), logLevel: logLevel.NOTHING })
  .producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
await producer.connect();
const headers = { 'content-type': 'application/json' };
const app = new Hono()
  .post('/echo', async (c) => c.json({ length: (await c.req.arrayBuffer()).byteLength }, 202))
  .post('/gateway', async (c) => {
    const items = JSON.parse(await c.req.text());
    const messages = [];
    const results = items.map(({ payload }) => {
      if (!validate(payload)) return { status: 'invalid', errors: validate.errors };
      messages.push({ value: Buffer.from(JSON.stringify(payload)), headers });
      return { status: 'routed' };
    });
    await producer.send({ topic, acks: -1, messages });
    return c.json({ results });
  });
const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => console.log(JSON.stringify({ port: info.port })));
server.keepAliveTimeout = 65000;
`;

async function startBareHttp(env: { schema: object; topic: string }): Promise<{ echo: string; gateway: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', BARE_HTTP], {
    env: { ...process.env, BARE_SCHEMA: JSON.stringify(env.schema), BARE_TOPIC: env.topic, BARE_BROKERS: KAFKA_BROKERS.join(',') },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => resolve((JSON.parse(String(chunk)) as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`the bare HTTP server exited with ${code}`)));
  });
  return {
    echo: `http://127.0.0.1:${port}/echo`,
    gateway: `http://127.0.0.1:${port}/gateway`,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Messages per second of each contender: the messages of all its timed batches over their total time. */
async function throughput(fns: Array<(i: number) => Promise<unknown>>, batches: number, batchSize: number, warmup: number): Promise<{ rates: number[]; batch: Stats[] }> {
  const batch = await interleaved(fns, batches, warmup);
  return { rates: batch.map((s) => (batchSize * 1000) / s.mean), batch };
}

/** Messages per second with `clients` callers at once, each doing `rounds` batches: the contenders in turn. */
async function concurrent(fns: Array<() => Promise<unknown>>, clients: number, rounds: number, batchSize: number): Promise<number[]> {
  const rates: number[] = [];
  for (const fn of fns) {
    const start = performance.now();
    await Promise.all(Array.from({ length: clients }, async () => {
      for (let i = 0; i < rounds; i++) await fn();
    }));
    rates.push((clients * rounds * batchSize * 1000) / (performance.now() - start));
  }
  return rates;
}

const rate = (v: number) => `${Math.round(v).toLocaleString('en-US')} msg/s`;
const ratio = (v: number, goal?: { atLeast: number }) => `${v.toFixed(3)}${goal ? (v >= goal.atLeast ? ' (meets)' : ' (BELOW)') : ''}`;

async function post(url: string, body: string | Buffer, contentType = 'application/json'): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': contentType }, body });
  return { status: res.status, text: await res.text() };
}

async function expectStatus(url: string, body: string | Buffer, status: number, contentType?: string): Promise<string> {
  const res = await post(url, body, contentType);
  if (res.status !== status) throw new Error(`POST ${url} answered ${res.status}, not ${status}: ${res.text.slice(0, 500)}`);
  return res.text;
}

/** A batch whose every result has the expected status (routed, or dead-lettered). */
async function batchAll(url: string, body: string | Buffer, status: 'routed' | 'dead-lettered', size: number): Promise<void> {
  const text = await expectStatus(url, body, 200);
  const { results } = JSON.parse(text) as { results: Array<{ status: string }> };
  if (results.length !== size || results.some((r) => r.status !== status)) {
    const bad = results.find((r) => r.status !== status);
    throw new Error(`batch to ${url}: ${results.length} results, expected ${size} all ${status}; e.g. ${JSON.stringify(bad).slice(0, 500)}`);
  }
}

export async function benchGateway(runs = 30): Promise<string> {
  const started = performance.now();
  const startedKafka = await startKafka();
  const startedRabbit = await startRabbit();
  const prefix = `bench${Date.now().toString(36)}`;
  const name = `${prefix}-gateway`;
  const yaml = contractYaml(prefix);

  // Iteration counts, scaled by `runs` (30 by default).
  const singles = Math.max(100, runs * 40);
  const batchPlan: Array<[size: number, batches: number]> = [
    [100, Math.max(10, runs * 3)],
    [500, Math.max(5, Math.round(runs * 1.5))],
  ];
  const dlqBatches = Math.max(10, runs * 2);
  // judge() reaches its steady speed only after some 20-30 thousand calls; less warm-up undersells it.
  const validations = Math.max(50_000, Math.round((runs * 200_000) / 30));
  const VALIDATION_WARMUP = 30_000;
  const WARM_BATCHES = 30;
  const WARM_SINGLES = 300;

  const valid = Array.from({ length: 500 }, (_, i) => validPayload(i));
  const invalid = Array.from({ length: 100 }, (_, i) => invalidPayload(i));
  const validBytes = valid.map((p) => Buffer.from(JSON.stringify(p)));
  const invalidBytes = invalid.map((p) => Buffer.from(JSON.stringify(p)));
  const batchBody = (payloads: Record<string, unknown>[]) => Buffer.from(JSON.stringify(payloads.map((payload) => ({ payload }))));
  const sizes = [...validBytes, ...invalidBytes].map((b) => b.length);
  const headers = { 'content-type': 'application/json' };

  const kafka = new Kafka({ clientId: 'herald-bench', brokers: KAFKA_BROKERS, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  const connection = await amqp.connect(AMQP_URL);
  const confirm = await connection.createConfirmChannel();
  const bareTopic = `${prefix}.kafka.bare`;
  const minimalTopic = `${prefix}.kafka.minimal`;
  const { contract } = await srcIngest.ingest(yaml, 'yaml');
  const schema = contract.channels.find((c) => c.id === KAFKA_CHANNEL)!.messages[0]!.payload as object;
  const bareQueue = `${prefix}.rabbit.bare`;
  const provisioned: Array<{ kind: string; name: string }> = [];
  let herald: Awaited<ReturnType<typeof startHerald>> | undefined;
  let bareHttp: Awaited<ReturnType<typeof startBareHttp>> | undefined;
  let sections: string[] = [];

  try {
    await admin.connect();
    await producer.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [bareTopic, minimalTopic].map((topic) => ({ topic, numPartitions: PARTITIONS, replicationFactor: 1 })) });
    await confirm.assertQueue(bareQueue, { durable: true, exclusive: false, autoDelete: false });

    // HERALD_LOG_LEVEL=warn would hide the "Herald is listening" line startHerald waits for.
    herald = await startHerald({ HERALD_KAFKA_BROKERS: KAFKA_BROKERS.join(','), HERALD_AMQP_URL: AMQP_URL, HERALD_LOG_LEVEL: 'info' });
    bareHttp = await startBareHttp({ schema, topic: minimalTopic });
    const url = herald.url;
    await expectStatus(`${url}/v1/contracts/${name}/versions`, yaml, 201, 'application/yaml');
    const provision = JSON.parse(await expectStatus(`${url}/v1/contracts/${name}/provision`, '', 200)) as { results: Array<{ kind: string; name: string; status: string }> };
    provisioned.push(...provision.results);
    if (provision.results.some((r) => r.status === 'conflict')) throw new Error(`provisioning: ${JSON.stringify(provision.results)}`);

    const kafkaOne = `${url}/v1/publish/${name}/${KAFKA_CHANNEL}`;
    const rabbitOne = `${url}/v1/publish/${name}/${RABBIT_CHANNEL}`;
    const echo = bareHttp.echo;
    const minimal = bareHttp.gateway;
    const pick = (i: number) => validBytes[(i + 500) % validBytes.length]!;
    const pickInvalid = (i: number) => invalidBytes[(i + 100) % invalidBytes.length]!;
    const bodies = new Map(batchPlan.map(([size]) => [size, batchBody(valid.slice(0, size))]));
    const validBody = bodies.get(100)!;
    const invalidBody = batchBody(invalid);

    // The contenders, each doing exactly one batch or one message.
    const gatewayBatch = (one: string, body: string | Buffer, size: number, status: 'routed' | 'dead-lettered' = 'routed') => () => batchAll(`${one}/batch`, body, status, size);
    const kafkaBatch = (size: number) => {
      const messages = validBytes.slice(0, size).map((value) => ({ value, headers }));
      return () => producer.send({ topic: bareTopic, acks: -1, messages });
    };
    const rabbitBatch = (size: number) => {
      const values = validBytes.slice(0, size);
      return async () => {
        for (const value of values) confirm.sendToQueue(bareQueue, value, { persistent: true, contentType: 'application/json' });
        await confirm.waitForConfirms();
      };
    };
    const echoPost = (body: string | Buffer) => () => expectStatus(echo, body, 202);
    const minimalBatch = (body: string | Buffer, size: number) => () => batchAll(minimal, body, 'routed', size);
    const kafkaSingle = (i: number) => producer.send({ topic: bareTopic, acks: -1, messages: [{ value: pick(i), headers }] });
    const rabbitSingle = async (i: number) => {
      confirm.sendToQueue(bareQueue, pick(i), { persistent: true, contentType: 'application/json' });
      await confirm.waitForConfirms();
    };

    // ---- Warm-up: a fresh `herald serve` runs unoptimized code at first; so do the bare clients.
    for (let i = 0; i < WARM_BATCHES; i++) {
      for (const fn of [
        gatewayBatch(kafkaOne, validBody, 100),
        kafkaBatch(100),
        gatewayBatch(rabbitOne, validBody, 100),
        rabbitBatch(100),
        gatewayBatch(kafkaOne, invalidBody, 100, 'dead-lettered'),
        echoPost(validBody),
        minimalBatch(validBody, 100),
      ]) {
        await fn();
      }
    }
    for (let i = 0; i < WARM_SINGLES; i++) {
      await expectStatus(kafkaOne, pick(i), 202);
      await kafkaSingle(i);
      await expectStatus(rabbitOne, pick(i), 202);
      await rabbitSingle(i);
      await expectStatus(kafkaOne, pickInvalid(i), 422);
      await expectStatus(echo, pick(i), 202);
    }

    // ---- Throughput: HTTP batches through the gateway against bare clients, same batch size.
    const kafkaRows: Array<Record<string, string | number>> = [];
    const budget: Array<{ size: number; bare: number; http: number; gateway: number; minimal: number }> = [];
    const rabbitRows: Array<Record<string, string | number>> = [];
    for (const [size, batches] of batchPlan) {
      const body = bodies.get(size)!;
      const k = await throughput([gatewayBatch(kafkaOne, body, size), kafkaBatch(size), echoPost(body), minimalBatch(body, size)], batches, size, 3);
      kafkaRows.push({
        'batch size': size,
        batches,
        'gateway (HTTP batch)': rate(k.rates[0]!),
        'bare kafkajs send()': rate(k.rates[1]!),
        'ratio gateway/bare (goal >= 0.7)': ratio(k.rates[0]! / k.rates[1]!, { atLeast: 0.7 }),
        'minimal gateway': rate(k.rates[3]!),
        'ratio minimal/bare': ratio(k.rates[3]! / k.rates[1]!),
        'ratio gateway/minimal': ratio(k.rates[0]! / k.rates[3]!),
        'gateway batch p50': ms(k.batch[0]!.p50),
        'bare batch p50': ms(k.batch[1]!.p50),
        'minimal batch p50': ms(k.batch[3]!.p50),
        'HTTP alone p50': ms(k.batch[2]!.p50),
      });
      budget.push({ size, bare: k.batch[1]!.mean, http: k.batch[2]!.mean, gateway: k.batch[0]!.mean, minimal: k.batch[3]!.mean });
      const r = await throughput([gatewayBatch(rabbitOne, body, size), rabbitBatch(size), echoPost(body)], batches, size, 3);
      rabbitRows.push({
        'batch size': size,
        batches,
        'gateway (HTTP batch)': rate(r.rates[0]!),
        'bare amqplib confirm channel': rate(r.rates[1]!),
        'ratio gateway/bare (goal >= 0.7)': ratio(r.rates[0]! / r.rates[1]!, { atLeast: 0.7 }),
        'gateway batch p50': ms(r.batch[0]!.p50),
        'bare batch p50': ms(r.batch[1]!.p50),
        'HTTP alone p50': ms(r.batch[2]!.p50),
      });
    }

    // ---- Throughput under concurrent load: several clients at once, batches of 100.
    const concurrentRows: Array<Record<string, string | number>> = [];
    for (const clients of [1, 4]) {
      const rounds = Math.max(5, Math.round((runs * 2) / clients));
      const [gk, bk] = await concurrent([gatewayBatch(kafkaOne, validBody, 100), kafkaBatch(100)], clients, rounds, 100);
      const [gr, br] = await concurrent([gatewayBatch(rabbitOne, validBody, 100), rabbitBatch(100)], clients, rounds, 100);
      concurrentRows.push(
        { broker: 'Kafka', clients, 'messages each': rounds * 100, gateway: rate(gk!), bare: rate(bk!), 'ratio gateway/bare (goal >= 0.7)': ratio(gk! / bk!, { atLeast: 0.7 }) },
        { broker: 'RabbitMQ', clients, 'messages each': rounds * 100, gateway: rate(gr!), bare: rate(br!), 'ratio gateway/bare (goal >= 0.7)': ratio(gr! / br!, { atLeast: 0.7 }) },
      );
    }

    // ---- Single-message latency: one message at a time, waiting for the acknowledgement.
    const [kGateway, kBare, kHttp] = await interleaved([(i) => expectStatus(kafkaOne, pick(i), 202), kafkaSingle, (i) => echoPost(pick(i))()], singles, 50);
    const [rGateway, rBare] = await interleaved([(i) => expectStatus(rabbitOne, pick(i), 202), rabbitSingle], singles, 50);
    const [healthz] = await interleaved([async () => void (await (await fetch(`${url}/healthz`)).arrayBuffer())], singles, 50);
    const latencyRow = (path: string, gateway: Stats, baseline: string, bare?: Stats) => ({
      path,
      p50: ms(gateway.p50),
      p99: ms(gateway.p99),
      baseline,
      'baseline p50': bare ? ms(bare.p50) : '',
      'baseline p99': bare ? ms(bare.p99) : '',
      'p50 ratio': bare ? (gateway.p50 / bare.p50).toFixed(2) : '',
      'p99 ratio': bare ? (gateway.p99 / bare.p99).toFixed(2) : '',
    });
    const latencyRows = [
      latencyRow('Kafka: POST one message, 202', kGateway!, 'kafkajs send(), acks -1', kBare),
      latencyRow('RabbitMQ: POST one message, 202', rGateway!, 'sendToQueue + waitForConfirms', rBare),
      latencyRow('HTTP alone: bare Hono POST of the same 1 KB', kHttp!, ''),
      latencyRow('HTTP alone: Herald GET /healthz', healthz!, ''),
    ];

    // ---- Dead-letter path against the valid path, on Kafka.
    const [dlqOne, validOne] = await interleaved([(i) => expectStatus(kafkaOne, pickInvalid(i), 422), (i) => expectStatus(kafkaOne, pick(i), 202)], singles, 50);
    const dlqBatch = await throughput([gatewayBatch(kafkaOne, invalidBody, 100, 'dead-lettered'), gatewayBatch(kafkaOne, validBody, 100)], dlqBatches, 100, 3);
    const dlqRows = [
      { what: 'single POST, p50', 'invalid -> DLQ topic (422)': ms(dlqOne!.p50), 'valid -> topic (202)': ms(validOne!.p50), 'ratio invalid/valid': (dlqOne!.p50 / validOne!.p50).toFixed(2) },
      { what: 'single POST, p99', 'invalid -> DLQ topic (422)': ms(dlqOne!.p99), 'valid -> topic (202)': ms(validOne!.p99), 'ratio invalid/valid': (dlqOne!.p99 / validOne!.p99).toFixed(2) },
      {
        what: `batch of 100 (${dlqBatches} batches), throughput`,
        'invalid -> DLQ topic (422)': rate(dlqBatch.rates[0]!),
        'valid -> topic (202)': rate(dlqBatch.rates[1]!),
        'ratio invalid/valid': (dlqBatch.rates[0]! / dlqBatch.rates[1]!).toFixed(2),
      },
      {
        what: 'batch of 100, p50',
        'invalid -> DLQ topic (422)': ms(dlqBatch.batch[0]!.p50),
        'valid -> topic (202)': ms(dlqBatch.batch[1]!.p50),
        'ratio invalid/valid': (dlqBatch.batch[0]!.p50 / dlqBatch.batch[1]!.p50).toFixed(2),
      },
    ];

    // ---- Validation alone, in process: judge() on the route against bare Ajv, both parsing the bytes.
    const dist = await built();
    const route = dist.routingTable(name, 1, (await dist.ingest(yaml, 'yaml')).contract).get(KAFKA_CHANNEL)!;
    const srcRoute = srcRouting.routingTable(name, 1, contract).get(KAFKA_CHANNEL)!;
    const ajv = new Ajv({ allErrors: true });
    addFormats(ajv);
    const validate: ValidateFunction = ajv.compile(schema);
    const parse = (bytes: Buffer): unknown => JSON.parse(bytes.toString('utf8'));
    const validationRows: Array<Record<string, string>> = [];
    let sink = 0;
    let bareAjvPerSecond = 0;
    for (const [label, bytes, ok] of [
      ['valid', validBytes[0]!, true],
      ['invalid', invalidBytes[0]!, false],
    ] as const) {
      const input = { body: bytes, parameters: {} };
      const verdict = dist.judge(route, input);
      if (verdict.ok !== ok || srcJudge.judge(srcRoute, input).ok !== ok || validate(parse(bytes)) !== ok) throw new Error(`the ${label} message is judged wrongly`);
      const [herald, bare, heraldSrc] = opsPerSecond(
        [
          () => (sink += dist.judge(route, input).ok ? 1 : 2),
          () => (sink += validate(parse(bytes)) ? 1 : validate.errors!.length),
          () => (sink += srcJudge.judge(srcRoute, input).ok ? 1 : 2),
        ],
        validations,
        VALIDATION_WARMUP,
      );
      if (ok) bareAjvPerSecond = bare!;
      const ops = (v: number) => `${Math.round(v).toLocaleString('en-US')} ops/s`;
      validationRows.push({
        message: `${label}${verdict.ok ? '' : ` (${verdict.errors.length} errors)`}, ${bytes.length} bytes`,
        'Herald judge(), dist/': ops(herald!),
        'bare JSON.parse + Ajv': ops(bare!),
        'ratio Herald/bare (goal >= 0.9)': ratio(herald! / bare!, ok ? { atLeast: 0.9 } : undefined),
        'judge(), src/ through tsx': ops(heraldSrc!),
        'ratio src/bare': ratio(heraldSrc! / bare!),
      });
    }
    if (sink === 0) throw new Error('no validation ran');

    // What a goal of 0.7 leaves room for: a gateway must at least take the HTTP request, parse
    // and validate every message and make the same Kafka write as the bare producer. Done one
    // after the other at the bare speed of each (all measured above), they give this ceiling.
    const budgetRows = budget.map(({ size, bare, http, gateway, minimal }) => {
      const validation = (size * 1000) / bareAjvPerSecond;
      return {
        'batch size': size,
        'bare kafkajs send(), mean': ms(bare),
        '+ HTTP alone, mean': ms(http),
        'bare/(bare + HTTP alone)': ratio(bare / (bare + http)),
        '+ JSON.parse + Ajv of every message': ms(validation),
        'ceiling bare/(all three)': ratio(bare / (bare + http + validation)),
        'minimal gateway ratio': ratio(bare / minimal),
        'Herald ratio': ratio(bare / gateway),
      };
    });

    const howMeasured = [
      '### How it was measured',
      '',
      '- `herald serve` (built dist/, its own process, embedded storage, HERALD_LOG_LEVEL=info as in production: one log line per request) with Kafka at 127.0.0.1:9092 and RabbitMQ at 127.0.0.1:5672. The bare clients run in the benchmark process against the same brokers in the same run.',
      `- Fixture contract (in bench/gateway.ts): one Kafka channel (topic of ${PARTITIONS} partitions, replication 1) and one RabbitMQ \`is: queue\` channel, both with one message whose payload schema has 18 properties (formats uuid, email, date-time, ipv4, uri; patterns, enums, minimums, a nested array of objects, additionalProperties: false). Messages are ${Math.min(...sizes) === Math.max(...sizes) ? sizes[0] : `${Math.min(...sizes)}-${Math.max(...sizes)}`} bytes of compact JSON; the invalid ones break 4 rules. Per-run topics and queues, deleted at the end.`,
      `- Client: Node's global fetch (keep-alive), one request at a time; bodies built (as bytes) before timing. Gateway, baseline and the HTTP-alone reference take turns batch by batch (or message by message), after a common warm-up (${WARM_BATCHES} batches and ${WARM_SINGLES} single messages on every path) and 3 batches or 50 messages more per table.`,
      '- Kafka baseline: kafkajs producer, idempotent: true, maxInFlightRequests: 1 (as Herald\'s), `send({topic, acks: -1, messages})` of the same bytes with the same content-type header and the same batch size, to its own topic of as many partitions.',
      '- RabbitMQ baseline: amqplib confirm channel, `sendToQueue(..., {persistent: true})` per message, then `waitForConfirms()` once per batch (or per message), to its own durable queue. Herald publishes persistent and mandatory on its confirm channel.',
      '- HTTP alone: the same body POSTed to a bare Hono route on @hono/node-server (own process) that reads its bytes and answers 202: the cost of the HTTP hop the bare clients do not make.',
      '- Minimal gateway: a bare Hono route in that same process that does the least a validating gateway can with the declared stack, written plainly: `JSON.parse(await c.req.text())`, Ajv (same options and schema) on each payload, `JSON.stringify` of each valid one, one kafkajs `send()` with the bare producer\'s settings to its own topic, a status per message. No dead-letter queue, idempotency, metrics, logging or deadlines.',
      '- Throughput: the messages of all timed batches over their total time; every gateway batch answer is checked (every result `routed`, or `dead-lettered` for the invalid batches).',
      `- Validation: in process, no HTTP, no broker. judge() on the Route that routingTable() builds from ingest() of the same contract, as tsc built it (dist/, what \`herald serve\` runs), against \`new Ajv({allErrors: true})\` + ajv-formats compiled once on the same payload schema; both include JSON.parse of the same bytes. ${validations.toLocaleString('en-US')} calls each in 10 alternating blocks after ${VALIDATION_WARMUP.toLocaleString('en-US')} warm-up calls each. src/ through tsx is shown too: esbuild's keepNames adds a \`__name\` call per closure judge() creates.`,
    ].join('\n');

    sections = [
      `## Gateway: Kafka and RabbitMQ against bare clients, same brokers, same run (${Math.round((performance.now() - started) / 1000)} s)`,
      '',
      howMeasured,
      '',
      '### Kafka batch throughput: POST /v1/publish/{contract}/{channel}/batch against bare kafkajs',
      '',
      table(kafkaRows),
      '',
      '### RabbitMQ batch throughput: POST /v1/publish/{contract}/{channel}/batch against bare amqplib',
      '',
      table(rabbitRows),
      '',
      '### Batch throughput with several clients at once (batches of 100; bare clients share one producer or confirm channel, as the gateway does)',
      '',
      table(concurrentRows),
      '',
      `### Single-message latency: POST /v1/publish/{contract}/{channel}, ${singles} sequential messages each`,
      '',
      table(latencyRows),
      '',
      `### Dead-letter path against the valid path, Kafka (${singles} single messages each)`,
      '',
      table(dlqRows),
      '',
      '### Validation alone, in process: judge() against bare JSON.parse + Ajv',
      '',
      table(validationRows),
      '',
      '### The room a goal of 0.7 leaves, Kafka batches: the parts every validating gateway does, each at its bare speed, in sequence',
      '',
      table(budgetRows),
      '',
    ];
  } finally {
    await herald?.stop();
    await bareHttp?.stop();
    const topics = [bareTopic, minimalTopic, ...provisioned.filter((r) => r.kind === 'kafka-topic').map((r) => r.name)];
    await admin.deleteTopics({ topics }).catch((err: Error) => console.error(`could not delete topics ${topics.join(', ')}: ${err.message}`));
    await producer.disconnect().catch(() => {});
    await admin.disconnect().catch(() => {});
    const cleanup = await connection.createChannel();
    cleanup.on('error', () => {});
    for (const q of [bareQueue, ...provisioned.filter((r) => r.kind === 'amqp-queue').map((r) => r.name)]) await cleanup.deleteQueue(q).catch(() => {});
    for (const e of provisioned.filter((r) => r.kind === 'amqp-exchange').map((r) => r.name)) await cleanup.deleteExchange(e).catch(() => {});
    await connection.close().catch(() => {});
    if (startedKafka) await stopKafka();
    if (startedRabbit) await stopRabbit();
  }
  return sections.join('\n');
}
