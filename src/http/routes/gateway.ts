/**
 * The gateway over HTTP: publish one message or a batch to a contract's channel, provision
 * a contract's destinations, and the Prometheus metrics. Rules live in gateway/. Each route
 * declares its access.
 */
import { Hono, type Context } from 'hono';
import { ERROR_CODES, HeraldError } from '../../errors.js';
import type { Gateway, PublishRequest } from '../../gateway/gateway.js';
import { access } from '../access.js';
import { readBatch, type Target } from '../batch.js';
import type { AppEnv } from '../env.js';
import { versionNumber } from '../params.js';
import { PROBLEM_TYPE_PREFIX } from '../problem.js';

/** Query parameters that are not channel parameters. */
const RESERVED = new Set(['version']);

export function publishRoutes(gateway: Gateway, maxBatch: number): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.post('/:contract/:channel', access('write'), async (c) => {
    const req: PublishRequest = {
      ...target(c),
      body: Buffer.from(await c.req.arrayBuffer()),
      ...optional('message', c.req.header('Herald-Message')),
      ...optional('key', c.req.header('Herald-Key')),
      ...optional('idempotencyKey', c.req.header('Idempotency-Key')),
      ...(c.req.header('Herald-Headers') !== undefined ? { headers: headersFrom(c.req.header('Herald-Headers')!) } : {}),
    };
    const { result, replayed } = await gateway.publish(req);
    if (replayed) c.header('Idempotent-Replayed', 'true');
    return c.json(result, result.status === 'routed' ? 202 : 422);
  });

  app.post('/:contract/:channel/batch', access('write'), async (c) => {
    const reqs = readBatch(Buffer.from(await c.req.arrayBuffer()), c.req.header('Content-Type'), maxBatch, target(c), gateway.limits.maxDepth);
    const valid = reqs.filter((r): r is PublishRequest => !(r instanceof HeraldError));
    const outcomes = await gateway.publishBatch(valid);
    let next = 0;
    const results = reqs.map((r) => {
      if (r instanceof HeraldError) return failed(r);
      const o = outcomes[next++]!;
      return o.ok ? { ...o.published.result, ...(o.published.replayed ? { replayed: true } : {}) } : failed(o.error);
    });
    return c.json({ results });
  });

  return app;
}

export function provisionRoutes(gateway: Gateway): Hono<AppEnv> {
  return new Hono<AppEnv>().post('/:name/provision', access('write'), async (c) => {
    const version = c.req.query('version');
    return c.json(await gateway.provision(c.req.param('name'), version === undefined ? undefined : versionNumber(version)));
  });
}

/** With access control on, the metrics need a read token (even without HERALD_READ_AUTH) unless they are made public. */
export function metricsRoutes(gateway: Gateway, metricsPublic: boolean): Hono<AppEnv> {
  return new Hono<AppEnv>().get('/metrics', metricsPublic ? access('public') : access('read', { tokenAlways: true }), async (c) =>
    c.body(await gateway.metrics.registry.metrics(), 200, { 'Content-Type': gateway.metrics.registry.contentType }),
  );
}

function target(c: Context<AppEnv>): Target {
  // Without a prototype: a channel parameter named "constructor" or "__proto__" is looked up by name.
  const parameters: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(c.req.query())) if (!RESERVED.has(k)) parameters[k] = v;
  const version = c.req.query('version');
  return {
    contract: c.req.param('contract')!,
    channel: c.req.param('channel')!,
    parameters,
    ...(version !== undefined ? { version: versionNumber(version) } : {}),
  };
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

function headersFrom(raw: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    throw new HeraldError('bad-request', `The Herald-Headers header must be a JSON object of the message's headers: ${(err as Error).message}.`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new HeraldError('bad-request', 'The Herald-Headers header must be a JSON object of the message\'s headers.');
  return value as Record<string, unknown>;
}

type Failed = { status: 'failed'; error: { type: string; status: number; detail: string } };

function failed(err: HeraldError): Failed {
  return { status: 'failed', error: { type: PROBLEM_TYPE_PREFIX + err.code, status: ERROR_CODES[err.code], detail: err.message } };
}

