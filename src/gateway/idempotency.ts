/**
 * Idempotency keys: a request retried with the same key within the window is answered from
 * the first attempt instead of being published again. While the first attempt's outcome is
 * still open (sent, not yet acknowledged), a retry waits for that same outcome; when the
 * broker lost the connection before acknowledging, the outcome stays unknown and the key
 * is never published again, since that could make a duplicate.
 *
 * Kept in memory, per gateway process: retries must reach the same process (in-process
 * gateway, or a load balancer with affinity on the Idempotency-Key header). Bounded twice:
 * by a count of keys and by a byte budget, by the store's own accounting of what each entry
 * holds; the oldest keys go first. Keys are kept as hashes and answers as the caller's
 * compact text (`remember`), so no caller input makes an entry large.
 */
import { createHash } from 'node:crypto';
import { HeraldError } from '../errors.js';

type Entry<T> =
  | { state: 'pending'; fingerprint: string; expires: number; bytes: number; outcome: Promise<T> }
  | { state: 'done'; fingerprint: string; expires: number; bytes: number; kept: string }
  | { state: 'unknown'; fingerprint: string; expires: number; bytes: number; detail: string };

export class OutcomeUnknownError extends HeraldError {
  constructor(detail: string) {
    super('outcome-unknown', detail);
  }
}

export interface IdempotencyOptions<T> {
  windowMs: number;
  maxKeys: number;
  /** The most bytes the entries may hold: each entry's own cost plus the text it keeps. */
  maxBytes: number;
  /** Errors after which the message may or may not be stored: the key is then never published again. */
  isAmbiguous: (err: unknown) => boolean;
  /** What to keep of an answer for replays, and roughly how many bytes of heap that copy takes. */
  remember: (result: T) => string;
  /** The answer a replay gets, from what `remember` kept. */
  restore: (kept: string) => T;
}

/**
 * Heap an entry takes besides its answer: the Map slot, the entry object, and the key and
 * fingerprint hashes (44-character strings). Measured with V8 (Node 20, 64-bit, pointer
 * compression off): about 330 bytes; rounded up.
 */
export const ENTRY_BYTES = 400;
/** A pending entry also holds its promise and the callbacks waiting on it. */
const PENDING_BYTES = 400;

export class IdempotencyStore<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private held = 0;

  constructor(private readonly options: IdempotencyOptions<T>) {}

  /**
   * The outcome of `start` for a new key, or the outcome of the first request with this key.
   * `replayed` tells whether this request reused an earlier one.
   */
  run(key: string, fingerprint: string, start: () => Promise<T>): { outcome: Promise<T>; replayed: boolean } {
    const now = Date.now();
    const id = digest(key);
    const found = this.entries.get(id);
    if (found && found.expires > now) {
      if (found.fingerprint !== fingerprint) {
        throw new HeraldError('conflict', 'This Idempotency-Key was already used for a different message within the idempotency window; use a new key for a new message.');
      }
      if (found.state === 'done') return { outcome: Promise.resolve(this.options.restore(found.kept)), replayed: true };
      if (found.state === 'pending') return { outcome: found.outcome, replayed: true };
      throw new OutcomeUnknownError(found.detail);
    }
    if (found) this.remove(id, found);
    const expires = now + this.options.windowMs;
    const outcome = start();
    this.put(id, { state: 'pending', fingerprint, expires, bytes: ENTRY_BYTES + PENDING_BYTES, outcome });
    this.evict(now);
    outcome.then(
      (result) => {
        // Kept as one string: its size is its length (V8 stores this ASCII JSON a byte a
        // character), where an object tree's size can only be guessed.
        const kept = this.options.remember(result);
        this.settle(id, outcome, { state: 'done', fingerprint, expires, bytes: ENTRY_BYTES + kept.length, kept });
      },
      (err: unknown) => {
        if (this.options.isAmbiguous(err)) {
          const detail = unknownDetail(err);
          this.settle(id, outcome, { state: 'unknown', fingerprint, expires, bytes: ENTRY_BYTES + 2 * detail.length, detail });
        }
        // Definitely not published: a retry may publish it.
        else this.settle(id, outcome, undefined);
      },
    );
    return { outcome, replayed: false };
  }

  private settle(id: string, outcome: Promise<T>, next: Entry<T> | undefined): void {
    const current = this.entries.get(id);
    if (current?.state !== 'pending' || current.outcome !== outcome) return;
    // Replacing a key's value keeps its place in the Map's order, so eviction stays oldest first.
    if (next) this.put(id, next);
    else this.remove(id, current);
    this.evict(Date.now());
  }

  private put(id: string, entry: Entry<T>): void {
    const before = this.entries.get(id);
    if (before) this.held -= before.bytes;
    this.entries.set(id, entry);
    this.held += entry.bytes;
  }

  private remove(id: string, entry: Entry<T>): void {
    this.entries.delete(id);
    this.held -= entry.bytes;
  }

  /**
   * Expired keys go first; beyond the count or the byte budget, the oldest keys go even inside
   * the window. Keys still waiting for the broker stay: their retries must not publish again.
   * Map order is insertion order, and every key has the same window, so the oldest come first.
   */
  private evict(now: number): void {
    for (const [id, entry] of this.entries) {
      const over = this.entries.size > this.options.maxKeys || this.held > this.options.maxBytes;
      if (!over && entry.expires > now) break;
      if (entry.state === 'pending' && entry.expires > now) continue;
      this.remove(id, entry);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  /** Forgets every key whose outcome is settled (the heap test measures the store by its absence). */
  clear(): void {
    for (const [id, entry] of this.entries) if (entry.state !== 'pending') this.remove(id, entry);
  }

  /** The bytes the entries hold, by the store's accounting (what maxBytes bounds). */
  get bytes(): number {
    return this.held;
  }
}

/** Keys are caller text of any length; the store keeps a fixed-size hash of each. */
function digest(key: string): string {
  return createHash('sha256').update(key).digest('base64');
}

function unknownDetail(err: unknown): string {
  const why = String((err as Error).message).slice(0, 500);
  return (
    `The broker lost the connection before acknowledging the first request with this Idempotency-Key (${why}). ` +
    'The message may or may not have been stored; Herald will not publish it again under this key, to avoid a duplicate. Send it with a new key to publish it again.'
  );
}
