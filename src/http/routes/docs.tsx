/**
 * The browsable docs (src/docs/): the catalog at `/`, a contract at `/docs/{name}/{version}`
 * (`latest` always resolves to the latest), and the stylesheet. HTML rendered on the server;
 * reads follow the API's access rules. The Content-Security-Policy lets a page load only
 * Herald's own stylesheet and scripts: nothing a document says can run.
 */
import { Hono, type Context } from 'hono';
import { catalog, contractPage, messageExamples } from '../../docs/views.js';
import { CatalogView, ContractView, MessageView } from '../../docs/pages.js';
import { HeraldError } from '../../errors.js';
import { STYLESHEET } from '../../docs/style.js';
import type { Registry } from '../../registry/registry.js';
import { access } from '../access.js';
import type { AppEnv } from '../env.js';
import { deleted, selector } from '../params.js';

export const DOCS_CSP = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/** Security headers on every docs response; set in the handler, so each route stays one handler after its access declaration. */
function secure(c: Context<AppEnv>): void {
  c.header('Content-Security-Policy', DOCS_CSP);
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'no-referrer');
}

export function browseRoutes(registry: Registry): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  // Before /docs/:name/:version, which would take "assets" for a contract.
  app.get('/docs/assets/herald.css', access('public'), (c) => {
    secure(c);
    return c.body(STYLESHEET, 200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'public, max-age=3600' });
  });
  app.get('/', access('read'), async (c) => {
    secure(c);
    return c.html(<CatalogView entries={await catalog(registry)} />);
  });
  app.get('/docs/:name/:version', access('read'), async (c) => {
    secure(c);
    const page = await contractPage(registry, c.req.param('name'), selector(c.req.param('version')), deleted(c));
    return c.html(<ContractView page={page} origin={new URL(c.req.url).origin} />);
  });
  app.get('/docs/:name/:version/channels/:channel/messages/:message', access('read'), async (c) => {
    secure(c);
    const page = await contractPage(registry, c.req.param('name'), selector(c.req.param('version')), deleted(c));
    const channel = page.contract.channels.find((ch) => ch.id === c.req.param('channel'));
    const message = channel?.messages.find((m) => m.id === c.req.param('message'));
    if (!channel || !message) throw new HeraldError('not-found', `Version ${page.version.version} of "${page.name}" has no message "${c.req.param('message')}" in channel "${c.req.param('channel')}".`);
    return c.html(<MessageView page={page} channel={channel} message={message} examples={messageExamples(page.document, message)} />);
  });
  return app;
}
