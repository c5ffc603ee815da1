/**
 * The app in-process over a real store, with a request helper that checks every response
 * against openapi.yaml.
 */
import { expect } from 'vitest';
import type { Hono } from 'hono';
import { DEFAULT_COMPAT, DEFAULT_NPM_SCOPE, DEFAULTS, gatewayConfig, type GatewayConfig } from '../../src/config.js';
import type { Gateway } from '../../src/gateway/gateway.js';
import { LocalSource } from '../../src/gateway/source.js';
import { createGateway } from '../../src/gateway/start.js';
import type { AppEnv } from '../../src/http/env.js';
import { InlineAnalyzer } from '../../src/analysis/analyzer.js';
import { DEFAULT_LIMITS } from '../../src/contracts/ingest.js';
import { createApp } from '../../src/http/app.js';
import { createLogger } from '../../src/log.js';
import { ConfigService } from '../../src/registry/config.js';
import { PackageService } from '../../src/registry/packages.js';
import { ReadCache, type CacheLimits } from '../../src/registry/read-cache.js';
import { Registry } from '../../src/registry/registry.js';
import { TokenService } from '../../src/registry/tokens.js';
import type { Store } from '../../src/store/store.js';
import { responseErrors } from './openapi.js';
import { openTestStore, type DriverName, type TestStore } from './storage.js';

export interface TestResponse {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export interface RequestOptions {
  body?: string | object;
  contentType?: string;
  headers?: Record<string, string>;
  token?: string;
  /** For requests the API document rightly does not describe (unknown routes). */
  undocumented?: boolean;
}

export interface TestApp extends TestStore {
  app: Hono<AppEnv>;
  registry: Registry;
  cache: ReadCache;
  gateway: Gateway;
  request(method: string, path: string, options?: RequestOptions): Promise<TestResponse>;
}

export interface AppOptions {
  adminToken?: string;
  readAuth?: boolean;
  /** HERALD_METRICS_PUBLIC. */
  metricsPublic?: boolean;
  maxBodyBytes?: number;
  limits?: Partial<typeof DEFAULT_LIMITS>;
  /** The compatibility engine's budget and report size over the defaults. */
  compat?: Partial<typeof DEFAULT_COMPAT>;
  /** Gateway settings over the defaults; without broker addresses the gateway routes nowhere. */
  gateway?: Partial<GatewayConfig>;
  /** Serve this store (another test app's) instead of opening one; cleanup leaves it open. */
  store?: Store;
  /** HERALD_NPM_SCOPE. */
  npmScope?: string;
  /** The read cache's limits (for the first app on a store). */
  cache?: CacheLimits;
}

// Apps serving one store share its read cache, as one process would: a write through one is seen by the other.
const caches = new WeakMap<Store, ReadCache>();
function cacheOf(store: Store, limits?: CacheLimits): ReadCache {
  let cache = caches.get(store);
  if (!cache) caches.set(store, (cache = new ReadCache(limits)));
  return cache;
}

export async function testApp(driver: DriverName, options: AppOptions = {}): Promise<TestApp> {
  const ts: TestStore = options.store ? { store: options.store, cleanup: async () => {} } : await openTestStore(driver);
  const analyzer = new InlineAnalyzer({ ingest: { ...DEFAULT_LIMITS, ...options.limits }, check: { ...DEFAULT_COMPAT, ...options.compat } });
  const cache = cacheOf(ts.store, options.cache);
  const registry = new Registry(ts.store, analyzer, cache);
  // HERALD_TEST_LOG=debug shows the app's log while debugging a test.
  const logger = createLogger(process.env.HERALD_TEST_LOG ?? 'silent');
  const settings = { ...gatewayConfig({}), ...options.gateway };
  const gateway = createGateway(settings, new LocalSource(registry), logger);
  const app = createApp({
    store: ts.store,
    registry,
    packages: new PackageService(ts.store, registry, analyzer, { scope: options.npmScope ?? DEFAULT_NPM_SCOPE }),
    config: new ConfigService(ts.store),
    tokens: new TokenService(ts.store, options.adminToken, cache),
    gateway,
    logger,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULTS.maxBodyBytes,
    maxBatch: settings.maxBatch,
    readAuth: options.readAuth ?? false,
    metricsPublic: options.metricsPublic ?? false,
  });
  return {
    ...ts,
    app,
    registry,
    cache,
    gateway,
    async cleanup() {
      await gateway.close();
      await ts.cleanup();
    },
    async request(method, path, { body, contentType, headers = {}, token, undocumented } = {}) {
      const init: RequestInit = { method, headers: { ...headers } };
      const h = init.headers as Record<string, string>;
      if (token) h.Authorization = `Bearer ${token}`;
      if (body !== undefined) {
        init.body = typeof body === 'string' ? body : JSON.stringify(body);
        h['Content-Type'] = contentType ?? (typeof body === 'string' ? 'application/yaml' : 'application/json');
      }
      const res = await app.request(path, init);
      const text = await res.text();
      const type = res.headers.get('Content-Type') ?? '';
      const json = type.includes('json') && text ? JSON.parse(text) : undefined;
      if (res.status !== 304 && !undocumented) {
        const pathOnly = path.split('?')[0]!;
        const errors = responseErrors(method, pathOnly, res.status, type, json ?? text);
        expect(errors, `${method} ${path} -> ${res.status} matches openapi.yaml`).toEqual([]);
      }
      return { status: res.status, headers: res.headers, text, json };
    },
  };
}
