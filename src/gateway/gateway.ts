/**
 * The validating gateway: a message addressed to a contract's channel is judged against the
 * contract and written either to the channel's destination or to its dead-letter queue, and
 * answered only once the broker has acknowledged that write. Used by the HTTP publish routes
 * and by relay mode alike.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import {
  AmbiguousPublishError,
  PublishTimeoutError,
  TimeoutError,
  UnroutableError,
  withTimeout,
  type Broker,
  type BrokerKind,
  type Destination,
  type ProvisionItem,
  type ProvisionResult,
} from '../brokers/broker.js';
import { HeraldError, notFound } from '../errors.js';
import { IdempotencyStore, OutcomeUnknownError } from './idempotency.js';
import { DEFAULT_JUDGE_LIMITS, judge, type DeadLetterReason, type Incoming, type JudgeLimits, type MessageError } from './judge.js';
import { GatewayMetrics, type Outcome } from './metrics.js';
import { describe, dictionary, dlqOf, provisionPlan, type Route } from './routing.js';
import type { ContractSource } from './source.js';

export interface GatewayOptions {
  /** How long a publish may wait for the broker before the caller gets 503. */
  publishTimeoutMs: number;
  idempotencyWindowMs: number;
  idempotencyMaxKeys: number;
  /** Memory the idempotency store may hold, by its own accounting (default 64 MiB). */
  idempotencyMaxBytes?: number;
  /** The most bytes of validation errors a DLQ message's `herald.error` header carries. */
  dlqErrorMaxBytes: number;
  /** Deepest nesting of a message's payload or headers (default 128); deeper is malformed. */
  maxMessageDepth?: number;
  /** How long provisioning waits for each broker before the caller gets 503 (default 30 s). */
  provisionTimeoutMs?: number;
}

export interface PublishRequest extends Incoming {
  contract: string;
  channel: string;
  version?: number;
  idempotencyKey?: string;
}

interface Base {
  contract: string;
  version: number;
  channel: string;
  message?: string;
}

export type PublishResult =
  | (Base & { status: 'routed'; destination: string; unvalidated?: string })
  | (Base & { status: 'dead-lettered'; dlq: string; reason: DeadLetterReason; errors: MessageError[]; compact?: CompactErrors });

/**
 * In a replayed answer whose errors were cut to fit the idempotency store: how many errors
 * the first answer had, and the SHA-256 (hex) of their JSON as the first answer gave it.
 */
export interface CompactErrors {
  errors: number;
  sha256: string;
}

export interface Published {
  result: PublishResult;
  /** True when an earlier request with the same Idempotency-Key answered this one. */
  replayed: boolean;
}

export type BatchOutcome = { ok: true; published: Published } | { ok: false; error: HeraldError };

export interface BrokerStatus {
  broker: BrokerKind;
  status: 'ok' | 'down';
}

export class Gateway {
  readonly metrics: GatewayMetrics;
  /** Limits of judging, e.g. for readers of a batch to know how deep a payload may nest. */
  readonly limits: JudgeLimits;
  private readonly idempotency: IdempotencyStore<PublishResult>;

  constructor(
    private readonly source: ContractSource,
    private readonly brokers: Partial<Record<BrokerKind, Broker>>,
    private readonly options: GatewayOptions,
    private readonly log: Logger,
  ) {
    this.metrics = new GatewayMetrics(() => Object.values(this.brokers));
    this.limits = { maxDepth: options.maxMessageDepth ?? DEFAULT_JUDGE_LIMITS.maxDepth };
    this.idempotency = new IdempotencyStore({
      windowMs: options.idempotencyWindowMs,
      maxKeys: options.idempotencyMaxKeys,
      maxBytes: options.idempotencyMaxBytes ?? 64 * 1024 * 1024,
      isAmbiguous: (err) => err instanceof AmbiguousPublishError,
      remember: rememberedAnswer,
      restore: (kept) => JSON.parse(kept) as PublishResult,
    });
  }

  /** What the idempotency store holds: keys, and bytes by its own accounting. */
  idempotencyUsage(): { keys: number; bytes: number } {
    return { keys: this.idempotency.size, bytes: this.idempotency.bytes };
  }

