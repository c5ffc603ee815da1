/** Docs: `/search?q=` across the latest version of every live contract. */
import { Hono } from 'hono';
import { MAX_QUERY, SearchView, indexOf, search, type Entry } from '../../docs/search.js';
import { liveContracts } from '../../docs/views.js';
import { HeraldError } from '../../errors.js';
import type { Registry } from '../../registry/registry.js';
import type { AppEnv } from '../env.js';
import { pageAccess, secure } from './docs.js';

/** Indexes kept, by version fingerprint: at most this many, and this many bytes of text. */
const CACHE_ENTRIES = 1000;
const CACHE_BYTES = 64 * 2 ** 20;

export function searchRoutes(registry: Registry): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const cache = new Map<string, { entries: Entry[]; bytes: number }>();
  let cached = 0;

  /** A version's index, from the cache or built (and kept, oldest dropped past the bounds). */
  async function index(name: string, version: number): Promise<Entry[]> {
    const v = await registry.getVersion(name, version, false);
    const key = `${name}\u0000${v.fingerprint}`;
    const hit = cache.get(key);
    if (hit) return hit.entries;
    const { contract } = await registry.model(name, version);
    const entries = indexOf(name, contract, v.document);
    const bytes = entries.reduce((n, e) => n + 2 * (e.name.length + e.description.length + e.where.length + e.href.length), 0);
    cache.set(key, { entries, bytes });
    cached += bytes;
    for (const [k, old] of cache) {
      if (cache.size <= CACHE_ENTRIES && cached <= CACHE_BYTES) break;
      cache.delete(k);
      cached -= old.bytes;
    }
    return entries;
  }

  app.get('/search', pageAccess(), async (c) => {
    secure(c);
    const q = c.req.query('q') ?? '';
    if (q.length > MAX_QUERY) throw new HeraldError('bad-request', `The query is ${q.length} characters long; at most ${MAX_QUERY} are searched.`, { pointer: '/q' });
    if (!q.trim()) return c.html(<SearchView q={q} results={[]} more={false} />);
    const all: Entry[][] = [];
    for await (const c of liveContracts(registry)) all.push(await index(c.name, c.latestVersion));
    const { results, more } = search(all.flat(), q);
    return c.html(<SearchView q={q} results={results} more={more} />);
  });
  return app;
}
