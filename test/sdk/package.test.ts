/**
 * The TypeScript package as a consuming project uses it: installed, imported by its name,
 * compiled under the strictest settings, and run: a valid message passes, an invalid one
 * throws with every failure and its JSON pointer.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
