/**
 * The generated SDK's typed channel API against a real Kafka, a real RabbitMQ and Herald's
 * gateway, for each contract in specs/ (its destinations prefixed per run): producers send
 * through kafkajs, amqplib and the gateway; consumers get typed messages; a raw invalid
 * message ends in the DLQ with the gateway's herald.* headers and its original bytes; a
 * handler that throws has its message delivered again; request/reply waits for its reply.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGenerate } from '../../src/cli/generate.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { AMQP_URL, KAFKA_BROKERS, bindQueue, drainQueue, readTopic, runPrefix, sendRaw, topicSize } from '../helpers/brokers.js';

const run = runPrefix();
const dir = mkdtempSync(path.join(tmpdir(), 'herald-sdk-channels-'));
let api: TestApp;
let kafka: Kafka;
let producer: Producer;
let connection: ChannelModel;
let channel: ConfirmChannel;

/** Each spec with this run's prefix in every destination name, so that runs share no topic or queue. */
const SPECS: Record<string, (text: string) => string> = {
  orders: (t) => t.replace(/\b(orders\.placed\.v1|orders\.cancelled\.v1|payments\.settled\.v1)\b/g, `${run}.$1`),
  payments: (t) => t.replace(/\bpayments\.(requested|settled|refunds)\b/g, `${run}.payments.$1`).replace(/name: payments$/gm, `name: ${run}-payments`),
  notifications: (t) => t.replace(/\b(orders\.placed\.v1|notifications\.email|users\.\{userId\}\.preferences)\b/g, `${run}.$1`),
};
const contract = (spec: string) => `${spec}-${run}`;
// The packages are generated at run time, so they are typed here only loosely; package.test.ts compiles their types.
const sdk: Record<string, any> = {};

beforeAll(async () => {
  api = await testApp('pglite', { gateway: { kafkaBrokers: KAFKA_BROKERS, amqpUrl: AMQP_URL, publishTimeoutMs: 10_000 } });
  for (const [spec, prefix] of Object.entries(SPECS)) {
    const file = path.join(dir, `${contract(spec)}.yaml`);
    writeFileSync(file, prefix(readFileSync(`specs/${spec}.yaml`, 'utf8')));
    expect((await api.request('POST', `/v1/contracts/${contract(spec)}/versions`, { body: readFileSync(file, 'utf8'), contentType: 'application/yaml' })).status).toBe(201);
    const provisioned = await api.request('POST', `/v1/contracts/${contract(spec)}/provision`);
    expect([provisioned.status, provisioned.json?.detail]).toEqual([200, undefined]);
    const out = path.join(dir, spec);
    const write = process.stdout.write;
    process.stdout.write = () => true;
    try {
      expect(await runGenerate(file, { out, lang: 'typescript' })).toBe(0);
    } finally {
      process.stdout.write = write;
    }
    sdk[spec] = await import(pathToFileURL(path.join(out, 'index.js')).href);
  }
  kafka = new Kafka({ clientId: 'herald-sdk-test', brokers: KAFKA_BROKERS, logLevel: logLevel.NOTHING });
  producer = kafka.producer();
  await producer.connect();
  connection = await amqp.connect(AMQP_URL);
  channel = await connection.createConfirmChannel();
}, 120_000);

