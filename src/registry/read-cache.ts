/**
 * The registry's read cache: one bounded LRU (entries and bytes) for what reads need.
 *
 * Two kinds of entry. Immutable ones (a version's text and JSON answer pieces, a schema by
 * id, a model by fingerprint) are keyed by what can never change under the key: a version's
 * row id (never reused), a schema id, a content fingerprint. They stay until evicted.
 * Mutable ones (a contract's row and version list, a token's principal) are dropped when a
 * write says so: at once for writes in this process, by PostgreSQL LISTEN/NOTIFY for writes
 * in others (store/changes.ts). While notifications are not known to arrive, a mutable entry
 * older than `recheckMs` is read again, which bounds how stale another process can be.
 */
import { LRUCache } from 'lru-cache';

export interface CacheLimits {
  /** Most entries held (HERALD_CACHE_MAX_ENTRIES). */
  maxEntries: number;
  /** Most bytes held, by each entry's estimate (HERALD_CACHE_MAX_BYTES). */
  maxBytes: number;
  /** With several processes: how old a mutable entry may be while notifications are down (HERALD_CACHE_RECHECK_MS). */
  recheckMs: number;
}

export const DEFAULT_CACHE_LIMITS: CacheLimits = { maxEntries: 20_000, maxBytes: 256 * 1024 * 1024, recheckMs: 5_000 };

/** Whether changes made by other processes are known to reach this one now. */
export interface ChangeHealth {
  readonly healthy: boolean;
}

interface Entry {
  value: unknown;
  bytes: number;
  /** Undefined for immutable entries; when a mutable one was read from storage. */
  loadedAt?: number;
}

/** Bytes a string takes, as V8 holds it at worst. */
export const stringBytes = (s: string) => 2 * s.length;

export class ReadCache {
  private readonly lru: LRUCache<string, Entry>;
  /** Loads under way by key, so that concurrent misses read storage once. */
  private readonly loading = new Map<string, Promise<unknown>>();
  /** Bumped by every invalidation: a load that began before one is not kept. */
  private generation = 0;
  /** Undefined with one process (embedded storage): local invalidation is then exact. */
  health: ChangeHealth | undefined;

  constructor(
    readonly limits: CacheLimits = DEFAULT_CACHE_LIMITS,
    private readonly now: () => number = Date.now,
  ) {
    this.lru = new LRUCache<string, Entry>({ max: limits.maxEntries, maxSize: limits.maxBytes, sizeCalculation: (e) => Math.max(1, e.bytes) });
  }

  /** An immutable value: loaded once, kept until evicted. */
  immutable<T>(key: string, load: () => Promise<T> | T, bytes: (value: T) => number): Promise<T> {
    const hit = this.lru.get(key);
    if (hit) return Promise.resolve(hit.value as T);
    return this.load(key, load, bytes, false);
  }

  /** A mutable value: kept until a write invalidates it (or, while notifications are down, for `recheckMs`); undefined is not kept. */
  mutable<T>(key: string, load: () => Promise<T>, bytes: (value: T) => number): Promise<T> {
    const hit = this.lru.get(key);
    if (hit && this.fresh(hit)) return Promise.resolve(hit.value as T);
    return this.load(key, load, bytes, true);
  }

  /** An immutable value if held, without loading it. */
  peek<T>(key: string): T | undefined {
    return this.lru.get(key)?.value as T | undefined;
  }

  /** A value already in hand, e.g. a registration's own document. */
  put(key: string, value: unknown, bytes: number): void {
    this.lru.set(key, { value, bytes });
  }

  /** Drops mutable entries under `key` (and loads under way), after a write. */
  invalidate(...keys: string[]): void {
    this.generation++;
    for (const key of keys) {
      this.lru.delete(key);
      this.loading.delete(key);
    }
  }

  /** Drops the mutable entries whose keys start with `prefix`. */
  invalidatePrefix(prefix: string): void {
    this.generation++;
    for (const key of [...this.loading.keys()]) if (key.startsWith(prefix)) this.loading.delete(key);
    for (const key of [...this.lru.keys()]) if (key.startsWith(prefix)) this.lru.delete(key);
  }

  /** Drops every mutable entry: notifications may have been missed. */
  invalidateMutable(): void {
    this.generation++;
    this.loading.clear();
    for (const [key, entry] of [...this.lru.entries()]) if (entry.loadedAt !== undefined) this.lru.delete(key);
  }

  /** Drops an immutable entry whose subject is gone for good (a hard-deleted version). */
  evict(key: string): void {
    this.lru.delete(key);
  }

  /** Entries and estimated bytes held now. */
  size(): { entries: number; bytes: number } {
    return { entries: this.lru.size, bytes: this.lru.calculatedSize };
  }

  private fresh(entry: Entry): boolean {
    if (entry.loadedAt === undefined || !this.health || this.health.healthy) return true;
    return this.now() - entry.loadedAt < this.limits.recheckMs;
  }

  private load<T>(key: string, load: () => Promise<T> | T, bytes: (value: T) => number, mutable: boolean): Promise<T> {
    const pending = this.loading.get(key);
    if (pending) return pending as Promise<T>;
    const generation = this.generation;
    const startedAt = this.now();
    const promise = (async () => {
      const value = await load();
      // Invalidated meanwhile: the value may predate the write, so it answers this read only.
      // Nothing is kept for an absent thing: unknown names cannot crowd out known ones.
      if (value !== undefined && (!mutable || generation === this.generation)) this.lru.set(key, { value, bytes: bytes(value), ...(mutable ? { loadedAt: startedAt } : {}) });
      return value;
    })();
    this.loading.set(key, promise);
    const done = () => {
      if (this.loading.get(key) === promise) this.loading.delete(key);
    };
    promise.then(done, done);
    return promise;
  }
}
