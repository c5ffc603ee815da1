/** /v1/contracts: register, list, read and delete contract versions. */
import { Hono, type Context } from 'hono';
import { accepts } from 'hono/accepts';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { HeraldError } from '../../errors.js';
import type { SourceFormat } from '../../contracts/text.js';
import { parseMode, parsePolicy } from '../../registry/config.js';
import type { Registry, VersionSelector } from '../../registry/registry.js';
import type { AppEnv } from '../env.js';

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];
const JSON_TYPES = ['application/json', 'application/vnd.aai.asyncapi+json'];

export function contractRoutes(registry: Registry): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.post('/:name/versions', async (c) => {
    const format = bodyFormat(c.req.header('Content-Type'));
    const text = stripBom(await c.req.text());
    const { created, version } = await registry.register(c.req.param('name'), text, format, c.get('principal').name);
    if (created) c.header('Location', `/v1/contracts/${version.contract}/versions/${version.version}`);
    return c.json(version, created ? 201 : 200);
  });

  app.post('/:name/compatibility', async (c) => {
    const format = bodyFormat(c.req.header('Content-Type'));
    const text = stripBom(await c.req.text());
    const overrides = { mode: parseMode(c.req.query('mode')), policy: parsePolicy(c.req.query('policy')) };
    return c.json(await registry.checkCompatibility(c.req.param('name'), text, format, overrides));
  });

  app.get('/:name/versions/:from/diff/:to', async (c) =>
    c.json(await registry.diff(c.req.param('name'), selector(c.req.param('from')), selector(c.req.param('to')), deleted(c))),
  );

  app.get('/', async (c) => {
    const limit = intParam(c.req.query('limit'), 'limit', 100, 1, 1000);
    const prefix = c.req.query('prefix') || undefined;
    const after = c.req.query('after') || undefined;
    return c.json(await registry.listContracts({ limit, prefix, after, includeDeleted: deleted(c) }));
  });

  app.get('/:name', async (c) => c.json(await registry.getContract(c.req.param('name'), deleted(c))));

  app.delete('/:name', async (c) => c.json(await registry.deleteContract(c.req.param('name'), permanent(c))));

  app.get('/:name/versions', async (c) => c.json({ versions: await registry.listVersions(c.req.param('name'), deleted(c)) }));

  app.get('/:name/versions/:version', async (c) =>
    c.json(await registry.getVersion(c.req.param('name'), selector(c.req.param('version')), deleted(c))),
  );

  app.delete('/:name/versions/:version', async (c) => {
    const version = selector(c.req.param('version'));
    if (version === 'latest') throw new HeraldError('bad-request', 'Name the version to delete by its number, not "latest".');
    return c.json(await registry.deleteVersion(c.req.param('name'), version, permanent(c)));
  });

  app.get('/:name/versions/:version/document', async (c) => {
    const { text, format } = await registry.getDocument(c.req.param('name'), selector(c.req.param('version')), deleted(c));
    const wanted = accepts(c, { header: 'Accept', supports: ['application/yaml', 'application/json', '*/*'], default: '' });
    const target: SourceFormat | undefined =
      wanted === 'application/yaml' ? 'yaml' : wanted === 'application/json' ? 'json' : wanted === '*/*' || !c.req.header('Accept') ? format : undefined;
    if (target === undefined) {
      throw new HeraldError('not-acceptable', 'The document is available as application/yaml or application/json.');
    }
    if (target === format) return c.body(text, 200, { 'Content-Type': contentType(format) });
    const data = parseYaml(text, { maxAliasCount: -1 }) as unknown;
    return c.body(target === 'json' ? JSON.stringify(data, null, 2) + '\n' : stringifyYaml(data), 200, { 'Content-Type': contentType(target) });
  });

  return app;
}

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

const deleted = (c: Context<AppEnv>) => flag(c.req.query('deleted'), 'deleted');
const permanent = (c: Context<AppEnv>) => flag(c.req.query('permanent'), 'permanent');

function flag(value: string | undefined, name: string): boolean {
  if (value === undefined || value === 'false') return false;
  if (value === 'true' || value === '') return true;
  throw new HeraldError('bad-request', `?${name}= takes true or false, not "${value}".`);
}

function selector(raw: string): VersionSelector {
  if (raw === 'latest') return 'latest';
  if (/^[1-9]\d{0,8}$/.test(raw)) return Number(raw);
  throw new HeraldError('bad-request', `"${raw}" is not a version: use a positive number or "latest".`);
}

export function intParam(raw: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new HeraldError('bad-request', `?${name}= must be an integer from ${min} to ${max}, not "${raw}".`);
  return n;
}