  /** Routes one message; resolves once the broker acknowledged it in its destination or DLQ. */
  async publish(req: PublishRequest): Promise<Published> {
    const [outcome] = await this.publishBatch([req]);
    if (!outcome!.ok) throw outcome!.error;
    return outcome!.published;
  }

  /**
   * Routes messages of one channel (the contract, channel and version of the first) all at
   * once, so that Kafka gets them as one batch; one result per message, in order. One
   * deadline covers them all: past it, a message not yet acknowledged is answered 503.
   */
  async publishBatch(reqs: PublishRequest[]): Promise<BatchOutcome[]> {
    const first = reqs[0];
    if (!first) return [];
    const started = performance.now();
    let route: Route;
    let broker: Broker;
    try {
      route = await this.route(first.contract, first.channel, first.version);
      broker = this.broker(route.broker);
    } catch (err) {
      const error = this.problem(err, undefined);
      // Label only known channels: names from a URL must not grow the metric without bound.
      this.metrics.count('(unknown)', '(unknown)', outcomeOf(error), reqs.length);
      return reqs.map(() => ({ ok: false, error }));
    }
    const deadline = Date.now() + this.options.publishTimeoutMs;
    const runs = reqs.map((req) => {
      const deliver = () => this.deliver(route, broker, req, deadline);
      if (!req.idempotencyKey) return { outcome: deliver(), replayed: false };
      try {
        return this.idempotency.run(`${req.contract}\u0000${req.channel}\u0000${req.idempotencyKey}`, fingerprint(req), deliver);
      } catch (err) {
        // A reused or unknown-outcome key fails its own message, not the whole batch.
        return { outcome: Promise.reject(err as Error), replayed: false };
      }
    });
    const settled = await settleBy(
      runs.map((r) => r.outcome),
      deadline,
    );
    const outcomes: BatchOutcome[] = [];
    const tally = new Map<Outcome, number>();
    for (const [i, s] of settled.entries()) {
      let outcome: BatchOutcome;
      if (s.status === 'fulfilled') outcome = { ok: true, published: { result: s.value, replayed: runs[i]!.replayed } };
      else if (s.status === 'rejected') outcome = { ok: false, error: this.problem(s.reason, route) };
      else outcome = { ok: false, error: late(route) };
      const label: Outcome = outcome.ok ? (outcome.published.result.status === 'routed' ? 'routed' : 'dead_lettered') : outcomeOf(outcome.error);
      tally.set(label, (tally.get(label) ?? 0) + 1);
      this.metrics.latency(route.broker, label, (s.at - started) / 1000);
      outcomes.push(outcome);
    }
    for (const [label, n] of tally) this.metrics.count(route.contract, route.channel, label, n);
    return outcomes;
  }

  /** Creates what the contract needs on its brokers: destinations and DLQs, idempotently. */
  async provision(contract: string, version?: number): Promise<{ contract: string; version: number; results: ProvisionResult[]; skipped: { channel: string; name: string; reason: string }[] }> {
    const set = await this.source.routes(contract, version);
    const routes = [...set.routes.values()];
    const plan = provisionPlan(routes);
    const results: ProvisionResult[] = [];
    for (const kind of ['kafka', 'rabbitmq'] as const) {
      const items = plan.items.filter((i) => (kind === 'kafka') === (i.kind === 'kafka-topic'));
      if (items.length === 0) continue;
      const broker = this.brokers[kind];
      if (!broker) throw notConfigured(kind);
      results.push(...(await provisionOn(broker, items, this.options.provisionTimeoutMs ?? 30_000)));
    }
    const unroutable = routes.filter((r) => r.unroutable).map((r) => ({ channel: r.channel, name: r.channel, reason: r.unroutable! }));
    return { contract, version: set.version, results, skipped: [...plan.skipped, ...unroutable] };
  }

  /** Broker connectivity, checked live, for readiness. */
  async status(timeoutMs = 2000): Promise<BrokerStatus[]> {
    return Promise.all(
      Object.entries(this.brokers).map(async ([kind, broker]) => ({ broker: kind as BrokerKind, status: (await broker.ping(timeoutMs)) ? ('ok' as const) : ('down' as const) })),
    );
  }

