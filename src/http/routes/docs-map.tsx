/** Docs: the service map at `/docs/map`, across the latest version of every live contract. */
import { Hono } from 'hono';
import { MapView, addresses } from '../../docs/map.js';
import type { Contract } from '../../contracts/model.js';
import { liveContracts } from '../../docs/views.js';
import type { Registry } from '../../registry/registry.js';
import type { AppEnv } from '../env.js';
import { pageAccess, secure } from './docs.js';

export function mapRoutes(registry: Registry): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/docs/map', pageAccess(), async (c) => {
    secure(c);
    const contracts: Array<{ name: string; version: number; contract: Contract }> = [];
    for await (const { name, latestVersion } of liveContracts(registry)) contracts.push({ name, ...(await registry.model(name, latestVersion)) });
    return c.html(<MapView addresses={addresses(contracts)} />);
  });
  return app;
}
