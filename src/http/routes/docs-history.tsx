/**
 * Docs: a contract's history (`/docs/{name}/history`) and the diff between any two of its
 * versions (`/docs/{name}/diff?from=&to=`). Both are registered before
 * `/docs/:name/:version`, which would take "history" and "diff" for a version.
 */
import { Hono } from 'hono';
import { DiffView, HistoryView, NothingToCompare, sideBySide } from '../../docs/history.js';
import { HeraldError } from '../../errors.js';
import type { Registry, VersionSelector } from '../../registry/registry.js';
import type { AppEnv } from '../env.js';
import { deleted, selector } from '../params.js';
import { pageAccess, secure } from './docs.js';

export function historyRoutes(registry: Registry): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/docs/:name/history', pageAccess(), async (c) => {
    secure(c);
    const name = c.req.param('name');
    const includeDeleted = deleted(c);
    const versions = await registry.listVersions(name, includeDeleted);
    if (versions.length === 0) throw new HeraldError('not-found', `Contract "${name}" has no live version.`);
    const { contract } = await registry.model(name, versions.at(-1)!.version, true);
    return c.html(<HistoryView name={name} title={contract.title} versions={versions} includeDeleted={includeDeleted} />);
  });
  app.get('/docs/:name/diff', pageAccess(), async (c) => {
    secure(c);
    const name = c.req.param('name');
    const includeDeleted = deleted(c);
    const query = (key: string): VersionSelector | undefined => {
      const raw = c.req.query(key);
      return raw === undefined || raw === '' ? undefined : selector(raw);
    };
    const [fromAsked, toAsked] = [query('from'), query('to')];
    const versions = await registry.listVersions(name, includeDeleted);
    const to = await registry.model(name, toAsked ?? 'latest', includeDeleted);
    // Without `from`, the live version just before `to`.
    const from = fromAsked ?? versions.filter((v) => v.version < to.version && !v.deletedAt).at(-1)?.version;
    if (from === undefined) return c.html(<NothingToCompare name={name} title={to.contract.title} version={to.version} />);
    const report = await registry.diff(name, from, to.version, includeDeleted);
    const [before, after] = await Promise.all([registry.getDocument(name, report.from, includeDeleted), registry.getDocument(name, report.to, includeDeleted)]);
    return c.html(<DiffView name={name} title={to.contract.title} versions={versions} includeDeleted={includeDeleted} report={report} model={to.contract} rows={sideBySide(before.body.toString(), after.body.toString())} />);
  });
  return app;
}