  async route(contract: string, channel: string, version?: number): Promise<Route> {
    const set = await this.source.routes(contract, version);
    const route = set.routes.get(channel);
    if (!route) {
      const known = [...set.routes.keys()].map((c) => `"${c}"`).join(', ');
      throw notFound(`Contract "${contract}" version ${set.version} has no channel "${channel}"; its channels are ${known || 'none'}.`);
    }
    if (route.unroutable) throw new HeraldError('conflict', route.unroutable);
    return route;
  }

  /** The brokers this gateway has an address for. */
  brokerKinds(): BrokerKind[] {
    return Object.keys(this.brokers) as BrokerKind[];
  }

  /** The configured broker of a kind; 503 when this gateway has no address for it. */
  broker(kind: BrokerKind): Broker {
    const broker = this.brokers[kind];
    if (!broker) throw notConfigured(kind);
    return broker;
  }

  /** The eventual outcome, with no deadline once the message is sent: see Broker.publish. */
  private async deliver(route: Route, broker: Broker, req: PublishRequest, deadline: number): Promise<PublishResult> {
    const base: Base = { contract: route.contract, version: route.version, channel: route.channel };
    // Headers no broker message can carry (nor its dead letter): the request is wrong, 400.
    const unfit = headersProblem(req.headers);
    if (unfit) throw new HeraldError('bad-request', unfit);
    // Wrong channel parameters throw ParameterError (400): nothing is published.
    const verdict = judge(route, req, this.limits);
    // Judged: the parsed payload is not needed while the broker is awaited, and a batch that
    // kept hundreds of object trees alive across that wait would have them copied by the
    // garbage collector, or promoted to the old generation. (Assigned, not deleted, so that
    // the request keeps its shape.)
    req.parsed = undefined;
    if (verdict.ok) {
      try {
        const message = { value: req.body, ...(verdict.key !== undefined ? { key: verdict.key } : {}), headers: encodeHeaders(req.headers), ...contentType(verdict.message.contentType) };
        await broker.publish(verdict.destination, message, deadline);
        return { status: 'routed', ...base, message: verdict.message.id, destination: describe(verdict.destination), ...(verdict.unvalidated ? { unvalidated: verdict.unvalidated } : {}) };
      } catch (err) {
        // RabbitMQ took the message but no queue is bound to take it: keep it in the DLQ.
        if (!(err instanceof UnroutableError)) throw err;
        return this.deadLetter(route, broker, req, deadline, base, { reason: 'unroutable', message: verdict.message, errors: [{ in: 'message', pointer: '', message: err.message }], destination: verdict.destination });
      }
    }
    return this.deadLetter(route, broker, req, deadline, base, verdict);
  }

  private async deadLetter(
    route: Route,
    broker: Broker,
    req: PublishRequest,
    deadline: number,
    base: Base,
    why: { reason: DeadLetterReason; message?: { id: string }; errors: MessageError[]; destination: Destination },
  ): Promise<PublishResult> {
    const dlq = dlqOf(route);
    const headers: Record<string, string> = {
      ...encodeHeaders(req.headers),
      'herald.error': this.errorHeader(why.reason, why.errors),
      'herald.contract': route.contract,
      'herald.contract.version': String(route.version),
      'herald.channel': route.channel,
      ...(why.message ? { 'herald.message': why.message.id } : {}),
      // Where the message was meant to go (its parameters are checked before it is judged).
      'herald.destination': describe(why.destination),
      'herald.received-at': new Date().toISOString(),
    };
    try {
      await broker.publish(dlq, { value: req.body, ...(req.key !== undefined ? { key: req.key } : {}), headers }, deadline);
    } catch (err) {
      if (err instanceof UnroutableError) {
        throw new HeraldError('conflict', `The dead-letter queue ${describe(dlq)} does not exist: provision the contract first (POST /v1/contracts/${route.contract}/provision).`);
      }
      throw err;
    }
    return { status: 'dead-lettered', ...base, ...(why.message ? { message: why.message.id } : {}), dlq: describe(dlq), reason: why.reason, errors: why.errors };
  }

