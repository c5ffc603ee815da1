/**
 * The HTTP API: middleware in order (request id, log, ETag, body limit, access guard), then
 * the route modules, each route with its access declaration (access.ts). Routes only
 * translate HTTP to module calls; rules live in registry/ and gateway/. `createApp` is the
 * registry with its gateway (`herald serve`); `createGatewayApp` is the gateway alone
 * (`herald gateway`), reading contracts over HTTP.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { etag } from 'hono/etag';
import { requestId } from 'hono/request-id';
import type { Logger } from 'pino';
import { HeraldError } from '../errors.js';
import type { Gateway } from '../gateway/gateway.js';
import type { ConfigService } from '../registry/config.js';
import type { PackageService } from '../registry/packages.js';
import type { Registry } from '../registry/registry.js';
import type { TokenService } from '../registry/tokens.js';
import type { Store } from '../store/store.js';
import type { AppEnv } from './env.js';
import { accessGuard, type Authenticator } from './access.js';
import { requestLog } from './middleware.js';
import { SplitRouter } from './router.js';
import { notFoundRoute, onError, problemResponse } from './problem.js';
import { configRoutes, schemaRoutes, tokenRoutes } from './routes/admin.js';
import { contractRoutes } from './routes/contracts.js';
import { npmRoutes, sdkRoutes } from './routes/packages.js';
import { metricsRoutes, provisionRoutes, publishRoutes } from './routes/gateway.js';
import { browseRoutes } from './routes/docs.js';
import { docsRoutes, healthRoutes, loadOpenApi } from './routes/meta.js';

interface CommonDeps {
  gateway: Gateway;
  logger: Logger;
  maxBodyBytes: number;
  /** The most messages one batch publish may carry. */
  maxBatch: number;
  readAuth: boolean;
  /** With an admin token, /metrics needs a read token unless this is set (HERALD_METRICS_PUBLIC). */
  metricsPublic: boolean;
}

export interface AppDeps extends CommonDeps {
  store: Store;
  registry: Registry;
  packages: PackageService;
  config: ConfigService;
  tokens: TokenService;
}

function base(deps: CommonDeps, tokens: Authenticator): Hono<AppEnv> {
  const app = new Hono<AppEnv>({ router: new SplitRouter() });
  const withEtag = etag();
  const ran = () => Promise.resolve();
  app.use(requestId());
  app.use(requestLog(deps.logger));
  const limit = bodyLimit({
    maxSize: deps.maxBodyBytes,
    onError: (c) => problemResponse(c, new HeraldError('payload-too-large', `The request body is larger than the limit of ${deps.maxBodyBytes} bytes (HERALD_MAX_BODY_BYTES).`)),
  });
  // One layer for both, as every layer costs each request: an ETag for a GET's answer, the
  // body limit for any request that may carry a body (the API's and the sign-in form's). A GET
  // or HEAD has none, and asking it for one would make node-server build a whole Request: a
  // third of a read's time. hono's etag middleware runs after the route (`ran` stands for
  // it), and only on answers that have not answered If-None-Match themselves (answer.ts).
  app.use(async (c, next) => {
    const method = c.req.method;
    if (method === 'HEAD') return next();
    if (method !== 'GET') return limit(c, next);
    await next();
    if (!c.get('conditional')) await withEtag(c, ran);
  });
  // Last: everything registered after it belongs to a route, which declares its access.
  app.use(accessGuard(tokens, deps.readAuth));
  app.route('/v1/publish', publishRoutes(deps.gateway, deps.maxBatch));
  app.route('/v1/contracts', provisionRoutes(deps.gateway));
  app.route('/', metricsRoutes(deps.gateway, deps.metricsPublic));
  app.onError(onError);
  app.notFound(notFoundRoute);
  return app;
}

export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = base(deps, deps.tokens);
  app.route('/v1/contracts', contractRoutes(deps.registry));
  app.route('/v1/contracts', sdkRoutes(deps.registry, deps.packages));
  app.route('/', npmRoutes(deps.packages));
  app.route('/v1/schemas', schemaRoutes(deps.registry));
  app.route('/v1/config', configRoutes(deps.config));
  app.route('/v1/tokens', tokenRoutes(deps.tokens));
  app.route('/', healthRoutes(deps.gateway, deps.store));
  app.route('/', docsRoutes(loadOpenApi()));
  app.route('/', browseRoutes(deps));
  return app;
}

/** The gateway alone: stateless, so several can run behind a load balancer. */
export function createGatewayApp(deps: CommonDeps & { tokens: Authenticator }): Hono<AppEnv> {
  const app = base(deps, deps.tokens);
  app.route('/', healthRoutes(deps.gateway));
  return app;
}
