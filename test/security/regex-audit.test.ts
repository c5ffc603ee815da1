/**
 * Herald's own regular expressions run on what callers send (documents, messages, URLs),
 * and JavaScript runs them by backtracking. Each one is checked here with recheck, a ReDoS
 * analyser: a new one that can take super-linear time fails this test. Schema patterns are
 * another matter: they run in linear time by construction (src/contracts/regex.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { checkSync } from 'recheck';
import { parse } from '@babel/parser';
import type { Node } from '@babel/types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { urlVariables } from '../../src/contracts/rules-common.js';
import { runtimeValidator } from '../../src/contracts/validator.js';

interface Found {
  where: string;
  source: string;
  flags: string;
}

/** Regular expression literals, and `new RegExp('literal')`, in a JavaScript or TypeScript file. */
function regexesIn(file: string): Found[] {
  const ast = parse(readFileSync(file, 'utf8'), { sourceType: 'module', plugins: file.endsWith('.ts') ? ['typescript'] : [] });
  const out: Found[] = [];
  const at = (node: Node) => `${path.relative(process.cwd(), file)}:${node.loc?.start.line}`;
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(visit);
    const n = node as Node & Record<string, unknown>;
    if (n.type === 'RegExpLiteral') out.push({ where: at(n), source: n.pattern as string, flags: n.flags as string });
    if (n.type === 'NewExpression' && (n.callee as Node).type === 'Identifier' && (n.callee as { name: string }).name === 'RegExp') {
      const [pattern, flags] = n.arguments as Array<Node & { value?: unknown }>;
      if (pattern?.type === 'StringLiteral') out.push({ where: at(n), source: pattern.value as string, flags: flags?.type === 'StringLiteral' ? (flags.value as string) : '' });
    }
    for (const [key, value] of Object.entries(n)) if (key !== 'loc' && key !== 'start' && key !== 'end') visit(value);
  };
  visit(ast.program);
  return out;
}

function filesUnder(dir: string, ext: RegExp): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(full, ext) : ext.test(e.name) ? [full] : [];
  });
}

const require = createRequire(import.meta.url);
const ajvFormats = path.join(path.dirname(require.resolve('ajv-formats/package.json')), 'dist', 'formats.js');

/** Not run by Herald, with the reason. */
const NOT_RUN: Array<{ starts: string; why: string }> = [
  { starts: '^(?:https?|ftp):', why: "ajv-formats' `url`: Herald replaces that format with a URL parser (src/contracts/validator.ts isUrl)" },
];

function audit(found: Found[]): string[] {
  const bad: string[] = [];
  for (const r of found) {
    if (NOT_RUN.some((n) => r.source.startsWith(n.starts))) continue;
    const result = checkSync(r.source, r.flags, { timeout: 10_000 });
    if (result.status !== 'safe') {
      const how = result.status === 'vulnerable' ? `${result.complexity.type} (attack: ${JSON.stringify(result.attack.string.slice(0, 40))})` : result.status;
      bad.push(`${r.where} /${r.source}/${r.flags}: ${how}`);
    }
  }
  return bad;
}

describe('regular expressions Herald runs on input', () => {
  it("Herald's own, in src/, are linear", () => {
    const found = filesUnder('src', /\.ts$/).flatMap(regexesIn);
    expect(found.length).toBeGreaterThan(20);
    expect(audit(found)).toEqual([]);
  }, 300_000);

  it('the formats Herald asserts (ajv-formats) are linear', () => {
    const found = regexesIn(ajvFormats);
    expect(found.length).toBeGreaterThan(10);
    expect(audit(found)).toEqual([]);
  }, 300_000);
});

describe('linear replacements of expressions that were not', () => {
  it('urlVariables finds what /{(.+?)}/g finds, and a run of "{" costs one pass', () => {
    const text = fc.array(fc.constantFrom('{', '}', 'a', '\n', '\u2028', '/', '.'), { maxLength: 24 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(text, (t) => {
        expect(urlVariables(t)).toEqual((t.match(/{(.+?)}/g) ?? []).map((v) => v.slice(1, -1)));
      }),
      { numRuns: 20_000 },
    );
    expect(urlVariables('{'.repeat(1_000_000))).toEqual([]);
  });

  it("the `url` format answers at once for the input that makes ajv-formats' expression backtrack", () => {
    const validate = runtimeValidator({ type: 'string', format: 'url' }) as (v: unknown) => boolean;
    expect(validate('ftp://172.30.3.564.1.6.7:1554' + '.1.6.7:1554'.repeat(50_000) + '!')).toBe(false);
    expect(['https://example.com/a?b=c', 'http://10.0.0.1:8080/', 'ftp://files.example.org/x'].map(validate)).toEqual([true, true, true]);
    expect(['example.com', 'https://', 'mailto:ops@example.com', 'https://exa mple.com'].map(validate)).toEqual([false, false, false, false]);
  });
});
