/** Timing helpers for the benchmarks: repeated runs, percentiles, a printed table. */

export interface Stats {
  n: number;
  p50: number;
  p99: number;
  mean: number;
}

export async function measure(fn: (i: number) => Promise<unknown> | unknown, { warmup = 3, runs = 30 } = {}): Promise<Stats> {
  for (let i = 0; i < warmup; i++) await fn(-1 - i);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn(i);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  return { n: runs, p50: at(0.5), p99: at(0.99), mean: times.reduce((a, b) => a + b, 0) / runs };
}

export const ms = (v: number) => `${v.toFixed(2)} ms`;

export function table(rows: Array<Record<string, string | number>>): string {
  const cols = Object.keys(rows[0] ?? {});
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(width[i]!)).join(' | ') + ' |';
  return [line(cols), line(width.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => String(r[c]))))].join('\n');
}
