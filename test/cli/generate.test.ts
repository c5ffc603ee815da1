/** `herald generate` for CI: from a file or the registry, into a folder; --check; exit codes. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServerProcess, type ServerProcess } from '../helpers/process.js';

const dir = mkdtempSync(path.join(tmpdir(), 'herald-generate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const out = (name: string) => path.join(dir, name);

describe('herald generate, offline', () => {
  it('writes the TypeScript package of a file: the same files as generated/, and --check then says up to date', async () => {
    const res = await runCli(['generate', 'specs/orders.yaml', '--out', out('orders')]);
    expect([res.code, res.stderr]).toEqual([0, '']);
    expect(res.stdout).toContain('12 files (typescript)');
    for (const f of ['package.json', 'models.d.ts', 'validators.js', 'README.md']) expect(readFileSync(path.join(out('orders'), f), 'utf8')).toBe(readFileSync(`generated/orders/${f}`, 'utf8'));
    expect(JSON.parse(readFileSync(path.join(out('orders'), 'package.json'), 'utf8'))).toMatchObject({ name: '@herald/orders', type: 'module', version: '1.4.0' });
    const check = await runCli(['generate', 'specs/orders.yaml', '--out', out('orders'), '--check']);
    expect([check.code, check.stdout.trim()]).toEqual([0, `${out('orders')}: up to date (12 files)`]);
  });

  it('--check exits 1 and lists what differs, what is missing and what is not generated; it writes nothing', async () => {
    await runCli(['generate', 'specs/orders.yaml', '--out', out('stale')]);
    writeFileSync(path.join(out('stale'), 'models.d.ts'), '// edited by hand\n');
    rmSync(path.join(out('stale'), 'README.md'));
    writeFileSync(path.join(out('stale'), 'extra.js'), '');
    const res = await runCli(['generate', 'specs/orders.yaml', '--out', out('stale'), '--check']);
    expect(res.code).toBe(1);
    expect(res.stdout.split('\n').slice(1).filter(Boolean)).toEqual(['  missing: README.md', '  differs: models.d.ts', '  not generated: extra.js']);
    expect(readFileSync(path.join(out('stale'), 'models.d.ts'), 'utf8')).toBe('// edited by hand\n');
  });

  it('--package names the package; --lang refuses what it does not know', async () => {
    expect((await runCli(['generate', 'specs/orders.yaml', '--out', out('named'), '--package', '@acme/orders-sdk'])).code).toBe(0);
    expect(JSON.parse(readFileSync(path.join(out('named'), 'package.json'), 'utf8')).name).toBe('@acme/orders-sdk');
    const bad = await runCli(['generate', 'specs/orders.yaml', '--out', out('x'), '--lang', 'cobol']);
    expect([bad.code, bad.stderr.trim()]).toEqual([2, expect.stringContaining('--lang must be one of typescript, java, python, go, csharp, rust, kotlin, not "cobol"')]);
  });

  it('exits 2 with the same one-line diagnostic as register for an unusable document', async () => {
    const broken = path.join(dir, 'broken.yaml');
    writeFileSync(broken, readFileSync('specs/orders.yaml', 'utf8').replace('    address: orders.cancelled.v1\n', '    address: orders.cancelled.v1\n    adress: typo\n'));
    const [gen, reg] = [await runCli(['generate', broken, '--out', out('broken')]), await runCli(['register', broken, '--contract', 'x', '--registry', 'http://127.0.0.1:1'])];
    expect(gen.code).toBe(2);
    expect(gen.stderr.trim().split('\n')).toHaveLength(1);
    expect(gen.stderr).toMatch(/broken\.yaml:\d+:\d+: not a valid AsyncAPI document: .*adress/);
    expect(reg.code).toBe(2);
  });

  it('reads no file outside the document\'s folder (or --root), as register and check', async () => {
    const evil = path.join(dir, 'evil.yaml');
    writeFileSync(evil, `asyncapi: 3.0.0\ninfo: {title: t, version: '1'}\nchannels:\n  c:\n    address: c\n    messages:\n      m: {payload: {$ref: '/etc/passwd'}}\n`);
    const res = await runCli(['generate', evil, '--out', out('evil')]);
    expect(res.code).toBe(2);
    expect(res.stderr.trim().split('\n')).toEqual([expect.stringMatching(/evil\.yaml: \$ref "\/etc\/passwd" leaves the folder/)]);
  });
});

describe('herald generate, crafted input', () => {
  it('a package name that climbs out of --out is made an identifier: every file stays inside --out', async () => {
    for (const lang of ['java', 'python', 'go', 'csharp', 'rust', 'kotlin']) {
      const target = out(`climb-${lang}`);
      const res = await runCli(['generate', 'specs/orders.yaml', '--out', target, '--lang', lang, '--package', '../../../../tmp/escaped/x']);
      expect(res.code, `${lang}: ${res.stderr}`).toBe(0);
      const written = (readdirSync(target, { recursive: true }) as string[]).map((f) => path.resolve(target, f));
      expect(written.length).toBeGreaterThan(0);
      for (const f of written) expect(f.startsWith(target + path.sep), `${lang} wrote ${f}`).toBe(true);
    }
  });

  it('schemas chained through 900 references: exit 2 and one line, never a crash', async () => {
    const chain = (n: number) =>
      `asyncapi: 3.0.0\ninfo: {title: t, version: '1'}\nchannels:\n  c:\n    address: c\n    messages:\n      m: {payload: {$ref: '#/components/schemas/S0'}}\ncomponents:\n  schemas:\n` +
      Array.from({ length: n }, (_, i) => `    S${i}: {type: object, properties: {next: ${i < n - 1 ? `{$ref: '#/components/schemas/S${i + 1}'}` : '{type: string}'}}}\n`).join('');
    const deep = path.join(dir, 'deep.yaml');
    writeFileSync(deep, chain(900));
    const res = await runCli(['generate', deep, '--out', out('deep')]);
    expect(res.code).toBe(2);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    // 300 levels are a contract like any other.
    writeFileSync(deep, chain(300));
    expect((await runCli(['generate', deep, '--out', out('deep')])).code).toBe(0);
  });
});

describe('herald generate from a registry that needs a token to read', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess({ env: { HERALD_ADMIN_TOKEN: 'gen-admin', HERALD_READ_AUTH: 'true' } });
    expect((await runCli(['register', 'specs/orders.yaml', '--contract', 'orders', '--registry', server.url, '--token', 'gen-admin'])).code).toBe(0);
  }, 60_000);
  afterAll(async () => server?.stop());

  it('without a token, or with one the registry does not know, exits 2 in one line and writes nothing', async () => {
    for (const token of [[], ['--token', 'not-a-token']]) {
      const target = out(`denied-${token.length}`);
      const res = await runCli(['generate', '--contract', 'orders', '--out', target, '--registry', server.url, ...token]);
      expect(res.code).toBe(2);
      expect(res.stderr.trim().split('\n')).toHaveLength(1);
      expect(existsSync(target)).toBe(false);
    }
    expect((await runCli(['generate', '--contract', 'orders', '--out', out('allowed'), '--registry', server.url, '--token', 'gen-admin'])).code).toBe(0);
  });
});

describe('herald generate from the registry', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess();
    expect((await runCli(['register', 'specs/orders.yaml', '--contract', 'orders', '--registry', server.url])).code).toBe(0);
  }, 60_000);
  afterAll(async () => server?.stop());

  it('generates the registered version: the same package as from the file', async () => {
    const res = await runCli(['generate', '--contract', 'orders', '--version', '1', '--out', out('remote'), '--registry', server.url]);
    expect([res.code, res.stderr]).toEqual([0, '']);
    expect(readFileSync(path.join(out('remote'), 'validators.js'), 'utf8')).toBe(readFileSync('generated/orders/validators.js', 'utf8'));
    expect(readFileSync(path.join(out('remote'), 'models.d.ts'), 'utf8')).toBe(readFileSync('generated/orders/models.d.ts', 'utf8'));
    // Its dead letters name the registered version, as the gateway's do; from a file, info.version. "latest" is resolved to its number.
    expect(readFileSync(path.join(out('remote'), 'channels.js'), 'utf8')).toContain('const contract = {"name":"orders","version":1};');
    expect(readFileSync('generated/orders/channels.js', 'utf8')).toContain('const contract = {"name":"orders","version":"1.4.0"};');
    expect((await runCli(['generate', '--contract', 'orders', '--out', out('latest'), '--registry', server.url])).code).toBe(0);
    expect(readFileSync(path.join(out('latest'), 'channels.js'), 'utf8')).toContain('"version":1};');
    // The registry's own build, as its npm registry serves it: the package version is the registry's.
    expect(JSON.parse(readFileSync(path.join(out('remote'), 'package.json'), 'utf8')).version).toBe('1.0.0');
    // Another language: the registry's archive holds what generating the file offline writes.
    expect((await runCli(['generate', '--contract', 'orders', '--lang', 'java', '--out', out('remote-java'), '--registry', server.url])).code).toBe(0);
    const local = await runCli(['generate', 'specs/orders.yaml', '--lang', 'java', '--check', '--out', out('remote-java')]);
    expect([local.code, local.stdout]).toEqual([0, expect.stringContaining('up to date')]);
  });

  it('exits 2 for a contract the registry does not have, or a registry it cannot reach', async () => {
    expect((await runCli(['generate', '--contract', 'nope', '--out', out('nope'), '--registry', server.url])).code).toBe(2);
    expect((await runCli(['generate', '--contract', 'orders', '--out', out('nope'), '--registry', 'http://127.0.0.1:1'])).code).toBe(2);
  });
});
