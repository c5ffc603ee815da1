/**
 * The SDK (issue 10 item 7): `herald generate --lang typescript` in process against
 * Modelina's default TypeScript generation of the same document; a generated validator
 * against bare Ajv compiled from the same schema; sending through the SDK's kafkajs transport
 * against the bare kafkajs producer; and the size of the generated package. Same run, same
 * machine.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TypeScriptGenerator } from '@asyncapi/modelina';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { ingest } from '../src/contracts/ingest.js';
import { generateSdk } from '../src/sdk/generate.js';
import { Kafka, logLevel } from 'kafkajs';
import { startKafka, stopKafka } from '../scripts/brokers.js';
import { interleaved, measure, ms, opsPerSecond, table, type Stats } from './stats.js';

const CORPUS = '../shared/corpus/asyncapi-spec-examples';
const DOCS = [
  ['v2.6/slack-rtm.yml', `${CORPUS}/v2.6/slack-rtm.yml`],
  ['v3/slack-rtm-asyncapi.yml', `${CORPUS}/v3/slack-rtm-asyncapi.yml`],
  ['specs/orders.yaml', 'specs/orders.yaml'],
  ['specs/payments.yaml', 'specs/payments.yaml'],
  ['specs/notifications.yaml', 'specs/notifications.yaml'],
] as const;

export async function benchSdk(runs: number): Promise<string> {
  const out: string[] = [];
  const rows = [];
  const sizes = [];
  for (const [label, file] of DOCS) {
    if (!existsSync(file)) {
      rows.push({ document: label, 'herald generate (in process)': 'skipped: corpus absent', 'Modelina default TypeScript': '', ratio: '' });
      continue;
    }
    const text = readFileSync(file, 'utf8');
    const generate = async () => {
      const { document, contract } = await ingest(text, 'yaml');
      return generateSdk(document, contract, { lang: 'typescript', packageName: '@herald/bench', contract: 'bench' });
    };
    const modelina = new TypeScriptGenerator();
    const herald = await measure(generate, { runs, warmup: 2 });
    const baseline = await measure(() => modelina.generate(text), { runs, warmup: 2 });
    rows.push({ document: label, 'herald generate (in process)': ms(herald.p50), 'Modelina default TypeScript': ms(baseline.p50), ratio: (herald.p50 / baseline.p50).toFixed(2) });
    if (label.includes('slack-rtm') || label === 'specs/orders.yaml') {
      const sdk = await generate();
      const js = Object.entries(sdk.files).filter(([p]) => p.endsWith('.js'));
      sizes.push({ document: label, files: Object.keys(sdk.files).length, 'bytes of JS': js.reduce((n, [, c]) => n + Buffer.byteLength(c), 0).toLocaleString('en'), 'bytes of .d.ts': Object.entries(sdk.files).filter(([p]) => p.endsWith('.d.ts')).reduce((n, [, c]) => n + Buffer.byteLength(c), 0).toLocaleString('en') });
    }
  }
  out.push('## SDK generation: `herald generate --lang typescript` (parse, name, models, validators bundled) against Modelina\'s default TypeScript generation\n', table(rows), '');
  out.push('## Size of the generated TypeScript package\n', table(sizes), '');
  out.push(await validatorBench());
  out.push(await kafkaBench(runs));
  return out.join('\n');
}

/** isOrderPlacedPayload from the generated package against bare Ajv (allErrors, ajv-formats) compiled once from the same schema. */
async function validatorBench(): Promise<string> {
  const { document, contract } = await ingest(readFileSync('specs/orders.yaml', 'utf8'), 'yaml');
  const sdk = await generateSdk(document, contract, { lang: 'typescript', packageName: '@herald/bench', contract: 'bench' });
  const dir = mkdtempSync(path.join(tmpdir(), 'herald-bench-sdk-'));
  try {
    writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}');
    writeFileSync(path.join(dir, 'validators.js'), sdk.files['validators.js']!);
    const generated = (await import(pathToFileURL(path.join(dir, 'validators.js')).href)) as Record<string, (v: unknown) => boolean>;
    const isPlaced = generated.isOrderPlacedPayload!;
    const schema = contract.channels.find((c) => c.id === 'orderPlaced')!.messages[0]!.payload!;
    const ajv = new Ajv({ allErrors: true, strict: false });
    (addFormats as unknown as (a: Ajv) => void)(ajv);
    const bare = ajv.compile(schema as object);
    const message = placed(1);
    if (!isPlaced(message) || !bare(message)) throw new Error('the bench message should be valid under both');
    const N = 400_000;
    // Alternating blocks after a warm-up: measured one after the other, the second gets a warmer JIT.
    const [sdkRate, ajvRate] = opsPerSecond([() => isPlaced(message), () => bare(message)], N, 50_000, 20);
    const ops = (v: number) => `${Math.round(v).toLocaleString('en')} ops/s`;
    return [
      '## Generated validator against bare Ajv (specs/orders.yaml OrderPlaced payload of 1 KB, valid, in process)\n',
      table([{ what: `${N.toLocaleString('en')} validations each, 20 alternating blocks`, 'generated isOrderPlacedPayload': ops(sdkRate!), 'bare Ajv compile()': ops(ajvRate!), 'ratio (goal >= 0.95)': (sdkRate! / ajvRate!).toFixed(3) }]),
      '',
    ].join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** An OrderPlaced payload of about `kb` KB (order lines make up the size). */
function placed(kb: number) {
  const line = (i: number) => ({ sku: `SKU-${String(i).padStart(6, '0')}`, quantity: 1 + (i % 5), unitPrice: { currency: 'EUR', minorUnits: 1250 + i } });
  const message = { orderId: '0b9e7f5c-3c0e-4c55-9d43-94c3f1c6b0c2', customerId: 'c-1', lines: [line(0)], total: { currency: 'EUR', minorUnits: 2500 }, placedAt: '2026-12-03T10:00:00Z' };
  while (JSON.stringify(message).length < kb * 1024 - 80) message.lines.push(line(message.lines.length));
  return message;
}

/**
 * The SDK's kafkajs transport (validating payload and headers, then sending; the sends of a
 * tick go as one batch) against the bare kafkajs producer sending the same serialized records
 * (no validation), batches of 100 messages of 1 KB, acks from all replicas, alternating.
 */
async function kafkaBench(runs: number): Promise<string> {
  const startedKafka = await startKafka();
  const kafka = new Kafka({ clientId: 'herald-bench-sdk', brokers: ['127.0.0.1:9092'], logLevel: logLevel.NOTHING });
  const topic = `bench-sdk-${Date.now().toString(36)}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  const dir = mkdtempSync(path.join(tmpdir(), 'herald-bench-sdk-'));
  try {
    // The orders SDK, its orderPlaced channel pointed at this run's topic.
    const text = readFileSync('specs/orders.yaml', 'utf8').replaceAll('orders.placed.v1', topic);
    const { document, contract } = await ingest(text, 'yaml');
    const sdk = await generateSdk(document, contract, { lang: 'typescript', packageName: '@herald/bench', contract: 'bench' });
    writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}');
    for (const [rel, content] of Object.entries(sdk.files)) writeFileSync(path.join(dir, rel), content);
    const orders = (await import(pathToFileURL(path.join(dir, 'index.js')).href)) as {
      createClient(t: unknown): { send: { publishOrderPlaced(p: unknown, o: unknown): Promise<void> } };
      kafkaTransport(o: unknown): unknown;
    };
    const client = orders.createClient(orders.kafkaTransport({ producer }));
    const message = placed(1);
    const headers = { 'x-correlation-id': '6f1c1a52-8f0e-4a8e-9a4e-2b7b0c2f6d11' };
    const BATCH = 100;
    const viaSdk = () => Promise.all(Array.from({ length: BATCH }, () => client.send.publishOrderPlaced(message, { key: message.orderId, headers })));
    const bare = () =>
      producer.send({
        topic,
        acks: -1,
        messages: Array.from({ length: BATCH }, () => ({ key: message.orderId, value: JSON.stringify(message), headers: { ...headers, 'content-type': 'application/json' } })),
      });
    const batches = Math.max(150, runs * 5);
    const [sdkStats, bareStats] = await interleaved([viaSdk, bare], batches, 10);
    const rate = (s: Stats) => (BATCH * 1000) / s.mean;
    return [
      `## Sending through the SDK's kafkajs transport against the bare kafkajs producer (1 KB OrderPlaced, batches of ${BATCH}, acks=all, ${batches} batches each, alternating)\n`,
      table([
        {
          'SDK (validating)': `${Math.round(rate(sdkStats!)).toLocaleString('en')} msg/s, batch p50 ${ms(sdkStats!.p50)}, p99 ${ms(sdkStats!.p99)}`,
          'bare kafkajs': `${Math.round(rate(bareStats!)).toLocaleString('en')} msg/s, batch p50 ${ms(bareStats!.p50)}, p99 ${ms(bareStats!.p99)}`,
          'ratio (goal >= 0.85)': (rate(sdkStats!) / rate(bareStats!)).toFixed(3),
        },
      ]),
      '',
    ].join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await producer.disconnect();
    if (startedKafka) await stopKafka();
  }
}
