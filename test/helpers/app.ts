/**
 * The app in-process over a real store, with a request helper that checks every response
 * against openapi.yaml.
 */
import { expect } from 'vitest';
import { DEFAULTS } from '../../src/config.js';
import { DEFAULT_LIMITS } from '../../src/contracts/ingest.js';
import { createApp } from '../../src/http/app.js';
import { createLogger } from '../../src/log.js';
import { ConfigService } from '../../src/registry/config.js';
import { Registry } from '../../src/registry/registry.js';
import { TokenService } from '../../src/registry/tokens.js';
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
  request(method: string, path: string, options?: RequestOptions): Promise<TestResponse>;
}

export interface AppOptions {
  adminToken?: string;
  readAuth?: boolean;
  maxBodyBytes?: number;
  limits?: Partial<typeof DEFAULT_LIMITS>;
}

export async function testApp(driver: DriverName, options: AppOptions = {}): Promise<TestApp> {
  const ts = await openTestStore(driver);
  const app = createApp({
    store: ts.store,
    registry: new Registry(ts.store, { ...DEFAULT_LIMITS, ...options.limits }),
    config: new ConfigService(ts.store),
    tokens: new TokenService(ts.store, options.adminToken),
    logger: createLogger('silent'),
    maxBodyBytes: options.maxBodyBytes ?? DEFAULTS.maxBodyBytes,
    readAuth: options.readAuth ?? false,
  });
  return {
    ...ts,
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
