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

export const openapi = parse(readFileSync(new URL('../../openapi/openapi.yaml', import.meta.url), 'utf8')) as {
  paths: Record<string, Record<string, { responses: Record<string, { $ref?: string; content?: Record<string, { schema?: unknown }> }> }>>;
  components: Record<string, Record<string, unknown>>;
};

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
    response = pointer.slice(2).split('/').reduce<any>((o, k) => o[k.replace(/~1/g, '/').replace(/~0/g, '~')], openapi);
  }
  const type = contentType.split(';')[0]!.trim();
  if (!response!.content) return body === null || body === '' ? [] : [`${status} is documented without a body`];
  if (!response!.content[type]) return [`${method} ${template} ${status} is not documented as ${type}`];
  if (!response!.content[type]!.schema) return [];
  const validate = ajv.getSchema(`${DOC_ID}${pointer}/content/${escape(type)}/schema`);
  if (!validate) throw new Error(`cannot compile the schema at ${pointer}`);
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
}
