/**
 * Herald's configuration: command-line flags over `HERALD_*` environment variables over
 * defaults. Broker and database addresses come only from here, never from a document.
 */
import { availableParallelism } from 'node:os';
import type { PatternDialect } from './contracts/regex.js';
import { HeraldError } from './errors.js';
import { DEFAULT_LIMITS, type IngestLimits } from './contracts/ingest.js';
import { DEFAULT_CACHE_LIMITS, type CacheLimits } from './registry/read-cache.js';

export interface Limits extends IngestLimits {
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
}

/** The compatibility engine's work budget and the size of its answers. */
export interface CompatLimits {
  /** Most comparison steps one check may take before it answers "too complex to judge". */
  maxSteps: number;
  /** Most milliseconds one check may take, likewise. */
  maxMs: number;
  /** Most changes a report lists; the verdict still counts every change. */
  maxChanges: number;
}

/** Where documents are parsed and compared: worker threads, so that no request blocks another. */
export interface WorkerSettings {
  /** Worker threads for parsing, validating and comparing documents. */
  threads: number;
  /** Tasks that may wait for a free thread; beyond it, requests answer 503. */
  maxQueue: number;
  /** Heap of each worker (MiB): a document that needs more fails alone, not the server. */
  maxHeapMb: number;
  /** A task still running after this is stopped (its thread replaced) and answered 422. */
  timeoutMs: number;
}



export interface HeraldConfig {
  host: string;
  port: number;
  /** Embedded storage directory, used when `databaseUrl` is not set. */
  dataDir: string;
  databaseUrl?: string;
  /** With an admin token, writes need a bearer token and Herald may bind beyond loopback. */
  adminToken?: string;
  /** Require a read-scoped token for reads as well (only with an admin token). */
  readAuth: boolean;
  limits: Limits;
  compat: CompatLimits;
  workers: WorkerSettings;
  /** re2 (default): linear-time matching, patterns RE2 cannot run are refused. ecmascript: those run on backtracking RegExp. */
  patternDialect: PatternDialect;
  /** With an admin token, /metrics needs a read token unless this is set. */
  metricsPublic: boolean;
  /** The npm scope of the SDK packages under /npm/ (HERALD_NPM_SCOPE). */
  npmScope: string;
  logLevel: string;
  /** How long shutdown waits for in-flight requests before closing them. */
  shutdownTimeoutMs: number;
  /** The read cache (registry/read-cache.ts), in `herald serve` and `herald gateway` alike. */
  cache: CacheLimits;
  gateway: GatewayConfig;
}

export interface GatewayConfig {
  /** `host:port` list; the gateway routes to Kafka only when set. */
  kafkaBrokers?: string[];
  /** amqp:// URL; the gateway routes to RabbitMQ only when set. */
  amqpUrl?: string;
  /** How long a publish waits for the broker's acknowledgement before answering 503. */
  publishTimeoutMs: number;
  /** How long provisioning waits for each broker before answering 503. */
  provisionTimeoutMs: number;
  idempotencyWindowMs: number;
  idempotencyMaxKeys: number;
  /** Memory the idempotency store may hold (answers are kept compact), oldest evicted first. */
  idempotencyMaxBytes: number;
  dlqErrorMaxBytes: number;
  maxBatch: number;
  /** Deepest nesting of a message payload or headers; deeper is dead-lettered as malformed. */
  maxMessageDepth: number;
  /** Standalone gateway: how often it looks for a new latest version of a contract. */
  refreshMs: number;
}

export const DEFAULT_COMPAT: CompatLimits = { maxSteps: 2_000_000, maxMs: 10_000, maxChanges: 1000 };

export type ConfigFlags = Partial<Pick<HeraldConfig, 'host' | 'port' | 'dataDir' | 'databaseUrl'>>;

export const DEFAULTS = {
  host: '127.0.0.1',
  port: 8080,
  dataDir: './.herald',
  maxBodyBytes: 5 * 1024 * 1024,
} as const;

