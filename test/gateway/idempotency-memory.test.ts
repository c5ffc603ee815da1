/**
 * The idempotency store stays within its byte budget however large the answers it remembers:
 * 100,000 distinct Idempotency-Keys, each for a message dead-lettered with hundreds of errors,
 * published through a gateway on the real Kafka in a process of its own, whose heap is
 * measured after garbage collection. Remembering whole answers took ~165 KB a key (1,000
 * errors); the heap ran out after some 27,000 keys.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { KAFKA_BROKERS, runPrefix } from '../helpers/brokers.js';

const COUNT = 100_000;
const PROPERTIES = 300;
const BUDGET = 16 * 1024 * 1024;

it(
  `keeps ${COUNT.toLocaleString('en')} keys with ${PROPERTIES}-error answers within HERALD_IDEMPOTENCY_MAX_BYTES, measured on the heap`,
  async () => {
    const child = fileURLToPath(new URL('./idempotency-memory.child.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      // A heap far smaller than whole answers would need (~60 KB a key here, 6 GB in all): without the budget it runs out.
      ['--expose-gc', '--max-old-space-size=256', '--import', 'tsx', child, runPrefix(), String(COUNT), String(PROPERTIES), String(BUDGET), KAFKA_BROKERS.join(',')],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    const m = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(m.errorsPerAnswer).toBe(PROPERTIES);
    // Memory: what the store holds on the heap (after GC: with it, less without it) stays within
    // the budget, and the store's own accounting does not fall below it.
    expect(m.held).toBeLessThan(BUDGET);
    expect(m.accounted).toBeLessThanOrEqual(BUDGET);
    expect(m.accounted).toBeGreaterThanOrEqual(m.held * 0.9);
    // The whole process: the store's budget, plus what the rest of the gateway grew by handling
    // 100,000 messages (measured at ~16 MB with a 1 MiB budget): bounded, never the 6 GB whole
    // answers would take.
    expect(m.peak).toBeLessThan(BUDGET + 32 * 1024 * 1024);
    // Oldest first: the newest key answers from memory, compactly; the oldest was dropped.
    expect(m.keys).toBeLessThan(COUNT);
    expect(m.oldestReplayed).toBe(false);
    expect(m.newest.replayed).toBe(true);
    const errors = Array.from({ length: PROPERTIES }, (_, i) => ({ in: 'payload', pointer: `/property_${i}`, keyword: 'required', message: `must have required property 'property_${i}'` }));
    expect(m.newest.result).toMatchObject({
      status: 'dead-lettered',
      reason: 'schema',
      errors: errors.slice(0, 5),
      compact: { errors: PROPERTIES, sha256: createHash('sha256').update(JSON.stringify(errors)).digest('hex') },
    });
    expect(m.newest.result.errors).toHaveLength(5);
  },
  600_000,
);
