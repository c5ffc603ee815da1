/**
 * Changes between processes that share one PostgreSQL database. Every write that changes
 * what a read may answer sends a NOTIFY inside its transaction (so it is delivered at commit,
 * never for a rolled-back write); every process LISTENs and drops what the change makes stale.
 *
 * A LISTEN connection can die quietly: a half-open TCP connection, or postgres-js giving up
 * re-listening after a failed reconnect. So each process also pings itself through the
 * channel; when its pings stop coming back it counts notifications as down (the read cache
 * then re-reads anything older than its recheck interval) and opens a new listener. Every
 * (re)connection drops all mutable cache entries, since notifications may have been missed.
 */
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import type { Logger } from 'pino';

export const CHANGES_CHANNEL = 'herald_changes';

/** A contract's versions or their state changed (`gone`: row ids of versions removed for good). */
export type ContractChange = { contract: string; gone?: number[] };
/** What one process tells the others: a contract changed, or tokens did. */
export type Change = ContractChange | { tokens: true };

/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more (and with it the whole write). */
const MAX_PAYLOAD_BYTES = 7999;

/**
 * A change as the NOTIFY payload. A list of removed versions too long for one is left out:
 * the receiver drops the contract's state all the same, which leaves nothing leading to them.
 */
export function changePayload(change: Change): string {
  const payload = JSON.stringify(change);
  if (Buffer.byteLength(payload) <= MAX_PAYLOAD_BYTES || !('contract' in change)) return payload;
  return JSON.stringify({ contract: change.contract });
}

/** A payload from the channel, or undefined for anything else (a ping, or a stranger's NOTIFY). */
export function parseChange(payload: string): Change | undefined {
  let data: unknown;
  try {
    data = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (!data || typeof data !== 'object') return undefined;
  const o = data as Record<string, unknown>;
  if (o.tokens === true) return { tokens: true };
  if (typeof o.contract !== 'string') return undefined;
  const gone = Array.isArray(o.gone) ? o.gone.filter((id): id is number => Number.isSafeInteger(id)) : undefined;
  return { contract: o.contract, ...(gone ? { gone } : {}) };
}

export interface ChangeHandlers {
  change(change: Change): void;
  /** Notifications may have been missed: everything mutable must be read again. */
  reset(): void;
}

export class ChangeListener {
  private readonly id = `ping:${randomUUID()}`;
  private listener: postgres.Sql | undefined;
  private lastPing = 0;
  private connectedAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private reconnecting: Promise<void> | undefined;
  private closed = false;
  private wasHealthy = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly handlers: ChangeHandlers,
    private readonly recheckMs: number,
    private readonly logger?: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether this process's own ping came back within the recheck interval. */
  get healthy(): boolean {
    return this.now() - this.lastPing < this.recheckMs;
  }

  async start(): Promise<void> {
    await this.connect();
    // Pings at twice the rate the health check needs, so one late ping does not count as down.
    this.timer = setInterval(() => void this.tick(), Math.max(10, Math.floor(this.recheckMs / 2)));
    this.timer.unref();
    await this.ping();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.reconnecting;
    await this.listener?.end({ timeout: 0 });
  }

  private async connect(): Promise<void> {
    const sql = postgres(this.databaseUrl, { max: 1, onnotice: () => {}, connection: { application_name: `herald-listen:${process.pid}` } });
    this.listener = sql;
    this.connectedAt = this.now();
    await sql.listen(
      CHANGES_CHANNEL,
      (payload) => this.receive(payload),
      // On the first LISTEN and again after postgres-js reconnects by itself.
      () => this.handlers.reset(),
    );
  }

  private receive(payload: string): void {
    if (payload === this.id) {
      this.lastPing = this.now();
      if (!this.wasHealthy) this.logger?.info('change notifications are arriving');
      this.wasHealthy = true;
      return;
    }
    const change = parseChange(payload);
    if (change) this.handlers.change(change);
  }

  private async ping(): Promise<void> {
    const sql = this.listener;
    if (sql) await sql`select pg_notify(${CHANGES_CHANNEL}, ${this.id})`;
  }

  private async tick(): Promise<void> {
    if (this.closed || this.reconnecting) return;
    if (!this.healthy && this.now() - this.connectedAt >= this.recheckMs) {
      if (this.wasHealthy) this.logger?.warn({ recheckMs: this.recheckMs }, 'change notifications stopped arriving: re-reading cached state after the recheck interval, and listening anew');
      this.wasHealthy = false;
      this.reconnecting = this.reconnect().finally(() => (this.reconnecting = undefined));
      return;
    }
    await this.ping().catch(() => {});
  }

  private async reconnect(): Promise<void> {
    const old = this.listener;
    this.listener = undefined;
    await old?.end({ timeout: 0 }).catch(() => {});
    if (this.closed) return;
    try {
      // A LISTEN that never answers (the path to the database is down) must not stop the next try.
      await Promise.race([this.connect(), new Promise((_, reject) => setTimeout(() => reject(new Error('LISTEN timed out')), this.recheckMs).unref())]);
      await this.ping();
    } catch (err) {
      this.logger?.warn({ err: (err as Error).message }, 'cannot listen for change notifications; trying again');
    }
  }
}
