/**
 * The validating gateway: a message addressed to a contract's channel is judged against the
 * contract and written either to the channel's destination or to its dead-letter queue, and
 * answered only once the broker has acknowledged that write. Used by the HTTP publish routes
 * and by relay mode alike.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { AmbiguousPublishError, PublishTimeoutError, UnroutableError, type Broker, type BrokerKind, type Destination, type ProvisionResult } from '../brokers/broker.js';
import { HeraldError, notFound } from '../errors.js';
import { IdempotencyStore, OutcomeUnknownError } from './idempotency.js';
import { judge, type DeadLetterReason, type Incoming, type MessageError } from './judge.js';
import { GatewayMetrics, type Outcome } from './metrics.js';
import { describe, destinationOf, dlqOf, provisionPlan, type Route } from './routing.js';
import type { ContractSource } from './source.js';

export interface GatewayOptions {
  /** How long a publish may wait for the broker before the caller gets 503. */
  publishTimeoutMs: number;
  idempotencyWindowMs: number;
  idempotencyMaxKeys: number;
  /** The most bytes of validation errors a DLQ message's `herald.error` header carries. */
  dlqErrorMaxBytes: number;
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
  | (Base & { status: 'dead-lettered'; dlq: string; reason: DeadLetterReason; errors: MessageError[] });

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
  private readonly idempotency: IdempotencyStore<PublishResult>;

  constructor(
    private readonly source: ContractSource,
    private readonly brokers: Partial<Record<BrokerKind, Broker>>,
    private readonly options: GatewayOptions,
    private readonly log: Logger,
  ) {
    this.metrics = new GatewayMetrics(() => Object.values(this.brokers));
    this.idempotency = new IdempotencyStore(options.idempotencyWindowMs, options.idempotencyMaxKeys, (err) => err instanceof AmbiguousPublishError);
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
      results.push(...(await broker.provision(items)));
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

  /** The configured broker of a kind; 503 when this gateway has no address for it. */
  broker(kind: BrokerKind): Broker {
    const broker = this.brokers[kind];
    if (!broker) throw notConfigured(kind);
    return broker;
  }

  /** The eventual outcome, with no deadline once the message is sent: see Broker.publish. */
  private async deliver(route: Route, broker: Broker, req: PublishRequest, deadline: number): Promise<PublishResult> {
    const base: Base = { contract: route.contract, version: route.version, channel: route.channel };
    const verdict = judge(route, req);
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
        return this.deadLetter(route, broker, req, deadline, base, { reason: 'unroutable', message: verdict.message, errors: [{ in: 'message', pointer: '', message: err.message }] }, verdict.destination);
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
    why: { reason: DeadLetterReason; message?: { id: string }; errors: MessageError[] },
    intended?: Destination,
  ): Promise<PublishResult> {
    const dlq = dlqOf(route);
    const headers: Record<string, string> = {
      ...encodeHeaders(req.headers),
      'herald.error': this.errorHeader(why.reason, why.errors),
      'herald.contract': route.contract,
      'herald.contract.version': String(route.version),
      'herald.channel': route.channel,
      ...(why.message ? { 'herald.message': why.message.id } : {}),
      // Where the message was meant to go; with placeholders when its parameters were wrong.
      'herald.destination': describe(intended ?? destinationOf(route, req.parameters)),
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
    let kept = errors;
    let text = JSON.stringify({ reason, errors: kept });
    while (Buffer.byteLength(text) > this.options.dlqErrorMaxBytes && kept.length > 0) {
      kept = kept.slice(0, Math.max(0, Math.floor(kept.length / 2)));
      text = JSON.stringify({ reason, errors: kept, truncated: errors.length - kept.length });
    }
    return text;
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

/** Broker headers are text: strings as they are, other JSON values as JSON. */
function encodeHeaders(headers: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return out;
}

function contentType(type: string | undefined): { contentType?: string } {
  return type ? { contentType: type } : {};
}

/** What makes two requests "the same message" for an Idempotency-Key. */
function fingerprint(req: PublishRequest): string {
  const h = createHash('sha256');
  h.update(JSON.stringify([req.version ?? null, req.message ?? null, req.key ?? null, req.headers ?? null, Object.entries(req.parameters).sort()]));
  h.update('\u0000');
  h.update(req.body);
  return h.digest('hex');
}
