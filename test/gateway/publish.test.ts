/**
 * The gateway against a real Kafka and a real RabbitMQ: provisioning, routing by contract,
 * dead letters with their original bytes and reasons, idempotency, batches, versions.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.js';
import { AMQP_URL, KAFKA_BROKERS, bindQueue, drainQueue, readTopic, runPrefix, shopContract } from '../helpers/brokers.js';

const run = runPrefix();
const NAME = `shop-${run}`;
let api: TestApp;

const order = (over: Record<string, unknown> = {}) => ({ orderId: randomUUID(), total: 12.5, ...over });
const publish = (channel: string, body: string | object, headers: Record<string, string> = {}, query = '') =>
  api.request('POST', `/v1/publish/${NAME}/${encodeURIComponent(channel)}${query}`, {
    body: typeof body === 'string' ? body : JSON.stringify(body),
    contentType: 'application/json',
    headers,
  });

beforeAll(async () => {
  api = await testApp('pglite', { gateway: { kafkaBrokers: KAFKA_BROKERS, amqpUrl: AMQP_URL, publishTimeoutMs: 10_000 } });
  expect((await api.request('POST', `/v1/contracts/${NAME}/versions`, { body: shopContract(run) })).status).toBe(201);
  expect(await api.request('POST', `/v1/contracts/${NAME}/provision`).then((r) => [r.status, r.json?.detail])).toEqual([200, undefined]);
});
afterAll(async () => api?.cleanup());

describe('provisioning', () => {
  it('has created every destination with its DLQ, as bound; a second run finds them all', async () => {
    const again = await api.request('POST', `/v1/contracts/${NAME}/provision`);
    expect(again.status).toBe(200);
    const names = again.json.results.map((r: { kind: string; name: string }) => `${r.kind} ${r.name}`);
    expect(names).toEqual(
      expect.arrayContaining([
        `kafka-topic ${run}.orders.v1`,
        `kafka-topic ${run}.orders.v1.dlq`,
        `kafka-topic ${run}.eu.events`,
        `kafka-topic ${run}.us.events`,
        `kafka-topic ${run}.region.events.dlq`,
        `kafka-topic ${run}.audit`,
        `kafka-topic ${run}.audit.rejected`,
        `amqp-queue ${run}.refunds`,
        `amqp-queue ${run}.refunds.dlq`,
        `amqp-exchange ${run}.refunds.dlx`,
        `amqp-exchange ${run}.payments`,
        `amqp-queue ${run}.payments.settled.dlq`,
      ]),
    );
    expect(again.json.results.every((r: { status: string }) => r.status === 'existing')).toBe(true);

    const admin = new Kafka({ brokers: KAFKA_BROKERS, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const meta = await admin.fetchTopicMetadata({ topics: [`${run}.orders.v1`] });
    expect(meta.topics[0]!.partitions).toHaveLength(3);
    const configs = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: `${run}.orders.v1`, configNames: ['retention.ms', 'cleanup.policy'] }] });
    const entries = Object.fromEntries(configs.resources[0]!.configEntries.map((e) => [e.configName, e.configValue]));
    expect(entries).toEqual({ 'retention.ms': '86400000', 'cleanup.policy': 'delete' });
    await admin.disconnect();
  });

  it('gives each queue a dead-letter exchange: a consumer rejection lands in the DLQ natively', async () => {
    const body = JSON.stringify({ refundId: 'r-rejected', amount: 5 });
    expect((await publish('refunds', body)).status).toBe(202);
    const connection = await amqp.connect(AMQP_URL);
    const ch = await connection.createChannel();
    const msg = await ch.get(`${run}.refunds`, { noAck: false });
    expect(msg && msg.content.toString()).toBe(body);
    ch.nack(msg as amqp.GetMessage, false, false);
    await ch.close();
    await connection.close();
    const dead = await drainQueue(`${run}.refunds.dlq`);
    expect(dead.map((m) => m.value.toString())).toEqual([body]);
  });
});

describe('routing to Kafka', () => {
  it('answers 202 once Kafka has the message: same bytes, key, headers and content type', async () => {
    const key = randomUUID();
    const body = `{ "orderId": "${randomUUID()}", "total": 3 }`;
    const res = await publish('orders', body, { 'Herald-Key': key, 'Herald-Headers': JSON.stringify({ 'x-tenant': 'acme', 'x-priority': 2 }) });
    expect(res.status).toBe(202);
    expect(res.json).toEqual({ status: 'routed', contract: NAME, version: 1, channel: 'orders', message: 'OrderPlaced', destination: `kafka:${run}.orders.v1` });
    const [read] = (await readTopic(`${run}.orders.v1`)).filter((m) => m.value.toString() === body);
    expect(read).toBeDefined();
    expect(read!.key).toBe(key);
    expect(read!.headers).toMatchObject({ 'x-tenant': 'acme', 'x-priority': '2', 'content-type': 'application/json' });
  });

  it('takes the first message of the channel that validates, or the one Herald-Message names', async () => {
    const cancel = { orderId: randomUUID(), cancelledBy: 'customer' };
    expect((await publish('orders', cancel)).json.message).toBe('OrderCancelled');
    expect((await publish('orders', cancel, { 'Herald-Message': 'OrderCancelled' })).json.message).toBe('OrderCancelled');
    const named = await publish('orders', cancel, { 'Herald-Message': 'OrderPlaced' });
    expect(named.status).toBe(422);
    expect(named.json.errors).toContainEqual(expect.objectContaining({ in: 'payload', pointer: '/total', keyword: 'required' }));
  });

  it('substitutes channel parameters into the address, after checking them', async () => {
    const eu = await publish('regional', { id: 7 }, {}, '?region=eu');
    expect(eu.status).toBe(202);
    expect(eu.json.destination).toBe(`kafka:${run}.eu.events`);
    // A wrong parameter is the request's error, not the message's: 400, nothing published.
    const bad = await publish('regional', { id: 8 }, {}, '?region=asia');
    expect(bad.status).toBe(400);
    expect(bad.json.type).toBe('urn:herald:problem:bad-request');
    expect(bad.json.errors).toContainEqual(expect.objectContaining({ in: 'parameters', pointer: '/region', keyword: 'enum' }));
    const missing = await publish('regional', { id: 9 });
    expect(missing.status).toBe(400);
    expect(missing.json.errors).toContainEqual(expect.objectContaining({ in: 'parameters', pointer: '/region' }));
  });
});

describe('dead letters', () => {
  it('puts a message that breaks its schema in the DLQ with its bytes, the reason and the failing fields', async () => {
    const body = `{"orderId": "not-a-uuid", "total": -1}`;
    const res = await publish('orders', body, { 'Herald-Message': 'OrderPlaced', 'Herald-Key': 'k-1' });
    expect(res.status).toBe(422);
    expect(res.json).toMatchObject({ status: 'dead-lettered', reason: 'schema', message: 'OrderPlaced', dlq: `kafka:${run}.orders.v1.dlq` });
    const pointers = res.json.errors.map((e: { in: string; pointer: string }) => `${e.in}${e.pointer}`).sort();
    expect(pointers).toEqual(['key', 'payload/orderId', 'payload/total']);
    const [dead] = (await readTopic(`${run}.orders.v1.dlq`)).filter((m) => m.value.toString() === body);
    expect(dead).toBeDefined();
    expect(dead!.key).toBe('k-1');
    const error = JSON.parse(dead!.headers['herald.error']!);
    expect(error.reason).toBe('schema');
    expect(error.errors).toHaveLength(3);
    expect(dead!.headers).toMatchObject({
      'herald.contract': NAME,
      'herald.contract.version': '1',
      'herald.channel': 'orders',
      'herald.message': 'OrderPlaced',
      'herald.destination': `kafka:${run}.orders.v1`,
    });
    expect(Date.parse(dead!.headers['herald.received-at']!)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('dead-letters a payload that is not JSON, unchanged, as malformed', async () => {
    const body = 'orderId=1&total=2 \u00e9';
    const res = await publish('audit', body);
    expect(res.status).toBe(422);
    expect(res.json).toMatchObject({ reason: 'malformed', dlq: `kafka:${run}.audit.rejected` });
    const dead = (await readTopic(`${run}.audit.rejected`)).find((m) => m.value.equals(Buffer.from(body)));
    expect(JSON.parse(dead!.headers['herald.error']!).reason).toBe('malformed');
  });

  it('dead-letters a message the channel does not have, and bad headers', async () => {
    const unknown = await publish('orders', order(), { 'Herald-Message': 'OrderShipped' });
    expect(unknown.json).toMatchObject({ status: 'dead-lettered', reason: 'unknown-message' });
    const headers = await publish('orders', order(), { 'Herald-Headers': JSON.stringify({ 'x-tenant': 'a' }) });
    expect(headers.json.errors).toContainEqual(expect.objectContaining({ in: 'headers', pointer: '/x-tenant', keyword: 'minLength' }));
  });

  it('truncates the errors in herald.error at the configured limit', async () => {
    const small = await testApp('pglite', { gateway: { kafkaBrokers: KAFKA_BROKERS, dlqErrorMaxBytes: 256 } });
    try {
      expect((await small.request('POST', `/v1/contracts/${NAME}/versions`, { body: shopContract(run) })).status).toBe(201);
      const many = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`p${i}`, i]));
      const body = JSON.stringify({ ...many, orderId: 'x', total: 'y', coupon: 3 });
      const res = await small.request('POST', `/v1/publish/${NAME}/orders`, { body, contentType: 'application/json', headers: { 'Herald-Message': 'OrderCancelled' } });
      expect(res.json.errors.length).toBeGreaterThan(10);
      const dead = (await readTopic(`${run}.orders.v1.dlq`)).find((m) => m.value.toString() === body);
      expect(Buffer.byteLength(dead!.headers['herald.error']!)).toBeLessThanOrEqual(256);
      expect(JSON.parse(dead!.headers['herald.error']!).truncated).toBeGreaterThan(0);
    } finally {
      await small.cleanup();
    }
  });
});

describe('routing to RabbitMQ', () => {
  it('publishes to a bound queue, persistent, after the publisher confirm', async () => {
    const body = JSON.stringify({ refundId: 'r-1', amount: 10 });
    const res = await publish('refunds', body);
    expect(res.status).toBe(202);
    expect(res.json.destination).toBe(`rabbitmq:queue/${run}.refunds`);
    const connection = await amqp.connect(AMQP_URL);
    const ch = await connection.createChannel();
    const msg = await ch.get(`${run}.refunds`, { noAck: true });
    await connection.close();
    expect(msg && msg.content.toString()).toBe(body);
    expect(msg && msg.properties.deliveryMode).toBe(2);
    expect(msg && msg.properties.contentType).toBe('application/json');
  });

  it('dead-letters an invalid message into <queue>.dlq', async () => {
    const body = JSON.stringify({ refundId: 'r-2', amount: 0 });
    const res = await publish('refunds', body);
    expect(res.json).toMatchObject({ status: 'dead-lettered', dlq: `rabbitmq:queue/${run}.refunds.dlq` });
    const dead = (await drainQueue(`${run}.refunds.dlq`)).find((m) => m.value.toString() === body);
    expect(dead!.headers['herald.channel']).toBe('refunds');
    expect(JSON.parse(dead!.headers['herald.error']!).errors[0]).toMatchObject({ in: 'payload', pointer: '/amount', keyword: 'minimum' });
  });

  it('publishes to an exchange with the address as routing key; with no queue bound, keeps the message in the DLQ', async () => {
    const body = JSON.stringify({ paymentId: 'p-1' });
    const lost = await publish('settled', body);
    expect(lost.status).toBe(422);
    expect(lost.json).toMatchObject({ reason: 'unroutable', dlq: `rabbitmq:queue/${run}.payments.settled.dlq` });
    expect((await drainQueue(`${run}.payments.settled.dlq`)).map((m) => m.value.toString())).toEqual([body]);

    await bindQueue(`${run}.payments`, `${run}.payments.settled`, `${run}.ledger`);
    const routed = await publish('settled', body);
    expect(routed.status).toBe(202);
    expect(routed.json.destination).toBe(`rabbitmq:exchange/${run}.payments/${run}.payments.settled`);
    expect((await drainQueue(`${run}.ledger`)).map((m) => m.value.toString())).toEqual([body]);
  });
});

describe('idempotency', () => {
  it('a retry with the same Idempotency-Key is answered from the first and not published again', async () => {
    const body = JSON.stringify(order({ coupon: 'ONCE' }));
    const first = await publish('orders', body, { 'Idempotency-Key': `k-${run}` });
    const again = await publish('orders', body, { 'Idempotency-Key': `k-${run}` });
    expect(again.status).toBe(202);
    expect(again.headers.get('Idempotent-Replayed')).toBe('true');
    expect(again.json).toEqual(first.json);
    const copies = (await readTopic(`${run}.orders.v1`)).filter((m) => m.value.toString() === body);
    expect(copies).toHaveLength(1);
    const other = await publish('orders', order(), { 'Idempotency-Key': `k-${run}` });
    expect(other.status).toBe(409);
  });
});

describe('batches', () => {
  it('routes a JSON array, one result per message, in order', async () => {
    const items = [{ payload: order() }, { payload: { orderId: 'bad' } }, { payloadText: '{oops' }, { nope: 1 }, { payload: order(), key: randomUUID() }];
    const res = await api.request('POST', `/v1/publish/${NAME}/orders/batch`, { body: items, contentType: 'application/json' });
    expect(res.status).toBe(200);
    expect(res.json.results.map((r: { status: string; reason?: string }) => r.reason ?? r.status)).toEqual(['routed', 'schema', 'malformed', 'failed', 'routed']);
    expect(res.json.results[3].error.status).toBe(400);
  });

  it('writes each payload to the topic as the bytes it was written in', async () => {
    // JSON.parse then JSON.stringify would write 12.5 and lose the spacing; a consumer reading decimals as text would see the change.
    const payload = `{ "orderId": "${randomUUID()}", "total": 12.50000000000000000001 }`;
    const res = await api.request('POST', `/v1/publish/${NAME}/orders/batch`, { body: `[{"payload": ${payload}, "message": "OrderPlaced"}]`, contentType: 'application/json' });
    expect(res.json.results[0].status).toBe('routed');
    const written = (await readTopic(`${run}.orders.v1`)).map((m) => m.value.toString());
    expect(written).toContain(payload);
  });

  it('routes NDJSON, with per-message parameters and idempotency keys', async () => {
    const lines = [
      JSON.stringify({ payload: { id: 1 }, parameters: { region: 'us' }, idempotencyKey: `n-${run}-1` }),
      JSON.stringify({ payload: { id: 2 }, parameters: { region: 'eu' } }),
      'not json',
      JSON.stringify({ payload: { id: 1 }, parameters: { region: 'us' }, idempotencyKey: `n-${run}-1` }),
    ].join('\n');
    const res = await api.request('POST', `/v1/publish/${NAME}/regional/batch`, { body: lines, contentType: 'application/x-ndjson' });
    expect(res.json.results.map((r: { destination?: string; status: string }) => r.destination ?? r.status)).toEqual([
      `kafka:${run}.us.events`,
      `kafka:${run}.eu.events`,
      'failed',
      `kafka:${run}.us.events`,
    ]);
    expect(res.json.results[3].replayed).toBe(true);

    // The same key for another message fails that message alone.
    const reused = [JSON.stringify({ payload: { id: 3 }, parameters: { region: 'us' }, idempotencyKey: `n-${run}-1` }), JSON.stringify({ payload: { id: 4 }, parameters: { region: 'us' } })].join('\n');
    const mixed = await api.request('POST', `/v1/publish/${NAME}/regional/batch`, { body: reused, contentType: 'application/x-ndjson' });
    expect(mixed.status).toBe(200);
    expect(mixed.json.results.map((r: { status: string; error?: { status: number } }) => r.error?.status ?? r.status)).toEqual([409, 'routed']);
  });

  it('refuses more messages than the limit', async () => {
    const small = await testApp('pglite', { gateway: { maxBatch: 2 } });
    try {
      const res = await small.request('POST', `/v1/publish/${NAME}/orders/batch`, { body: [{ payload: 1 }, { payload: 2 }, { payload: 3 }], contentType: 'application/json' });
      expect(res.status).toBe(413);
    } finally {
      await small.cleanup();
    }
  });
});

describe('contract versions', () => {
  it('a new version takes effect at once; ?version= pins an older one', async () => {
    const v2 = shopContract(run).replace('            minimum: 0\n          coupon:', '            minimum: 0\n            maximum: 1000\n          coupon:');
    expect((await api.request('POST', `/v1/contracts/${NAME}/versions`, { body: v2 })).status).toBe(201);
    const big = order({ total: 5000 });
    const now = await publish('orders', big, { 'Herald-Message': 'OrderPlaced' });
    expect(now.json).toMatchObject({ status: 'dead-lettered', version: 2 });
    const pinned = await publish('orders', big, { 'Herald-Message': 'OrderPlaced' }, '?version=1');
    expect(pinned.json).toMatchObject({ status: 'routed', version: 1 });
    // A deleted version stops routing at once.
    expect((await api.request('DELETE', `/v1/contracts/${NAME}/versions/1`)).status).toBe(200);
    expect((await publish('orders', big, { 'Herald-Message': 'OrderPlaced' }, '?version=1')).status).toBe(404);
  });

  it('answers 404 for an unknown contract, channel or version', async () => {
    expect((await api.request('POST', `/v1/publish/nope-${run}/orders`, { body: '{}', contentType: 'application/json' })).status).toBe(404);
    const channel = await publish('shipments', {});
    expect(channel.status).toBe(404);
    expect(channel.json.detail).toContain('"orders"');
    expect((await publish('orders', order(), {}, '?version=99')).status).toBe(404);
  });
});

describe('when the broker cannot acknowledge', () => {
  it('answers 503 with Retry-After, never 2xx, when Kafka cannot be reached in time', async () => {
    const down = await testApp('pglite', { gateway: { kafkaBrokers: ['127.0.0.1:1'], publishTimeoutMs: 300 } });
    try {
      expect((await down.request('POST', `/v1/contracts/${NAME}/versions`, { body: shopContract(run) })).status).toBe(201);
      for (const body of [order(), { orderId: 'invalid' }]) {
        const res = await down.request('POST', `/v1/publish/${NAME}/orders`, { body: JSON.stringify(body), contentType: 'application/json' });
        expect(res.status).toBe(503);
        expect(Number(res.headers.get('Retry-After'))).toBeGreaterThan(0);
      }
      const ready = await down.request('GET', '/readyz');
      expect(ready.status).toBe(503);
      expect(ready.json.checks.kafka).toEqual({ status: 'down' });
    } finally {
      await down.cleanup();
    }
  });

  it('answers 503 to provisioning, never 500, when a broker does not answer in time; the server keeps serving', async () => {
    const nowhere = 'amqp://guest:guest@127.0.0.1:1';
    const cases: Array<[brokers: string[], who: string]> = [
      [['127.0.0.1:1'], 'Kafka'],
      [KAFKA_BROKERS, 'RabbitMQ'],
    ];
    for (const [kafkaBrokers, who] of cases) {
      const down = await testApp('pglite', { gateway: { kafkaBrokers, amqpUrl: nowhere, provisionTimeoutMs: 1000 } });
      try {
        expect((await down.request('POST', `/v1/contracts/${NAME}/versions`, { body: shopContract(run) })).status).toBe(201);
        const res = await down.request('POST', `/v1/contracts/${NAME}/provision`);
        expect(res.status).toBe(503);
        expect(res.headers.get('Content-Type')).toContain('application/problem+json');
        expect(res.json.detail).toMatch(new RegExp(`^${who} did not finish provisioning within 1000 ms\\. .*provisioning again is safe`));
        expect((await down.request('GET', `/v1/contracts/${NAME}/versions/latest`)).status).toBe(200);
      } finally {
        await down.cleanup();
      }
    }
  });

  it('answers 503 for a broker this gateway has no address for', async () => {
    const kafkaOnly = await testApp('pglite', { gateway: { kafkaBrokers: KAFKA_BROKERS } });
    try {
      expect((await kafkaOnly.request('POST', `/v1/contracts/${NAME}/versions`, { body: shopContract(run) })).status).toBe(201);
      const res = await kafkaOnly.request('POST', `/v1/publish/${NAME}/refunds`, { body: '{}', contentType: 'application/json' });
      expect(res.status).toBe(503);
      expect(res.json.detail).toContain('HERALD_AMQP_URL');
    } finally {
      await kafkaOnly.cleanup();
    }
  });
});

describe('operations', () => {
  it('reports both brokers ready', async () => {
    const res = await api.request('GET', '/readyz');
    expect(res.status).toBe(200);
    expect(res.json.checks).toMatchObject({ storage: { status: 'ok' }, kafka: { status: 'ok' }, rabbitmq: { status: 'ok' } });
  });

  it('counts messages by contract, channel and outcome in /metrics', async () => {
    const res = await api.request('GET', '/metrics');
    expect(res.status).toBe(200);
    const count = (outcome: string, channel: string) =>
      Number(new RegExp(`herald_gateway_messages_total\\{contract="${NAME}",channel="${channel}",outcome="${outcome}"\\} (\\d+)`).exec(res.text)?.[1] ?? 0);
    expect(count('routed', 'orders')).toBeGreaterThan(0);
    expect(count('dead_lettered', 'orders')).toBeGreaterThan(0);
    expect(res.text).toMatch(/herald_broker_connected\{broker="kafka"\} 1/);
    expect(res.text).toMatch(/herald_gateway_publish_duration_seconds_bucket\{le="0.1",broker="kafka",outcome="routed"\} \d+/);
  });
});

describe('AsyncAPI 2.x channels and redeclaration conflicts', () => {
  const legacy = `asyncapi: 2.6.0
info: {title: legacy, version: 1.0.0}
servers:
  k: {url: 'k.invalid:9092', protocol: kafka}
  r: {url: 'r.invalid:5672', protocol: amqp}
channels:
  ${run}/legacy/events:
    servers: [k]
    bindings: {kafka: {topic: ${run}.legacy}}
    subscribe:
      message: {name: LegacyEvent, payload: {type: object, required: [id]}}
  ${run}.transient:
    servers: [r]
    bindings: {amqp: {is: queue, queue: {name: ${run}.transient, durable: true}}}
    subscribe:
      message: {payload: {type: object}}
`;
  it('takes the URL-encoded address as the channel id', async () => {
    const name = `legacy-${run}`;
    expect((await api.request('POST', `/v1/contracts/${name}/versions`, { body: legacy })).status).toBe(201);
    // RabbitMQ refuses to redeclare a queue with other properties: provisioning reports it.
    const connection = await amqp.connect(AMQP_URL);
    const ch = await connection.createChannel();
    await ch.assertQueue(`${run}.transient`, { durable: false, autoDelete: true });
    const report = await api.request('POST', `/v1/contracts/${name}/provision`);
    await connection.close();
    expect(report.json.results).toContainEqual(expect.objectContaining({ kind: 'amqp-queue', name: `${run}.transient`, status: 'conflict', detail: expect.stringContaining('PRECONDITION_FAILED') }));
    expect(report.json.results).toContainEqual({ kind: 'kafka-topic', name: `${run}.legacy`, status: 'created' });

    const res = await api.request('POST', `/v1/publish/${name}/${encodeURIComponent(`${run}/legacy/events`)}`, { body: '{"id": 1}', contentType: 'application/json' });
    expect(res.status).toBe(202);
    expect(res.json).toMatchObject({ channel: `${run}/legacy/events`, message: 'LegacyEvent', destination: `kafka:${run}.legacy` });
  });
});
