/**
 * Herald validates documents itself (fast), so it must agree with the AsyncAPI parser's
 * default ruleset: accept what it accepts and reject what it rejects.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Parser } from '@asyncapi/parser';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ingest } from '../../src/contracts/ingest.js';
import { findRefs } from '../../src/contracts/refs.js';
import { InvalidDocumentError } from '../../src/errors.js';
import { prepareDocument } from '../../src/cli/bundle.js';
import { CORPUS_DIR, CORPUS_MISSING, corpusFiles, corpusPath, corpusPresent, isFragment, isMultiFile } from '../helpers/corpus.js';
import { mutate, type Mutation } from '../helpers/mutate.js';

const defaultParser = new Parser();

async function heraldVerdict(text: string, format: 'yaml' | 'json' = 'yaml'): Promise<{ ok: boolean; rules: string[] }> {
  try {
    await ingest(text, format);
    return { ok: true, rules: [] };
  } catch (err) {
    if (err instanceof InvalidDocumentError) return { ok: false, rules: err.diagnostics.map((d) => d.rule) };
    throw err;
  }
}

/** Rules of Herald's own, beyond the parser's: schemas the gateway must be able to run, and data it must store. */
const HERALD_ONLY = new Set(['schema-compile', 'pattern-unsupported', 'unstorable-character']);

const remoteRefs = (text: string) =>
  findRefs(parseYaml(text)).map((r) => r.ref).filter((r): r is string => typeof r === 'string' && /^https?:/.test(r));

describe.skipIf(!corpusPresent)(`the spec's examples (${corpusPresent ? 'corpus present' : CORPUS_MISSING})`, () => {
  const single = corpusFiles().filter((f) => !isFragment(f) && !isMultiFile(f));

  it.each(single)('%s: Herald agrees with the default parser', async (rel) => {
    const text = readFileSync(corpusPath(rel), 'utf8');
    const remote = remoteRefs(text);
    const herald = await heraldVerdict(text);
    if (remote.length > 0) {
      // The default parser would fetch these; Herald refuses and names them.
      expect(herald.ok).toBe(false);
      expect(herald.rules).toContain('external-ref');
      return;
    }
    const { document } = await defaultParser.parse(text);
    expect(document, 'the default parser accepts it').toBeDefined();
    expect(herald).toEqual({ ok: true, rules: [] });
  });

  it.each(corpusFiles().filter(isMultiFile))('%s: bundled by the CLI, Herald accepts it like the default parser', async (rel) => {
    const prepared = await prepareDocument(corpusPath(rel), { root: CORPUS_DIR });
    expect(prepared.bundled).toBe(true);
    const { document } = await defaultParser.parse(prepared.text);
    expect(document).toBeDefined();
    expect(await heraldVerdict(prepared.text, prepared.format)).toEqual({ ok: true, rules: [] });
  });

  it('Herald names an https reference instead of fetching it', async () => {
    const rel = single.find((f) => remoteRefs(readFileSync(corpusPath(f), 'utf8')).length > 0);
    expect(rel, 'the corpus has a document with a remote $ref').toBeDefined();
    const text = readFileSync(corpusPath(rel!), 'utf8');
    await expect(ingest(text, 'yaml')).rejects.toSatisfy((err: InvalidDocumentError) =>
      err.diagnostics.some((d) => d.rule === 'external-ref' && d.message.includes(remoteRefs(text)[0]!)),
    );
  });

  it('agrees with the default parser on mutated documents', async () => {
    const docs = single
      .filter((f) => !f.includes('slack') && remoteRefs(readFileSync(corpusPath(f), 'utf8')).length === 0)
      .map((f) => parseYaml(readFileSync(corpusPath(f), 'utf8')) as Record<string, unknown>);
    const mutation = fc.record({ kind: fc.nat(), at: fc.nat(), pick: fc.nat() });
    let compared = 0;
    let parserCrashes = 0;
    let stricter = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 2 }), async (which, mutations: Mutation[]) => {
        const doc = structuredClone(docs[which % docs.length]!);
        for (const m of mutations) mutate(doc, m);
        const text = JSON.stringify(doc);
        const reference = await defaultParser.parse(text);
        // The parser sometimes throws on odd input (a TypeError, a stack overflow) rather
        // than applying a rule; those documents say nothing about its rules.
        if (reference.diagnostics.some((d) => d.code === 'uncaught-error')) {
          parserCrashes++;
          return;
        }
        const herald = await heraldVerdict(text, 'json');
        // Herald also refuses what its gateway could not run or store, which the parser,
        // never running a schema, accepts (docs/validation.md): not a disagreement on the spec.
        if (!herald.ok && reference.document && herald.rules.every((r) => HERALD_ONLY.has(r))) {
          stricter++;
          return;
        }
        compared++;
        expect({ ok: herald.ok, doc: herald.ok === !!reference.document ? 'same' : text }).toEqual({ ok: !!reference.document, doc: 'same' });
      }),
      { numRuns: 150, seed: 20261128 },
    );
    expect(compared).toBeGreaterThan(100);
    expect(parserCrashes).toBeLessThan(50);
    expect(stricter).toBeLessThan(10);
    // 150 runs of the default parser, 0.2-0.45 s each on this 2-vCPU machine as its speed
    // varies: more than the suite's 60 s default on a slow day.
  }, 300_000);
});

describe('documents the default parser rejects (test/fixtures/invalid)', () => {
  const dir = path.resolve('test/fixtures/invalid');
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

  it('cover at least 15 cases', () => expect(files.length).toBeGreaterThanOrEqual(15));

  it.each(files)('%s: rejected by both, with the expected rule', async (file) => {
    const text = readFileSync(path.join(dir, file), 'utf8');
    const expected = /^# expect: (\S+)/m.exec(text)?.[1];
    const { document } = await defaultParser.parse(text);
    expect(document, 'the default parser rejects it').toBeUndefined();
    const herald = await heraldVerdict(text);
    expect(herald.ok).toBe(false);
    expect(herald.rules).toContain(expected);
  });
});
