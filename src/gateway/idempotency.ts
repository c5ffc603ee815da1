/**
 * Idempotency keys: a request retried with the same key within the window is answered from
 * the first attempt instead of being published again. While the first attempt's outcome is
 * still open (sent, not yet acknowledged), a retry waits for that same outcome; when the
 * broker lost the connection before acknowledging, the outcome stays unknown and the key
 * is never published again, since that could make a duplicate.
 *
 * Kept in memory, per gateway process: retries must reach the same process (in-process
 * gateway, or a load balancer with affinity on the Idempotency-Key header).
 */
import { HeraldError } from '../errors.js';

type Entry<T> =
  | { state: 'pending'; fingerprint: string; expires: number; outcome: Promise<T> }
  | { state: 'done'; fingerprint: string; expires: number; result: T }
  | { state: 'unknown'; fingerprint: string; expires: number; detail: string };

export class OutcomeUnknownError extends HeraldError {
  constructor(detail: string) {
    super('outcome-unknown', detail);
  }
}

export class IdempotencyStore<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(
    private readonly windowMs: number,
    private readonly maxKeys: number,
    private readonly isAmbiguous: (err: unknown) => boolean,
  ) {}

  /**
   * The outcome of `start` for a new key, or the outcome of the first request with this key.
   * `replayed` tells whether this request reused an earlier one.
   */
  run(key: string, fingerprint: string, start: () => Promise<T>): { outcome: Promise<T>; replayed: boolean } {
    const now = Date.now();
    const found = this.entries.get(key);
    if (found && found.expires > now) {
      if (found.fingerprint !== fingerprint) {
        throw new HeraldError('conflict', 'This Idempotency-Key was already used for a different message within the idempotency window; use a new key for a new message.');
      }
      if (found.state === 'done') return { outcome: Promise.resolve(found.result), replayed: true };
      if (found.state === 'pending') return { outcome: found.outcome, replayed: true };
      throw new OutcomeUnknownError(found.detail);
    }
    if (found) this.entries.delete(key);
    this.evict(now);
    const expires = now + this.windowMs;
    const outcome = start();
    this.entries.set(key, { state: 'pending', fingerprint, expires, outcome });
    outcome.then(
      (result) => this.settle(key, outcome, { state: 'done', fingerprint, expires, result }),
      (err: unknown) => {
        if (this.isAmbiguous(err)) this.settle(key, outcome, { state: 'unknown', fingerprint, expires, detail: unknownDetail(err) });
        // Definitely not published: a retry may publish it.
        else this.settle(key, outcome, undefined);
      },
    );
    return { outcome, replayed: false };
  }

  private settle(key: string, outcome: Promise<T>, next: Entry<T> | undefined): void {
    const current = this.entries.get(key);
    if (current?.state !== 'pending' || current.outcome !== outcome) return;
    if (next) this.entries.set(key, next);
    else this.entries.delete(key);
  }

  /** Expired keys go first; beyond the cap, the oldest keys go even inside the window. */
  private evict(now: number): void {
    for (const [key, entry] of this.entries) {
      if (entry.expires > now && this.entries.size < this.maxKeys) break;
      if (entry.state === 'pending' && entry.expires > now) break;
      this.entries.delete(key);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}

function unknownDetail(err: unknown): string {
  return (
    `The broker lost the connection before acknowledging the first request with this Idempotency-Key (${(err as Error).message}). ` +
    'The message may or may not have been stored; Herald will not publish it again under this key, to avoid a duplicate. Send it with a new key to publish it again.'
  );
}
