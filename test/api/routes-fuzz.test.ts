/**
 * Every route under generated input: paths from openapi.yaml with generated segment values
 * (`__proto__`, huge numbers, `%00`, long strings, unicode), query strings, headers and
 * bodies. No answer may be a 5xx, none may hang, every answer to a documented operation
 * must match openapi.yaml, and the server must still answer afterwards. Real brokers and
 * provisioned contracts (specs/ and the gateway fixture), so that no publish has a
 * legitimate reason to answer 503.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.js';
import { AMQP_URL, KAFKA_BROKERS, runPrefix, shopContract } from '../helpers/brokers.js';
import { openapi, operations, responseErrors, templateFor, type Operation } from '../helpers/openapi.js';

const ADMIN = 'fuzz-admin-secret';
const run = runPrefix();
const SHOP = `shop-${run}`;
const SPECS = ['orders', 'payments', 'notifications'];
/** Small, so that the 413 path is reached without generating megabytes. */
const MAX_BODY = 64 * 1024;
/** An answer slower than this is a hang: the publish timeout is well below it. */
const HANG_MS = 10_000;
const FUZZ_MS = Number(process.env.HERALD_FUZZ_MS ?? 20_000);
const COLLECT = process.env.HERALD_FUZZ_COLLECT === '1';
const found = new Map<string, string>();
/** Answers by operation and status, shown with HERALD_FUZZ_COLLECT=1: what the generators reach. */
const seen = new Map<string, { n: number; ms: number; max: number }>();
const tally = (key: string, ms: number) => {
  const t = seen.get(key) ?? { n: 0, ms: 0, max: 0 };
  seen.set(key, { n: t.n + 1, ms: t.ms + ms, max: Math.max(t.max, ms) });
};

let api: TestApp;
const tokens: Record<'read' | 'write', string> = { read: '', write: '' };
/** Channel ids of the registered contracts, and their message names: what a publish can hit. */
let channels: string[] = [];
let messages: string[] = [];
/** [contract, channel id as a path segment] of every registered channel. */
const targets: Array<[string, string]> = [];

const specText = (name: string) => readFileSync(`specs/${name}.yaml`, 'utf8');

beforeAll(async () => {
  // PostgreSQL itself: its integer range and its refusal of NUL are what several of the fixed 500s were about.
  api = await testApp('postgres', {
    adminToken: ADMIN,
    maxBodyBytes: MAX_BODY,
    gateway: { kafkaBrokers: KAFKA_BROKERS, amqpUrl: AMQP_URL, publishTimeoutMs: 5_000 },
  });
  const as = { token: ADMIN };
  for (const [name, text] of [...SPECS.map((n) => [n, specText(n)]), [SHOP, shopContract(run)]] as const) {
    expect((await api.request('POST', `/v1/contracts/${name}/versions`, { body: text, ...as })).status).toBe(201);
    expect((await provision(name)).status).toBe(200);
    const doc = (await api.request('GET', `/v1/contracts/${name}/versions/latest`, as)).json.document;
    channels.push(...Object.keys(doc.channels ?? {}));
    for (const channel of Object.keys(doc.channels ?? {})) targets.push([name, encodeURIComponent(channel)]);
    messages.push(...Object.keys(doc.components?.messages ?? {}));
  }
  channels = [...new Set(channels)];
  messages = [...new Set(messages)];
  for (const scope of ['read', 'write'] as const) {
    tokens[scope] = (await api.request('POST', '/v1/tokens', { body: { name: `fuzz-${scope}`, scope }, ...as })).json.token;
  }
  // Both brokers connected and the shop's destinations written once, before any timing matters.
  for (const until = Date.now() + 30_000; (await api.app.request('/readyz')).status !== 200; ) {
    if (Date.now() > until) throw new Error('the brokers are not ready');
    await new Promise((r) => setTimeout(r, 250));
  }
  expect((await publishOrder()).status).toBe(202);
}, 90_000);
afterAll(async () => api?.cleanup());

