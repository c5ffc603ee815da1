/**
 * The one entry point from text to contract: parse (with limits), validate (as strictly as
 * the AsyncAPI parser's default ruleset), normalize, fingerprint and extract the message
 * schemas. Throws `InvalidDocumentError` with located diagnostics; never does I/O.
 */
import { InvalidDocumentError, type Diagnostic } from '../errors.js';
import { appendPointer } from './pointer.js';
import { fingerprint } from './canonical.js';
import type { Contract, JsonSchema } from './model.js';
import { toContract } from './normalize.js';
import { checkDocumentPatterns, checkRunnableSchemas } from './schema-checks.js';
import { parseText, type ParsedText, type SourceFormat, type TextLimits } from './text.js';
import { validateDocument } from './validate.js';

export interface IngestLimits extends TextLimits {
  /** Most nodes the document may have once its references are expanded. */
  maxRefNodes: number;
}

export const DEFAULT_LIMITS: IngestLimits = { maxYamlAliases: 100, maxDocumentBytes: 20 * 1024 * 1024, maxDepth: 128, maxRefNodes: 1_000_000 };

export const JSON_SCHEMA_FORMAT = 'application/schema+json';

export interface MessageSchema {
  channel: string;
  message: string;
  part: 'payload' | 'headers';
  /** `application/schema+json` for JSON Schema, else the message's schemaFormat. */
  format: string;
  schema: JsonSchema;
  /** sha-256 over the format and the canonical JSON of the schema. */
  fingerprint: string;
}

export interface IngestedDocument {
  format: SourceFormat;
  /** The document as data: what Herald stores as the normalized document. */
  document: Record<string, unknown>;
  /** sha-256 of the canonical JSON of `document`: equal for equal content in YAML or JSON. */
  fingerprint: string;
  asyncapiVersion: string;
  infoVersion: string;
  contract: Contract;
  schemas: MessageSchema[];
}

export async function ingest(text: string, format: SourceFormat, limits: IngestLimits = DEFAULT_LIMITS): Promise<IngestedDocument> {
  const parsed = parseText(text, format, limits);
  const unstorable = unstorableCharacters(text, parsed.data);
  if (unstorable.length > 0) throw new InvalidDocumentError(locate(unstorable, parsed));
  const { version, resolved, diagnostics } = validateDocument(parsed.data, limits.maxRefNodes);
  if (diagnostics.length > 0 || version === undefined || resolved === undefined) throw new InvalidDocumentError(locate(diagnostics, parsed));
  const document = parsed.data as Record<string, unknown>;
  const contract = toContract(document, resolved);
  // Patterns first, each named where it is written; a schema holding one would not compile either.
  const patterns = checkDocumentPatterns(document);
  if (patterns.length > 0) throw new InvalidDocumentError(locate(patterns, parsed));
  const unrunnable = checkRunnableSchemas(contract);
  if (unrunnable.length > 0) throw new InvalidDocumentError(locate(unrunnable, parsed));
  return {
    format,
    document,
    fingerprint: fingerprint(document),
    asyncapiVersion: version,
    infoVersion: contract.version,
    contract,
    schemas: extractSchemas(contract),
  };
}

/** A NUL, or half of a UTF-16 surrogate pair alone (which a JSON escape such as "\ud800" can write). */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Characters PostgreSQL cannot store (NUL, in text or JSON) or that are not Unicode at all
 * (a lone surrogate): refused with their place, rather than failing in storage.
 * Iterative: the data may be deep.
 */
function unstorableCharacters(text: string, data: unknown): Diagnostic[] {
  // Only a raw character or an escape (\u, and YAML's \0 and \x) can put one in the data.
  if (!UNSTORABLE.test(text) && !/\\[u0x]/.test(text)) return [];
  const found: Diagnostic[] = [];
  const say = (pointer: string, what: string) =>
    found.push({ rule: 'unstorable-character', pointer, message: `${what} holds a NUL character or a lone UTF-16 surrogate, which Herald cannot store.` });
  const stack: Array<[unknown, string]> = [[data, '']];
  while (stack.length > 0 && found.length < 10) {
    const [value, pointer] = stack.pop()!;
    if (typeof value === 'string') {
      if (UNSTORABLE.test(value)) say(pointer, 'This value');
    } else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        const at = appendPointer(pointer, key);
        if (UNSTORABLE.test(key)) say(at, `The key ${JSON.stringify(key)}`);
        stack.push([child, at]);
      }
    }
  }
  // Outside any value (in a comment): the text itself cannot be stored.
  if (found.length === 0 && text.includes('\u0000')) say('', 'The document text');
  return found;
}

export function extractSchemas(contract: Contract): MessageSchema[] {
  const out: MessageSchema[] = [];
  for (const channel of contract.channels) {
    for (const message of channel.messages) {
      for (const part of ['payload', 'headers'] as const) {
        const schema = message[part];
        if (schema === undefined) continue;
        const format = part === 'payload' && message.schemaFormat ? message.schemaFormat : JSON_SCHEMA_FORMAT;
        out.push({ channel: channel.id, message: message.id, part, format, schema, fingerprint: schemaFingerprint(format, schema) });
      }
    }
  }
  return out;
}

export const schemaFingerprint = (format: string, schema: JsonSchema) => fingerprint({ format, schema });

function locate(diagnostics: Diagnostic[], parsed: ParsedText): Diagnostic[] {
  return diagnostics.map((d) => ({ ...d, ...(d.line === undefined ? parsed.locate(d.pointer) : {}) }));
}
