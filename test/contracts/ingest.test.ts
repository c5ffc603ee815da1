/** From text to the normalized contract: positions, limits, references, model, fingerprints. */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import fc from 'fast-check';
import { stringify as toYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../src/contracts/canonical.js';
import { DEFAULT_LIMITS, ingest } from '../../src/contracts/ingest.js';
import { resolveDocument } from '../../src/contracts/refs.js';
import { selfContained } from '../../src/contracts/schema.js';
import { parseText } from '../../src/contracts/text.js';
import { InvalidDocumentError } from '../../src/errors.js';

const rejection = async (text: string, format: 'yaml' | 'json' = 'yaml', limits = DEFAULT_LIMITS) => {
  try {
    await ingest(text, format, limits);
  } catch (err) {
    if (err instanceof InvalidDocumentError) return err;
    throw err;
  }
  throw new Error('expected the document to be rejected');
};

describe('reading text', () => {
  it('reports YAML syntax errors with their line and column', async () => {
    const err = await rejection('asyncapi: 3.0.0\ninfo:\n  title: x\n   version: 1\n');
    expect(err.diagnostics[0]).toMatchObject({ rule: 'yaml-syntax', line: 3, column: 10 });
  });

  it('reports JSON syntax errors and duplicate keys in either format', async () => {
    expect((await rejection('{"asyncapi": "3.0.0"', 'json')).diagnostics[0]).toMatchObject({ rule: 'json-syntax', line: 1 });
    const dup = await rejection('{"asyncapi":"3.0.0","info":{"title":"a","version":"1","title":"b"}}', 'json');
    expect(dup.diagnostics[0]).toMatchObject({ rule: 'json-syntax', line: 1 });
    expect(dup.diagnostics[0]!.message).toMatch(/unique/i);
  });

  it('locates any JSON pointer, through aliases, and escaped keys', () => {
    const parsed = parseText('a:\n  b/c:\n    - x\n    - &y {z: 1}\nd: *y\n', 'yaml', DEFAULT_LIMITS);
    expect(parsed.locate('/a/b~1c/1/z')).toEqual({ line: 4, column: 14 });
    expect(parsed.locate('/d/z')).toEqual({ line: 4, column: 14 });
    expect(parsed.locate('/a/b~1c/0')).toEqual({ line: 3, column: 7 });
    expect(parsed.locate('/nope')).toBeUndefined();
  });

  it('stops at the configured alias count and depth', () => {
    const limits = { ...DEFAULT_LIMITS, maxYamlAliases: 5, maxDepth: 4 };
    const aliases = (n: number) => 'a: &a 1\n' + Array.from({ length: n }, (_, i) => `b${i}: *a`).join('\n');
    expect(() => parseText(aliases(10), 'yaml', limits)).toThrow(/alias/i);
    expect(() => parseText(aliases(3), 'yaml', limits)).not.toThrow();
    expect(() => parseText('{"a":{"b":{"c":{"d":{}}}}}', 'json', limits)).toThrow(/nests deeper/);
    expect(() => parseText('{"a":{"b":{"c":{}}}}', 'json', limits)).not.toThrow();
  });

  it('survives pathological nesting without overflowing the stack', async () => {
    const err = await rejection('['.repeat(100_000), 'json');
    expect(['json-syntax', 'depth-limit']).toContain(err.diagnostics[0]!.rule);
  });
});

describe('references', () => {
  it('resolves internal references and keeps recursive ones as references', () => {
    const doc = { a: { $ref: '#/b' }, b: { type: 'object', properties: { next: { $ref: '#/b' } } } };
    expect(resolveDocument(doc, 1000)).toEqual({
      a: { type: 'object', properties: { next: { $ref: '#/b' } } },
      b: { type: 'object', properties: { next: { $ref: '#/b' } } },
    });
  });

  it('keeps a reference whose chain leads back into its own container', () => {
    const doc = { channels: { c: { messages: { m: { $ref: '#/ops/o/channel' } } } }, ops: { o: { channel: { $ref: '#/channels/c' } } } };
    const resolved = resolveDocument(doc, 1000) as any;
    expect(resolved.channels.c.messages.m).toEqual({ $ref: '#/channels/c' });
  });

  it('refuses a reference that is not a string', async () => {
    const err = await rejection('asyncapi: 3.0.0\ninfo: {title: t, version: "1"}\ncomponents:\n  schemas:\n    s: {$ref: [1]}\n');
    expect(err.diagnostics[0]).toMatchObject({ rule: 'invalid-ref', pointer: '/components/schemas/s/$ref', line: 5 });
  });
});

describe('the contract model', () => {
  it('maps AsyncAPI 2.x publish to receive and subscribe to send', async () => {
    const { contract } = await ingest(readFileSync('specs/payments.yaml', 'utf8'), 'yaml');
    expect(contract.operations.map((o) => [o.id, o.action, o.channel])).toEqual([
      ['onPaymentRequested', 'receive', 'payments.requested'],
      ['publishPaymentSettled', 'send', 'payments.settled'],
      ['onRefundRequested', 'receive', 'payments.refunds'],
    ]);
    const refunds = contract.channels.find((c) => c.id === 'payments.refunds')!;
    expect(refunds.messages.map((m) => m.id)).toEqual(['RefundRequested', 'RefundCancelled']);
    expect(refunds.bindings.amqp).toMatchObject({ is: 'queue', queue: { name: 'payments.refunds', durable: true } });
  });

  it('keeps 3.x actions, replies, correlation ids, bindings and extensions', async () => {
    const { contract } = await ingest(readFileSync('specs/notifications.yaml', 'utf8'), 'yaml');
    const request = contract.operations.find((o) => o.id === 'requestEmail')!;
    expect(request).toMatchObject({ action: 'send', channel: 'emailRequests', messages: ['SendEmail'], reply: { channel: 'emailReplies', addressLocation: '$message.header#/reply-to', messages: ['EmailAccepted'] } });
    const email = contract.channels.find((c) => c.id === 'emailRequests')!;
    expect(email.servers).toEqual(['rabbit']);
    expect(email.messages[0]!.correlationId).toEqual({ location: '$message.header#/correlation-id' });
    const prefs = contract.channels.find((c) => c.id === 'userPreferences')!;
    expect(prefs.address).toBe('users.{userId}.preferences');
    expect(prefs.parameters[0]).toMatchObject({ name: 'userId', schema: { type: 'string' } });
  });

  it('inlines referenced schemas so that no $ref leaves the document', async () => {
    const { contract, schemas } = await ingest(readFileSync('specs/orders.yaml', 'utf8'), 'yaml');
    const placed = contract.channels[0]!.messages[0]!;
    expect(placed.bindings.kafka!.key).toMatchObject({ type: 'string', format: 'uuid' });
    expect(JSON.stringify(placed.payload)).not.toContain('$ref');
    expect(JSON.stringify(placed.payload)).not.toContain('x-parser');
    expect((placed.payload as any).properties.lines.items.properties.unitPrice.required).toEqual(['currency', 'minorUnits']);
    expect(schemas.filter((s) => s.part === 'headers').map((s) => s.fingerprint)).toHaveLength(3);
    expect(new Set(schemas.filter((s) => s.part === 'headers').map((s) => s.fingerprint)).size).toBe(1);
  });

  it('turns a recursive schema into one that validates like the original', async () => {
    const doc = `asyncapi: 3.0.0
info: {title: t, version: '1'}
channels:
  tree:
    address: tree
    messages:
      Node:
        payload: {$ref: '#/components/schemas/Node'}
components:
  schemas:
    Node:
      type: object
      required: [value]
      properties:
        value: {type: integer}
        children: {type: array, items: {$ref: '#/components/schemas/Node'}}
`;
    const { contract } = await ingest(doc, 'yaml');
    const payload = contract.channels[0]!.messages[0]!.payload!;
    expect(JSON.stringify(payload)).toContain('"$ref":"#/$defs/Node"');
    expect(JSON.stringify(payload)).not.toContain('#/components');
    const validate = new Ajv().compile(payload as object);
    expect(validate({ value: 1, children: [{ value: 2, children: [{ value: 3 }] }] })).toBe(true);
    expect(validate({ value: 1, children: [{ value: 2, children: [{ value: 'three' }] }] })).toBe(false);
  });
});

describe('fingerprints', () => {
  const json = fc.jsonValue({ maxDepth: 4 });

  it('do not depend on key order or on YAML versus JSON', () => {
    const shuffle = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(shuffle) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, shuffle(x)])) : v;
    fc.assert(
      fc.property(json, (value) => {
        const doc = { root: value };
        const fromYaml = parseText(toYaml(doc), 'yaml', { ...DEFAULT_LIMITS, maxDepth: 100 }).data;
        expect(fingerprint(shuffle(doc))).toBe(fingerprint(doc));
        expect(fingerprint(fromYaml)).toBe(fingerprint(JSON.parse(JSON.stringify(doc))));
      }),
      { numRuns: 300 },
    );
  });

  it('differ when content differs', () => {
    fc.assert(
      fc.property(json, json, (a, b) => {
        fc.pre(JSON.stringify(a) !== JSON.stringify(b));
        fc.pre(!(Object.is(a, -0) || Object.is(b, -0)));
        expect(fingerprint({ v: a })).not.toBe(fingerprint({ v: b }));
      }),
      { numRuns: 300 },
    );
  });

  it('of a registered document are equal in YAML and JSON', async () => {
    const yaml = readFileSync('specs/orders.yaml', 'utf8');
    const a = await ingest(yaml, 'yaml');
    const b = await ingest(JSON.stringify(a.document, null, 1), 'json');
    expect(b.fingerprint).toBe(a.fingerprint);
  });
});

describe('self-contained schemas', () => {
  it('turn any object cycle into $defs references and keep acyclic schemas intact', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), fc.nat(5), (value, cut) => {
        const schema: Record<string, unknown> = { type: 'object', properties: { a: { description: JSON.stringify(value) } } };
        expect(selfContained(schema)).toEqual(schema);
        // Close a cycle at some depth and check the result is finite JSON.
        const inner: Record<string, unknown> = { type: 'object', properties: {} };
        let node = inner;
        for (let i = 0; i < cut; i++) {
          const next: Record<string, unknown> = { type: 'object', properties: {} };
          (node.properties as Record<string, unknown>)[`p${i}`] = next;
          node = next;
        }
        (node.properties as Record<string, unknown>).back = inner;
        const out = selfContained({ type: 'object', properties: { root: inner } });
        expect(() => JSON.stringify(out)).not.toThrow();
        expect(JSON.stringify(out)).toContain('#/$defs/');
      }),
      { numRuns: 100 },
    );
  });
});
