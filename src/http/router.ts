/**
 * The app's router: Hono's own routers, one per part of the URL space.
 *
 * Hono's default (SmartRouter) picks one router for the whole app: RegExpRouter, which
 * matches a request with one regular expression per method, unless any route has a shape it
 * refuses, and then TrieRouter for every route. The docs pages have such shapes (a fixed
 * segment beside a parameter: /docs/map beside /docs/:name/:version), and TrieRouter's walk
 * cost every API read about a tenth of its time. So routes under /docs/ get a router of
 * their own, and the rest (the API, where the hot reads are) keep RegExpRouter. Each part is
 * a SmartRouter, so a route of a refused shape added later makes its part slower, never
 * wrong; a test names the API's router so that it does not happen unnoticed.
 */
import type { Result, Router } from 'hono/router';
import { RegExpRouter } from 'hono/router/reg-exp-router';
import { SmartRouter } from 'hono/router/smart-router';
import { TrieRouter } from 'hono/router/trie-router';

const PAGES = '/docs/';

const smart = <T>() => new SmartRouter<T>({ routers: [new RegExpRouter<T>(), new TrieRouter<T>()] });

export class SplitRouter<T> implements Router<T> {
  readonly name = 'SplitRouter';
  readonly api = smart<T>();
  readonly pages = smart<T>();

  add(method: string, path: string, handler: T): void {
    if (path.startsWith(PAGES)) return this.pages.add(method, path, handler);
    this.api.add(method, path, handler);
    // Middleware (`use`, a path with a wildcard) may match requests in both parts, as may a
    // path that starts with a parameter.
    if (path.includes('*') || path.startsWith('/:')) this.pages.add(method, path, handler);
  }

  match(method: string, path: string): Result<T> {
    return (path.startsWith(PAGES) ? this.pages : this.api).match(method, path);
  }
}
