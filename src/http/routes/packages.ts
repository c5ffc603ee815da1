/**
 * Generated SDKs as packages (registry/packages.ts): an npm registry under /npm/ for the
 * TypeScript packages, and each version's SDK archive in any language.
 *
 * The npm side speaks what the npm client expects rather than Herald's API conventions: the
 * packument at `/npm/@herald%2forders` (or `/npm/@herald/orders`), its abbreviated form for
 * `Accept: application/vnd.npm.install-v1+json`, tarballs at
 * `/npm/@herald/orders/-/orders-1.2.0.tgz`, and `{"error":"Not found"}` for a package Herald
 * does not have. It needs a read token whenever access control is on (npm sends the
 * `_authToken` of .npmrc as a bearer token), as packages are code a build runs.
 */
import { Hono, type Context } from 'hono';
import type { PackageService } from '../../registry/packages.js';
import type { Registry } from '../../registry/registry.js';
import type { ArchiveRow } from '../../store/store.js';
import { access } from '../access.js';
import { sendTagged } from '../answer.js';
import type { AppEnv } from '../env.js';
import { deleted, selector } from '../params.js';

export function npmRoutes(packages: PackageService): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const npmAccess = access('read', { tokenAlways: true });
  const packument = async (c: Context<AppEnv>, name: string) => {
    const abbreviated = /application\/vnd\.npm\.install-v1\+json/i.test(c.req.header('Accept') ?? '');
    const found = await packages.packument(name, abbreviated, new URL(c.req.url).origin);
    if (!found) return notFound(c);
    c.header('Vary', 'Accept');
    return c.body(JSON.stringify(found.body), 200, { 'Content-Type': found.contentType });
  };
  // npm asks for `@scope%2fname`, which is one path segment; `@scope/name` is two.
  app.get('/npm/:package', npmAccess, (c) => packument(c, c.req.param('package')));
  app.get('/npm/:scope/:name', npmAccess, (c) => packument(c, `${c.req.param('scope')}/${c.req.param('name')}`));
  app.get('/npm/:scope/:name/-/:file', npmAccess, async (c) => {
    const archive = await packages.tarball(`${c.req.param('scope')}/${c.req.param('name')}`, c.req.param('file'));
    return archive ? sendArchive(c, archive, 'application/octet-stream', true) : notFound(c);
  });
  return app;
}

/** `GET /v1/contracts/{name}/versions/{version}/sdk/{lang}`: the version's SDK as a .tar.gz (files under `package/`). */
export function sdkRoutes(registry: Registry, packages: PackageService): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/:name/versions/:version/sdk/:lang', access('read'), async (c) => {
    const version = selector(c.req.param('version'));
    const { contract, row } = await registry.versionRows(c.req.param('name'), version, deleted(c));
    const archive = await packages.archive(contract, row, c.req.param('lang'));
    c.header('Content-Disposition', `attachment; filename="${contract.name}-${row.version}-${c.req.param('lang')}.tar.gz"`);
    // "latest" moves on; a numbered version's archive does not.
    return sendArchive(c, archive, 'application/gzip', version !== 'latest');
  });
  return app;
}

/** The same bytes for the same archive, always: an ETag from its hash; cacheable for good where the URL names one archive. */
function sendArchive(c: Context<AppEnv>, archive: ArchiveRow, type: string, immutable: boolean): Response {
  const etag = `"${archive.shasum}"`;
  return sendTagged(c, etag, new Uint8Array(archive.tarball), { 'Cache-Control': immutable ? 'private, max-age=31536000, immutable' : 'no-cache', 'Content-Type': type });
}

/** npm reads `error` from a 404's JSON. */
function notFound(c: Context<AppEnv>): Response {
  return c.json({ error: 'Not found' }, 404);
}