/** Setup only: a Kafka that just started, on a busy machine, may answer 503 (its own test is in publish.test.ts); that is retried. */
async function provision(name: string) {
  for (const until = Date.now() + 60_000; ; ) {
    const res = await api.request('POST', `/v1/contracts/${name}/provision`, { token: ADMIN });
    if (res.status !== 503 || Date.now() > until) return res;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

const publishOrder = () =>
  api.request('POST', `/v1/publish/${SHOP}/orders`, { body: { orderId: randomUUID(), total: 1 }, token: ADMIN, headers: { 'Herald-Message': 'OrderPlaced' } });

// ---- generators -------------------------------------------------------------------------

const HOSTILE = [
  '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'prototype', 'valueOf', '__defineGetter__',
  '0', '-1', '1', '2', '01', '1.5', '1e3', '0x10', ' 1', 'latest', 'LATEST', 'NaN', 'Infinity',
  '2147483647', '2147483648', '4294967296', '9007199254740993', '99999999999999999999999999999999',
  '%00', 'a%00b', '%2F', '%2f..%2f', '%2e%2e', '..', '.', '%', '%zz', '%E2%82%AC', '%F0%9F%98%80', '%C0%AF', '%FF',
  'swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png', 'batch', 'compatibility', 'provision', 'versions',
  'admin', 'anonymous', 'fuzz-read', 'fuzz-write', '*', 'a*', 'a_%', "a'b", 'a"b', 'a\\b', 'Ünïcödé', '😀', 'a b', '', '-', '.a',
];

/** A raw text made safe for a URL the way a client would send it. */
const encoded = (arb: fc.Arbitrary<string>) => arb.map(encodeURIComponent);

function segment(): fc.Arbitrary<string> {
  return fc.oneof(
    // Not the shop contract: a DELETE may take what it names, and publishes need it.
    { weight: 4, arbitrary: fc.constantFrom(...SPECS, ...channels.map(encodeURIComponent), ...messages) },
    { weight: 4, arbitrary: fc.constantFrom(...HOSTILE) },
    { weight: 2, arbitrary: fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,40}$/) },
    { weight: 1, arbitrary: encoded(fc.string({ unit: 'binary', maxLength: 30 })) },
    { weight: 1, arbitrary: encoded(fc.string({ unit: 'grapheme', maxLength: 20 })) },
    { weight: 1, arbitrary: fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }).map(String) },
    { weight: 1, arbitrary: fc.integer({ min: 120, max: 3000 }).map((n) => 'a'.repeat(n)) },
  );
}

const QUERY_NAMES = ['permanent', 'deleted', 'version', 'limit', 'prefix', 'after', 'mode', 'policy', 'region', 'userId', '__proto__', 'constructor', 'toString'];

function queryString(): fc.Arbitrary<string> {
  const value = fc.oneof(
    fc.constantFrom('', 'true', 'false', 'TRUE', '1', '0', '100', '1000', '1001', 'BACKWARD', 'backward', 'NONE', 'FULL_TRANSITIVE', 'strict', 'lenient', 'eu', 'us', 'orders', 'o'),
    segment(),
  );
  const pair = fc.tuple(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...QUERY_NAMES) }, { weight: 1, arbitrary: segment() }), value, fc.boolean());
  return fc.array(pair, { maxLength: 4 }).map((pairs) => (pairs.length === 0 ? '' : '?' + pairs.map(([k, v, bare]) => (bare && v === '' ? k : `${k}=${v}`)).join('&')));
}

/** Printable ASCII: what a Headers object takes as a value. */
const headerText = (maxLength = 60) => fc.string({ unit: 'grapheme-ascii', maxLength });
/** JSON as header text: non-ASCII escaped, so that it stays a legal header value. */
const asciiJson = (value: unknown) => (JSON.stringify(value) ?? 'null').replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

const CONTENT_TYPES = [
  'application/json', 'application/yaml', 'text/yaml', 'application/x-yaml', 'application/vnd.aai.asyncapi+json', 'application/x-ndjson',
  'application/jsonl', 'text/plain', 'application/octet-stream', 'application/json; charset=utf-16', 'APPLICATION/JSON', 'multipart/form-data; boundary=x',
  '', ';', 'a/b/c', '*/*',
];

