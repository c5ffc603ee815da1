/** The `herald` command against a running server: register, get, list, delete, exit codes. */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPUS_DIR, CORPUS_MISSING, corpusFiles, corpusPath, corpusPresent, isMultiFile } from '../helpers/corpus.js';
import { runCli, startServerProcess, type ServerProcess } from '../helpers/process.js';

/** A port nothing listens on. */
const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

describe('herald CLI', () => {
  let server: ServerProcess;
  let R: string[];
  beforeAll(async () => {
    server = await startServerProcess();
    R = ['--registry', server.url];
  });
  afterAll(async () => {
    await server.stop();
    server.cleanup();
  });

  it('registers a file, then reports an identical one as unchanged (exit 0)', async () => {
    const first = await runCli(['register', 'specs/orders.yaml', '--contract', 'orders', ...R]);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toMatch(/^orders: registered version 1 \(fingerprint [0-9a-f]{12}\)\n$/);
    const again = await runCli(['register', 'specs/orders.yaml', '--contract', 'orders', ...R]);
    expect(again.stdout).toBe('orders: unchanged, identical to version 1\n');
    const json = await runCli(['register', 'specs/payments.yaml', '--contract', 'payments', '--json', ...R]);
    expect(JSON.parse(json.stdout)).toMatchObject({ contract: 'payments', version: 1 });
  });

  it('a rejected document exits 1 with one line that says where', async () => {
    const res = await runCli(['register', 'test/fixtures/invalid/17-example-mismatch.yaml', '--contract', 'bad', ...R]);
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(/^herald: test\/fixtures\/invalid\/17-example-mismatch\.yaml:13:\d+: .*\[asyncapi2-message-examples\]/);
  });

  it('usage and connection errors exit 2 with one line', async () => {
    const missing = await runCli(['register', 'specs/orders.yaml']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--contract');
    const noFile = await runCli(['register', 'specs/nope.yaml', '--contract', 'x', ...R]);
    expect(noFile.code).toBe(2);
    expect(noFile.stderr.trim().split('\n')).toHaveLength(1);
    const closed = await freePort();
    const down = await runCli(['list', '--registry', `http://127.0.0.1:${closed}`]);
    expect(down.code).toBe(2);
    expect(down.stderr).toBe(`herald: cannot reach the registry at http://127.0.0.1:${closed}: ECONNREFUSED\n`);
    expect((await runCli(['frobnicate'])).code).toBe(2);
  });

  it('gets a version as JSON, or its document as registered or converted', async () => {
    const latest = await runCli(['get', 'orders', ...R]);
    expect(JSON.parse(latest.stdout)).toMatchObject({ contract: 'orders', version: 1, document: { info: { title: 'Orders service' } } });
    const doc = await runCli(['get', 'orders', '1', '--document', ...R]);
    expect(doc.stdout).toBe(readFileSync('specs/orders.yaml', 'utf8'));
    const asJson = await runCli(['get', 'orders', '1', '--as', 'json', ...R]);
    expect(JSON.parse(asJson.stdout).info.version).toBe('1.4.0');
    expect((await runCli(['get', 'ghost', ...R])).code).toBe(1);
  });

  it('lists contracts and versions', async () => {
    const list = await runCli(['list', ...R]);
    expect(list.stdout).toBe('orders\tlatest 1\t1 version\npayments\tlatest 1\t1 version\n');
    const versions = await runCli(['list', 'orders', '--json', ...R]);
    expect(JSON.parse(versions.stdout)).toEqual([expect.objectContaining({ version: 1, infoVersion: '1.4.0' })]);
  });

  it('deletes softly, then permanently; a wrong order is rejected with exit 1', async () => {
    expect((await runCli(['delete', 'payments', '1', '--permanent', ...R])).code).toBe(1);
    expect((await runCli(['delete', 'payments', '1', ...R])).stdout).toContain('deleted (soft');
    expect((await runCli(['delete', 'payments', '1', '--permanent', ...R])).code).toBe(0);
    expect((await runCli(['delete', 'payments', ...R])).code).toBe(0);
    expect((await runCli(['list', ...R])).stdout).not.toContain('payments');
  });

  describe.skipIf(!corpusPresent)(`multi-file documents (${corpusPresent ? 'corpus present' : CORPUS_MISSING})`, () => {
    it.each(corpusFiles().filter(isMultiFile))('%s registers after client-side bundling', async (rel) => {
      const name = rel.replace(/\/asyncapi\.yaml$/, '').replace(/[^a-z0-9]+/g, '-');
      const res = await runCli(['register', corpusPath(rel), '--contract', name, '--root', CORPUS_DIR, ...R]);
      expect(res.stderr).toBe('');
      expect(res.code).toBe(0);
      expect(res.stdout).toContain('registered version 1');
    });
  });
});
