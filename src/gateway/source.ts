/**
 * Where the gateway gets its routes: from the registry in the same process (inside
 * `herald serve`), or from a registry over HTTP (standalone `herald gateway`). Routes are
 * built once per contract version; the latest version is looked up again after a change
 * (in process) or after a short refresh interval (over HTTP), so a new version takes
 * effect without a restart.
 */
import { HeraldError, notFound } from '../errors.js';
import type { Contract } from '../contracts/model.js';
import { modelOfDocument } from '../contracts/normalize.js';
import type { Registry } from '../registry/registry.js';
import { routingTable, type Route } from './routing.js';

export interface RouteSet {
  contract: string;
  version: number;
  routes: Map<string, Route>;
}

export interface ContractSource {
  /** The routes of a version (latest when absent); throws HeraldError not-found when there is none. */
  routes(contract: string, version?: number): Promise<RouteSet>;
  close?(): void;
}

/** Route sets by contract and version: versions are immutable, so a built set stays right. */
class RouteCache {
  private readonly sets = new Map<string, RouteSet>();

  get(contract: string, version: number, model: () => Contract): RouteSet {
    const key = `${contract}\u0000${version}`;
    let set = this.sets.get(key);
    if (!set) {
      set = { contract, version, routes: routingTable(contract, version, model()) };
      if (this.sets.size >= 1000) this.sets.delete(this.sets.keys().next().value!);
      this.sets.set(key, set);
    }
    return set;
  }
}

export class LocalSource implements ContractSource {
  private readonly cache = new RouteCache();
  private readonly latest = new Map<string, Promise<RouteSet>>();
  private readonly pinned = new Map<string, Promise<RouteSet>>();
  private readonly unsubscribe: () => void;

  constructor(private readonly registry: Registry) {
    // A deleted version must stop routing at once, so pinned versions are dropped too.
    this.unsubscribe = registry.onChange((name) => {
      this.latest.delete(name);
      for (const key of this.pinned.keys()) if (key.startsWith(`${name}\u0000`)) this.pinned.delete(key);
    });
  }

  routes(contract: string, version?: number): Promise<RouteSet> {
    if (version !== undefined) return once(this.pinned, `${contract}\u0000${version}`, () => this.load(contract, version));
    return once(this.latest, contract, () => this.load(contract, 'latest'));
  }

  private async load(contract: string, selector: number | 'latest'): Promise<RouteSet> {
    const { version, contract: model } = await this.registry.model(contract, selector);
    return this.cache.get(contract, version, () => model);
  }

  close(): void {
    this.unsubscribe();
  }
}

/** The promise under `key`, made by `load` once; a failed one is forgotten, so the next call tries again. */
function once<T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let promise = cache.get(key);
  if (!promise) {
    const made = load();
    made.catch(() => cache.get(key) === made && cache.delete(key));
    if (cache.size >= 1000) cache.delete(cache.keys().next().value!);
    cache.set(key, made);
    promise = made;
  }
  return promise;
}

interface Remote {
  set: RouteSet;
  etag?: string;
  fetchedAt: number;
}

/** Reads contracts from a registry's HTTP API; serves the last known version while the registry is unreachable. */
export class RemoteSource implements ContractSource {
  private readonly cache = new RouteCache();
  private readonly latest = new Map<string, Remote>();
  private readonly inflight = new Map<string, Promise<RouteSet>>();
  private readonly pinned = new Map<string, Promise<RouteSet>>();

  constructor(
    private readonly registryUrl: string,
    private readonly options: { token?: string; refreshMs: number; maxRefNodes: number; fetch?: typeof fetch },
  ) {}

  async routes(contract: string, version?: number): Promise<RouteSet> {
    // A numbered version never changes: fetched once.
    if (version !== undefined) return once(this.pinned, `${contract}\u0000${version}`, async () => (await this.fetchVersion(contract, String(version))).set);
    const known = this.latest.get(contract);
    if (known && Date.now() - known.fetchedAt < this.options.refreshMs) return known.set;
    let pending = this.inflight.get(contract);
    if (!pending) {
      pending = this.fetchVersion(contract, 'latest', known)
        .then((r) => (this.latest.set(contract, r), r.set))
        .catch((err: unknown) => {
          // A registry outage must not stop routing by the version already known.
          if (known && !(err instanceof HeraldError && err.code === 'not-found')) return known.set;
          if (err instanceof HeraldError && err.code === 'not-found') this.latest.delete(contract);
          throw err;
        })
        .finally(() => this.inflight.delete(contract));
      this.inflight.set(contract, pending);
    }
    return pending;
  }

  private async fetchVersion(contract: string, selector: string, known?: Remote): Promise<Remote> {
    const url = `${this.registryUrl.replace(/\/$/, '')}/v1/contracts/${encodeURIComponent(contract)}/versions/${selector}`;
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.options.token) headers.Authorization = `Bearer ${this.options.token}`;
    if (known?.etag) headers['If-None-Match'] = known.etag;
    let res: Response;
    try {
      res = await (this.options.fetch ?? fetch)(url, { headers, signal: AbortSignal.timeout(5000) });
    } catch (err) {
      throw new HeraldError('unavailable', `The registry at ${this.registryUrl} is not reachable: ${(err as Error).message}`);
    }
    if (res.status === 304 && known) return { ...known, fetchedAt: Date.now() };
    if (res.status === 404) throw notFound(`No contract "${contract}"${selector === 'latest' ? '' : ` version ${selector}`} in the registry.`);
    if (!res.ok) throw new HeraldError('unavailable', `The registry answered ${res.status} for ${url}.`);
    const body = (await res.json()) as { version: number; document: Record<string, unknown> };
    const set = this.cache.get(contract, body.version, () => modelOfDocument(body.document, this.options.maxRefNodes));
    return { set, etag: res.headers.get('etag') ?? undefined, fetchedAt: Date.now() };
  }
}
