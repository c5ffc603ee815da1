/**
 * Hostile bodies against a real `herald serve` process (bin/herald.js runs dist/: build
 * first, as `npm test` does). Each body is small on the wire and was, before the text
 * limits, huge in memory or time: one string aliased 99 times (100 MB to 500 MB of data;
 * 1.2 GB and 5 GB of RSS), five mebibytes of `[` (heap exhausted, the process gone), the same
 * of balanced brackets (3 GB), block nesting, floods of syntax errors (an Error object, stack
 * trace and all, per stray token), and millions of tokens for the `yaml` package (22 s, 1.6 GB). Each must be refused with a 4xx problem naming the
 * limit, store nothing, leave /healthz answering, and keep the process's peak RSS near its
 * resting size.
 *
 * The bound, PEAK_GROWTH_BOUND: 256 MiB of peak RSS above the RSS before the request. With
 * the limits in place the largest growth measured is 64 MiB (reading a 5 MiB body and
 * parsing it, or 250,000 tokens of it with the yaml package), a quarter of the bound; the
 * smallest failure it must catch, the 1 MB string aliased 99 times, grew RSS by 589 MiB
 * (and 760 MB in the original report), balanced brackets by 2.3 GiB. Peak is VmHWM from
 * /proc/<pid>/status, reset before each body through /proc/<pid>/clear_refs (where the
 * kernel refuses that, growth is measured from the RSS after start-up, a looser check).
 * Bodies that only took time before (100,000 keys or aliases: 80 s and more) fail by the
 * test timeout without the limits.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../helpers/process.js';

const MiB = 1024 * 1024;
/** HERALD_MAX_BODY_BYTES' default: every body here fits under it, so the parser sees it. */
const BODY_LIMIT = 5 * MiB;
const PEAK_GROWTH_BOUND = 256 * MiB;

const status = (pid: number) => readFileSync(`/proc/${pid}/status`, 'utf8');
const kB = (text: string, field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) * 1024;

/** Resets VmHWM to the current RSS; false where the kernel does not allow it. */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Under the body limit, with room for a little YAML around it. */
const fits = (n: number) => Math.min(n, BODY_LIMIT - 4096);
const repeat = (unit: string, bytes: number) => unit.repeat(Math.floor(fits(bytes) / unit.length));
/** A valid document (without the limit it is stored): a long description, and 99 extensions repeating it. */
const aliased = (stringBytes: number) =>
  `asyncapi: 3.0.0\ninfo:\n  title: t\n  version: '1'\n  description: &big ${'x'.repeat(stringBytes)}\n` +
  Array.from({ length: 99 }, (_, i) => `x-copy${i}: *big`).join('\n') +
  '\n';
/** Block nesting by indentation, as deep as the body allows (about 2,300 levels). */
function indented(bytes: number): string {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size + i + 3 <= fits(bytes); i++) {
    lines.push(`${' '.repeat(i)}k:`);
    size += i + 3;
  }
  return lines.join('\n') + '\n';
}

interface Hostile {
  name: string;
  type: 'application/yaml' | 'application/json';
  body: () => string;
  /** What the problem must name. */
  names: RegExp;
}

const DEPTH = /HERALD_MAX_DEPTH/;
const SIZE = /HERALD_MAX_DOCUMENT_BYTES/;

const HOSTILE: Hostile[] = [
  { name: 'a 1 MB string aliased 99 times', type: 'application/yaml', body: () => aliased(1_000_000), names: SIZE },
  { name: 'a string just under the body limit aliased 99 times', type: 'application/yaml', body: () => aliased(BODY_LIMIT - 8192), names: SIZE },
  { name: '5 MiB of [ as YAML', type: 'application/yaml', body: () => repeat('[', BODY_LIMIT), names: DEPTH },
  { name: '5 MiB of [ as JSON', type: 'application/json', body: () => repeat('[', BODY_LIMIT), names: DEPTH },
  { name: '5 MiB of [ under a YAML key', type: 'application/yaml', body: () => 'a: ' + repeat('[', BODY_LIMIT - 8), names: DEPTH },
  { name: '5 MiB of balanced [[…]] as JSON', type: 'application/json', body: () => '['.repeat(fits(BODY_LIMIT) / 2) + ']'.repeat(fits(BODY_LIMIT) / 2), names: DEPTH },
  { name: '5 MiB of { as YAML', type: 'application/yaml', body: () => repeat('{', BODY_LIMIT), names: DEPTH },
  { name: '5 MiB of { as JSON', type: 'application/json', body: () => repeat('{', BODY_LIMIT), names: DEPTH },
  { name: '5 MiB of balanced {"a":{…}} as JSON', type: 'application/json', body: () => '{"a":'.repeat(fits(BODY_LIMIT) / 6) + '1' + '}'.repeat(fits(BODY_LIMIT) / 6), names: DEPTH },
  { name: '5 MiB of block sequences (- - - …) as YAML', type: 'application/yaml', body: () => repeat('- ', BODY_LIMIT), names: DEPTH },
  { name: 'block mappings nested by indentation as YAML', type: 'application/yaml', body: () => indented(BODY_LIMIT), names: DEPTH },
  { name: 'block nesting with an alias (the yaml package path)', type: 'application/yaml', body: () => 'x: *y\n' + repeat('- ', BODY_LIMIT - 8), names: DEPTH },
  { name: 'a billion laughs', type: 'application/yaml', body: () => laughs(), names: /HERALD_MAX_DOCUMENT_BYTES|HERALD_MAX_YAML_ALIASES/ },
];

/** Ten levels of ten aliases each: 10^10 copies of a short string. */
function laughs(): string {
  let text = 'l0: &l0 "lol"\n';
  for (let i = 1; i <= 10; i++) text += `l${i}: &l${i} [${Array.from({ length: 10 }, () => `*l${i - 1}`).join(', ')}]\n`;
  return text;
}

