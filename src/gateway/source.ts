/**
 * Where the gateway gets its routes: from the registry in the same process (inside
 * `herald serve`), or from a registry over HTTP (standalone `herald gateway`). Routes are
 * built once per contract version and kept in a bounded cache; which version is latest
 * comes from the registry's read cache (in process) or is asked again after a short refresh
 * interval (over HTTP), so a new version takes effect without a restart.
 */
import { HeraldError, notFound } from '../errors.js';
import type { Contract } from '../contracts/model.js';
import { modelOfDocument } from '../contracts/normalize.js';
import type { ReadCache } from '../registry/read-cache.js';
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

/**
 * Route sets (with their compiled validators) in a bounded read cache, by contract, version
 * and fingerprint: a version number can come back after its contract is removed for good
 * and registered anew, its content cannot.
 */
class RouteCache {
  constructor(private readonly cache: ReadCache) {}

  get(contract: string, version: number, fingerprint: string, bytes: number, model: () => Contract): RouteSet {
    const key = `r:${contract}\u0000${version}\u0000${fingerprint}`;
    let set = this.cache.peek<RouteSet>(key);
    if (!set) {
      set = { contract, version, routes: routingTable(contract, version, model()) };
      // Compiled validators take several times their schemas' size.
      this.cache.put(key, set, 4 * bytes);
    }
    return set;
  }
}

/** Inside `herald serve`: the registry's own read cache, which every write (here or, by notification, elsewhere) keeps current. */
export class LocalSource implements ContractSource {
  private readonly cache: RouteCache;

  constructor(private readonly registry: Registry) {
    this.cache = new RouteCache(registry.reads.cache);
  }

  async routes(contract: string, version?: number): Promise<RouteSet> {
    const found = await this.registry.model(contract, version ?? 'latest');
    return this.cache.get(contract, found.version, found.fingerprint, found.bytes, () => found.contract);
  }
}

interface Remote {
  set: RouteSet;
  etag?: string;
  fetchedAt: number;
}

/**
 * Reads contracts from a registry's HTTP API; serves the last known version while the
 * registry is unreachable. Both `latest` and numbered versions are asked again, with
 * If-None-Match, once `refreshMs` has passed: a numbered version never changes, but it can be
 * deleted, and a deleted one must stop routing.
 */
export class RemoteSource implements ContractSource {
  private readonly cache: RouteCache;
  private readonly known = new Map<string, Remote>();
  private readonly inflight = new Map<string, Promise<RouteSet>>();

  constructor(
    private readonly registryUrl: string,
    private readonly options: { token?: string; refreshMs: number; maxRefNodes: number; cache: ReadCache; fetch?: typeof fetch },
  ) {
    this.cache = new RouteCache(options.cache);
  }

  async routes(contract: string, version?: number): Promise<RouteSet> {
    const selector = version === undefined ? 'latest' : String(version);
    const key = `${contract}\u0000${selector}`;
    const known = this.known.get(key);
    if (known && Date.now() - known.fetchedAt < this.options.refreshMs) return known.set;
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.fetchVersion(contract, selector, known)
        .then((r) => {
          this.known.delete(key);
          // Bounded like the route sets: the oldest asked goes first.
          if (this.known.size >= 10_000) this.known.delete(this.known.keys().next().value!);
          this.known.set(key, r);
          return r.set;
        })
        .catch((err: unknown) => {
          const gone = err instanceof HeraldError && err.code === 'not-found';
          // A registry outage must not stop routing by the version already known; a deletion must.
          if (known && !gone) return known.set;
          if (gone) this.known.delete(key);
          throw err;
        })
        .finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
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
    const text = await res.text();
    const body = JSON.parse(text) as { version: number; fingerprint: string; document: Record<string, unknown> };
    const set = this.cache.get(contract, body.version, body.fingerprint, 2 * text.length, () => modelOfDocument(body.document, this.options.maxRefNodes));
    return { set, etag: res.headers.get('etag') ?? undefined, fetchedAt: Date.now() };
  }
}
