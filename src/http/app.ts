/**
 * The HTTP API: middleware in order (request id, log, ETag, body limit, access), then the
 * route modules. Routes only translate HTTP to registry calls; rules live in registry/.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { etag } from 'hono/etag';
import { requestId } from 'hono/request-id';
import type { Logger } from 'pino';
import { HeraldError } from '../errors.js';
import type { ConfigService } from '../registry/config.js';
import type { Registry } from '../registry/registry.js';
import type { TokenService } from '../registry/tokens.js';
import type { Store } from '../store/store.js';
import type { AppEnv } from './env.js';
import { authenticate, requestLog, scopeFor } from './middleware.js';
import { notFoundRoute, onError, problemResponse } from './problem.js';
import { configRoutes, schemaRoutes, tokenRoutes } from './routes/admin.js';
import { contractRoutes } from './routes/contracts.js';
import { docsRoutes, healthRoutes, loadOpenApi } from './routes/meta.js';

export interface AppDeps {
  store: Store;
  registry: Registry;
  config: ConfigService;
  tokens: TokenService;
  logger: Logger;
  maxBodyBytes: number;
  readAuth: boolean;
}

export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const withEtag = etag();
  app.use(requestId());
  app.use(requestLog(deps.logger));
  app.use((c, next) => (c.req.method === 'GET' ? withEtag(c, next) : next()));
  app.use(
    '/v1/*',
    bodyLimit({
      maxSize: deps.maxBodyBytes,
      onError: (c) =>
        problemResponse(c, new HeraldError('payload-too-large', `The request body is larger than the limit of ${deps.maxBodyBytes} bytes (HERALD_MAX_BODY_BYTES).`)),
    }),
  );
  app.use('/v1/*', authenticate(deps.tokens, scopeFor(deps.readAuth)));

  app.route('/v1/contracts', contractRoutes(deps.registry));
  app.route('/v1/schemas', schemaRoutes(deps.registry));
  app.route('/v1/config', configRoutes(deps.config));
  app.route('/v1/tokens', tokenRoutes(deps.tokens));
  app.route('/', healthRoutes(deps.store));
  app.route('/', docsRoutes(loadOpenApi()));

  app.onError(onError);
  app.notFound(notFoundRoute);
  return app;
}
