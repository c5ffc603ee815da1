/**
 * The worst of each family of hostile input, against a normal contract in the same run:
 * how long Herald takes to answer (a verdict, or the budget's "too complex to judge", or a
 * limit's 422), and the work the compatibility engine counted. In process: the engine, the
 * validators and the parser alone, without HTTP or workers.
 */
import { readFileSync } from 'node:fs';
import { Budget } from '../src/compat/budget.js';
import { checkCompatibility } from '../src/compat/verdict.js';
import { DEFAULT_LIMITS, ingest, type IngestedDocument } from '../src/contracts/ingest.js';
import { compilePattern } from '../src/contracts/regex.js';
import { largeEnum, mutuallyRecursive, nestedAnyOf, refFanOut } from '../test/helpers/attacks.js';
import { measure, ms, table } from './stats.js';

async function pair(before: string, after: string): Promise<[IngestedDocument, IngestedDocument]> {
  return [await ingest(before, 'yaml', { ...DEFAULT_LIMITS, maxDocumentBytes: 64 * 1024 * 1024 }), await ingest(after, 'yaml', { ...DEFAULT_LIMITS, maxDocumentBytes: 64 * 1024 * 1024 })];
}

function judge([a, b]: [IngestedDocument, IngestedDocument], maxSteps = 2_000_000): { answer: string; steps: number } {
  const budget = new Budget({ maxSteps, maxMs: 10_000, now: () => performance.now() });
  try {
    const v = checkCompatibility(b, [{ ...a, version: 1 }], 'AUTO', 'lenient', { budget });
    return { answer: `${v.compatible ? 'compatible' : 'incompatible'}, ${v.changes.length} change${v.changes.length === 1 ? '' : 's'}`, steps: budget.spent };
  } catch (err) {
    return { answer: `422 ${(err as Error).message.slice(0, 40)}…`, steps: budget.spent };
  }
}

