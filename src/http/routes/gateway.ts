/**
 * The gateway over HTTP: publish one message or a batch to a contract's channel, provision
 * a contract's destinations, and the Prometheus metrics. Rules live in gateway/.
 */
import { Hono, type Context } from 'hono';
import { ERROR_CODES, HeraldError } from '../../errors.js';
import type { Gateway, PublishRequest } from '../../gateway/gateway.js';
import type { AppEnv } from '../env.js';
import { PROBLEM_TYPE_PREFIX } from '../problem.js';

/** Query parameters that are not channel parameters. */
const RESERVED = new Set(['version']);

export function publishRoutes(gateway: Gateway, maxBatch: number): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.post('/:contract/:channel', async (c) => {
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

  app.post('/:contract/:channel/batch', async (c) => {
    const base = target(c);
    const items = parseBatch(await c.req.text(), c.req.header('Content-Type'), maxBatch);
    const reqs = items.map((item, i) => (item instanceof HeraldError ? item : envelope(item, i, base)));
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
  return new Hono<AppEnv>().post('/:name/provision', async (c) => {
    const version = c.req.query('version');
    return c.json(await gateway.provision(c.req.param('name'), version === undefined ? undefined : versionNumber(version)));
  });
}

export function metricsRoutes(gateway: Gateway): Hono<AppEnv> {
  return new Hono<AppEnv>().get('/metrics', async (c) =>
    c.body(await gateway.metrics.registry.metrics(), 200, { 'Content-Type': gateway.metrics.registry.contentType }),
  );
}

type Target = Pick<PublishRequest, 'contract' | 'channel' | 'version' | 'parameters'>;

function target(c: Context<AppEnv>): Target {
  const parameters: Record<string, string> = {};
  for (const [k, v] of Object.entries(c.req.query())) if (!RESERVED.has(k)) parameters[k] = v;
  const version = c.req.query('version');
  return {
    contract: c.req.param('contract')!,
    channel: c.req.param('channel')!,
    parameters,
    ...(version !== undefined ? { version: versionNumber(version) } : {}),
  };
}

function versionNumber(raw: string): number {
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new HeraldError('bad-request', `version must be a positive integer, not "${raw}".`);
  return n;
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

/** A JSON array, or NDJSON (one envelope per line); a line that is not JSON fails alone. */
function parseBatch(text: string, contentType: string | undefined, max: number): (unknown | HeraldError)[] {
  const ndjson = /^application\/(?:x-)?ndjson\b/i.test(contentType ?? '') || /^application\/jsonl\b/i.test(contentType ?? '');
  let items: (unknown | HeraldError)[];
  if (ndjson) {
    items = text
      .split('\n')
      .map((line, i) => ({ line: line.trim(), i }))
      .filter(({ line }) => line !== '')
      .map(({ line, i }) => {
        try {
          return JSON.parse(line) as unknown;
        } catch (err) {
          return new HeraldError('bad-request', `Line ${i + 1} is not JSON: ${(err as Error).message}.`);
        }
      });
  } else {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new HeraldError('bad-request', `The batch must be a JSON array of envelopes, or NDJSON with Content-Type application/x-ndjson: ${(err as Error).message}.`);
    }
    if (!Array.isArray(parsed)) throw new HeraldError('bad-request', 'The batch must be a JSON array of envelopes ({payload, message?, key?, headers?, parameters?, idempotencyKey?}).');
    items = parsed;
  }
  if (items.length > max) throw new HeraldError('payload-too-large', `A batch holds at most ${max} messages (HERALD_BATCH_MAX_MESSAGES); this one has ${items.length}.`);
  return items;
}

const ENVELOPE_KEYS = new Set(['payload', 'payloadText', 'message', 'key', 'headers', 'parameters', 'idempotencyKey']);

/** `{payload}` is sent as compact JSON; `{payloadText}` as exactly these characters (e.g. to send non-JSON). */
function envelope(item: unknown, index: number, base: Target): PublishRequest | HeraldError {
  const bad = (why: string) => new HeraldError('bad-request', `Item ${index}: ${why}`);
  if (!item || typeof item !== 'object' || Array.isArray(item)) return bad('an envelope must be an object with a payload.');
  const e = item as Record<string, unknown>;
  const unknown = Object.keys(e).filter((k) => !ENVELOPE_KEYS.has(k));
  if (unknown.length > 0) return bad(`unknown field(s) ${unknown.join(', ')}; an envelope has ${[...ENVELOPE_KEYS].join(', ')}.`);
  if (('payload' in e) === ('payloadText' in e)) return bad('give exactly one of payload and payloadText.');
  if ('payloadText' in e && typeof e.payloadText !== 'string') return bad('payloadText must be a string.');
  for (const k of ['message', 'key', 'idempotencyKey'] as const) if (k in e && typeof e[k] !== 'string') return bad(`${k} must be a string.`);
  for (const k of ['headers', 'parameters'] as const) if (k in e && (!e[k] || typeof e[k] !== 'object' || Array.isArray(e[k]))) return bad(`${k} must be an object.`);
  const parameters = { ...base.parameters, ...((e.parameters as Record<string, unknown> | undefined) ?? {}) };
  return {
    ...base,
    parameters: Object.fromEntries(Object.entries(parameters).map(([k, v]) => [k, String(v)])),
    body: Buffer.from('payloadText' in e ? (e.payloadText as string) : JSON.stringify(e.payload)),
    // Already parsed with the batch: judging need not parse the bytes again.
    ...('payload' in e ? { parsed: { value: e.payload } } : {}),
    ...(e.message !== undefined ? { message: e.message as string } : {}),
    ...(e.key !== undefined ? { key: e.key as string } : {}),
    ...(e.headers !== undefined ? { headers: e.headers as Record<string, unknown> } : {}),
    ...(e.idempotencyKey !== undefined ? { idempotencyKey: e.idempotencyKey as string } : {}),
  };
}

type Failed = { status: 'failed'; error: { type: string; status: number; detail: string } };

function failed(err: HeraldError): Failed {
  return { status: 'failed', error: { type: PROBLEM_TYPE_PREFIX + err.code, status: ERROR_CODES[err.code], detail: err.message } };
}

