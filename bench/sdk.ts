/**
 * SDK generation and the generated validators (issue 10 item 7, as far as the SDK goes):
 * `herald generate --lang typescript` in process against Modelina's default TypeScript
 * generation of the same document; a generated validator against bare Ajv compiled from the
 * same schema; and the size of the generated package. Same run, same machine.
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
import { measure, ms, table } from './stats.js';

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
  out.push(await validatorBench(runs));
  return out.join('\n');
}

/** isOrderPlacedPayload from the generated package against bare Ajv (allErrors, ajv-formats) compiled once from the same schema. */
async function validatorBench(runs: number): Promise<string> {
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
    const message = { orderId: '0b9e7f5c-3c0e-4c55-9d43-94c3f1c6b0c2', customerId: 'c-1', lines: [{ sku: 'SKU-1', quantity: 2, unitPrice: { currency: 'EUR', minorUnits: 1250 } }], total: { currency: 'EUR', minorUnits: 2500 }, placedAt: '2026-12-03T10:00:00Z' };
    if (!isPlaced(message) || !bare(message)) throw new Error('the bench message should be valid under both');
    const N = 20_000;
    const loop = (fn: (v: unknown) => boolean) => () => {
      for (let i = 0; i < N; i++) fn(message);
    };
    const sdkTime = await measure(loop(isPlaced), { runs: Math.max(10, runs), warmup: 5 });
    const ajvTime = await measure(loop(bare), { runs: Math.max(10, runs), warmup: 5 });
    const ops = (t: number) => `${Math.round((N / t) * 1000).toLocaleString('en')} ops/s`;
    return [
      '## Generated validator against bare Ajv (specs/orders.yaml OrderPlaced payload, valid message, in process)\n',
      table([{ what: `${N.toLocaleString('en')} validations`, 'generated isOrderPlacedPayload': ops(sdkTime.p50), 'bare Ajv compile()': ops(ajvTime.p50), 'ratio (goal >= 0.95)': (ajvTime.p50 / sdkTime.p50).toFixed(3) }]),
      '',
    ].join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