export async function benchHardening(runs = 10): Promise<string> {
  const out: string[] = [];
  const orders = readFileSync('specs/orders.yaml', 'utf8');
  const ordersChanged = orders.replace('        couponCode: { type: string }', '        couponCode: { type: string }\n        giftWrap: { type: boolean }');
  if (ordersChanged === orders) throw new Error('specs/orders.yaml changed shape: the bench cannot add its property');

  const families: Array<[string, string, () => Promise<[IngestedDocument, IngestedDocument]>, number?]> = [
    ['normal: specs/orders.yaml, one property added', '—', () => pair(orders, ordersChanged)],
    ['enum of 20,000 values, one swapped', '32.6 s (5,000 values); > 300 s', () => pair(largeEnum(20_000, 0), largeEnum(20_000, 1))],
    ['enum of 50,000 values (489 KB), one swapped', '40 s blocked', () => pair(largeEnum(50_000, 0), largeEnum(50_000, 1))],
    ['anyOf of 8 branches, 3 levels (158 KB)', '51 s', () => pair(nestedAnyOf(8, 3, 0), nestedAnyOf(8, 3, 1))],
    ['$ref fan-out 10 ways, 5 levels (3 KB, 100,000 paths)', '6.7 s, 41 MB answer', () => pair(refFanOut(10, 5, 0), refFanOut(10, 5, 1))],
    ['30 mutually recursive types', 'refused (ref-expansion-limit)', () => pair(mutuallyRecursive(30, 2, 0), mutuallyRecursive(30, 2, 1))],
    ['anyOf 8 x 3 with HERALD_COMPAT_MAX_STEPS=1000', '—', () => pair(nestedAnyOf(8, 3, 0), nestedAnyOf(8, 3, 1)), 1000],
  ];
  const rows: Array<Record<string, string | number>> = [];
  for (const [label, before, load, maxSteps] of families) {
    const docs = await load();
    const { answer, steps } = judge(docs, maxSteps);
    const t = await measure(() => judge(docs, maxSteps), { runs, warmup: 1 });
    rows.push({ check: label, 'reported before the fix': before, answer, steps: Math.round(steps), p50: ms(t.p50), p99: ms(t.p99) });
  }
  out.push(`## Hardening: compatibility checks on hostile documents (engine alone, AUTO lenient; ${runs} runs)\n`, table(rows), '');

  // Regular expressions: Herald's linear-time engine, and JavaScript's backtracking RegExp.
  const catastrophic = '^(a+)+$';
  const re2 = compilePattern(catastrophic, 're2');
  const native = new RegExp(catastrophic);
  const regexRows: Array<Record<string, string | number>> = [];
  for (const n of [20, 22, 24, 30, 100_000]) {
    const s = 'a'.repeat(n) + '!';
    const herald = await measure(() => re2.test(s), { runs, warmup: 1 });
    // Backtracking doubles with each a: 30 would take minutes, so it is measured up to 24.
    const js = n <= 24 ? await measure(() => native.test(s), { runs: 3, warmup: 0 }) : undefined;
    regexRows.push({ input: `${n.toLocaleString('en')} a's and "!"`, 'Herald (RE2) p50': ms(herald.p50), 'JavaScript RegExp p50': js ? ms(js.p50) : n === 30 ? '9.7 s reported (32: 35.8 s)' : 'not measured' });
  }
  const uuid = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
  const id = '7f0c2e4a-3b1d-4c5e-9f6a-1b2c3d4e5f60';
  const perCall = async (test: (s: string) => boolean) => (await measure(() => { for (let i = 0; i < 10_000; i++) test(id); }, { runs, warmup: 2 })).p50 / 10_000;
  const heraldUuid = await perCall((s) => compilePattern(uuid, 're2').test(s));
  const nativeUuid = await perCall((s) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(s));
  regexRows.push({ input: `normal: a UUID against ${uuid.slice(0, 20)}…`, 'Herald (RE2) p50': `${(heraldUuid * 1000).toFixed(2)} µs`, 'JavaScript RegExp p50': `${(nativeUuid * 1000).toFixed(3)} µs` });
  out.push(`## Hardening: the pattern ${catastrophic} against a string of a's and one "!"\n`, table(regexRows), '');

  // Parsing: the limits answer before any tree is built.
  const alias = (size: number) => ['asyncapi: 3.0.0', "info: {title: t, version: '1'}", `x-a: &a "${'x'.repeat(size)}"`, ...Array.from({ length: 99 }, (_, i) => `x-${i}: *a`)].join('\n');
  const parseRows: Array<Record<string, string | number>> = [];
  const docs: Array<[string, string, string, 'yaml' | 'json']> = [
    ['normal: specs/orders.yaml registered (parsed, validated, modelled)', '—', orders, 'yaml'],
    ['1 MB string aliased 99 times', 'stored 100 MB after 24.7 s', alias(1_000_000), 'yaml'],
    ['5 MiB string aliased 99 times', '105 s, 5 GB, 500', alias(5 * 1024 * 1024 - 2000), 'yaml'],
    ['5 MiB of unclosed [ (YAML)', 'out of memory after 65 s', '['.repeat(5 * 1024 * 1024), 'yaml'],
    ['5 MiB of balanced [[...]] (JSON)', '34 s, 3 GB', '['.repeat(2.5 * 1024 * 1024) + ']'.repeat(2.5 * 1024 * 1024), 'json'],
  ];
  for (const [label, before, text, format] of docs) {
    let answer = '';
    const t = await measure(
      async () => {
        try {
          await ingest(text, format);
          answer = 'accepted';
        } catch (err) {
          answer = `422 ${(err as { diagnostics?: Array<{ rule: string }> }).diagnostics?.[0]?.rule ?? (err as Error).message}`;
        }
      },
      { runs: Math.max(3, Math.floor(runs / 2)), warmup: 1 },
    );
    parseRows.push({ document: label, 'reported before the fix': before, answer, p50: ms(t.p50), p99: ms(t.p99) });
  }
  out.push('## Hardening: registering hostile documents (parse to verdict, in process)\n', table(parseRows), '');
  return out.join('\n');
}
