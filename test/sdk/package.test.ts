/**
 * The TypeScript package as a consuming project uses it: installed, imported by its name,
 * compiled under the strictest settings, and run: a valid message passes, an invalid one
 * throws with every failure and its JSON pointer.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';

const dir = mkdtempSync(path.join(tmpdir(), 'herald-sdk-consumer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('a project installs generated/orders, compiles against it (strict, NodeNext, verbatimModuleSyntax) and validates with it', () => {
  mkdirSync(path.join(dir, 'node_modules/@herald'), { recursive: true });
  cpSync('generated/orders', path.join(dir, 'node_modules/@herald/orders'), { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', verbatimModuleSyntax: true, noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true, skipLibCheck: false, types: [], outDir: 'out' },
      files: ['consumer.ts'],
    }),
  );
  writeFileSync(
    path.join(dir, 'consumer.ts'),
    `import { assertOrderPlacedPayload, HeraldValidationError, isOrderPlacedPayload, type OrderPlacedPayload } from '@herald/orders';
const order: OrderPlacedPayload = {
  orderId: '0b9e7f5c-3c0e-4c55-9d43-94c3f1c6b0c2',
  customerId: 'c-1',
  lines: [{ sku: 'SKU-1', quantity: 2, unitPrice: { currency: 'EUR', minorUnits: 1250 } }],
  total: { currency: 'EUR', minorUnits: 2500 },
  placedAt: '2026-12-03T10:00:00Z',
};
assertOrderPlacedPayload(order);
const broken: unknown = { ...order, orderId: 'nope', lines: [] };
let errors: Array<{ in: string; pointer: string; keyword: string | undefined }> = [];
try {
  assertOrderPlacedPayload(broken);
} catch (err) {
  if (err instanceof HeraldValidationError) errors = err.errors.map((e) => ({ in: e.in, pointer: e.pointer, keyword: e.keyword }));
}
console.log(JSON.stringify({ valid: isOrderPlacedPayload(order), invalid: isOrderPlacedPayload(broken), errors }));
`,
  );
  const tsc = spawnSync(process.execPath, [path.resolve('node_modules/typescript/bin/tsc'), '-p', dir], { encoding: 'utf8' });
  expect(tsc.stdout + tsc.stderr).toBe('');
  expect(tsc.status).toBe(0);
  const run = spawnSync(process.execPath, [path.join(dir, 'out/consumer.js')], { encoding: 'utf8', cwd: dir });
  expect(run.stderr).toBe('');
  expect(JSON.parse(run.stdout)).toEqual({
    valid: true,
    invalid: false,
    errors: expect.arrayContaining([
      { in: 'payload', pointer: '/orderId', keyword: 'format' },
      { in: 'payload', pointer: '/lines', keyword: 'minItems' },
    ]),
  });
});

it('the typed channel API compiles (strict) over the real kafkajs and amqplib types, and refuses wrong payloads, options and handlers', () => {
  const project = path.join(dir, 'channels');
  mkdirSync(path.join(project, 'node_modules/@herald'), { recursive: true });
  mkdirSync(path.join(project, 'node_modules/@types'), { recursive: true });
  for (const pkg of ['orders', 'notifications']) cpSync(`generated/${pkg}`, path.join(project, `node_modules/@herald/${pkg}`), { recursive: true });
  for (const dep of ['kafkajs', 'amqplib', '@types/node', 'undici-types']) symlinkSync(path.resolve('node_modules', dep), path.join(project, 'node_modules', dep), 'dir');
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ type: 'module' }));
  writeFileSync(
    path.join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', verbatimModuleSyntax: true, noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true, skipLibCheck: false, types: ['node'], noEmit: true },
      files: ['consumer.ts'],
    }),
  );
  writeFileSync(
    path.join(project, 'consumer.ts'),
    `import amqp from 'amqplib';
import { Kafka } from 'kafkajs';
import { createClient, kafkaTransport, gatewayTransport, HeraldNonRetryableError, type OrderPlacedPayload, type PaymentSettledPayload } from '@herald/orders';
import * as notifications from '@herald/notifications';

export async function orders(order: OrderPlacedPayload): Promise<void> {
  const kafka = new Kafka({ brokers: ['127.0.0.1:9092'] });
  const client = createClient(kafkaTransport({ producer: kafka.producer(), consumer: (groupId) => kafka.consumer({ groupId }) }));
  await client.send.publishOrderPlaced(order, { key: order.orderId, headers: { 'x-correlation-id': order.orderId } });
  // @ts-expect-error the headers the contract requires are required
  await client.send.publishOrderPlaced(order);
  // @ts-expect-error a payload of the wrong type
  await client.send.publishOrderPlaced({ orderId: 1 }, { headers: { 'x-correlation-id': 'x' } });
  // @ts-expect-error an operation the application receives cannot be sent
  await client.send.onPaymentSettled;
  const stop = await client.receive.onPaymentSettled(
    async (m) => {
      const payment: PaymentSettledPayload = m.payload;
      const outcome: 'captured' | 'declined' = payment.outcome;
      const name: 'PaymentSettled' = m.message;
      if (outcome === 'declined') throw new HeraldNonRetryableError(name);
    },
    { groupId: 'orders-service' },
  );
  await stop();
  createClient(gatewayTransport({ url: 'http://127.0.0.1:8080', token: 't' }));
}

export async function mail(): Promise<string> {
  const connection = await amqp.connect('amqp://127.0.0.1');
  const client = notifications.createClient(notifications.amqpTransport({ channel: await connection.createConfirmChannel() }));
  // request() fills the reply-to and correlation-id headers the contract requires.
  const reply = await client.request.requestEmail({ to: 'a@example.com', template: 'order-confirmation' }, { timeoutMs: 5000 });
  // @ts-expect-error the template is one of the enum's values
  await client.request.requestEmail({ to: 'a@example.com', template: 'welcome' });
  const preferences = await client.receive.onPreferencesChanged((m) => void m.payload.email, { groupId: 'g', parameters: { userId: 'u1' } });
  await preferences();
  return reply.payload.messageId;
}
`,
  );
  const tsc = spawnSync(process.execPath, [path.resolve('node_modules/typescript/bin/tsc'), '-p', project], { encoding: 'utf8' });
  expect(tsc.stdout + tsc.stderr).toBe('');
  expect(tsc.status).toBe(0);
});
