/** /v1/contracts: register, list, read and delete contract versions. Each route declares its access. */
import { Hono, type Context } from 'hono';
import { accepts } from 'hono/accepts';
import { HeraldError } from '../../errors.js';
import type { SourceFormat } from '../../contracts/text.js';
import { parseMode, parsePolicy } from '../../registry/config.js';
import type { Registry } from '../../registry/registry.js';
import { send } from '../answer.js';
import { access } from '../access.js';
import type { AppEnv } from '../env.js';
import { deleted, intParam, nameText, permanent, selector } from '../params.js';

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];
const JSON_TYPES = ['application/json', 'application/vnd.aai.asyncapi+json'];

export function contractRoutes(registry: Registry): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.post('/:name/versions', access('write'), async (c) => {
    const format = bodyFormat(c.req.header('Content-Type'));
    const text = stripBom(await c.req.text());
    const { created, version } = await registry.register(c.req.param('name'), text, format, c.get('principal').name);
    if (created) c.header('Location', `/v1/contracts/${version.contract}/versions/${version.version}`);
    return c.json(version, created ? 201 : 200);
  });

  // A compatibility check is a POST that stores nothing: it reads.
  app.post('/:name/compatibility', access('read'), async (c) => {
    const format = bodyFormat(c.req.header('Content-Type'));
    const text = stripBom(await c.req.text());
    const overrides = { mode: parseMode(c.req.query('mode')), policy: parsePolicy(c.req.query('policy')) };
    return c.json(await registry.checkCompatibility(c.req.param('name'), text, format, overrides));
  });

  app.get('/:name/versions/:from/diff/:to', access('read'), async (c) =>
    c.json(await registry.diff(c.req.param('name'), selector(c.req.param('from')), selector(c.req.param('to')), deleted(c))),
  );

  app.get('/', access('read'), async (c) => {
    const limit = intParam(c.req.query('limit'), 'limit', 100, 1, 1000);
    const prefix = nameText(c.req.query('prefix'), 'prefix');
    const after = nameText(c.req.query('after'), 'after');
    return c.json(await registry.listContracts({ limit, prefix, after, includeDeleted: deleted(c) }));
  });

  app.get('/:name', access('read'), async (c) => c.json(await registry.getContract(c.req.param('name'), deleted(c))));

  app.delete('/:name', access(deleteScope), async (c) => c.json(await registry.deleteContract(c.req.param('name'), permanent(c))));

  app.get('/:name/versions', access('read'), async (c) => c.json({ versions: await registry.listVersions(c.req.param('name'), deleted(c)) }));

  // Versions never change once registered: answered from memory, with an ETag, and 304 for a
  // known one without storage (the summary's soft-delete status is part of the ETag).
  app.get('/:name/versions/:version', access('read'), async (c) => {
    const answer = await registry.versionAnswer(c.req.param('name'), selector(c.req.param('version')), deleted(c));
    return send(c, answer, 'application/json');
  });

  app.delete('/:name/versions/:version', access(deleteScope), async (c) => {
    const version = selector(c.req.param('version'));
    if (version === 'latest') throw new HeraldError('bad-request', 'Name the version to delete by its number, not "latest".');
    return c.json(await registry.deleteVersion(c.req.param('name'), version, permanent(c)));
  });

  app.get('/:name/versions/:version/document', access('read'), async (c) => {
    // Without Accept (as CI jobs and the gateway ask), the document as registered.
    const wanted = c.req.header('Accept') ? accepts(c, { header: 'Accept', supports: ['application/yaml', 'application/json', '*/*'], default: '' }) : '*/*';
    const target: SourceFormat | 'registered' | undefined = wanted === 'application/yaml' ? 'yaml' : wanted === 'application/json' ? 'json' : wanted === '*/*' ? 'registered' : undefined;
    if (target === undefined) {
      throw new HeraldError('not-acceptable', 'The document is available as application/yaml or application/json.');
    }
    const document = await registry.getDocument(c.req.param('name'), selector(c.req.param('version')), deleted(c), target === 'registered' ? undefined : target);
    c.header('Vary', 'Accept');
    return send(c, document, contentType(document.format));
  });

  return app;
}

/** A soft delete needs write; removing for good needs admin, by the very flag the handler obeys. */
const deleteScope = (c: Context<AppEnv>) => (permanent(c) ? 'admin' : 'write');

const contentType = (format: SourceFormat) => (format === 'yaml' ? 'application/yaml; charset=utf-8' : 'application/json; charset=utf-8');

function bodyFormat(header: string | undefined): SourceFormat {
  const type = (header ?? '').split(';')[0]!.trim().toLowerCase();
  if (YAML_TYPES.includes(type)) return 'yaml';
  if (JSON_TYPES.includes(type)) return 'json';
  throw new HeraldError(
    'unsupported-media-type',
    `Send the AsyncAPI document as application/yaml or application/json${type ? `, not ${type}` : ' (the Content-Type header is missing)'}.`,
  );
}

const stripBom = (text: string) => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
