/** The routing table, pure: brokers, destinations, DLQs, parameters and the provisioning plan from a contract. */
import { describe, expect, it } from 'vitest';
import { ingest } from '../../src/contracts/ingest.js';
import { modelOfDocument } from '../../src/contracts/normalize.js';
import { parse as parseYaml } from 'yaml';
import { judge } from '../../src/gateway/judge.js';
import { describe as describeDestination, destinationOf, dlqOf, provisionPlan, routingTable, type Route } from '../../src/gateway/routing.js';
import { shopContract } from '../helpers/brokers.js';

async function routes(text: string): Promise<Map<string, Route>> {
  return routingTable('c', 1, (await ingest(text, 'yaml')).contract);
}

/** Routes of a document as stored, without registration's checks (a version stored before them). */
function storedRoutes(text: string): Map<string, Route> {
  return routingTable('c', 1, modelOfDocument(parseYaml(text) as Record<string, unknown>, 1_000_000));
}

const v3 = (channels: string, servers = 'kafka:\n    host: k.example:9092\n    protocol: kafka\n  rabbit:\n    host: r.example:5672\n    protocol: amqp') =>
  `asyncapi: 3.0.0\ninfo: {title: t, version: 1.0.0}\nservers:\n  ${servers}\nchannels:\n${channels}`;

describe('the broker of a channel', () => {
  it('comes from its servers\' protocol, else from its bindings; never from a host', async () => {
    const r = await routes(
      v3(`  a:\n    address: a\n    servers: [{$ref: '#/servers/kafka'}]\n  b:\n    address: b\n    servers: [{$ref: '#/servers/rabbit'}]\n  c:\n    address: c\n    bindings: {amqp: {is: queue, queue: {name: cq}}}\n  d:\n    address: d\n`),
    );
    expect(r.get('a')!.broker).toBe('kafka');
    expect(r.get('b')!.broker).toBe('rabbitmq');
    expect(r.get('c')!.broker).toBe('rabbitmq');
    expect(r.get('d')!.unroutable).toMatch(/both Kafka and RabbitMQ/);
    expect(JSON.stringify([...r.values()])).not.toContain('example');
  });

  it('is unknown for a protocol Herald does not route', async () => {
    const r = await routes(v3(`  a:\n    address: a\n`, 'ws:\n    host: w.example\n    protocol: ws'));
    expect(r.get('a')!.unroutable).toMatch(/no Kafka or AMQP server \(protocols: ws\)/);
  });
});

describe('destinations and dead-letter queues', () => {
  it('follow the bindings of the fixture contract', async () => {
    const r = await routes(shopContract('x'));
    const dest = (id: string, values: Record<string, string> = {}) => describeDestination(destinationOf(r.get(id)!, values));
    const dlq = (id: string) => describeDestination(dlqOf(r.get(id)!));
    expect([dest('orders'), dlq('orders')]).toEqual(['kafka:x.orders.v1', 'kafka:x.orders.v1.dlq']);
    expect([dest('regional', { region: 'eu' }), dlq('regional')]).toEqual(['kafka:x.eu.events', 'kafka:x.region.events.dlq']);
    expect([dest('audit'), dlq('audit')]).toEqual(['kafka:x.audit', 'kafka:x.audit.rejected']);
    expect([dest('refunds'), dlq('refunds')]).toEqual(['rabbitmq:queue/x.refunds', 'rabbitmq:queue/x.refunds.dlq']);
    expect([dest('settled'), dlq('settled')]).toEqual(['rabbitmq:exchange/x.payments/x.payments.settled', 'rabbitmq:queue/x.payments.settled.dlq']);
  });

  it('of an AsyncAPI 2.x channel use its address as id, and the kafka binding topic', async () => {
    const text = `asyncapi: 2.6.0\ninfo: {title: t, version: 1.0.0}\nservers:\n  k: {url: 'k.example:9092', protocol: kafka}\nchannels:\n  shop/legacy:\n    bindings: {kafka: {topic: shop.legacy}}\n    subscribe:\n      message: {payload: {type: object}}\n`;
    const r = await routes(text);
    expect(describeDestination(destinationOf(r.get('shop/legacy')!, {}))).toBe('kafka:shop.legacy');
  });
});