  /** JSON of the reason and errors, with errors dropped from the end until it fits the limit. */
  private errorHeader(reason: DeadLetterReason, errors: MessageError[]): string {
    const limit = this.options.dlqErrorMaxBytes;
    // Error by error, up to the limit: a schema may report thousands, and only the first fit.
    const frame = Buffer.byteLength(JSON.stringify({ reason, errors: [], truncated: errors.length }));
    let used = frame;
    let n = 0;
    for (const e of errors) {
      const size = Buffer.byteLength(JSON.stringify(e)) + (n > 0 ? 1 : 0);
      if (used + size > limit) break;
      used += size;
      n++;
    }
    // All fit (the frame counted a "truncated" member the whole list does not have).
    if (n === errors.length) return JSON.stringify({ reason, errors });
    return JSON.stringify({ reason, errors: errors.slice(0, n), truncated: errors.length - n });
  }

  private problem(err: unknown, route: Route | undefined): HeraldError {
    if (err instanceof HeraldError) return err;
    const where = route ? ` (${route.broker})` : '';
    if (err instanceof PublishTimeoutError) {
      return new HeraldError('unavailable', `The broker${where} could not take the message in time; it was not published. Retry later.`, { retryAfter: 2 });
    }
    if (err instanceof AmbiguousPublishError) {
      return new OutcomeUnknownError(
        `The broker${where} lost the connection before acknowledging the message: it may or may not be stored. ${err.message}. Retrying without an Idempotency-Key may publish it twice.`,
      );
    }
    this.log.error({ err }, 'publish failed');
    return new HeraldError('unavailable', `The broker${where} refused the message: ${(err as Error).message}`, { retryAfter: 5 });
  }

  async close(): Promise<void> {
    this.source.close?.();
    for (const broker of Object.values(this.brokers)) await broker.close();
  }
}

type Settled<T> = { status: 'fulfilled'; value: T; at: number } | { status: 'rejected'; reason: unknown; at: number } | { status: 'late'; at: number };

/** Like Promise.allSettled, but what has not settled by the deadline is "late" (its outcome goes on). One timer for all. */
function settleBy<T>(promises: Promise<T>[], deadline: number): Promise<Settled<T>[]> {
  return new Promise((resolve) => {
    const out: (Settled<T> | undefined)[] = new Array(promises.length);
    let left = promises.length;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const at = performance.now();
      // Array.from, not map: map skips the holes that stand for messages still unanswered.
      resolve(Array.from(out, (s) => s ?? { status: 'late', at }));
    };
    const timer = setTimeout(finish, Math.max(1, deadline - Date.now()));
    promises.forEach((p, i) =>
      p.then(
        (value) => {
          if (done) return;
          out[i] = { status: 'fulfilled', value, at: performance.now() };
          if (--left === 0) finish();
        },
        (reason: unknown) => {
          if (done) return;
          out[i] = { status: 'rejected', reason, at: performance.now() };
          if (--left === 0) finish();
        },
      ),
    );
  });
}

function late(route: Route): HeraldError {
  return new HeraldError(
    'unavailable',
    `The broker (${route.broker}) has not acknowledged the message in time. Retry with the same Idempotency-Key to learn its outcome without publishing it twice.`,
    { retryAfter: 2 },
  );
}

function notConfigured(kind: BrokerKind): HeraldError {
  const setting = kind === 'kafka' ? 'HERALD_KAFKA_BROKERS' : 'HERALD_AMQP_URL';
  return new HeraldError('unavailable', `${kind === 'kafka' ? 'Kafka' : 'RabbitMQ'} is not configured for this gateway: set ${setting}.`, { retryAfter: 60 });
}

function outcomeOf(err: HeraldError): Outcome {
  if (err.code === 'outcome-unknown') return 'unknown';
  if (err.code === 'unavailable' || err.code === 'internal') return 'failed';
  return 'rejected';
}

/**
 * Broker headers are text: strings as they are, other JSON values as JSON. Names are caller
 * text: `__proto__` is a header like any other. A value too deep to write as JSON (a header
 * of a message judged malformed for its depth) is left out.
 */
function encodeHeaders(headers: Record<string, unknown> | undefined): Record<string, string> {
  const out = dictionary<string>();
  for (const [k, v] of Object.entries(headers ?? {})) {
    try {
      out[k] = typeof v === 'string' ? v : JSON.stringify(v);
    } catch {
      // RangeError: nested beyond the stack
    }
  }
  return out;
}

