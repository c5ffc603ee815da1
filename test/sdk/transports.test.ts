/**
 * What the SDK's transports do on their own side of the wire, with the generated orders
 * package: the gateway transport's requests and retries (against a recording fetch), and the
 * kafkajs transport's batching of one tick's sends (against a recording producer). What the
 * brokers and the gateway do with the messages is in channels.test.ts, against the real ones.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createClient, gatewayTransport, HeraldPublishError, HeraldValidationError, kafkaTransport, type OrderCancelledPayload } from '../../generated/orders/index.js';

const cancelled = (): OrderCancelledPayload => ({ orderId: randomUUID(), reason: 'customer-request', cancelledAt: '2026-12-03T10:00:00Z' });
const headers = { 'x-correlation-id': '6f1c1a52-8f0e-4a8e-9a4e-2b7b0c2f6d11' };

type Call = { url: string; headers: Record<string, string>; body: string };
function recordingFetch(statuses: number[]) {
  const calls: Call[] = [];
  const fetch = async (url: string, init: { headers: Record<string, string>; body: Uint8Array | string }) => {
    calls.push({ url, headers: init.headers, body: String(init.body) });
    const status = statuses[Math.min(calls.length - 1, statuses.length - 1)]!;
    const body = status === 202 ? { status: 'routed' } : { type: 'about:blank', title: 'x', status, detail: `answered ${status}` };
    return new Response(JSON.stringify(body), { status, headers: { 'Retry-After': '0' } });
  };
  return { calls, fetch };
}

describe('gatewayTransport', () => {
  it('posts to /v1/publish/{contract}/{channel} with the message, key, headers, token and one Idempotency-Key, retried on 503 with the same key', async () => {
    const { calls, fetch } = recordingFetch([503, 503, 202]);
    const client = createClient(gatewayTransport({ url: 'http://gw.test/', token: 'tok', version: 3, fetch }));
    const payload = cancelled();
    await client.send.publishOrderCancelled(payload, { key: payload.orderId, headers });
    expect(calls).toHaveLength(3);
    expect(new Set(calls.map((c) => c.headers['idempotency-key'])).size).toBe(1);
    expect(calls[0]).toEqual({
      url: 'http://gw.test/v1/publish/orders/orderCancelled?version=3',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': expect.stringMatching(/^[0-9a-f-]{36}$/),
        'herald-message': 'OrderCancelled',
        'herald-key': payload.orderId,
        'herald-headers': JSON.stringify(headers),
        authorization: 'Bearer tok',
      },
      body: JSON.stringify(payload),
    });
  });

  it('gives up after `retries`, and rejects a 422 (dead-lettered by the gateway) at once with HeraldPublishError', async () => {
    const busy = recordingFetch([503]);
    const err = await createClient(gatewayTransport({ url: 'http://gw.test', fetch: busy.fetch, retries: 1 }))
      .send.publishOrderCancelled(cancelled(), { headers })
      .catch((e: unknown) => e);
    expect(busy.calls).toHaveLength(2);
    expect(err).toBeInstanceOf(HeraldPublishError);
    expect((err as HeraldPublishError).status).toBe(503);
    const dead = recordingFetch([422]);
    const refused = await createClient(gatewayTransport({ url: 'http://gw.test', fetch: dead.fetch }))
      .send.publishOrderCancelled(cancelled(), { headers, idempotencyKey: 'mine' })
      .catch((e: unknown) => e);
    expect(dead.calls).toHaveLength(1);
    expect(dead.calls[0]!.headers['idempotency-key']).toBe('mine');
    expect((refused as HeraldPublishError).status).toBe(422);
    expect((refused as HeraldPublishError).problem?.detail).toBe('answered 422');
  });

  it('throws a 502 at once: the gateway does not know whether the broker took the message, and another gateway would not know the key', async () => {
    const lost = recordingFetch([502, 202]);
    const err = await createClient(gatewayTransport({ url: 'http://gw.test', fetch: lost.fetch }))
      .send.publishOrderCancelled(cancelled(), { headers })
      .catch((e: unknown) => e);
    expect(lost.calls).toHaveLength(1);
    expect((err as HeraldPublishError).status).toBe(502);
  });

  it('sends nothing for an invalid message', async () => {
    const { calls, fetch } = recordingFetch([202]);
    const client = createClient(gatewayTransport({ url: 'http://gw.test', fetch }));
    await expect(client.send.publishOrderCancelled({ ...cancelled(), reason: 'bored' } as unknown as OrderCancelledPayload, { headers })).rejects.toBeInstanceOf(HeraldValidationError);
    expect(calls).toHaveLength(0);
  });
});

describe('kafkaTransport', () => {
  it('sends what one tick sends as one batch with acks from all replicas, and settles each send with the batch', async () => {
    const batches: { acks?: number; topicMessages?: { topic: string; messages: unknown[] }[] }[] = [];
    let fail = false;
    const producer = {
      sendBatch: async (batch: (typeof batches)[number]) => {
        batches.push(batch);
        if (fail) throw new Error('broker down');
      },
    };
    const client = createClient(kafkaTransport({ producer }));
    const payloads = Array.from({ length: 100 }, cancelled);
    await Promise.all(payloads.map((p) => client.send.publishOrderCancelled(p, { key: p.orderId, headers })));
    expect(batches).toHaveLength(1);
    expect(batches[0]!.acks).toBe(-1);
    expect(batches[0]!.topicMessages!.map((t) => [t.topic, t.messages.length])).toEqual([['orders.cancelled.v1', 100]]);
    expect(batches[0]!.topicMessages![0]!.messages[0]).toEqual({ key: payloads[0]!.orderId, value: JSON.stringify(payloads[0]), headers: { ...headers, 'content-type': 'application/json' } });
    // A failed batch fails every send in it; an invalid message in the same tick fails alone and is not in the batch.
    fail = true;
    const results = await Promise.allSettled([client.send.publishOrderCancelled(cancelled(), { headers }), client.send.publishOrderCancelled({} as OrderCancelledPayload, { headers })]);
    expect(results.map((r) => (r.status === 'rejected' ? (r.reason as Error).constructor.name : 'ok'))).toEqual(['Error', 'HeraldValidationError']);
    expect(batches[1]!.topicMessages![0]!.messages).toHaveLength(1);
  });

  it('splits a tick of 2,500 sends into batches of at most 1,000, as the gateway does', async () => {
    const sizes: number[] = [];
    const producer = { sendBatch: async (batch: { topicMessages?: { messages: unknown[] }[] }) => void sizes.push(batch.topicMessages!.reduce((n, t) => n + t.messages.length, 0)) };
    const client = createClient(kafkaTransport({ producer }));
    await Promise.all(Array.from({ length: 2500 }, () => client.send.publishOrderCancelled(cancelled(), { headers })));
    expect(sizes).toEqual([1000, 1000, 500]);
  });

  it('a producer that throws instead of rejecting fails the sends of its batch, and the next tick sends again', async () => {
    let calls = 0;
    const producer = {
      sendBatch: (): Promise<void> => {
        if (++calls === 1) throw new Error('not connected');
        return Promise.resolve();
      },
    };
    const client = createClient(kafkaTransport({ producer }));
    await expect(client.send.publishOrderCancelled(cancelled(), { headers })).rejects.toThrow('not connected');
    await expect(client.send.publishOrderCancelled(cancelled(), { headers })).resolves.toBeUndefined();
  });
});
