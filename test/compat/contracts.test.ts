/**
 * Contract-level comparison and verdicts: channels, operations, messages, bindings,
 * replies, AUTO's direction per message, transitive modes and semver advice.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareContracts } from '../../src/compat/contracts.js';
import type { Mode, Policy } from '../../src/compat/types.js';
import { checkCompatibility, type Verdict } from '../../src/compat/verdict.js';
import { ingest } from '../../src/contracts/ingest.js';
import { CORPUS_DIR, corpusFiles, corpusPath, corpusPresent, isFragment, CORPUS_MISSING } from '../helpers/corpus.js';
import { prepareDocument } from '../../src/cli/bundle.js';

const orders = readFileSync('specs/orders.yaml', 'utf8');
const payments = readFileSync('specs/payments.yaml', 'utf8');
const notifications = readFileSync('specs/notifications.yaml', 'utf8');

const load = async (text: string) => {
  const d = await ingest(text, 'yaml');
  return { document: d.document, contract: d.contract };
};

async function check(before: string, after: string, mode: Mode = 'AUTO', policy: Policy = 'lenient'): Promise<Verdict> {
  return checkCompatibility(await load(after), [{ ...(await load(before)), version: 1 }], mode, policy);
}

const kinds = (v: Verdict) => v.changes.map((c) => c.kind);
const breakingKinds = (v: Verdict) => v.changes.filter((c) => c.breaking).map((c) => c.kind);

/** Replaces exactly one occurrence, so a test fails loudly if the spec it edits changes. */
function edit(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`expected exactly one ${JSON.stringify(from)}`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

describe('channels and operations', () => {
  it('an identical contract has no changes', async () => {
    for (const spec of [orders, payments, notifications]) expect((await check(spec, spec)).changes).toEqual([]);
  });

  it('removing a channel or an operation is breaking under every mode but NONE', async () => {
    const without = edit(
      edit(orders, "  publishOrderCancelled:\n    action: send\n    channel:\n      $ref: '#/channels/orderCancelled'\n    messages:\n      - $ref: '#/channels/orderCancelled/messages/OrderCancelled'\n", ''),
      "  orderCancelled:\n    address: orders.cancelled.v1\n    messages:\n      OrderCancelled:\n        $ref: '#/components/messages/OrderCancelled'\n    bindings:\n      kafka:\n        topic: orders.cancelled.v1\n        partitions: 12\n        replicas: 3\n        bindingVersion: '0.5.0'\n",
      '',
    );
    for (const mode of ['AUTO', 'BACKWARD', 'FORWARD', 'FULL'] as const) {
      const v = await check(orders, without, mode);
      expect(v.compatible, mode).toBe(false);
      expect(breakingKinds(v)).toEqual(expect.arrayContaining(['CHANNEL_REMOVED', 'OPERATION_REMOVED']));
    }
    expect((await check(orders, without, 'NONE')).compatible).toBe(true);
    // ... and adding them back is compatible.
    const back = await check(without, orders, 'FULL');
    expect(back.compatible).toBe(true);
    expect(kinds(back)).toEqual(expect.arrayContaining(['CHANNEL_ADDED', 'OPERATION_ADDED']));
  });

  it('moving a channel to another address, or its Kafka topic, is breaking', async () => {
    const moved = edit(orders, 'address: orders.placed.v1', 'address: orders.placed.v2');
    expect(breakingKinds(await check(orders, moved, 'BACKWARD'))).toContain('CHANNEL_ADDRESS_CHANGED');
    const topic = edit(orders, 'topic: orders.placed.v1', 'topic: orders.placed.v2');
    expect(breakingKinds(await check(orders, topic, 'BACKWARD'))).toContain('KAFKA_TOPIC_CHANGED');
  });

  it('changing an operation action or channel is breaking', async () => {
    const swapped = edit(orders, '  publishOrderCancelled:\n    action: send', '  publishOrderCancelled:\n    action: receive');
    expect(breakingKinds(await check(orders, swapped, 'FORWARD'))).toContain('OPERATION_ACTION_CHANGED');
  });

  it('fewer Kafka partitions is breaking, more is not', async () => {
    const fewer = edit(orders, "        topic: orders.placed.v1\n        partitions: 12", "        topic: orders.placed.v1\n        partitions: 6");
    expect(breakingKinds(await check(orders, fewer, 'FULL'))).toContain('KAFKA_PARTITIONS_DECREASED');
    const more = await check(fewer, orders, 'FULL');
    expect(more.compatible).toBe(true);
    expect(kinds(more)).toContain('KAFKA_PARTITIONS_INCREASED');
  });

  it('AMQP changes RabbitMQ refuses to redeclare are breaking', async () => {
    const typed = edit(payments, "  payments.settled:\n    bindings:\n      amqp:\n        is: routingKey\n        exchange:\n          name: payments\n          type: topic", "  payments.settled:\n    bindings:\n      amqp:\n        is: routingKey\n        exchange:\n          name: payments\n          type: direct");
    expect(breakingKinds(await check(payments, typed, 'BACKWARD'))).toContain('AMQP_EXCHANGE_TYPE_CHANGED');
    const durable = edit(payments, "          name: payments.refunds\n          durable: true", "          name: payments.refunds\n          durable: false");
    expect(breakingKinds(await check(payments, durable, 'FORWARD'))).toContain('AMQP_QUEUE_DURABILITY_CHANGED');
    const renamed = edit(payments, 'name: payments.refunds', 'name: payments.refunds.v2');
    expect(breakingKinds(await check(payments, renamed, 'BACKWARD'))).toContain('AMQP_QUEUE_CHANGED');
  });
});

describe('messages under AUTO', () => {
  it('a message added to a channel the application sends on breaks FORWARD, so AUTO refuses it', async () => {
    const more = edit(orders, "      OrderPlaced:\n        $ref: '#/components/messages/OrderPlaced'\n    bindings:", "      OrderPlaced:\n        $ref: '#/components/messages/OrderPlaced'\n      OrderAmended:\n        payload: { type: object }\n    bindings:");
    const withOp = edit(more, "      - $ref: '#/channels/orderPlaced/messages/OrderPlaced'\n    bindings:", "      - $ref: '#/channels/orderPlaced/messages/OrderPlaced'\n      - $ref: '#/channels/orderPlaced/messages/OrderAmended'\n    bindings:");
    const v = await check(orders, withOp);
    expect(v.compatible).toBe(false);
    expect(v.changes.find((c) => c.kind === 'MESSAGE_ADDED')).toMatchObject({ breaks: ['FORWARD'], breaking: true, checked: ['FORWARD'] });
    expect((await check(orders, withOp, 'BACKWARD')).compatible).toBe(true);
  });

  it('a message added to a channel the application receives on is fine under AUTO, not under FORWARD', async () => {
    const more = edit(orders, "      PaymentSettled:\n        $ref: '#/components/messages/PaymentSettled'\n    bindings:", "      PaymentSettled:\n        $ref: '#/components/messages/PaymentSettled'\n      PaymentRefunded:\n        payload: { type: object }\n    bindings:");
    const withOp = edit(more, "      - $ref: '#/channels/paymentSettled/messages/PaymentSettled'\n", "      - $ref: '#/channels/paymentSettled/messages/PaymentSettled'\n      - $ref: '#/channels/paymentSettled/messages/PaymentRefunded'\n");
    expect((await check(orders, withOp)).compatible).toBe(true);
    expect((await check(orders, withOp, 'FORWARD')).compatible).toBe(false);
  });

  it('a message removed from a channel breaks BACKWARD', async () => {
    const fewer = edit(payments, "          - $ref: '#/components/messages/RefundCancelled'\n", '');
    const v = await check(payments, fewer, 'BACKWARD');
    expect(v.compatible).toBe(false);
    expect(breakingKinds(v)).toContain('MESSAGE_REMOVED');
  });

  it('reads AsyncAPI 2.x publish as receive: a narrower received payload breaks, a narrower sent one does not', async () => {
    // payments.requested is `publish`: this service receives PaymentRequested.
    const received = edit(payments, '          paymentId: { type: string }\n          orderId: { type: string, format: uuid }\n          amount:', '          paymentId: { type: string, maxLength: 8 }\n          orderId: { type: string, format: uuid }\n          amount:');
    const v = await check(payments, received);
    expect(v.compatible).toBe(false);
    expect(v.changes.find((c) => c.kind === 'MAX_LENGTH_ADDED')).toMatchObject({ checked: ['BACKWARD'], breaking: true, scope: { channel: 'payments.requested', message: 'PaymentRequested' } });
    // payments.settled is `subscribe`: this service sends PaymentSettled; narrowing what it sends is safe.
    const sent = edit(payments, '          declineReason: { type: string }', '          declineReason: { type: string, maxLength: 200 }');
    expect((await check(payments, sent)).compatible).toBe(true);
  });

  it('headers, content type and correlation id changes', async () => {
    const noHeaders = edit(payments, "    RefundRequested:\n      messageId: RefundRequested\n      name: RefundRequested\n", "    RefundRequested:\n      messageId: RefundRequested\n      name: RefundRequested\n      headers:\n        type: object\n        required: [tenant]\n");
    const added = await check(payments, noHeaders, 'FULL');
    expect(added.changes.find((c) => c.kind === 'SCHEMA_ADDED')).toMatchObject({ breaks: ['BACKWARD'] });
    expect((await check(noHeaders, payments, 'FULL')).changes.find((c) => c.kind === 'SCHEMA_REMOVED')).toMatchObject({ breaks: ['FORWARD'] });
    const contentType = edit(orders, '      contentType: application/json\n', '      contentType: application/avro\n');
    expect(breakingKinds(await check(orders, contentType, 'FULL'))).toContain('CONTENT_TYPE_CHANGED');
    const correlation = edit(orders, "location: '$message.header#/x-correlation-id'", "location: '$message.payload#/orderId'");
    expect(breakingKinds(await check(orders, correlation, 'FULL'))).toContain('CORRELATION_ID_CHANGED');
  });

  it('compares the Kafka key schema like a payload', async () => {
    const key = edit(orders, '            type: string\n            format: uuid\n            description: The order id', '            type: integer\n            description: The order id');
    const v = await check(orders, key, 'FULL');
    expect(v.changes.find((c) => c.kind === 'TYPE_CHANGED')).toMatchObject({ newPath: '/components/messages/OrderPlaced/bindings/kafka/key/type' });
  });

  it('replies: removed is breaking, added is not, and reply messages flow the other way', async () => {
    const noReply = edit(notifications, "    reply:\n      address:\n        location: '$message.header#/reply-to'\n      channel:\n        $ref: '#/channels/emailReplies'\n      messages:\n        - $ref: '#/channels/emailReplies/messages/EmailAccepted'\n", '');
    expect(breakingKinds(await check(notifications, noReply))).toContain('REPLY_REMOVED');
    const back = await check(noReply, notifications);
    expect(kinds(back)).toContain('REPLY_ADDED');
    expect(breakingKinds(back)).not.toContain('REPLY_ADDED');
    // requestEmail sends; its reply EmailAccepted is received: a narrower reply breaks under AUTO.
    const narrower = edit(notifications, '          messageId: { type: string }', '          messageId: { type: string, maxLength: 10 }');
    const v = await check(notifications, narrower);
    expect(v.changes.find((c) => c.kind === 'MAX_LENGTH_ADDED')).toMatchObject({ checked: ['BACKWARD'], breaking: true });
  });
});

describe('modes', () => {
  it('transitive modes check every earlier version', async () => {
    const v1 = await load(orders);
    // v2 drops optional couponCode (fine under lenient); v3 brings it back as an integer, which only v1 contradicts.
    const v2 = await load(edit(orders, '        couponCode: { type: string }\n', ''));
    const v3 = await load(edit(orders, '        couponCode: { type: string }', '        couponCode: { type: integer }'));
    const earlier = [{ ...v1, version: 1 }, { ...v2, version: 2 }];
    expect(checkCompatibility(v3, earlier, 'FULL', 'lenient').compatible).toBe(true);
    const transitive = checkCompatibility(v3, earlier, 'FULL_TRANSITIVE', 'lenient');
    expect(transitive.compatible).toBe(false);
    expect(transitive.changes.filter((c) => c.breaking)).toEqual([expect.objectContaining({ kind: 'TYPE_CHANGED', against: 1 })]);
  });

  it('strict and lenient differ on optional properties of open objects', async () => {
    const extra = edit(orders, '        couponCode: { type: string }', '        couponCode: { type: string }\n        giftWrap: { type: boolean }');
    expect((await check(orders, extra, 'BACKWARD', 'lenient')).compatible).toBe(true);
    expect((await check(orders, extra, 'BACKWARD', 'strict')).compatible).toBe(false);
  });

  it('advises a major bump for breaking changes without one, and only then', async () => {
    const breaking = edit(edit(orders, 'topic: orders.placed.v1', 'topic: orders.placed.v2'), 'version: 1.4.0', 'version: 1.5.0');
    expect((await check(orders, breaking, 'FULL')).advice).toEqual([expect.stringContaining('1.4.0 to 1.5.0') as unknown as string]);
    const bumped = edit(breaking, 'version: 1.5.0', 'version: 2.0.0');
    expect((await check(orders, bumped, 'FULL')).advice).toEqual([]);
    expect((await check(orders, edit(orders, 'version: 1.4.0', 'version: 1.4.1'), 'FULL')).advice).toEqual([]);
  });

  it('NONE lists changes but judges none of them', async () => {
    const v = await check(orders, edit(orders, 'topic: orders.placed.v1', 'topic: x'), 'NONE');
    expect(v.compatible).toBe(true);
    expect(v.changes.length).toBeGreaterThan(0);
    expect(v.changes.every((c) => !c.breaking)).toBe(true);
  });
});

describe.skipIf(!corpusPresent)(`the spec's examples (${corpusPresent ? 'corpus present' : CORPUS_MISSING})`, () => {
  it.each(corpusFiles().filter((f) => !isFragment(f) && !f.startsWith('v3/adeo')))('%s has no changes against itself', async (rel) => {
    const { text, format } = await prepareDocument(corpusPath(rel), { root: CORPUS_DIR });
    const d = await ingest(text, format);
    const v = { document: d.document, contract: d.contract };
    expect(compareContracts(v, v, 'strict')).toEqual([]);
  });
});
