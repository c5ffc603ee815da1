/**
 * The AsyncAPI spec's own examples live beside the checkout in ../shared/corpus, not in
 * the repository. Tests that need them skip, saying why, where the folder is absent.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CORPUS_DIR = path.resolve(fileURLToPath(new URL('../../../shared/corpus/asyncapi-spec-examples', import.meta.url)));
export const corpusPresent = existsSync(CORPUS_DIR);
export const CORPUS_MISSING = `AsyncAPI corpus not found at ${CORPUS_DIR} (it sits beside the checkout on the development machines and in CI)`;

if (!corpusPresent) console.warn(`skipping corpus tests: ${CORPUS_MISSING}`);

/** Every .yml/.yaml/.json file under the corpus, relative paths. */
export function corpusFiles(): string[] {
  if (!corpusPresent) return [];
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.(ya?ml|json)$/.test(name)) out.push(path.relative(CORPUS_DIR, full));
    }
  };
  walk(CORPUS_DIR);
  return out;
}

/** Multi-file documents: their entry points, and the fragments they pull in. */
export const isFragment = (rel: string) => rel.includes('/common/');
export const isMultiFile = (rel: string) => rel.includes('social-media/') && !isFragment(rel);
export const corpusPath = (rel: string) => path.join(CORPUS_DIR, rel);