/** AMQP writes a header name as a short string; the headers of a message share one frame (128 KiB in RabbitMQ). */
const MAX_HEADER_NAME_BYTES = 255;
const MAX_HEADERS_BYTES = 64 * 1024;

/** Why a message's headers cannot be carried by a broker (the same rule for both), if they cannot. */
function headersProblem(headers: Record<string, unknown> | undefined): string | undefined {
  if (!headers) return undefined;
  let total = 0;
  for (const [name, value] of Object.entries(encodeHeaders(headers))) {
    const size = Buffer.byteLength(name);
    if (size > MAX_HEADER_NAME_BYTES) return `A header name is ${size} bytes long; brokers take names of at most ${MAX_HEADER_NAME_BYTES} bytes.`;
    total += size + Buffer.byteLength(value);
  }
  return total > MAX_HEADERS_BYTES ? `The headers take ${total} bytes; a message may carry at most ${MAX_HEADERS_BYTES} bytes of headers.` : undefined;
}

/** Errors a replayed answer keeps in full, and the most characters of each text in them. */
const KEPT_ERRORS = 5;
const KEPT_TEXT = 200;

/**
 * The answer the idempotency store keeps for replays, as JSON text: a dead letter's errors
 * cut to the first few (texts shortened), with `compact` giving the count and a hash of the
 * whole list. Only ASCII (\u escapes beyond it), so the text takes a byte a character.
 */
function rememberedAnswer(result: PublishResult): string {
  let kept: PublishResult = result;
  if (result.status === 'dead-lettered') {
    const errors = result.errors.slice(0, KEPT_ERRORS).map(shortened);
    if (errors.length < result.errors.length || errors.some((e, i) => e !== result.errors[i])) {
      const sha256 = createHash('sha256').update(JSON.stringify(result.errors)).digest('hex');
      kept = { ...result, errors, compact: { errors: result.errors.length, sha256 } };
    }
  }
  return JSON.stringify(kept).replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function shortened(e: MessageError): MessageError {
  const long = (s: string | undefined) => s !== undefined && s.length > KEPT_TEXT;
  if (!long(e.pointer) && !long(e.message) && !long(e.keyword) && !long(e.candidate)) return e;
  const cut = (s: string) => (s.length > KEPT_TEXT ? `${s.slice(0, KEPT_TEXT)}…` : s);
  return { ...e, pointer: cut(e.pointer), message: cut(e.message), ...(e.keyword !== undefined ? { keyword: cut(e.keyword) } : {}), ...(e.candidate !== undefined ? { candidate: cut(e.candidate) } : {}) };
}

function contentType(type: string | undefined): { contentType?: string } {
  return type ? { contentType: type } : {};
}

/** What makes two requests "the same message" for an Idempotency-Key. */
function fingerprint(req: PublishRequest): string {
  const h = createHash('sha256');
  let described: string;
  try {
    described = JSON.stringify([req.version ?? null, req.message ?? null, req.key ?? null, req.headers ?? null, Object.entries(req.parameters).sort()]);
  } catch {
    // Headers nested beyond what JSON.stringify can walk (the message is malformed): no retry
    // can be shown to be the same message, so none is; a retry with this key gets 409.
    described = randomUUID();
  }
  h.update(described);
  h.update('\u0000');
  h.update(req.body);
  return h.digest('base64');
}

/**
 * A broker that fails or does not answer while provisioning is a 503, never a 500: the
 * request was fine, and provisioning is idempotent, so the caller can simply retry.
 */
async function provisionOn(broker: Broker, items: ProvisionItem[], timeoutMs: number): Promise<ProvisionResult[]> {
  const label = broker.kind === 'kafka' ? 'Kafka' : 'RabbitMQ';
  try {
    return await withTimeout(broker.provision(items, Date.now() + timeoutMs), timeoutMs);
  } catch (err) {
    if (err instanceof HeraldError) throw err;
    const why = err instanceof TimeoutError ? `did not finish provisioning within ${timeoutMs} ms` : `failed while provisioning: ${(err as Error).message}`;
    throw new HeraldError('unavailable', `${label} ${why}. What was already created stays; provisioning again is safe.`);
  }
}
