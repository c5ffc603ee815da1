/** Docs: the service map at `/docs/map`, across the latest version of every live contract. */
import { Hono } from 'hono';
import { MapView, addresses } from '../../docs/map.js';
import type { Contract } from '../../contracts/model.js';
import type { Registry } from '../../registry/registry.js';
import type { AppEnv } from '../env.js';
import { pageAccess, secure } from './docs.js';

const PAGE = 500;

export function mapRoutes(registry: Registry): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/docs/map', pageAccess(), async (c) => {
    secure(c);
    const contracts: Array<{ name: string; version: number; contract: Contract }> = [];
    for (let after: string | undefined, more = true; more; ) {
      const page = await registry.listContracts({ limit: PAGE, includeDeleted: false, ...(after ? { after } : {}) });
      for (const { name, latestVersion } of page.contracts) {
        if (latestVersion === null) continue;
        contracts.push({ name, ...(await registry.model(name, latestVersion)) });
      }
      after = page.next ?? undefined;
      more = page.next !== null;
    }
    return c.html(<MapView addresses={addresses(contracts)} />);
  });
  return app;
}