/** Mostly the admin token, so that most cases reach a handler; every other kind of caller too. */
const authorization = fc.oneof(
  { weight: 8, arbitrary: fc.constant(`Bearer ${ADMIN}`) },
  { weight: 2, arbitrary: fc.constantFrom('write', 'read') },
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constantFrom('Bearer nope', 'Basic Zm9vOmJhcg==', 'Bearer', `bearer   ${ADMIN}  `, 'Bearer a b', '', `Bearer ${ADMIN}x`) },
);

/** Headers besides Content-Type and Authorization: each absent, fitting, or hostile. */
function headers(): fc.Arbitrary<Record<string, string>> {
  const some = (fitting: fc.Arbitrary<string>, hostile: fc.Arbitrary<string>) =>
    fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 2, arbitrary: fitting }, { weight: 1, arbitrary: hostile });
  return fc
    .record({
      Accept: some(fc.constantFrom('application/json', 'application/yaml', '*/*'), fc.constantFrom('text/html', 'application/yaml;q=0, application/json;q=0', 'application/*', ';;;', 'q=1', '*/*;q=abc')),
      'Idempotency-Key': some(fc.constantFrom('k1', 'k2', 'k3'), fc.oneof(fc.constantFrom('__proto__', 'constructor', ''), headerText(), fc.constant('k'.repeat(5000)))),
      'Herald-Headers': some(
        fc.constantFrom('{}', '{"x-tenant":"acme","x-priority":1}', '{"x-tenant":"acme"}'),
        fc.oneof(
          fc.constantFrom('[]', 'null', '1', '"x"', '{', '{"__proto__":{"x":1}}', '{"constructor":"x"}', `{"k":"${'v'.repeat(5000)}"}`, '{"x-tenant":{"a":[1,{"b":null}]}}'),
          // Larger than a broker's header fields allow (AMQP: names up to 255 bytes).
          fc.constantFrom(`{"${'k'.repeat(256)}":"v"}`, `{"${'é'.repeat(200)}":"v"}`, `{"k":"${'v'.repeat(70_000)}"}`),
          fc.dictionary(headerText(20), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }).map(asciiJson),
          headerText(),
        ),
      ),
      'Herald-Key': some(fc.constant(randomUUID()), fc.oneof(headerText(), fc.constant('k'.repeat(5000)))),
      'Herald-Message': some(fc.constantFrom(...messages), fc.oneof(fc.constantFrom('__proto__', 'toString', ''), headerText())),
      'If-None-Match': some(fc.constantFrom('*', '"x"', 'W/"x"'), headerText()),
    })
    .map((h) => Object.fromEntries(Object.entries(h).filter(([, v]) => v !== undefined)) as Record<string, string>);
}

const uuid = fc.uuid();
/** Payloads the shop's and specs' channels accept, or nearly. */
const payload = fc.oneof(
  fc.record({ orderId: uuid, total: fc.double({ min: -1, max: 1e6, noNaN: true }), coupon: fc.string() }, { requiredKeys: ['orderId', 'total'] }),
  fc.record({ id: fc.integer() }),
  fc.record({ actor: fc.string() }),
  fc.record({ refundId: fc.string(), amount: fc.integer({ min: -1, max: 100 }) }),
  fc.record({ paymentId: fc.string() }),
  fc.record({ orderId: uuid, cancelledBy: fc.string() }),
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom({ constructor: 1, toString: 'x' }, JSON.parse('{"__proto__":{"orderId":1}}') as unknown),
);

/** A body and the Content-Type it is sent with (undefined: none). */
type Body = [body: string | Uint8Array | undefined, type: string | undefined];
const typed = (arb: fc.Arbitrary<string | Uint8Array>, type: string): fc.Arbitrary<Body> => arb.map((b) => [b, type]);

function hostileBody(): fc.Arbitrary<Body> {
  return fc.tuple(
    fc.oneof(
      fc.constantFrom('{"__proto__":{"x":1}}', '{"constructor":{"prototype":1}}', '\u0000', '\uFEFF{}', '\uFEFF', 'null', '[', '"', '{"a":1e999}', '[' + '['.repeat(5000), 'x'.repeat(MAX_BODY + 1)),
      fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.uint8Array({ maxLength: 512 }),
    ),
    fc.constantFrom(...CONTENT_TYPES, undefined),
  );
}

