/**
 * Payload schemas of AsyncAPI 2.x messages are checked against the AsyncAPI Schema Object,
 * as the parser's AsyncAPI schema parser does. Other schema formats (Avro, RAML, ...) are
 * stored as they are: the parser only warns that it cannot read them.
 */
import type { ValidateFunction } from 'ajv';
import type { Diagnostic } from '../errors.js';
import { newAjv, SPEC_VERSIONS, specSchema, toDiagnostics } from './structure.js';

const JSON_SCHEMA_FORMATS = new Set([
  'application/schema;version=draft-07',
  'application/schema+json;version=draft-07',
  'application/schema+yaml;version=draft-07',
  ...SPEC_VERSIONS.flatMap((v) => [
    `application/vnd.aai.asyncapi;version=${v}`,
    `application/vnd.aai.asyncapi+json;version=${v}`,
    `application/vnd.aai.asyncapi+yaml;version=${v}`,
  ]),
]);

export const isJsonSchemaFormat = (format: string | undefined) => format === undefined || JSON_SCHEMA_FORMATS.has(format);

// A separate Ajv: the Schema Object definitions carry the same $ids as the document schemas.
const ajv = newAjv(true);
const validators = new Map<string, ValidateFunction>();

function validatorFor(version: string): ValidateFunction {
  let fn = validators.get(version);
  if (!fn) {
    const { definitions } = specSchema(version, true);
    fn = ajv.compile({ $ref: `http://asyncapi.com/definitions/${version}/schema.json`, definitions });
    validators.set(version, fn);
  }
  return fn;
}

export function checkPayloadSchema(version: string, format: string | undefined, payload: unknown, pointer: string): Diagnostic[] {
  if (!isJsonSchemaFormat(format)) return [];
  const validate = validatorFor(version);
  if (validate(payload)) return [];
  return toDiagnostics(validate.errors ?? [], 'asyncapi2-schemas').map((d) => ({ ...d, pointer: pointer + d.pointer }));
}
