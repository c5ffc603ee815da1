/** /v1/schemas, /v1/config and /v1/tokens. Each route declares its access. */
import { Hono } from 'hono';
import type { ConfigService } from '../../registry/config.js';
import type { Registry } from '../../registry/registry.js';
import type { TokenService } from '../../registry/tokens.js';
import { access } from '../access.js';
import type { AppEnv } from '../env.js';
import { send } from '../answer.js';
import { jsonBody } from '../json-body.js';
import { schemaId, tokenName } from '../params.js';

export function schemaRoutes(registry: Registry): Hono<AppEnv> {
  return new Hono<AppEnv>().get('/:id', access('read'), async (c) => send(c, await registry.getSchema(schemaId(c.req.param('id'))), 'application/json'));
}

/** Settings are read like contracts; changing them is for admins. */
export function configRoutes(config: ConfigService): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .get('/', access('read'), async (c) => c.json(await config.getGlobal()))
    .put('/', access('admin'), async (c) => c.json(await config.putGlobal(await jsonBody(c))))
    .delete('/', access('admin'), async (c) => c.json(await config.deleteGlobal()))
    .get('/:name', access('read'), async (c) => c.json(await config.effective(c.req.param('name'))))
    .put('/:name', access('admin'), async (c) => c.json(await config.putContract(c.req.param('name'), await jsonBody(c))))
    .delete('/:name', access('admin'), async (c) => c.json(await config.deleteContract(c.req.param('name'))));
}

/** Tokens are for admins alone, listing them too. */
export function tokenRoutes(tokens: TokenService): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .post('/', access('admin'), async (c) => c.json(await tokens.create(await jsonBody(c), c.get('principal').name), 201))
    .get('/', access('admin'), async (c) => c.json({ tokens: await tokens.list() }))
    .delete('/:name', access('admin'), async (c) => {
      await tokens.delete(tokenName(c.req.param('name')));
      return c.body(null, 204);
    });
}
