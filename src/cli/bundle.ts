/**
 * Client-side bundling for `herald register`: a document that spreads over local files is
 * made one document before it is sent, since the registry resolves only internal `$ref`s.
 * Remote (http/https) references are not fetched; the registry then names them.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import $RefParser from '@apidevtools/json-schema-ref-parser';
import { stringify } from 'yaml';
import type { SourceFormat } from '../contracts/text.js';
import { findRefs } from '../contracts/refs.js';
import { parseText } from '../contracts/text.js';
import { DEFAULT_LIMITS } from '../contracts/ingest.js';

export interface PreparedDocument {
  text: string;
  format: SourceFormat;
  /** True when local files were merged in. */
  bundled: boolean;
}

export const formatOf = (file: string): SourceFormat => (path.extname(file).toLowerCase() === '.json' ? 'json' : 'yaml');

export async function prepareDocument(file: string): Promise<PreparedDocument> {
  const text = await readFile(file, 'utf8');
  const format = formatOf(file);
  let data: unknown;
  try {
    data = parseText(text, format, DEFAULT_LIMITS).data;
  } catch {
    // Let the registry report syntax errors with positions: send the text as it is.
    return { text, format, bundled: false };
  }
  const local = findRefs(data).some(({ ref }) => typeof ref === 'string' && !ref.startsWith('#') && !/^https?:/i.test(ref));
  if (!local) return { text, format, bundled: false };
  const bundled = await $RefParser.bundle(path.resolve(file), { resolve: { http: false } });
  return format === 'json'
    ? { text: JSON.stringify(bundled, null, 2) + '\n', format, bundled: true }
    : { text: stringify(bundled), format, bundled: true };
}
