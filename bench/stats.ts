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

const percentile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

function stats(times: number[]): Stats {
  const sorted = [...times].sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), mean: sorted.reduce((a, b) => a + b, 0) / sorted.length };
}

/** Runs the contenders in turn, `runs` times each after `warmup`, so drift hits all of them alike. */
export async function interleaved(fns: Array<(i: number) => Promise<unknown>>, runs: number, warmup: number): Promise<Stats[]> {
  for (let i = 0; i < warmup; i++) for (const fn of fns) await fn(-1 - i);
  const times = fns.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) {
    for (const [k, fn] of fns.entries()) {
      const start = performance.now();
      await fn(i);
      times[k]!.push(performance.now() - start);
    }
  }
  return times.map(stats);
}

/** Operations per second of each synchronous contender, in alternating blocks after a warm-up. */
export function opsPerSecond(fns: Array<() => unknown>, iterations: number, warmup: number, blocks = 10): number[] {
  for (const fn of fns) for (let i = 0; i < warmup; i++) fn();
  const total = fns.map(() => 0);
  const per = Math.ceil(iterations / blocks);
  for (let b = 0; b < blocks; b++) {
    for (const [k, fn] of fns.entries()) {
      const start = performance.now();
      for (let i = 0; i < per; i++) fn();
      total[k]! += performance.now() - start;
    }
  }
  return total.map((t) => (per * blocks) / (t / 1000));
}

export const ms = (v: number) => `${v.toFixed(2)} ms`;

export function table(rows: Array<Record<string, string | number>>): string {
  const cols = Object.keys(rows[0] ?? {});
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(width[i]!)).join(' | ') + ' |';
  return [line(cols), line(width.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => String(r[c]))))].join('\n');
}