function documentBody(): fc.Arbitrary<Body> {
  const texts = [...SPECS.map(specText), shopContract(run)];
  const yaml = fc.constantFrom(...texts);
  const json = texts.map((t) => JSON.stringify(parseYaml(t)));
  const damaged = fc.tuple(yaml, fc.nat(), fc.nat({ max: 40 }), fc.string({ unit: 'binary', maxLength: 8 })).map(([t, at, cut, insert]) => {
    const i = at % (t.length + 1);
    return t.slice(0, i) + insert + t.slice(i + cut);
  });
  const asJson = fc.constantFrom(...json);
  return fc.oneof(
    typed(yaml, 'application/yaml'),
    typed(asJson, 'application/json'),
    typed(damaged, 'application/yaml'),
    // Text a document may hold that PostgreSQL text may not (NUL), or that is not Unicode (a lone surrogate).
    typed(yaml.map((t) => t.replace(/^( +)description:.*$/m, '$1description: "a\\0b"')), 'application/yaml'),
    typed(yaml.map((t) => t.replace(/^( {2}version:).*$/m, '$1 "1.0\\0"')), 'application/yaml'),
    typed(yaml.map((t) => t.replace(/^( {2}title:).*$/m, '$1 "a\\uD800b"')), 'application/yaml'),
    typed(asJson.map((t) => t.replace('"channels":{', '"channels":{"a\\u0000b":{"address":"x"},')), 'application/vnd.aai.asyncapi+json'),
    typed(fc.constant(JSON.stringify({ asyncapi: '3.0.0', info: { title: 't', version: '1' } })), 'application/json'),
    hostileBody(),
  );
}

function envelopes(): fc.Arbitrary<Body> {
  const envelope = fc.record(
    {
      payload,
      payloadText: fc.string(),
      message: fc.constantFrom(...messages, 'nope', '__proto__'),
      key: fc.oneof(uuid, fc.string()),
      headers: fc.oneof(fc.constant({ 'x-tenant': 'acme' }), fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 })),
      parameters: fc.dictionary(fc.constantFrom('region', 'userId', '__proto__', 'constructor'), fc.oneof(fc.constantFrom('eu', 'us'), fc.string(), fc.integer())),
      idempotencyKey: fc.string({ maxLength: 10 }),
    },
    { requiredKeys: [] },
  );
  const list = fc.array(envelope, { maxLength: 6 });
  return fc.oneof(
    { weight: 4, arbitrary: typed(list.map((e) => JSON.stringify(e)), 'application/json') },
    { weight: 2, arbitrary: typed(list.map((e) => e.map((x) => JSON.stringify(x)).join('\n')), 'application/x-ndjson') },
    { weight: 1, arbitrary: hostileBody() },
  );
}

/** The body an operation takes, well-formed or nearly most of the time. */
function bodyFor(operationId: string): fc.Arbitrary<Body> {
  const json = (arb: fc.Arbitrary<unknown>) => fc.oneof({ weight: 4, arbitrary: typed(arb.map((v) => JSON.stringify(v)), 'application/json') }, { weight: 1, arbitrary: hostileBody() });
  switch (operationId) {
    case 'registerVersion':
    case 'checkCompatibility':
      return documentBody();
    case 'publish':
      return json(payload);
    case 'publishBatch':
      return envelopes();
    case 'putGlobalConfig':
    case 'putContractConfig':
      return json(fc.record({ compatibility: fc.constantFrom('NONE', 'BACKWARD', 'FULL', 'AUTO', 'bogus', '__proto__'), policy: fc.constantFrom('strict', 'lenient', 'x') }, { requiredKeys: [] }));
    case 'createToken':
      return json(fc.record({ name: fc.oneof(fc.constantFrom('__proto__', 'constructor', 'admin', 'a\u0000b'), fc.string({ maxLength: 70 })), scope: fc.constantFrom('read', 'write', 'admin', 'toString', '__proto__'), extra: fc.jsonValue() }, { requiredKeys: [] }));
    default:
      return fc.oneof({ weight: 3, arbitrary: fc.constant<Body>([undefined, undefined]) }, { weight: 1, arbitrary: hostileBody() });
  }
}