describe('provisioning plan', () => {
  it('lists topics with partitions and configuration, queues with their DLX and DLQ, enum parameters expanded', async () => {
    const { items, skipped } = provisionPlan((await routes(shopContract('x'))).values());
    expect(items).toContainEqual({ kind: 'kafka-topic', name: 'x.orders.v1', partitions: 3, replicationFactor: 3, config: { 'cleanup.policy': 'delete', 'retention.ms': '86400000' } });
    expect(items.filter((i) => i.kind === 'kafka-topic').map((i) => i.name)).toEqual(
      expect.arrayContaining(['x.eu.events', 'x.us.events', 'x.region.events.dlq', 'x.audit.rejected']),
    );
    expect(items).toContainEqual({ kind: 'amqp-queue', name: 'x.refunds', durable: true, exclusive: false, autoDelete: false, deadLetterExchange: 'x.refunds.dlx' });
    expect(items).toContainEqual({ kind: 'amqp-binding', exchange: 'x.refunds.dlx', queue: 'x.refunds.dlq', routingKey: '' });
    expect(items).toContainEqual({ kind: 'amqp-exchange', name: 'x.payments', type: 'topic', durable: true, autoDelete: false });
    expect(skipped).toEqual([]);
  });

  it('skips destinations whose parameters are open, and says so', async () => {
    const r = await routes(v3(`  a:\n    address: 'orders.{id}'\n    parameters: {id: {description: any id}}\n    servers: [{$ref: '#/servers/kafka'}]\n`));
    const { items, skipped } = provisionPlan(r.values());
    expect(items.map((i) => ('name' in i ? i.name : ''))).toEqual(['orders.id.dlq']);
    expect(skipped).toEqual([{ channel: 'a', name: 'orders.{id}', reason: expect.stringContaining('create these destinations yourself') }]);
  });
});

const input = (body: unknown, extra: object = {}) => ({ body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), parameters: {}, ...extra });

describe('judging a message', () => {
  it('names every failing field by JSON pointer, in the part it belongs to', async () => {
    const route = (await routes(shopContract('x'))).get('orders')!;
    const v = judge(route, input({ orderId: 'nope', total: -1, extra: true }, { message: 'OrderCancelled', key: 'k' }));
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(v.errors.map((e) => `${e.in}${e.pointer} ${e.keyword}`).sort()).toEqual([
      'payload/cancelledBy required',
      'payload/extra additionalProperties',
      'payload/orderId format',
      'payload/total additionalProperties',
    ]);
  });

  it('uses the key binding\'s const or default when the caller sends no key', async () => {
    const text = v3(
      `  a:\n    address: a\n    servers: [{$ref: '#/servers/kafka'}]\n    messages:\n      m:\n        payload: {type: object}\n        bindings: {kafka: {key: {type: string, default: tenant-1}}}\n`,
    );
    const route = (await routes(text)).get('a')!;
    expect(judge(route, input({}))).toMatchObject({ ok: true, key: 'tenant-1' });
    expect(judge(route, input({}, { key: 'mine' }))).toMatchObject({ ok: true, key: 'mine' });
  });

  it('routes the payload of a non-JSON content type unvalidated, and says why', async () => {
    const text = v3(`  a:\n    address: a\n    servers: [{$ref: '#/servers/kafka'}]\n    messages:\n      m:\n        contentType: text/plain\n        payload: {type: string, maxLength: 1}\n`);
    expect(judge((await routes(text)).get('a')!, input('plain text, long'))).toMatchObject({ ok: true, unvalidated: 'the content type is text/plain' });
  });
});

describe('validators', () => {
  it('are compiled once per distinct schema and shared by versions that carry it', async () => {
    const contract = (await ingest(shopContract('x'), 'yaml')).contract;
    const one = routingTable('c', 1, contract).get('orders')!.messages[0]!.payload!;
    const two = routingTable('c', 2, contract).get('orders')!.messages[0]!.payload!;
    expect('validate' in one && 'validate' in two && one.validate === two.validate).toBe(true);
  });

  it('report a schema that does not compile instead of failing the route', async () => {
    const text = v3(`  a:\n    address: a\n    servers: [{$ref: '#/servers/kafka'}]\n    messages:\n      m:\n        payload: {type: string, pattern: '(unclosed'}\n`);
    // Registration refuses such a schema now; a version stored before that still routes.
    await expect(ingest(text, 'yaml')).rejects.toMatchObject({ diagnostics: [expect.objectContaining({ rule: 'pattern-invalid' })] });
    const route = storedRoutes(text).get('a')!;
    expect(route.messages[0]!.payload).toEqual({ error: expect.stringContaining('does not compile') });
    expect(judge(route, input('"x"'))).toMatchObject({ ok: false, reason: 'schema', errors: [{ in: 'payload', message: expect.stringContaining('does not compile') }] });
  });
});
