/** `herald check` for CI: offline against files, or against a registry; reports and exit codes. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServerProcess, type ServerProcess } from '../helpers/process.js';

const orders = readFileSync('specs/orders.yaml', 'utf8');
const dir = mkdtempSync(path.join(tmpdir(), 'herald-check-'));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};

const v1 = file('orders-v1.yaml', orders);
// Sent message gains a required property (fine for its consumers under AUTO); received enum grows (fine too).
const v2 = file('orders-v2.yaml', orders.replace('        couponCode: { type: string }', '        couponCode: { type: string }\n        channel: { type: string }').replace('      required: [orderId, customerId, lines, total, placedAt]', '      required: [orderId, customerId, lines, total, placedAt, channel]'));
// Moves a topic: breaking everywhere.
const moved = file('orders-moved.yaml', orders.replace('topic: orders.placed.v1', 'topic: orders.placed.v2'));
const broken = file('broken.yaml', orders.replace('    address: orders.cancelled.v1\n', '    address: orders.cancelled.v1\n    adress: typo\n'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('herald check, offline', () => {
  it('exits 0 for a compatible version and says why each change is not breaking', async () => {
    const res = await runCli(['check', v2, '--against', v1]);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/is compatible with .*orders-v1\.yaml under AUTO \(policy lenient\): 0 breaking changes, 1 other/);
    expect(res.stdout).toContain('REQUIRED_PROPERTY_ADDED (breaks BACKWARD; checked FORWARD: OrderPlaced on orderPlaced is sent by the application)');
    expect(res.stdout).toMatch(/new: .*orders-v2\.yaml:\d+:\d+ \/components\/schemas\/OrderPlacedPayload\/properties\/channel/);
  });

  it('judges a polymorphic hierarchy (subtypes that allOf their base): against itself exit 0, a narrowed subtype once, at its line', async () => {
    const [a, b] = ['polymorphic-v1.yaml', 'polymorphic-v2.yaml'].map((f) => path.resolve('test/fixtures/compat', f));
    const same = await runCli(['check', a!, '--against', a!, '--mode', 'FULL']);
    expect([same.code, same.stdout]).toEqual([0, expect.stringContaining('0 breaking changes, 0 others')]);
    const narrowed = await runCli(['check', b!, '--against', a!, '--mode', 'FULL']);
    expect(narrowed.code).toBe(1);
    expect(narrowed.stdout).toContain('1 breaking change, 0 others');
    expect(narrowed.stdout).toMatch(/new: .*polymorphic-v2\.yaml:\d+:\d+ \/components\/schemas\/Coupe\/allOf\/1\/properties\/doors\/enum/);
  });

  it('shows an overlap with the message both alternatives accept and the fix', async () => {
    const oneOf = (required: string) => `asyncapi: 3.0.0
info: {title: t, version: '1'}
channels:
  c:
    address: c
    messages:
      m:
        payload:
          oneOf:
            - {type: object, required: [${required}], properties: {kind: {const: card}, last4: {type: string}}}
            - {type: object, required: [${required}], properties: {kind: {const: iban}, iban: {type: string}}}
`;
    const res = await runCli(['check', file('overlap-new.yaml', oneOf('amount')), '--against', file('overlap-old.yaml', oneOf('kind')), '--mode', 'BACKWARD']);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('ONE_OF_OVERLAP_POSSIBLE');
    expect(res.stdout).toContain('example: {"amount":');
    expect(res.stdout).toMatch(/fix: make `kind` required in each alternative/);
  });

  it('exits 1 for an incompatible version, with what broke, where (file:line) and why', async () => {
    const res = await runCli(['check', v2, '--against', v1, '--mode', 'FULL']);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('INCOMPATIBLE');
    const line = orders.split('\n').findIndex((l) => l.includes('couponCode: { type: string }')) + 2;
    expect(res.stdout).toContain(`✗ REQUIRED_PROPERTY_ADDED (breaks BACKWARD; checked FULL)`);
    expect(res.stdout).toContain(`orders-v2.yaml:${line}:`);
    expect(res.stdout).toContain('Property "channel" was added and is required');
  });

  it('--format json prints exactly one JSON object', async () => {
    const res = await runCli(['check', moved, '--against', v1, '--format', 'json']);
    expect(res.code).toBe(1);
    const out = JSON.parse(res.stdout);
    expect(Object.keys(out)).toEqual(['compatible', 'mode', 'policy', 'changes', 'advice']);
    expect(out).toMatchObject({ compatible: false, mode: 'AUTO', policy: 'lenient' });
    expect(out.changes[0]).toMatchObject({ kind: 'KAFKA_TOPIC_CHANGED', breaks: ['BACKWARD', 'FORWARD'], oldPath: '/channels/orderPlaced/bindings/kafka/topic', newPath: '/channels/orderPlaced/bindings/kafka/topic', breaking: true });
    expect(typeof out.changes[0].message).toBe('string');
  });

  it('takes several --against files, oldest first; non-transitive modes use the last', async () => {
    // v1 -> moved -> v1 again: against the last (moved), going back breaks; transitive also sees v1, which it equals.
    expect((await runCli(['check', v1, '--against', v1, '--against', moved, '--mode', 'BACKWARD'])).code).toBe(1);
    expect((await runCli(['check', moved, '--against', v1, '--against', moved, '--mode', 'BACKWARD'])).code).toBe(0);
    const transitive = await runCli(['check', moved, '--against', v1, '--against', moved, '--mode', 'BACKWARD_TRANSITIVE', '--format', 'json']);
    expect(transitive.code).toBe(1);
    expect(JSON.parse(transitive.stdout).changes.find((c: { breaking: boolean }) => c.breaking).against).toBe(v1);
  });

  it('exits 2, in one line, for unusable input', async () => {
    const invalid = await runCli(['check', broken, '--against', v1]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/^herald: .*broken\.yaml:\d+:\d+: not a valid AsyncAPI document: Property "adress" is not expected here/);
    expect(invalid.stderr.trim().split('\n')).toHaveLength(1);
    expect((await runCli(['check', v2])).code).toBe(2);
    expect((await runCli(['check', v2, '--against', path.join(dir, 'missing.yaml')])).code).toBe(2);
    const mode = await runCli(['check', v2, '--against', v1, '--mode', 'SIDEWAYS']);
    expect([mode.code, mode.stderr]).toEqual([2, expect.stringContaining('--mode must be one of')]);
  });
});

describe('herald check against a registry', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess();
    expect((await runCli(['register', v1, '--contract', 'orders', '--registry', server.url])).code).toBe(0);
  });
  afterAll(async () => {
    await server.stop();
    server.cleanup();
  });

  it('uses the registered versions and the contract settings', async () => {
    const ok = await runCli(['check', v2, '--contract', 'orders', '--registry', server.url]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('under AUTO (policy lenient)');
    const bad = await runCli(['check', moved, '--contract', 'orders', '--registry', server.url]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('registered version 1 of orders');
    const full = await runCli(['check', v2, '--contract', 'orders', '--registry', server.url, '--mode', 'FULL', '--format', 'json']);
    expect([full.code, JSON.parse(full.stdout).mode]).toEqual([1, 'FULL']);
  });

  it('exits 2 when the registry cannot be reached', async () => {
    const res = await runCli(['check', v2, '--contract', 'orders', '--registry', 'http://127.0.0.1:1']);
    expect(res.code).toBe(2);
  });
});