interface Case {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | Uint8Array | undefined;
}

/** Path values that name what exists, for an operation; hostile ones are mixed in by `request`. */
function realistic(operationId: string, param: string): fc.Arbitrary<string> {
  // The shop contract stays as registered, so that publishes keep reaching the brokers.
  const names = operationId.startsWith('delete') || operationId === 'registerVersion' ? [...SPECS, 'scratch', `scratch-${run}`] : [...SPECS, SHOP];
  switch (param) {
    case 'name':
      return fc.constantFrom(...names);
    case 'version':
    case 'from':
    case 'to':
      return fc.constantFrom('1', '2', 'latest');
    case 'id':
      return fc.integer({ min: 1, max: 40 }).map(String);
    case 'asset':
      return fc.constantFrom('swagger-ui.css', 'favicon-32x32.png');
    default:
      return segment();
  }
}

function request(): fc.Arbitrary<Case> {
  // One arbitrary per operation, built once: chain only picks among them.
  const perOperation = operations().map((op) => caseOf(op));
  return fc.nat({ max: perOperation.length - 1 }).chain((i) => perOperation[i]!);
}

/** A publish the shop contract accepts: routed to Kafka or RabbitMQ, answered 202. */
function fittingPublish(): fc.Arbitrary<Case> {
  const fits: Array<[channel: string, query: string, payload: fc.Arbitrary<unknown>]> = [
    ['orders', '', fc.record({ orderId: uuid, total: fc.double({ min: 0, max: 1e6, noNaN: true }) })],
    ['regional', '?region=eu', fc.record({ id: fc.integer() })],
    ['audit', '', fc.record({ actor: fc.string() })],
    ['refunds', '', fc.record({ refundId: fc.string(), amount: fc.integer({ min: 1, max: 100 }) })],
    ['settled', '', fc.record({ paymentId: fc.string() })],
  ];
  return fc.constantFrom(...fits).chain(([channel, query, body]) =>
    fc.record({ body, headers: headers() }).map(({ body, headers }) => ({
      method: 'POST',
      path: `/v1/publish/${SHOP}/${channel}${query}`,
      headers: { ...headers, Authorization: `Bearer ${tokens.write}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    })),
  );
}

function caseOf({ method: opMethod, path: template, operation }: ReturnType<typeof operations>[number]): fc.Arbitrary<Case> {
  if (operation.operationId === 'publish') return fc.oneof(generic(opMethod, template, operation), fittingPublish());
  return generic(opMethod, template, operation);
}

function generic(opMethod: string, template: string, operation: Operation): fc.Arbitrary<Case> {
  {
    const id = operation.operationId;
    const params = [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    // A contract and one of its channels, most of the time, for the publish routes.
    const shop = targets.filter(([c]) => c === SHOP);
    const target = fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...shop) },
      { weight: 2, arbitrary: fc.constantFrom(...targets) },
      { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...SPECS, SHOP), segment()) },
      { weight: 1, arbitrary: fc.tuple(segment(), segment()) },
    );
    const values = fc.tuple(target, ...params.map((p) => fc.oneof({ weight: 3, arbitrary: realistic(id, p) }, { weight: 2, arbitrary: segment() })));
    const publishQuery = fc.constantFrom('', '', '?region=eu', '?region=us', '?version=1', '?userId=u1');
    // Now and then a method the path does not serve (never another operation of it: a DELETE
    // aimed at the shop contract would end the publishes).
    const unserved = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'].filter((m) => !openapi.paths[template]?.[m.toLowerCase()]);
    const method = fc.oneof({ weight: 15, arbitrary: fc.constant(opMethod.toUpperCase()) }, { weight: 1, arbitrary: fc.constantFrom(...unserved) });
    return fc
      .record({ values, method, query: id.startsWith('publish') ? fc.oneof(publishQuery, queryString()) : queryString(), auth: authorization, headers: headers(), body: bodyFor(id), typo: fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(...CONTENT_TYPES) }) })
      .map(({ values: [[contract, channel], ...rest], method, query, auth, headers, body: [body, type], typo }) => {
        const byName: Record<string, string> = Object.fromEntries(params.map((p, i) => [p, rest[i]!]));
        if (params.includes('channel')) Object.assign(byName, { contract, channel });
        const path = template.replace(/\{(\w+)\}/g, (_, p: string) => byName[p]!) + query;
        const h: Record<string, string> = { ...headers };
        if (auth !== undefined) h.Authorization = auth === 'read' || auth === 'write' ? `Bearer ${tokens[auth]}` : auth;
        const contentType = typo ?? type;
        if (contentType !== undefined) h['Content-Type'] = contentType;
        // Clients send no body with GET or DELETE (one larger than the limit would be 413 there too).
        return { method, path, headers: h, body: method === 'GET' || method === 'DELETE' ? undefined : body };
      });
  }
}

// ---- the property -----------------------------------------------------------------------

/** What is wrong with the answer to a case; undefined when nothing is. */
async function judge(c: Case): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<'hang'>((resolve) => (timer = setTimeout(() => resolve('hang'), HANG_MS)));
  const t0 = performance.now();
  const answer = (async () => {
    const res = await api.app.request(c.path, { method: c.method, headers: c.headers, ...(c.body !== undefined ? { body: c.body } : {}) });
    return { res, text: await res.text() };
  })();
  const out = await Promise.race([answer, hang]).finally(() => clearTimeout(timer));
  if (out === 'hang') return `no answer within ${HANG_MS} ms`;
  const { res, text } = out;
  const type = res.headers.get('Content-Type') ?? '';
  if (res.status >= 500) return `${res.status}: ${text.slice(0, 300)}`;
  // The router sees the path as the URL parser leaves it (`..` resolved, etc.).
  const path = new URL(c.path, 'http://localhost').pathname;
  const template = templateFor(path);
  const documented = template !== undefined && openapi.paths[template]?.[c.method.toLowerCase()] !== undefined;
  tally(`${c.method} ${documented ? template : '(undocumented)'} ${res.status}`, performance.now() - t0);
  // The body limit comes before routing (openapi.yaml, PayloadTooLarge): an unknown route may be 413.
  if (!documented) return res.status === 404 || res.status === 413 ? undefined : `${res.status} for an undocumented route: ${text.slice(0, 200)}`;
  if (res.status === 304) return undefined;
  try {
    const body = type.includes('json') && text ? (JSON.parse(text) as unknown) : text;
    const errors = responseErrors(c.method, path, res.status, type, body);
    return errors.length > 0 ? `${res.status} does not match openapi.yaml: ${errors.join('; ')} ${text.slice(0, 200)}` : undefined;
  } catch (err) {
    return `${res.status} ${(err as Error).message}: ${text.slice(0, 200)}`;
  }
}

describe('every route under generated input', () => {
  it(
    'answers without a 5xx, in time, as openapi.yaml says, and still answers afterwards',
    async () => {
      const started = performance.now();
      const details = await fc.check(
        fc.asyncProperty(request(), async (c) => {
          const wrong = await judge(c);
          if (!wrong) return;
          const message = `${c.method} ${c.path} -> ${wrong}`;
          // HERALD_FUZZ_COLLECT=1 lists every kind of failure instead of stopping at the first.
          if (!COLLECT) throw new Error(message);
          const kind = `${c.method} ${templateFor(new URL(c.path, 'http://localhost').pathname) ?? '?'} ${wrong.slice(0, 90)}`;
          if (!found.has(kind)) found.set(kind, `${message}\n    headers ${JSON.stringify(c.headers)}\n    body ${typeof c.body === 'string' ? JSON.stringify(c.body.slice(0, 300)) : c.body ? `<${c.body.length} bytes>` : '-'}`);
        }),
        { numRuns: 100_000, interruptAfterTimeLimit: FUZZ_MS, markInterruptAsFailure: false, ...(process.env.HERALD_FUZZ_SEED ? { seed: Number(process.env.HERALD_FUZZ_SEED) } : {}) },
      );
      const seconds = (performance.now() - started) / 1000;
      console.log(`routes fuzz: ${details.numRuns} cases in ${seconds.toFixed(1)} s (seed ${details.seed})`);
      if (COLLECT) console.log([...found.values(), ...[...seen].sort().map(([k, t]) => `${String(t.n).padStart(6)} ${String(Math.round(t.ms / t.n)).padStart(5)} ms (max ${Math.round(t.max)}) ${k}`)].join('\n'));
      expect(details.failed, `${fc.defaultReportMessage(details) ?? ''}\n${String(details.errorInstance)}`).toBe(false);
      expect(details.numRuns).toBeGreaterThan(500);

      expect((await api.request('GET', '/healthz')).status).toBe(200);
      expect((await api.request('GET', '/readyz')).status).toBe(200);
    },
    FUZZ_MS + 60_000,
  );

  it.each([
    ['GET', '/reference/__proto__', 404],
    ['GET', '/reference/constructor', 404],
    ['GET', '/reference/toString', 404],
    ['GET', '/v1/schemas/2147483648', 404],
    ['GET', '/v1/schemas/99999999999999999999999', 404],
    ['GET', '/v1/contracts/orders/versions/2147483648', 404],
    ['GET', '/v1/contracts/orders/versions/1/diff/2147483648', 404],
    ['POST', `/v1/contracts/orders/provision?version=3000000000`, 404],
    ['POST', `/v1/publish/${'orders'}/orderPlaced?version=3000000000`, 404],
    ['GET', '/v1/contracts?after=%00', 400],
    ['GET', '/v1/contracts?prefix=%00', 400],
    ['GET', '/v1/contracts?prefix=Orders', 400],
    ['DELETE', '/v1/tokens/a%00b', 404],
    ['GET', '/v1/config/a%00b', 400],
  ] as const)('once a 500: %s %s is %i', async (method, path, status) => {
    const res = await api.request(method, path, { token: ADMIN, ...(method === 'POST' ? { body: '{}', contentType: 'application/json' } : {}) });
    expect(res.status).toBe(status);
  });

  // 5xx the fuzzer found outside the HTTP layer, each fixed at its cause.
  const raw = (method: string, path: string, body: string, headers: Record<string, string>) =>
    api.app.request(path, { method, body, headers: { Authorization: `Bearer ${ADMIN}`, ...headers } });
  const yaml = { 'Content-Type': 'application/yaml' };

  it('a document holding a NUL where it would be stored is 422, naming the place', async () => {
    const text = specText('orders').replace(/^( {2}version:).*$/m, '$1 "1.0\\0"');
    const res = await raw('POST', '/v1/contracts/nul-version/versions', text, yaml);
    expect(res.status).toBe(422);
    expect(((await res.json()) as { errors: unknown[] }).errors[0]).toMatchObject({ rule: 'unstorable-character', pointer: '/info/version' });
  });

  it('a document holding a lone surrogate is 422, for a registration and a check alike', async () => {
    const text = specText('orders').replace(/^( {2}title:).*$/m, '$1 "a\\uD800b"');
    for (const path of ['/v1/contracts/orders/compatibility', '/v1/contracts/surrogate/versions']) {
      const res = await raw('POST', path, text, yaml);
      expect(res.status).toBe(422);
      expect(((await res.json()) as { errors: unknown[] }).errors[0]).toMatchObject({ rule: 'unstorable-character', pointer: '/info/title' });
    }
  });

  it('headers no broker can carry (a 256-byte name, or over 64 KiB) are 400, never a broker failure', async () => {
    const res = await raw('POST', `/v1/publish/${SHOP}/refunds`, '{"refundId":"r","amount":2}', { 'Content-Type': 'application/json', 'Herald-Headers': `{"${'k'.repeat(256)}":"v"}` });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { detail: string }).detail).toContain('at most 255 bytes');
    const big = await raw('POST', `/v1/publish/${SHOP}/refunds`, '{"refundId":"r","amount":2}', { 'Content-Type': 'application/json', 'Herald-Headers': JSON.stringify({ big: 'x'.repeat(70_000) }) });
    expect(big.status).toBe(400);
    expect(((await big.json()) as { detail: string }).detail).toContain('at most 65536 bytes of headers');
  });
});
