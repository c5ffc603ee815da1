/** /v1/schemas, /v1/config and /v1/tokens. */
import { Hono } from 'hono';
import { HeraldError } from '../../errors.js';
import type { ConfigService } from '../../registry/config.js';
import type { Registry } from '../../registry/registry.js';
import type { TokenService } from '../../registry/tokens.js';
import type { AppEnv } from '../env.js';
import { jsonBody } from '../json-body.js';

export function schemaRoutes(registry: Registry): Hono<AppEnv> {
  return new Hono<AppEnv>().get('/:id', async (c) => {
    const raw = c.req.param('id');
    if (!/^[1-9]\d{0,9}$/.test(raw)) throw new HeraldError('bad-request', `"${raw}" is not a schema id: ids are positive integers.`);
    return c.json(await registry.getSchema(Number(raw)));
  });
}

export function configRoutes(config: ConfigService): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .get('/', async (c) => c.json(await config.getGlobal()))
    .put('/', async (c) => c.json(await config.putGlobal(await jsonBody(c))))
    .delete('/', async (c) => c.json(await config.deleteGlobal()))
    .get('/:name', async (c) => c.json(await config.effective(c.req.param('name'))))
    .put('/:name', async (c) => c.json(await config.putContract(c.req.param('name'), await jsonBody(c))))
    .delete('/:name', async (c) => c.json(await config.deleteContract(c.req.param('name'))));
}

export function tokenRoutes(tokens: TokenService): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .post('/', async (c) => c.json(await tokens.create(await jsonBody(c), c.get('principal').name), 201))
    .get('/', async (c) => c.json({ tokens: await tokens.list() }))
    .delete('/:name', async (c) => {
      await tokens.delete(c.req.param('name'));
      return c.body(null, 204);
    });
}