afterAll(async () => {
  await producer?.disconnect();
  await connection?.close();
  await api?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const kafkaClient = (spec: string) => sdk[spec].createClient(sdk[spec].kafkaTransport({ producer, consumer: (groupId: string) => kafka.consumer({ groupId }) }));
const amqpClient = (spec: string) => sdk[spec].createClient(sdk[spec].amqpTransport({ channel }));
const gatewayClient = (spec: string) => sdk[spec].createClient(sdk[spec].gatewayTransport({ url: 'http://herald.test', fetch: (url: string, init: RequestInit) => api.app.request(url, init) }));

const order = () => ({
  orderId: randomUUID(),
  customerId: 'c-1',
  lines: [{ sku: 'SKU-1', quantity: 2, unitPrice: { currency: 'EUR', minorUnits: 1250 } }],
  total: { currency: 'EUR', minorUnits: 2500 },
  placedAt: '2026-12-03T10:00:00Z',
});

/** Resolves with what `take` returns once it returns something, polling; fails after `ms`. */
async function eventually<T>(take: () => T | undefined | Promise<T | undefined>, ms = 30_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const got = await take();
    if (got !== undefined) return got;
    if (Date.now() > until) throw new Error(`nothing within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const errorOf = (headers: Record<string, string>) => JSON.parse(headers['herald.error']!) as { reason: string; errors: { in: string; pointer: string; keyword?: string }[] };

describe('orders (Kafka)', () => {
  it('sends a typed message through kafkajs: in its topic with its key and headers, as the gateway would write it', async () => {
    const o = order();
    const correlation = randomUUID();
    await kafkaClient('orders').send.publishOrderPlaced(o, { key: o.orderId, headers: { 'x-correlation-id': correlation } });
    const [m] = await readTopic(`${run}.orders.placed.v1`);
    expect(JSON.parse(m!.value.toString())).toEqual(o);
    expect(m!.key).toBe(o.orderId);
    expect(m!.headers).toMatchObject({ 'x-correlation-id': correlation, 'content-type': 'application/json' });
  });

  it('refuses an invalid message before sending: HeraldValidationError with every failure, and the topic gets nothing', async () => {
    const before = await topicSize(`${run}.orders.cancelled.v1`);
    const client = kafkaClient('orders');
    const err = await client.send.publishOrderCancelled({ orderId: 'not-a-uuid', reason: 'bored' }, { headers: { 'x-correlation-id': randomUUID() } }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(sdk.orders.HeraldValidationError);
    expect(err.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/cancelledAt', '/orderId', '/reason']);
    const headerErr = await client.send.publishOrderCancelled({ orderId: randomUUID(), reason: 'out-of-stock', cancelledAt: '2026-12-03T10:00:00Z' }, { headers: {} }).catch((e: Error) => e);
    expect(headerErr.errors).toEqual([expect.objectContaining({ in: 'headers', pointer: '/x-correlation-id', keyword: 'required' })]);
    expect(await topicSize(`${run}.orders.cancelled.v1`)).toBe(before);
  });

  it('sends through the gateway with an Idempotency-Key: the same key twice is one message', async () => {
    const client = gatewayClient('orders');
    const o = order();
    const key = randomUUID();
    for (let i = 0; i < 2; i++) await client.send.publishOrderPlaced(o, { key: o.orderId, headers: { 'x-correlation-id': key }, idempotencyKey: key });
    const found = (await readTopic(`${run}.orders.placed.v1`)).filter((m) => JSON.parse(m.value.toString()).orderId === o.orderId);
    expect(found).toHaveLength(1);
    expect(found[0]!.key).toBe(o.orderId);
    // What the SDK refuses never reaches the gateway.
    await expect(client.send.publishOrderPlaced({ ...o, lines: [] }, { headers: { 'x-correlation-id': key } })).rejects.toBeInstanceOf(sdk.orders.HeraldValidationError);
  });

  it('consumes typed messages; a raw invalid one goes to the DLQ with the herald.* headers and its bytes; a throwing handler gets it again', async () => {
    const topic = `${run}.payments.settled.v1`;
    const valid = { orderId: randomUUID(), paymentId: 'p-1', outcome: 'captured' };
    const invalid = Buffer.from('{"orderId":"x","outcome":"maybe"}');
    await sendRaw({ topic }, [Buffer.from(JSON.stringify(valid)), invalid]);
    // kafkajs's plain sendRaw writes no headers: write the valid one again with its required header.
    await producer.send({ topic, acks: -1, messages: [{ value: JSON.stringify(valid), headers: { 'x-correlation-id': randomUUID() } }] });
    const got: unknown[] = [];
    let attempts = 0;
    const stop = await kafkaClient('orders').receive.onPaymentSettled(
      async (m: { message: string; payload: unknown; headers: Record<string, unknown> }) => {
        // The first delivery fails: the offset must not be committed, and the message comes again.
        if (++attempts === 1) throw new Error('database down');
        got.push({ message: m.message, payload: m.payload });
      },
      { groupId: `g-${run}-settled`, fromBeginning: true },
    );
    try {
      await eventually(() => (got.length >= 1 ? true : undefined));
      const dead = await eventually(async () => {
        const all = await readTopic(`${topic}.dlq`).catch(() => []);
        return all.length >= 2 ? all : undefined;
      });
      expect(got).toEqual([{ message: 'PaymentSettled', payload: valid }]);
      expect(attempts).toBeGreaterThanOrEqual(2);
      // Both raw messages without the required header, and the invalid one, were dead-lettered with their bytes.
      const bodies = dead.map((d) => d.value.toString());
      expect(bodies).toEqual(expect.arrayContaining([invalid.toString(), JSON.stringify(valid)]));
      const bad = dead.find((d) => d.value.equals(invalid))!;
      expect(bad.headers).toMatchObject({ 'herald.contract': contract('orders'), 'herald.contract.version': '1.4.0', 'herald.channel': 'paymentSettled', 'herald.message': 'PaymentSettled', 'herald.destination': `kafka:${topic}` });
      expect(Date.parse(bad.headers['herald.received-at']!)).not.toBeNaN();
      const error = errorOf(bad.headers);
      expect(error.reason).toBe('schema');
      expect(error.errors.map((e) => `${e.in}${e.pointer}`)).toEqual(expect.arrayContaining(['payload/orderId', 'payload/outcome', 'payload/paymentId', 'headers/x-correlation-id']));
      // The very errors the gateway gives the same bytes.
      const gateway = await api.request('POST', `/v1/publish/${contract('orders')}/paymentSettled`, { body: invalid.toString(), contentType: 'application/json' });
      expect(gateway.status).toBe(422);
      expect(error).toEqual({ reason: gateway.json.reason, errors: gateway.json.errors });
    } finally {
      await stop();
    }
  });
});

describe('orders (Kafka), messages built to break a consumer', () => {
  it('dead-letters a payload behind a byte order mark, or nested past 128 levels, as malformed, as the gateway answers the same bytes', async () => {
    const topic = `${run}.payments.settled.v1`;
    const valid = JSON.stringify({ orderId: randomUUID(), paymentId: 'p-bom', outcome: 'captured' });
    const bodies = [Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(valid)]), Buffer.from(`${'['.repeat(200)}${']'.repeat(200)}`)];
    await producer.send({ topic, acks: -1, messages: bodies.map((value) => ({ value, headers: { 'x-correlation-id': randomUUID() } })) });
    const seen: unknown[] = [];
    const stop = await kafkaClient('orders').receive.onPaymentSettled((m: unknown) => void seen.push(m), { groupId: `g-${run}-hostile`, fromBeginning: true });
    try {
      const dead = await eventually(async () => {
        const all = (await readTopic(`${topic}.dlq`).catch(() => [])).filter((d) => bodies.some((b) => b.equals(d.value)));
        return all.length >= 2 ? all : undefined;
      });
      for (const body of bodies) {
        const error = errorOf(dead.find((d) => d.value.equals(body))!.headers);
        // The bytes as they are (the request helper would send a Buffer as JSON).
        const res = await api.app.request(`/v1/publish/${contract('orders')}/paymentSettled`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'herald-headers': JSON.stringify({ 'x-correlation-id': randomUUID() }) } });
        const gateway = (await res.json()) as { reason: string; errors: { in: string; pointer: string }[] };
        expect(res.status).toBe(422);
        expect([error.reason, error.errors.map((e) => `${e.in}${e.pointer}`)]).toEqual([gateway.reason, gateway.errors.map((e) => `${e.in}${e.pointer}`)]);
        expect(error.reason).toBe('malformed');
      }
      expect(seen.filter((m) => (m as { payload?: { paymentId?: string } }).payload?.paymentId === 'p-bom')).toEqual([]);
    } finally {
      await stop();
    }
  });
});

describe('payments (RabbitMQ)', () => {
  const headers = () => ({ 'correlation-id': randomUUID() });

  it('sends through amqplib to the exchange with the routing key, persistent and confirmed; through the gateway too', async () => {
    const queue = `${run}.settled.reader`;
    await bindQueue(`${run}-payments`, `${run}.payments.settled`, queue);
    const settled = { paymentId: 'p-2', orderId: randomUUID(), outcome: 'declined', declineReason: 'insufficient funds' };
    await amqpClient('payments').send.publishPaymentSettled(settled, { headers: headers() });
    await gatewayClient('payments').send.publishPaymentSettled({ ...settled, paymentId: 'p-3' }, { headers: headers() });
    const read = await drainQueue(queue);
    expect(read.map((r) => JSON.parse(r.value.toString()).paymentId)).toEqual(['p-2', 'p-3']);
    expect(read[0]!.headers['correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('a send no queue takes is an error, not a silent drop (mandatory)', async () => {
    // Nothing is bound for payments.requested in this run: the broker returns the message.
    const o = { paymentId: 'p-4', orderId: randomUUID(), amount: { currency: 'EUR', minorUnits: 100 } };
    const transport = sdk.payments.amqpTransport({ channel });
    const out = { contract: { name: contract('payments'), version: '2.1.0' }, channel: { id: 'x' }, message: { id: 'PaymentRequested' }, destination: { broker: 'rabbitmq', exchange: `${run}-payments`, routingKey: `${run}.nobody` }, parameters: {}, value: Buffer.from(JSON.stringify(o)), headers: {}, typedHeaders: {} };
    await expect(transport.send(out)).rejects.toThrow(/No queue takes messages sent to exchange/);
  });

  it('consumes a queue with two messages (oneOf): each typed by its message; an invalid one to the DLQ; a throwing handler is requeued', async () => {
    const queue = `${run}.payments.refunds`;
    const requested = { paymentId: 'p-5', amount: { currency: 'EUR', minorUnits: 500 } };
    const cancelled = { paymentId: 'p-6' };
    const broken = Buffer.from('{"amount": 5}');
    // Raw, as a producer that bypasses Herald writes them.
    for (const value of [Buffer.from(JSON.stringify(requested)), Buffer.from(JSON.stringify(cancelled)), broken]) channel.sendToQueue(queue, value, { persistent: true });
    await channel.waitForConfirms();
    const got: { message: string; payload: unknown }[] = [];
    let failed = false;
    const stop = await amqpClient('payments').receive.onRefundRequested(
      async (m: { message: string; payload: unknown }) => {
        if (m.message === 'RefundCancelled' && !failed) {
          failed = true;
          throw new Error('try again');
        }
        got.push({ message: m.message, payload: m.payload });
      },
      { prefetch: 10 },
    );
    try {
      await eventually(() => (got.length >= 2 ? true : undefined));
      expect(got).toEqual(expect.arrayContaining([{ message: 'RefundRequested', payload: requested }, { message: 'RefundCancelled', payload: cancelled }]));
      expect(failed).toBe(true);
      const dead = await eventually(async () => {
        const d = await drainQueue(`${queue}.dlq`);
        return d.length > 0 ? d : undefined;
      });
      expect(dead).toHaveLength(1);
      expect(dead[0]!.value.equals(broken)).toBe(true);
      expect(dead[0]!.headers).toMatchObject({ 'herald.contract': contract('payments'), 'herald.channel': `${run}.payments.refunds`, 'herald.destination': `rabbitmq:queue/${queue}` });
      const error = errorOf(dead[0]!.headers);
      expect(error.reason).toBe('schema');
      // Against both messages, each error naming its candidate, as the gateway reports it.
      expect(error.errors).toEqual(expect.arrayContaining([expect.objectContaining({ in: 'payload', pointer: '/paymentId', candidate: 'RefundRequested' }), expect.objectContaining({ pointer: '/paymentId', candidate: 'RefundCancelled' })]));
    } finally {
      await stop();
    }
  });

  it('consumes an exchange channel through its own bound queue; a handler that refuses for good sends the message to the DLQ, acked', async () => {
    const queue = `${run}.payments.requested.mine`;
    const seen: unknown[] = [];
    const stop = await amqpClient('payments').receive.onPaymentRequested(
      async (m: { payload: { paymentId: string } }) => {
        seen.push(m.payload);
        // The class of another generated package: known by its name, it counts the same.
        if (m.payload.paymentId === 'refuse') throw new sdk.orders.HeraldNonRetryableError('unknown merchant');
      },
      { queue },
    );
    try {
      // Checkout's side, through the gateway: it routes to the exchange, where this subscription's queue is bound.
      const pay = { paymentId: 'refuse', orderId: randomUUID(), amount: { currency: 'EUR', minorUnits: 100 } };
      const cid = randomUUID();
      const res = await api.request('POST', `/v1/publish/${contract('payments')}/${run}.payments.requested`, { body: JSON.stringify(pay), contentType: 'application/json', headers: { 'Herald-Headers': JSON.stringify({ 'correlation-id': cid }) } });
      expect(res.status).toBe(202);
      await eventually(() => (seen.length >= 1 ? true : undefined));
      const dead = await eventually(async () => {
        const d = await drainQueue(`${run}.payments.requested.dlq`);
        return d.length > 0 ? d : undefined;
      });
      expect(JSON.parse(dead[0]!.value.toString())).toEqual(pay);
      expect(dead[0]!.headers['correlation-id']).toBe(cid);
      expect(errorOf(dead[0]!.headers)).toEqual({ reason: 'handler', errors: [{ in: 'message', pointer: '', message: 'The handler refused the message: unknown merchant' }] });
    } finally {
      await stop();
    }
    // Acked: nothing is left in the application's queue.
    expect(await drainQueue(queue)).toEqual([]);
  });
});

describe('notifications (request/reply over RabbitMQ, receiving from Kafka)', () => {
  it('request() sends with a reply-to queue and a correlation id, and resolves with the typed reply that carries it', async () => {
    const requests = `${run}.notifications.email`;
    // The mailer: answers each request on the queue its reply-to header names.
    const mailer = await connection.createChannel();
    const { consumerTag } = await mailer.consume(requests, (msg) => {
      if (!msg) return;
      const h = msg.properties.headers as Record<string, string>;
      mailer.sendToQueue(h['reply-to']!, Buffer.from(JSON.stringify({ messageId: `mail-for-${JSON.parse(msg.content.toString()).to}` })), { headers: { 'correlation-id': h['correlation-id'] } });
      mailer.ack(msg);
    });
    try {
      const client = amqpClient('notifications');
      const [a, b] = await Promise.all([
        client.request.requestEmail({ to: 'a@example.com', template: 'order-confirmation' }),
        client.request.requestEmail({ to: 'b@example.com', template: 'order-cancelled' }, { correlationId: 'mine-1' }),
      ]);
      expect(a.payload).toEqual({ messageId: 'mail-for-a@example.com' });
      expect(a.message).toBe('EmailAccepted');
      expect(b.payload).toEqual({ messageId: 'mail-for-b@example.com' });
      expect(b.correlationId).toBe('mine-1');
      // Sending alone needs the headers the contract requires; request() fills them.
      await expect(client.send.requestEmail({ to: 'c@example.com', template: 'order-confirmation' }, { headers: {} })).rejects.toBeInstanceOf(sdk.notifications.HeraldValidationError);
    } finally {
      await mailer.cancel(consumerTag);
      await mailer.close();
    }
    const late = await amqpClient('notifications')
      .request.requestEmail({ to: 'nobody@example.com', template: 'order-confirmation' }, { timeoutMs: 300 })
      .catch((e: Error) => e);
    expect(late).toBeInstanceOf(sdk.notifications.HeraldTimeoutError);
    // The same send through the gateway; with no mailer running, both wait in the queue.
    // Header text past Latin-1 travels in Herald-Headers as JSON escapes (fetch refuses it raw).
    await gatewayClient('notifications').send.requestEmail({ to: 'gw@example.com', template: 'order-cancelled' }, { headers: { 'correlation-id': 'c-gw', 'reply-to': 'nowhère-✓' } });
    // A second request waiting under the same correlation id would take the first one's reply: refused, unsent.
    const client = amqpClient('notifications');
    const first = client.request.requestEmail({ to: 'twice@example.com', template: 'order-confirmation' }, { correlationId: 'twice', timeoutMs: 500 });
    await expect(client.request.requestEmail({ to: 'again@example.com', template: 'order-confirmation' }, { correlationId: 'twice' })).rejects.toThrow(/already waiting/);
    await expect(first).rejects.toBeInstanceOf(sdk.notifications.HeraldTimeoutError);
    const waiting = await drainQueue(requests);
    expect(waiting.map((w) => JSON.parse(w.value.toString()).to)).toEqual(['nobody@example.com', 'gw@example.com', 'twice@example.com']);
    expect(waiting[1]!.headers).toMatchObject({ 'correlation-id': 'c-gw', 'reply-to': 'nowhère-✓' });
    expect(waiting[0]!.headers['reply-to']).toMatch(/^amq\.gen-/);
  });

  it('receives from Kafka what the orders SDK sent: one contract sends, the other receives', async () => {
    const got: unknown[] = [];
    const stop = await kafkaClient('notifications').receive.onOrderPlaced((m: { payload: unknown; correlationId?: string }) => void got.push(m), { groupId: `g-${run}-notify`, fromBeginning: true });
    try {
      const o = order();
      await kafkaClient('orders').send.publishOrderPlaced(o, { key: o.orderId, headers: { 'x-correlation-id': randomUUID() }, correlationId: 'ignored-when-header-set' });
      const m = await eventually(() => got.find((g) => (g as { payload: { orderId: string } }).payload.orderId === o.orderId) as { payload: unknown; key: string; destination: string } | undefined);
      expect(m).toMatchObject({ key: o.orderId, destination: `kafka:${run}.orders.placed.v1` });
    } finally {
      await stop();
    }
  });

  it('receives on an address with a parameter: one value, or every value when left open', async () => {
    const client = kafkaClient('notifications');
    await expect(client.receive.onPreferencesChanged(() => {}, { groupId: 'x', parameters: { userId: 'a.b' } })).rejects.toBeInstanceOf(sdk.notifications.HeraldParameterError);
    const got: string[] = [];
    const topic = `${run}.users.u1.preferences`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic }], waitForLeaders: true });
    await admin.disconnect();
    await producer.send({ topic, acks: -1, messages: [{ value: JSON.stringify({ email: true }) }] });
    const stop = await client.receive.onPreferencesChanged((m: { destination: string }) => void got.push(m.destination), { groupId: `g-${run}-prefs`, fromBeginning: true });
    try {
      expect(await eventually(() => got[0])).toBe(`kafka:${topic}`);
    } finally {
      await stop();
    }
  });
});

describe('a plain AMQP channel (the default exchange, whose routing key is a queue)', () => {
  const PLAIN = `asyncapi: 3.0.0
info: { title: Plain, version: 0.1.0 }
servers:
  r: { host: 'rabbit.invalid:5672', protocol: amqp }
channels:
  jobs:
    address: '${run}.jobs.{tier}'
    servers: [{ $ref: '#/servers/r' }]
    parameters:
      tier: { enum: [gold] }
    messages:
      Job:
        payload: { type: object, required: [id], properties: { id: { type: string } } }
      Note:
        name: Note
operations:
  submit:
    action: send
    channel: { $ref: '#/channels/jobs' }
  work:
    action: receive
    channel: { $ref: '#/channels/jobs' }
`;
  let plain: any;

  beforeAll(async () => {
    const name = `plain-${run}`;
    const file = path.join(dir, `${name}.yaml`);
    writeFileSync(file, PLAIN);
    expect((await api.request('POST', `/v1/contracts/${name}/versions`, { body: PLAIN, contentType: 'application/yaml' })).status).toBe(201);
    expect((await api.request('POST', `/v1/contracts/${name}/provision`)).status).toBe(200);
    const write = process.stdout.write;
    process.stdout.write = () => true;
    try {
      expect(await runGenerate(file, { out: path.join(dir, 'plain'), lang: 'typescript' })).toBe(0);
    } finally {
      process.stdout.write = write;
    }
    plain = await import(pathToFileURL(path.join(dir, 'plain', 'index.js')).href);
  });

  it('consumes the queue the routing key names (never binds to the default exchange); bytes no payload schema judges are handed over as bytes, as the gateway passes them', async () => {
    const client = plain.createClient(plain.amqpTransport({ channel }));
    const got: { message: string; payload: unknown }[] = [];
    const stop = await client.receive.work(async (m: { message: string; payload: unknown }) => void got.push({ message: m.message, payload: m.payload }), { parameters: { tier: 'gold' } });
    try {
      await client.send.submit({ id: 'j-1' }, { parameters: { tier: 'gold' }, message: 'Job' });
      // Not JSON: Job cannot read it, Note does not judge it; the gateway routes it as Note too.
      channel.sendToQueue(`${run}.jobs.gold`, Buffer.from('not json'), { persistent: true });
      await channel.waitForConfirms();
      await eventually(() => (got.length >= 2 ? true : undefined));
      expect(got[0]).toEqual({ message: 'Job', payload: { id: 'j-1' } });
      expect(got[1]!.message).toBe('Note');
      expect(Buffer.from(got[1]!.payload as Uint8Array).toString()).toBe('not json');
      const gateway = await api.request('POST', `/v1/publish/plain-${run}/jobs?tier=gold`, { body: 'not json', contentType: 'application/json' });
      expect(gateway.status).toBe(202);
    } finally {
      await stop();
    }
    expect(await drainQueue(`${run}.jobs.tier.dlq`).catch(() => [])).toEqual([]);
  });
});
