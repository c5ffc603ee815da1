/**
 * Run by idempotency-memory.test.ts in its own process (node --expose-gc), so that its heap is
 * its own to measure: a gateway on the real Kafka publishes COUNT messages, each with its own
 * Idempotency-Key, each `{}` against a payload schema that requires PROPERTIES properties, so
 * each is dead-lettered with PROPERTIES errors. Prints one JSON line of measurements.
 */
import { gatewayConfig } from '../../src/config.js';
import { ingest } from '../../src/contracts/ingest.js';
import type { PublishRequest } from '../../src/gateway/gateway.js';
import { routingTable } from '../../src/gateway/routing.js';
import { createGateway } from '../../src/gateway/start.js';
import { createLogger } from '../../src/log.js';

const [prefix, count, properties, budget, brokers] = process.argv.slice(2) as [string, string, string, string, string];
const COUNT = Number(count);
const PROPERTIES = Number(properties);
const BUDGET = Number(budget);
const BATCH = 1000;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const required = Array.from({ length: PROPERTIES }, (_, i) => `property_${i}`);
const text = `asyncapi: 3.0.0
info: {title: idempotency memory, version: 1.0.0}
servers: {kafka: {host: 'kafka.invalid:9092', protocol: kafka}}
channels:
  wide:
    address: ${prefix}.wide
    messages:
      Wide:
        payload: ${JSON.stringify({ type: 'object', required })}
operations:
  send: {action: send, channel: {$ref: '#/channels/wide'}}
`;
const { contract } = await ingest(text, 'yaml');
const routes = { contract: 'memory', version: 1, routes: routingTable('memory', 1, contract) };
const gateway = createGateway(
  { ...gatewayConfig({}), kafkaBrokers: brokers.split(','), idempotencyMaxBytes: BUDGET, dlqErrorMaxBytes: 256, publishTimeoutMs: 30_000 },
  { routes: async () => routes },
  createLogger('silent'),
);
await gateway.provision('memory');

const body = Buffer.from('{}');
const request = (key?: string): PublishRequest => ({ contract: 'memory', channel: 'wide', body, parameters: {}, ...(key !== undefined ? { idempotencyKey: key } : {}) });
async function publish(reqs: PublishRequest[]) {
  const outcomes = await gateway.publishBatch(reqs);
  for (const o of outcomes) {
    if (!o.ok) throw o.error;
    if (o.published.result.status !== 'dead-lettered') throw new Error(`expected a dead letter, got ${o.published.result.status}`);
  }
  return outcomes;
}
const heap = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

// Warm up everything but the store (no keys), then measure from there.
for (let i = 0; i < 3; i++) await publish(Array.from({ length: BATCH }, () => request()));
const baseline = heap();
let peak = 0;
let errors = 0;
for (let sent = 0; sent < COUNT; sent += BATCH) {
  const outcomes = await publish(Array.from({ length: BATCH }, (_, i) => request(`key-${sent + i}`)));
  const first = outcomes[0]!;
  if (first.ok && first.published.result.status === 'dead-lettered') errors = first.published.result.errors.length;
  if ((sent / BATCH) % 10 === 9) peak = Math.max(peak, heap() - baseline);
}
const after = heap() - baseline;
peak = Math.max(peak, after);
const usage = gateway.idempotencyUsage();
// The gateway's other memory grows with the messages it handled (broker client, metrics): what
// the store holds is what goes when it is emptied.
const store = (gateway as unknown as { idempotency: { clear(): void } }).idempotency;

// The newest key is remembered, compactly; the oldest was evicted for the budget.
const [newest] = await publish([request(`key-${COUNT - 1}`)]);
const [oldest] = await publish([request('key-0')]);
const replay = newest!.ok ? newest!.published : undefined;
const full = heap();
store.clear();
const held = full - heap();
await gateway.close();
console.log(
  JSON.stringify({
    baseline,
    after,
    peak,
    held,
    errorsPerAnswer: errors,
    keys: usage.keys,
    accounted: usage.bytes,
    newest: { replayed: replay?.replayed, result: replay?.result },
    oldestReplayed: oldest!.ok && oldest!.published.replayed,
  }),
);