export function loadConfig(flags: ConfigFlags = {}, env: NodeJS.ProcessEnv = process.env): HeraldConfig {
  const maxBodyBytes = int(env, 'HERALD_MAX_BODY_BYTES', DEFAULTS.maxBodyBytes, 1);
  const config: HeraldConfig = {
    host: flags.host ?? env.HERALD_HOST ?? DEFAULTS.host,
    port: flags.port ?? int(env, 'HERALD_PORT', DEFAULTS.port, 0),
    dataDir: flags.dataDir ?? env.HERALD_DATA_DIR ?? DEFAULTS.dataDir,
    databaseUrl: flags.databaseUrl ?? (env.DATABASE_URL || env.HERALD_DATABASE_URL || undefined),
    adminToken: env.HERALD_ADMIN_TOKEN || undefined,
    readAuth: bool(env, 'HERALD_READ_AUTH'),
    limits: {
      maxBodyBytes,
      maxYamlAliases: int(env, 'HERALD_MAX_YAML_ALIASES', DEFAULT_LIMITS.maxYamlAliases, 0),
      // Aliases and JSON's quoting make a document larger as data than as text, but only a few times.
      maxDocumentBytes: int(env, 'HERALD_MAX_DOCUMENT_BYTES', 4 * maxBodyBytes, 1),
      maxDepth: int(env, 'HERALD_MAX_DEPTH', DEFAULT_LIMITS.maxDepth, 1),
      maxRefNodes: int(env, 'HERALD_MAX_REF_NODES', DEFAULT_LIMITS.maxRefNodes, 1),
    },
    compat: {
      maxSteps: int(env, 'HERALD_COMPAT_MAX_STEPS', DEFAULT_COMPAT.maxSteps, 1),
      maxMs: int(env, 'HERALD_COMPAT_MAX_MS', DEFAULT_COMPAT.maxMs, 1),
      maxChanges: int(env, 'HERALD_MAX_REPORT_CHANGES', DEFAULT_COMPAT.maxChanges, 1),
    },
    workers: {
      threads: int(env, 'HERALD_WORKERS', Math.max(1, Math.min(4, availableParallelism() - 1)), 1),
      maxQueue: int(env, 'HERALD_WORKER_QUEUE', 64, 0),
      maxHeapMb: int(env, 'HERALD_WORKER_HEAP_MB', 1024, 64),
      timeoutMs: timer(env, 'HERALD_WORKER_TIMEOUT_MS', 30_000, 100),
    },
    patternDialect: oneOf(env, 'HERALD_PATTERN_DIALECT', ['re2', 'ecmascript'] as const, 're2'),
    metricsPublic: bool(env, 'HERALD_METRICS_PUBLIC'),
    npmScope: npmScope(env),
    logLevel: env.HERALD_LOG_LEVEL ?? 'info',
    shutdownTimeoutMs: timer(env, 'HERALD_SHUTDOWN_TIMEOUT_MS', 10_000, 0),
    cache: cacheLimits(env),
    gateway: gatewayConfig(env),
  };
  if (config.port > 65535) throw usage(`Port ${config.port} is out of range (0-65535).`);
  if (!config.adminToken && !isLoopback(config.host)) {
    throw usage(
      `Refusing to listen on ${config.host} without access control: set HERALD_ADMIN_TOKEN to serve beyond this machine, or use --host 127.0.0.1.`,
    );
  }
  if (config.readAuth && !config.adminToken) throw usage('HERALD_READ_AUTH needs HERALD_ADMIN_TOKEN: there are no tokens without it.');
  return config;
}

export function gatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const brokers = (env.HERALD_KAFKA_BROKERS ?? '').split(',').map((b) => b.trim()).filter(Boolean);
  for (const b of brokers) if (!/^[^\s:/]+:\d{1,5}$/.test(b)) throw usage(`HERALD_KAFKA_BROKERS must be a comma-separated list of host:port, not "${b}".`);
  const amqpUrl = env.HERALD_AMQP_URL || undefined;
  if (amqpUrl && !/^amqps?:\/\//.test(amqpUrl)) throw usage('HERALD_AMQP_URL must be an amqp:// or amqps:// URL.');
  return {
    ...(brokers.length > 0 ? { kafkaBrokers: brokers } : {}),
    ...(amqpUrl ? { amqpUrl } : {}),
    publishTimeoutMs: timer(env, 'HERALD_PUBLISH_TIMEOUT_MS', 10_000, 1),
    provisionTimeoutMs: timer(env, 'HERALD_PROVISION_TIMEOUT_MS', 30_000, 1),
    idempotencyWindowMs: int(env, 'HERALD_IDEMPOTENCY_WINDOW_MS', 24 * 60 * 60 * 1000, 1),
    idempotencyMaxKeys: int(env, 'HERALD_IDEMPOTENCY_MAX_KEYS', 1_000_000, 1),
    idempotencyMaxBytes: int(env, 'HERALD_IDEMPOTENCY_MAX_BYTES', 64 * 1024 * 1024, 1024),
    dlqErrorMaxBytes: int(env, 'HERALD_DLQ_ERROR_MAX_BYTES', 8192, 256),
    maxBatch: int(env, 'HERALD_BATCH_MAX_MESSAGES', 1000, 1),
    maxMessageDepth: int(env, 'HERALD_MESSAGE_MAX_DEPTH', 128, 1),
    refreshMs: timer(env, 'HERALD_GATEWAY_REFRESH_MS', 2000, 0),
  };
}

export function cacheLimits(env: NodeJS.ProcessEnv = process.env): CacheLimits {
  return {
    maxEntries: int(env, 'HERALD_CACHE_MAX_ENTRIES', DEFAULT_CACHE_LIMITS.maxEntries, 1),
    maxBytes: int(env, 'HERALD_CACHE_MAX_BYTES', DEFAULT_CACHE_LIMITS.maxBytes, 1024),
    recheckMs: timer(env, 'HERALD_CACHE_RECHECK_MS', DEFAULT_CACHE_LIMITS.recheckMs, 100),
  };
}

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/** The longest delay Node's timers honour; a longer one fires after 1 ms instead. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw usage(`${name} must be an integer from ${min} to ${max}, not "${raw}".`);
  return value;
}

/** A delay Herald waits on with a timer. */
const timer = (env: NodeJS.ProcessEnv, name: string, fallback: number, min: number) => int(env, name, fallback, min, MAX_TIMER_MS);

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!allowed.includes(raw as T)) throw usage(`${name} must be one of ${allowed.join(', ')}, not "${raw}".`);
  return raw as T;
}

function bool(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = (env[name] ?? '').toLowerCase();
  if (raw === '' || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw usage(`${name} must be true or false, not "${env[name]}".`);
}

export const DEFAULT_NPM_SCOPE = '@herald';
const NPM_SCOPE = /^@[a-z0-9][a-z0-9._-]{0,63}$/;

function npmScope(env: NodeJS.ProcessEnv): string {
  const raw = env.HERALD_NPM_SCOPE || DEFAULT_NPM_SCOPE;
  if (!NPM_SCOPE.test(raw)) throw usage(`HERALD_NPM_SCOPE must be an npm scope such as @herald (lowercase), not "${raw}".`);
  return raw;
}

const usage = (message: string) => new HeraldError('bad-request', message);
