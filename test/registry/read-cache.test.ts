/**
 * The read cache's rules, without storage: bounds by entries and bytes, no stale value kept
 * after an invalidation that raced its load, and mutable entries re-read after the recheck
 * interval only while notifications are down.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReadCache, stringBytes } from '../../src/registry/read-cache.js';

const limits = { maxEntries: 100, maxBytes: 10_000, recheckMs: 1000 };

describe('the read cache', () => {
  it('never holds more bytes or entries than its limits, whatever is put in it', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 1, max: 4000 })), { maxLength: 400 }), (puts) => {
        const cache = new ReadCache(limits);
        for (const [key, bytes] of puts) {
          cache.put(`k${key}`, key, bytes);
          const { entries, bytes: held } = cache.size();
          if (entries > limits.maxEntries || held > limits.maxBytes) return false;
        }
        return true;
      }),
    );
  });

  it('loads an immutable value once, however many ask at the same time', async () => {
    const cache = new ReadCache(limits);
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 5));
      return 'value';
    };
    const all = await Promise.all(Array.from({ length: 20 }, () => cache.immutable('a', load, stringBytes)));
    expect(all.every((v) => v === 'value')).toBe(true);
    expect(await cache.immutable('a', load, stringBytes)).toBe('value');
    expect(loads).toBe(1);
  });

  it('does not keep a value whose load began before an invalidation: it may predate the write', async () => {
    const cache = new ReadCache(limits);
    let release!: () => void;
    const slow = cache.mutable('c:orders', () => new Promise<string>((r) => (release = () => r('before the write'))), stringBytes);
    cache.invalidate('c:orders');
    // A read after the write starts its own load rather than joining the old one.
    const after = cache.mutable('c:orders', async () => 'after the write', stringBytes);
    release();
    expect(await slow).toBe('before the write');
    expect(await after).toBe('after the write');
    expect(await cache.mutable('c:orders', async () => 'reloaded', stringBytes)).toBe('after the write');
  });

  it('keeps nothing for an absent thing, so unknown names cannot crowd out known ones', async () => {
    const cache = new ReadCache(limits);
    for (let i = 0; i < 1000; i++) await cache.mutable(`c:nope${i}`, async () => undefined, () => 100);
    expect(cache.size().entries).toBe(0);
  });

  it('re-reads a mutable entry after the recheck interval only while notifications are down', async () => {
    let now = 0;
    const health = { healthy: true };
    const cache = new ReadCache(limits, () => now);
    cache.health = health;
    let value = 1;
    const read = () => cache.mutable('c:x', async () => value, () => 8);
    expect(await read()).toBe(1);
    value = 2;
    now = 5000;
    // Notifications arrive: the entry stays until one says it changed.
    expect(await read()).toBe(1);
    health.healthy = false;
    // Down: an entry older than the interval is read again.
    expect(await read()).toBe(2);
    value = 3;
    now = 5999;
    expect(await read()).toBe(2);
    now = 6000;
    expect(await read()).toBe(3);
    // Immutable entries are not affected.
    await cache.immutable('v:1', () => 'text', stringBytes);
    now = 100_000;
    expect(await cache.immutable('v:1', () => 'other', stringBytes)).toBe('text');
  });

  it('drops every mutable entry, and only those, when notifications may have been missed', async () => {
    const cache = new ReadCache(limits);
    await cache.mutable('c:a', async () => 'a', stringBytes);
    await cache.mutable('t:b', async () => 'b', stringBytes);
    await cache.immutable('v:1', () => 'v', stringBytes);
    cache.invalidateMutable();
    expect(cache.size().entries).toBe(1);
    expect(cache.peek('v:1')).toBe('v');
    await cache.mutable('t:b', async () => 'b', stringBytes);
    await cache.mutable('c:a', async () => 'a', stringBytes);
    cache.invalidatePrefix('t:');
    expect(await cache.mutable('t:b', async () => 'b2', stringBytes)).toBe('b2');
    expect(await cache.mutable('c:a', async () => 'a2', stringBytes)).toBe('a');
  });
});
