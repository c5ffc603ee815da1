/**
 * Checks API responses against openapi/openapi.yaml, so the document and the server
 * cannot drift apart unnoticed.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { createRequire } from 'node:module';
import { parse } from 'yaml';

const require = createRequire(import.meta.url);
const addFormats = require('ajv-formats') as (ajv: Ajv2020) => Ajv2020;

type Parameter = { $ref?: string; name: string; in: 'path' | 'query' | 'header'; schema?: unknown; 'x-herald-scope'?: string };

export interface Operation {
  operationId: string;
  security?: Array<Record<string, string[]>>;
  'x-herald-anonymous'?: 'unless-read-auth' | 'if-metrics-public';
  parameters?: Parameter[];
  requestBody?: { $ref?: string; content?: Record<string, unknown> };
  responses: Record<string, { $ref?: string; content?: Record<string, { schema?: unknown }> }>;
}

export const openapi = parse(readFileSync(new URL('../../openapi/openapi.yaml', import.meta.url), 'utf8')) as {
  paths: Record<string, Record<string, Operation> & { parameters?: Parameter[] }>;
  components: Record<string, Record<string, unknown>>;
};

export const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

/** What `$ref` points at, within the document. */
export function resolve<T>(node: T | { $ref: string }): T {
  const ref = (node as { $ref?: string }).$ref;
  if (!ref) return node as T;
  return ref
    .slice(2)
    .split('/')
    .reduce<any>((o, k) => o[k.replace(/~1/g, '/').replace(/~0/g, '~')], openapi) as T;
}

/** Every operation of the document, with its path-level and own parameters resolved. */
export function operations(): Array<{ method: string; path: string; operation: Operation; parameters: Parameter[] }> {
  return Object.entries(openapi.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((method) => {
      const operation = item[method] as Operation;
      const parameters = [...(item.parameters ?? []), ...(operation.parameters ?? [])].map((p) => resolve<Parameter>(p));
      return { method, path, operation, parameters };
    }),
  );
}

/** The access an operation declares: the scope of its bearer requirement, or public when it has none. */
export interface DeclaredAccess {
  scope: 'public' | 'read' | 'write' | 'admin';
  anonymous: 'never' | 'always' | 'unless-read-auth' | 'if-metrics-public';
  /** Query parameters that, when given, raise the scope (`x-herald-scope`). */
  raisedBy: Array<{ name: string; scope: 'admin' | 'write' }>;
}

export function declaredAccess(operation: Operation, parameters: Parameter[]): DeclaredAccess {
  const security = operation.security;
  if (!security) throw new Error(`${operation.operationId} states no security`);
  const bearer = security.filter((r) => 'bearer' in r);
  const open = security.some((r) => Object.keys(r).length === 0);
  if (bearer.length > 1 || bearer.some((r) => Object.keys(r).length !== 1 || r.bearer!.length !== 1)) {
    throw new Error(`${operation.operationId}: one bearer requirement with one scope, please`);
  }
  const raisedBy = parameters.filter((p) => p['x-herald-scope']).map((p) => ({ name: p.name, scope: p['x-herald-scope'] as 'admin' | 'write' }));
  if (bearer.length === 0) {
    if (!open) throw new Error(`${operation.operationId}: security must allow something`);
    return { scope: 'public', anonymous: 'always', raisedBy };
  }
  const scope = bearer[0]!.bearer![0] as DeclaredAccess['scope'];
  const condition = operation['x-herald-anonymous'];
  // The security list is what holds with an admin token and default settings; the extension says what changes it.
  if (condition === 'unless-read-auth' && !open) throw new Error(`${operation.operationId}: unless-read-auth without the {} alternative`);
  if (condition === 'if-metrics-public' && open) throw new Error(`${operation.operationId}: if-metrics-public is closed by default`);
  if (!condition && open) throw new Error(`${operation.operationId}: {} next to a scope needs x-herald-anonymous`);
  return { scope, anonymous: condition ?? 'never', raisedBy };
}

const DOC_ID = 'https://herald.invalid/openapi.json';
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ ...openapi, $id: DOC_ID } as object);

const escape = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** The path template of the document that matches a concrete request path. */
export function templateFor(path: string): string | undefined {
  const templates = Object.keys(openapi.paths);
  const exact = templates.find((t) => t === path);
  if (exact) return exact;
  return templates.find((t) => new RegExp('^' + t.replace(/\{[^}]+\}/g, '[^/]+') + '$').test(path));
}

/** Validation errors of a response against the document; throws if the document does not describe it. */
export function responseErrors(method: string, path: string, status: number, contentType: string, body: unknown): string[] {
  const template = templateFor(path);
  if (!template) throw new Error(`openapi.yaml has no path for ${path}`);
  const operation = openapi.paths[template]![method.toLowerCase()];
  if (!operation) throw new Error(`openapi.yaml has no ${method} ${template}`);
  let pointer = `#/paths/${escape(template)}/${method.toLowerCase()}/responses/${status}`;
  let response = operation.responses[String(status)];
  if (!response) throw new Error(`openapi.yaml does not describe ${status} for ${method} ${template}`);
  if (response.$ref) {
    pointer = response.$ref;
    response = resolve(response);
  }
  const type = contentType.split(';')[0]!.trim();
  if (!response!.content) return body === null || body === '' ? [] : [`${status} is documented without a body`];
  if (!response!.content[type]) return [`${method} ${template} ${status} is not documented as ${type}`];
  if (!response!.content[type]!.schema) return [];
  const validate = ajv.getSchema(`${DOC_ID}${pointer}/content/${escape(type)}/schema`);
  if (!validate) throw new Error(`cannot compile the schema at ${pointer}`);
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
}
