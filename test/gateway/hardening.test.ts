/**
 * The gateway under messages and requests built to break it, on the real Kafka and
 * RabbitMQ: a pattern that backtracking never finishes, bytes that are not UTF-8, channel
 * parameters that would reach other destinations, schemas that share an $id across
 * contracts, names that JavaScript objects give a meaning, and schemas that recurse or
 * messages nested past the limit. Each answer is what its content deserves, never a broker
 * failure, and each message Herald acknowledges is in its destination or its DLQ.
 */
import { Kafka, logLevel } from 'kafkajs';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelOfDocument } from '../../src/contracts/normalize.js';
import { judge } from '../../src/gateway/judge.js';
import { routingTable } from '../../src/gateway/routing.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { AMQP_URL, KAFKA_BROKERS, bindQueue, drainQueue, readTopic, runPrefix } from '../helpers/brokers.js';

const run = runPrefix();
let api: TestApp;

const contract = (payloadId: string, required: string) => `asyncapi: 3.0.0
info: {title: hardening, version: 1.0.0}
servers:
  kafka: {host: kafka.invalid:9092, protocol: kafka}
  rabbit: {host: rabbit.invalid:5672, protocol: amqp}
channels:
  strings:
    address: ${run}.${payloadId}.strings
    servers: [{$ref: '#/servers/kafka'}]
    messages:
      S:
        payload:
          $id: 'urn:shared:order'
          type: object
          required: [${required}]
          properties:
            s: {type: string, pattern: '^(a+)+$'}
  regional:
    address: '${run}.${payloadId}.{region}'
    servers: [{$ref: '#/servers/kafka'}]
    parameters:
      region: {}
    messages:
      R: {payload: {type: object}}
  routed:
    address: '${run}.${payloadId}.evt.{region}'
    servers: [{$ref: '#/servers/rabbit'}]
    parameters:
      region: {}
    messages:
      E: {payload: {type: object}}
    bindings:
      amqp:
        is: routingKey
        exchange: {name: '${run}.${payloadId}.sec', type: topic, durable: true, autoDelete: false}
  named:
    address: '${run}.${payloadId}.{toString}.n'
    servers: [{$ref: '#/servers/kafka'}]
    parameters:
      toString: {}
    messages:
      N: {payload: {type: object}}
operations:
  a: {action: send, channel: {$ref: '#/channels/strings'}}
  b: {action: send, channel: {$ref: '#/channels/regional'}}
  c: {action: send, channel: {$ref: '#/channels/routed'}}
  d: {action: send, channel: {$ref: '#/channels/named'}}
`;

const publish = (name: string, channel: string, body: string | Buffer, headers: Record<string, string> = {}, query = '') =>
  Promise.resolve(api.app.request(`/v1/publish/${name}/${channel}${query}`, { method: "POST", body, headers: { "Content-Type": "application/json", ...headers } })).then(async (res) => ({ status: res.status, json: (await res.json()) as any }));

beforeAll(async () => {
  api = await testApp('pglite', { gateway: { kafkaBrokers: KAFKA_BROKERS, amqpUrl: AMQP_URL, publishTimeoutMs: 10_000 } });
  // Two contracts whose payloads share an $id with different content: each keeps its own.
  for (const [name, id, required] of [['left', 'l', 's'], ['right', 'r', 't']] as const) {
    expect((await api.request('POST', `/v1/contracts/${name}/versions`, { body: contract(id, required) })).status).toBe(201);
    expect(await api.request('POST', `/v1/contracts/${name}/provision`).then((r) => [r.status, r.json?.detail])).toEqual([200, undefined]);
  }
  await bindQueue(`${run}.l.sec`, `${run}.l.evt.#`, `${run}.l.all-events`);
  // Parameters without a list of values: provisioning leaves these topics to their owner.
  const admin = new Kafka({ brokers: KAFKA_BROKERS, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [`${run}.l.eu`, `${run}.l.x1.n`].map((topic) => ({ topic, numPartitions: 1 })) });
  await admin.disconnect();
});
afterAll(async () => api?.cleanup());

describe('patterns run in linear time at the gateway', () => {
  it('dead-letters at once a message that a backtracking ^(a+)+$ would take minutes on, and routes a matching one', async () => {
    const bad = await publish('left', 'strings', JSON.stringify({ s: 'a'.repeat(50_000) + '!' }));
    expect(bad.status).toBe(422);
    expect(bad.json).toMatchObject({ status: 'dead-lettered', reason: 'schema', errors: [expect.objectContaining({ pointer: '/s', keyword: 'pattern' })] });
    expect((await publish('left', 'strings', JSON.stringify({ s: 'a'.repeat(50_000) }))).status).toBe(202);
    expect((await readTopic(`${run}.l.strings.dlq`)).map((m) => m.value.length)).toContain(50_000 + 9);
  });
});

describe('schemas of different contracts share no id space', () => {
  it('two payloads with the same $id and different content each validate by their own', async () => {
    expect((await publish('left', 'strings', '{"s": "a"}')).status).toBe(202);
    expect((await publish('right', 'strings', '{"t": "x"}')).status).toBe(202);
    expect((await publish('left', 'strings', '{"t": "x"}')).json.errors).toEqual([expect.objectContaining({ pointer: '/s', keyword: 'required' })]);
    expect((await publish('right', 'strings', '{"s": "a"}')).json.errors).toEqual([expect.objectContaining({ pointer: '/t', keyword: 'required' })]);
  });
});

