/** docs/compatibility.md lists every kind of change, as src/compat/kinds.ts defines them. */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { kindsTable } from '../../src/compat/kinds-table.js';
import { KINDS } from '../../src/compat/kinds.js';

it('the kinds table in docs/compatibility.md is up to date (npm run docs:kinds)', () => {
  const doc = readFileSync('docs/compatibility.md', 'utf8');
  expect(doc).toContain(kindsTable());
  for (const kind of Object.keys(KINDS)) expect(doc).toContain(`| \`${kind}\` |`);
});

it('every kind has a description and an example', () => {
  for (const [kind, k] of Object.entries(KINDS)) {
    expect(k.doc.length, kind).toBeGreaterThan(10);
    expect(k.example.length, kind).toBeGreaterThan(3);
  }
});
