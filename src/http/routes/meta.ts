/** Health, readiness, the OpenAPI document and its interactive reference page: public, always. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { parse as parseYaml } from 'yaml';
import { HeraldError } from '../../errors.js';
import type { Gateway } from '../../gateway/gateway.js';
import type { Store } from '../../store/store.js';
import { access } from '../access.js';
import type { AppEnv } from '../env.js';
import { logOf } from '../middleware.js';

export const OPENAPI_PATH = fileURLToPath(new URL('../../../openapi/openapi.yaml', import.meta.url));

export function loadOpenApi(): Record<string, unknown> {
  return parseYaml(readFileSync(OPENAPI_PATH, 'utf8')) as Record<string, unknown>;
}

/** Liveness, and readiness of storage (when this process has it) and of every configured broker. */
export function healthRoutes(gateway: Gateway, store?: Store): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .get('/healthz', access('public'), (c) => c.json({ status: 'ok' }))
    .get('/readyz', access('public'), async (c) => {
      const checks: Record<string, { status: 'ok' | 'down'; driver?: string }> = {};
      const [storage, brokers] = await Promise.all([
        store?.ping().then(
          () => true,
          (err: unknown) => (logOf(c)?.warn({ err }, 'storage readiness check failed'), false),
        ),
        gateway.status(),
      ]);
      if (store) checks.storage = { status: storage ? 'ok' : 'down', driver: store.driver };
      for (const b of brokers) checks[b.broker] = { status: b.status };
      const down = Object.entries(checks).filter(([, v]) => v.status === 'down').map(([k]) => k);
      if (down.length > 0) throw new HeraldError('unavailable', `Not ready: ${down.join(', ')} ${down.length === 1 ? 'is' : 'are'} not reachable.`, { checks });
      return c.json({ status: 'ready', checks });
    });
}

const require = createRequire(import.meta.url);
// swagger-ui-dist ships the page's scripts, so /reference works without any CDN.
const swaggerDir = path.dirname(require.resolve('swagger-ui-dist/package.json'));
// A Map, not an object: the asset name comes from the URL, and "__proto__" or "toString" must name nothing.
const ASSETS = new Map([
  ['swagger-ui.css', 'text/css; charset=utf-8'],
  ['swagger-ui-bundle.js', 'text/javascript; charset=utf-8'],
  ['favicon-32x32.png', 'image/png'],
]);

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Herald API reference</title>
<link rel="stylesheet" href="/reference/swagger-ui.css">
<link rel="icon" href="/reference/favicon-32x32.png">
</head>
<body>
<div id="reference"></div>
<script src="/reference/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#reference', deepLinking: true, validatorUrl: null });</script>
</body>
</html>
`;

export function docsRoutes(openapi: Record<string, unknown>): Hono<AppEnv> {
  const json = JSON.stringify(openapi);
  return new Hono<AppEnv>()
    .get('/openapi.json', access('public'), (c) => c.body(json, 200, { 'Content-Type': 'application/json; charset=utf-8' }))
    .get('/reference', access('public'), (c) => c.html(PAGE))
    .get('/reference/:asset', access('public'), (c) => {
      const asset = c.req.param('asset');
      const type = ASSETS.get(asset);
      if (!type) throw new HeraldError('not-found', `No reference asset "${asset.slice(0, 64)}".`);
      return c.body(readFileSync(path.join(swaggerDir, asset)), 200, { 'Content-Type': type, 'Cache-Control': 'public, max-age=86400' });
    });
}