describe('messages are what their content type says', () => {
  it('a payload that is not UTF-8 is malformed and dead-lettered with its very bytes', async () => {
    const bytes = Buffer.concat([Buffer.from('{"s":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    const res = await publish('left', 'strings', bytes);
    expect(res.status).toBe(422);
    expect(res.json).toMatchObject({ status: 'dead-lettered', reason: 'malformed', errors: [expect.objectContaining({ message: expect.stringContaining('not valid UTF-8') })] });
    const dead = (await readTopic(`${run}.l.strings.dlq`)).find((m) => m.value.equals(bytes));
    expect(dead).toBeDefined();
  });

  it('in a batch, the element that is not UTF-8 is malformed alone', async () => {
    const body = Buffer.concat([Buffer.from('[{"payload": {"s": "a"}}, {"payload": {"s": "'), Buffer.from([0xc3, 0x28]), Buffer.from('"}}]')]);
    const res = await publish('left', 'strings/batch', body);
    expect(res.status).toBe(200);
    expect(res.json.results.map((r: { status: string; reason?: string }) => r.reason ?? r.status)).toEqual(['routed', 'malformed']);
  });

  it('a payload nested past HERALD_MESSAGE_MAX_DEPTH is malformed, judged before it is parsed', async () => {
    const res = await publish('left', 'regional', '{"a":' + '['.repeat(100_000) + ']'.repeat(100_000) + '}', {}, '?region=eu');
    expect(res.status).toBe(422);
    expect(res.json).toMatchObject({ reason: 'malformed', errors: [expect.objectContaining({ message: expect.stringContaining('HERALD_MESSAGE_MAX_DEPTH') })] });
  });
});

describe('channel parameters fill one placeholder, nothing more', () => {
  it.each([
    ['eu.admin', 'a "." would add a level'],
    ['#', 'a wildcard'],
    ['*', 'a wildcard'],
    ['a\r\nb', 'control characters'],
    ['a\u0000b', 'NUL'],
    ['', 'empty'],
  ])('RabbitMQ topic exchange: %j (%s) is 400, and nothing reaches a queue', async (value) => {
    const res = await publish('left', 'routed', '{}', {}, `?region=${encodeURIComponent(value)}`);
    expect(res.status).toBe(400);
    expect(res.json.errors).toEqual([expect.objectContaining({ in: 'parameters', pointer: '/region' })]);
  });

  it('RabbitMQ: a plain value routes, and the bound queue gets exactly that', async () => {
    expect((await publish('left', 'routed', '{"ok":1}', {}, '?region=eu')).status).toBe(202);
    expect((await drainQueue(`${run}.l.all-events`)).map((m) => m.value.toString())).toEqual(['{"ok":1}']);
  });

  it.each(['eu.admin', '', 'a b', 'é', 'a/b'])('Kafka: %j is 400', async (value) => {
    const res = await publish('left', 'regional', '{}', {}, `?region=${encodeURIComponent(value)}`);
    expect(res.status).toBe(400);
  });

  it('a parameter named toString is the caller\'s value or missing, never what every object inherits', async () => {
    const missing = await publish('left', 'named', '{}');
    expect(missing.status).toBe(400);
    expect(missing.json.errors).toEqual([expect.objectContaining({ pointer: '/toString', message: expect.stringContaining('is missing') })]);
    const given = await publish('left', 'named', '{}', {}, '?toString=x1');
    expect([given.status, given.json.destination]).toEqual([202, `kafka:${run}.l.x1.n`]);
  });
});

describe('names JavaScript objects give a meaning are headers like any other', () => {
  it('Herald-Headers with __proto__ and constructor reach Kafka under those names', async () => {
    const headers = '{"__proto__": {"polluted": true}, "constructor": "c", "toString": 1}';
    const res = await publish('left', 'regional', '{"m": "proto"}', { 'Herald-Headers': headers }, '?region=eu');
    expect(res.status).toBe(202);
    const [read] = (await readTopic(`${run}.l.eu`)).filter((m) => m.value.toString() === '{"m": "proto"}');
    expect([read!.headers['__proto__'], read!.headers.constructor, read!.headers.toString]).toEqual(['{"polluted":true}', 'c', '1']);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });
});

describe('a schema the validator cannot run fails the message, not the broker', () => {
  // Registration refuses such schemas now; a version stored before that still routes.
  const stored = (payload: string) => {
    const doc = parseYaml(`asyncapi: 3.0.0
info: {title: t, version: '1'}
servers: {kafka: {host: k.invalid:9092, protocol: kafka}}
channels:
  c:
    address: c
    messages:
      m:
        payload: ${payload}
`) as Record<string, unknown>;
    return routingTable('old', 1, modelOfDocument(doc, 1_000_000)).get('c')!;
  };

  it('a stored schema that comes back to itself in place validates (coinductively) instead of overflowing the stack', () => {
    const route = stored("{type: object, required: [id], anyOf: [{type: string}, {$ref: '#/channels/c/messages/m/payload'}]}");
    expect(judge(route, { body: Buffer.from('{"id":1}'), parameters: {} })).toMatchObject({ ok: true });
    expect(judge(route, { body: Buffer.from('{}'), parameters: {} })).toMatchObject({ ok: false, reason: 'schema', errors: [expect.objectContaining({ keyword: 'required' })] });
  });

  it('a message nested deeper than the limit against a recursive schema is malformed, before validation recurses', () => {
    const route = stored("{type: object, properties: {next: {$ref: '#/channels/c/messages/m/payload'}}}");
    const deep = '{"next":'.repeat(5_000) + '{}' + '}'.repeat(5_000);
    expect(judge(route, { body: Buffer.from(deep), parameters: {} })).toMatchObject({ ok: false, reason: 'malformed' });
    expect(judge(route, { body: Buffer.from('{"next":{"next":{}}}'), parameters: {} })).toMatchObject({ ok: true });
  });
});
