/**
 * Herald builds the contract model itself, from the document it resolved while validating;
 * the official parser's model of the same document is the reference it must agree with.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { prepareDocument } from '../../src/cli/bundle.js';
import { ingest } from '../../src/contracts/ingest.js';
import { findRefs } from '../../src/contracts/refs.js';
import { CORPUS_DIR, corpusFiles, corpusPath, corpusPresent, CORPUS_MISSING, isFragment } from '../helpers/corpus.js';
import { parserContract } from '../helpers/parser-model.js';

/** Herald's model minus the source pointers the parser cannot know. */
function unlocated(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unlocated);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => !['pointer', 'payloadPointer', 'headersPointer'].includes(k))
      .map(([k, v]) => [k, k === 'payload' || k === 'headers' || k === 'schema' || k === 'bindings' ? v : unlocated(v)]),
  );
}

async function both(text: string, format: 'yaml' | 'json'): Promise<[unknown, unknown]> {
  const herald = await ingest(text, format);
  return [unlocated(herald.contract), await parserContract(herald.document)];
}

const sources = [
  ...['specs/orders.yaml', 'specs/payments.yaml', 'specs/notifications.yaml'].map((f) => ({ name: f, load: async () => ({ text: readFileSync(f, 'utf8'), format: 'yaml' as const }) })),
  ...(corpusPresent ? corpusFiles() : [])
    .filter((f) => !isFragment(f))
    .map((f) => ({ name: f, load: async () => prepareDocument(corpusPath(f), { root: CORPUS_DIR }) })),
];

describe(`the contract model agrees with @asyncapi/parser (${corpusPresent ? 'specs and corpus' : `specs only; ${CORPUS_MISSING}`})`, () => {
  it.each(sources)('$name', async ({ load }) => {
    const { text, format } = await load();
    if (findRefs(parseYaml(text)).some((r) => typeof r.ref === 'string' && /^https?:/.test(r.ref))) return;
    const [herald, parser] = await both(text, format);
    expect(herald).toEqual(parser);
  });
});