/** Syntax errors by the hundred thousand: refused as invalid, with a short list of them. */
const FLOODS: Array<Omit<Hostile, 'names'>> = [
  { name: '5 MiB of stray ] as YAML', type: 'application/yaml', body: () => 'a: 1\n' + repeat(']', BODY_LIMIT - 8) },
  { name: '5 MiB of a: a: a: after an alias', type: 'application/yaml', body: () => '*x\n' + repeat('a: ', BODY_LIMIT - 8) },
  { name: '1 MiB of duplicate keys in flow JSON', type: 'application/json', body: () => '{' + repeat('"a":1,', MiB) + '"a":1}' },
  { name: '5 MiB of numbers in a flow sequence, a syntax error at the end (the yaml package for positions)', type: 'application/yaml', body: () => `${dense()}]\n` },
  { name: '5 MiB of numbers in a flow sequence with an unresolved alias', type: 'application/yaml', body: () => `x: *nope\n${dense()}` },
  { name: 'a flat map of 100,000 keys, an alias and a duplicate key', type: 'application/yaml', body: () => 'x: &x 1\n' + Array.from({ length: 100_000 }, (_, i) => `k${i}: *x`).join('\n') + '\nk0: 2\n' },
];

/** A valid document whose body is almost all one flow sequence of numbers: 2.6 million tokens. */
const dense = () => `asyncapi: 3.0.0\ninfo: {title: t, version: '1'}\nx-ints: [${repeat('1,', BODY_LIMIT - 200)}1]\n`;

/**
 * 100,000 aliases, 50 to an anchor: yaml's toJS scans every earlier anchor for each (80 s
 * before); past the yaml package's token budget, js-yaml reads it and its data is measured.
 */
function manyAliases(): string {
  const items: string[] = [];
  for (let a = 0; a < 2000; a++) items.push(`&a${a} ${a}`, ...Array<string>(50).fill(`*a${a}`));
  return `asyncapi: 3.0.0\ninfo: {title: t, version: '1'}\nx-many: [${items.join(', ')}]\n`;
}

describe('hostile bodies against herald serve', () => {
  let server: ServerProcess;
  let pid: number;
  let restingRss: number;
  const figures: string[] = [];

  beforeAll(async () => {
    server = await startServerProcess();
    pid = server.child.pid!;
    // Warm up: a real registration loads the parser, validator and storage paths.
    const orders = readFileSync('specs/orders.yaml', 'utf8');
    const warm = await fetch(`${server.url}/v1/contracts/warm-up/versions`, { method: 'POST', headers: { 'Content-Type': 'application/yaml' }, body: orders });
    expect(warm.status).toBe(201);
    restingRss = kB(status(pid), 'VmRSS');
  });

  afterAll(async () => {
    console.info(`peak RSS growth per body (resting RSS ${(restingRss / MiB).toFixed(0)} MiB):\n${figures.join('\n')}`);
    await server?.stop();
    server?.cleanup();
  });

  /** Posts the body to `contract`, recording the peak RSS growth it caused. */
  async function send(h: Omit<Hostile, 'names'>, contract: string): Promise<{ res: Response; answer: { detail: string; errors?: unknown[] }; growth: number }> {
    const body = h.body();
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(BODY_LIMIT);
    const before = kB(status(pid), 'VmRSS');
    const reset = resetPeak(pid);
    const res = await fetch(`${server.url}/v1/contracts/${contract}/versions`, { method: 'POST', headers: { 'Content-Type': h.type }, body });
    const answer = (await res.json()) as { detail: string; errors?: unknown[] };
    const growth = kB(status(pid), 'VmHWM') - (reset ? before : restingRss);
    figures.push(`  ${h.name}: ${res.status}, +${(Math.max(0, growth) / MiB).toFixed(0)} MiB`);
    return { res, answer, growth };
  }

  /** Posts a hostile body; returns the problem after the checks every hostile body shares. */
  async function post(h: Omit<Hostile, 'names'>): Promise<{ detail: string; errors?: unknown[] }> {
    const { res, answer: problem, growth } = await send(h, 'x');
    expect(res.status, problem.detail).toBeGreaterThanOrEqual(400);
    expect(res.status, problem.detail).toBeLessThan(500);
    expect(res.headers.get('Content-Type')).toMatch(/^application\/problem\+json/);
    expect(growth).toBeLessThan(PEAK_GROWTH_BOUND);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.url}/v1/contracts/x/versions`)).status).toBe(404);
    return problem;
  }

  for (const h of HOSTILE) {
    it(`refuses ${h.name}, naming the limit`, async () => {
      const problem = await post(h);
      expect(problem.detail).toMatch(h.names);
    });
  }

  for (const h of FLOODS) {
    it(`refuses ${h.name}, reporting a few of the errors`, async () => {
      const problem = await post(h);
      expect(problem.errors?.length).toBeGreaterThan(0);
      expect(problem.errors!.length).toBeLessThanOrEqual(21);
    });
  }

  it('reads 100,000 aliases in linear time, and registers them', async () => {
    const { res, answer, growth } = await send({ name: '100,000 aliases, 50 to an anchor (valid, registered)', type: 'application/yaml', body: manyAliases }, 'many');
    expect(res.status, answer.detail).toBe(201);
    expect(growth).toBeLessThan(PEAK_GROWTH_BOUND);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('still registers a normal document afterwards', async () => {
    const orders = readFileSync('specs/orders.yaml', 'utf8');
    const res = await fetch(`${server.url}/v1/contracts/x/versions`, { method: 'POST', headers: { 'Content-Type': 'application/yaml' }, body: orders });
    expect(res.status).toBe(201);
  });
});
