/**
 * Client-side bundling keeps local `$ref`s inside one folder: the document's, or `--root`.
 * Real temporary folders, real symbolic links and FIFOs; the CLI runs as a child process
 * against a real `herald serve`. The bundle must stay the document its author wrote: the
 * multi-file documents in test/fixtures/bundle register as the same contract as the one-file
 * `single.yaml` beside each.
 */
import { execFileSync } from 'node:child_process';
import { constants, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { prepareDocument, RefOutsideRootError } from '../../src/cli/bundle.js';
import { main } from '../../src/cli/main.js';
import { getAt } from '../../src/contracts/pointer.js';
import { findRefs, literalPointer, resolveDocument } from '../../src/contracts/refs.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { runCli, startServerProcess, type ServerProcess } from '../helpers/process.js';

// base/                       the root's parent: everything here but proj/ is "outside"
//   secret.yaml, shared.yaml, outside/{s.yaml, doc.yaml, pipe.yaml (a FIFO)}
//   proj/                     the root by default
//     good.yaml -> schemas/a.yaml -> ./b.yaml (relative to schemas/), alias.yaml -> schemas/b.yaml
//     link.yaml -> ../secret.yaml, linkdir -> ../outside, linkpipe.yaml -> ../outside/pipe.yaml
//     nested/escape.yaml: $ref ../../secret.yaml
const base = realpathSync(mkdtempSync(path.join(tmpdir(), 'herald-bundle-')));
const proj = path.join(base, 'proj');
const SECRET = 'TOPSECRET-4b1d';
const put = (rel: string, text: string): string => {
  const p = path.join(base, rel);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, text);
  return p;
};
/** A valid AsyncAPI document whose one schema is `$ref: ref`. */
const doc = (ref: string) => `asyncapi: 3.0.0\ninfo: { title: Bundling, version: 1.0.0 }\ncomponents:\n  schemas:\n    A:\n      $ref: ${JSON.stringify(ref)}\n`;
let n = 0;
/** A document in proj/ (or `dir`) referring to `ref`. */
const entry = (ref: string, dir = 'proj') => put(`${dir}/doc-${++n}.yaml`, doc(ref));

put('secret.yaml', `secret: ${SECRET}\n`);
put('shared.yaml', 'type: object\nproperties:\n  shared: { type: string }\n');
put('outside/s.yaml', `secret: ${SECRET}\n`);
/** A valid document without local references; `description` goes into its schema B. */
const selfContained = (description: string) => doc('#/components/schemas/B').replace('components:\n  schemas:\n', `components:\n  schemas:\n    B: { description: ${description} }\n`);
put('outside/doc.yaml', selfContained(SECRET));
execFileSync('mkfifo', [path.join(base, 'outside/pipe.yaml')]);
put('proj/schemas/a.yaml', 'type: object\nproperties:\n  b: { $ref: "./b.yaml" }\n  c: { $ref: "../alias.yaml" }\n');
put('proj/schemas/b.yaml', 'type: string\nformat: uuid\n');
symlinkSync('schemas/b.yaml', path.join(proj, 'alias.yaml'));
symlinkSync('../secret.yaml', path.join(proj, 'link.yaml'));
symlinkSync('../outside', path.join(proj, 'linkdir'));
symlinkSync('../outside/pipe.yaml', path.join(proj, 'linkpipe.yaml'));
symlinkSync('../outside/doc.yaml', path.join(proj, 'entry-link.yaml'));
put('proj/nested/escape.yaml', 'type: object\nproperties:\n  p: { $ref: "../../secret.yaml" }\n');
const good = put('proj/good.yaml', doc('./schemas/a.yaml').replace('components:\n  schemas:\n', `components:\n  schemas:\n    U: { $ref: ${JSON.stringify(`file://${proj}/schemas/b.yaml`)} }\n`));
const clean = put('proj/clean.yaml', selfContained('clean'));

afterAll(() => {
  // Should a broken resolver be stuck opening the FIFO, open its other end so that it returns.
  fifoHasReader(path.join(base, 'outside/pipe.yaml'));
  rmSync(base, { recursive: true, force: true });
});

const leaves = (file: string, ref: string, root: string, symlink = false) =>
  `${file}: $ref "${ref}" leaves the folder ${root}${symlink ? ' through a symbolic link' : ''} (use --root to widen it)`;

/** Each refusal: the document, and the one line that names the `$ref`, its file and the root. */
const REFUSED: Array<[string, string, (f: string) => string]> = [
  ['an absolute path', '/etc/passwd', (f) => leaves(f, '/etc/passwd', proj)],
  ['a .. escape', '../secret.yaml', (f) => leaves(f, '../secret.yaml', proj)],
  ['a .. escape after a folder', 'sub/../../secret.yaml', (f) => leaves(f, 'sub/../../secret.yaml', proj)],
  ['a file:// URL outside', 'file:///etc/passwd', (f) => leaves(f, 'file:///etc/passwd', proj)],
  ['a percent-encoded ..', '%2e%2e/secret.yaml', (f) => leaves(f, '%2e%2e/secret.yaml', proj)],
  ['a symlinked file leading outside', 'link.yaml', (f) => leaves(f, 'link.yaml', proj, true)],
  ['a symlinked folder leading outside', 'linkdir/s.yaml', (f) => leaves(f, 'linkdir/s.yaml', proj, true)],
  ['a nested file whose own $ref escapes', 'nested/escape.yaml#/properties', () => leaves(path.join(proj, 'nested/escape.yaml'), '../../secret.yaml', proj)],
];

/** Whether some process holds the FIFO open for reading (opening it to write without blocking fails otherwise). */
const fifoHasReader = (fifo: string): boolean => {
  try {
    closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENXIO') return false;
    throw err;
  }
};

describe('prepareDocument', () => {
  it('bundles a multi-file document inside the root: nested refs relative to their file, symlinks and file:// URLs inside', async () => {
    const prepared = await prepareDocument(good);
    expect(prepared).toMatchObject({ format: 'yaml', bundled: true });
    const data = parse(prepared.text) as { components: { schemas: Record<string, unknown> } };
    expect(data.components.schemas.U).toEqual({ type: 'string', format: 'uuid' });
    expect(prepared.text).toContain('format: uuid');
    expect(JSON.stringify(data)).not.toMatch(/"\$ref":"[^#]/);
    expect((await prepareDocument(good, { root: proj })).text).toBe(prepared.text);
  });

  it('leaves a document without local references as it is', async () => {
    const f = entry('#/components/schemas/B');
    expect(await prepareDocument(f)).toEqual({ text: doc('#/components/schemas/B'), format: 'yaml', bundled: false });
  });

  it.each(REFUSED)('refuses %s with one line naming the $ref, its file and the root', async (_, ref, message) => {
    const f = entry(ref);
    const err = (await prepareDocument(f).catch((e: unknown) => e)) as RefOutsideRootError;
    expect(err).toBeInstanceOf(RefOutsideRootError);
    expect(err.message).toBe(message(f));
    expect(err).toMatchObject({ exitCode: 2, root: proj });
  });

  it('opens nothing outside the root: a FIFO there, named directly or through a symlink, is never opened', async () => {
    const pipe = path.join(base, 'outside/pipe.yaml');
    for (const [ref, symlink] of [['../outside/pipe.yaml', false], [pipe, false], ['linkpipe.yaml', true], ['linkdir/pipe.yaml', true]] as const) {
      const f = entry(ref);
      await expect(prepareDocument(f)).rejects.toThrow(leaves(f, ref, proj, symlink));
      expect(fifoHasReader(pipe)).toBe(false);
    }
  });

  it('refuses the document itself when it is a symlink leading outside, or lies outside --root', async () => {
    const link = path.join(proj, 'entry-link.yaml');
    await expect(prepareDocument(link)).rejects.toThrow(`${link} leaves the folder ${proj} through a symbolic link (use --root to widen it)`);
    const outside = path.join(base, 'outside/doc.yaml');
    await expect(prepareDocument(outside, { root: proj })).rejects.toThrow(`${outside} is outside the folder ${proj} given by --root`);
    expect((await prepareDocument(link, { root: base })).text).toContain(SECRET);
  });

  it('--root widened to a parent folder lets ../shared.yaml in, and still refuses what leaves it', async () => {
    const f = entry('../shared.yaml');
    await expect(prepareDocument(f)).rejects.toThrow(leaves(f, '../shared.yaml', proj));
    const prepared = await prepareDocument(f, { root: base });
    expect(parse(prepared.text).components.schemas.A).toEqual({ type: 'object', properties: { shared: { type: 'string' } } });
    const far = entry('../../etc/passwd');
    await expect(prepareDocument(far, { root: base })).rejects.toThrow(leaves(far, '../../etc/passwd', base));
  });

  it('reports a missing file, a missing root and control characters on one line', async () => {
    const f = entry('missing.yaml');
    await expect(prepareDocument(f)).rejects.toThrow(`${f}: $ref "missing.yaml": cannot read ${path.join(proj, 'missing.yaml')}: no such file`);
    await expect(prepareDocument(f, { root: path.join(base, 'nope') })).rejects.toThrow(`--root ${path.join(base, 'nope')}: no such folder`);
    const crafted = entry('../x\n::error::owned.yaml');
    const err = (await prepareDocument(crafted).catch((e: unknown) => e)) as Error;
    expect(err.message).toBe(leaves(crafted, '../x\\u000a::error::owned.yaml', proj));
  });

  it('leaves remote references as written, in the document and in the files it brings in', async () => {
    put('proj/remote/part.yaml', 'type: object\nproperties:\n  r: { $ref: "https://example.com/r.yaml#/R" }\n');
    const f = entry('./remote/part.yaml');
    writeFileSync(f, readFileSync(f, 'utf8') + '    B:\n      $ref: "http://example.com/b.yaml"\n');
    const data = parse((await prepareDocument(f)).text);
    expect(data.components.schemas).toEqual({ A: { type: 'object', properties: { r: { $ref: 'https://example.com/r.yaml#/R' } } }, B: { $ref: 'http://example.com/b.yaml' } });
  });

  it('reports a reference to nothing in another file on one line', async () => {
    const f = entry('./schemas/b.yaml#/nope');
    await expect(prepareDocument(f)).rejects.toThrow(`${f}: $ref "./schemas/b.yaml#/nope": ${path.join(proj, 'schemas/b.yaml')} has nothing at "#/nope"`);
  });
});

describe('bundling keeps the document valid AsyncAPI (test/fixtures/bundle)', () => {
  const FIXTURES = path.resolve('test/fixtures/bundle');
  let api: TestApp;
  beforeAll(async () => {
    api = await testApp('pglite');
  });
  afterAll(async () => api.cleanup());

  /** The value a pointer names, references at its end followed. */
  const at = (data: unknown, pointer: string) => getAt(data, literalPointer(data, pointer)!);

  /**
   * Bundles `dir`/asyncapi.yaml and checks what every bundle must be: only internal
   * references left, the author's own exactly as written, accepted by the AsyncAPI parser,
   * and registered as version 2 of a contract whose version 1 is `dir`/single.yaml, with no
   * change between them and (unless `recursive`) the same schemas. A recursive schema is
   * stored with its `$ref` back to itself, which names another place in each document.
   */
  async function bundleAndRegister(dir: string, recursive = false): Promise<Record<string, any>> {
    const file = path.join(FIXTURES, dir, 'asyncapi.yaml');
    const prepared = await prepareDocument(file);
    expect(prepared).toMatchObject({ format: 'yaml', bundled: true });
    const data = parse(prepared.text) as Record<string, any>;
    expect(findRefs(data).filter(({ ref }) => !String(ref).startsWith('#'))).toEqual([]);
    const written = findRefs(parse(readFileSync(file, 'utf8'))).filter(({ ref }) => String(ref).startsWith('#'));
    expect(written.length).toBeGreaterThan(0);
    for (const { pointer, ref } of written) expect(getAt(data, pointer), pointer).toEqual({ $ref: ref });

    const parsed = await new Parser().parse(prepared.text);
    expect(parsed.diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error)).toEqual([]);
    expect(parsed.document).toBeDefined();

    const name = `bundled-${dir.replace(/[^a-z0-9]/g, '')}`;
    const v1 = await api.request('POST', `/v1/contracts/${name}/versions`, { body: readFileSync(path.join(FIXTURES, dir, 'single.yaml'), 'utf8') });
    expect(v1.status, v1.text).toBe(201);
    const v2 = await api.request('POST', `/v1/contracts/${name}/versions`, { body: prepared.text });
    expect(v2.status, v2.text).toBe(201);
    expect(v2.json.version).toBe(2);
    const parts = (schemas: Array<{ id: number }>) => schemas.map(({ id, ...part }) => (recursive ? part : { id, ...part }));
    expect(parts(v2.json.schemas)).toEqual(parts(v1.json.schemas));
    const diff = await api.request('GET', `/v1/contracts/${name}/versions/1/diff/2`);
    expect(diff.json).toMatchObject({ compatible: true, changes: [] });
    return data;
  }

  it('3.0: messages from other files stay reachable through their channel, operations refer to them as written', async () => {
    const data = await bundleAndRegister('v3');
    expect(data.operations.onUserSignup.messages).toEqual([{ $ref: '#/channels/userSignup/messages/UserSignedUp' }]);
    // Named under components and in the channel: placed once, and the channel's name still leads to it.
    expect(at(data, '/channels/userSignup/messages/UserSignedUp')).toBe(at(data, '/components/messages/UserSignedUp'));
    expect(at(data, '/channels/userSignup/messages/UserSignedUp')).toMatchObject({ name: 'UserSignedUp', contentType: 'application/json' });
    // A whole file (user-deleted.yaml), whose reference to messages.yaml#/UserPayload is relative to it.
    expect(at(data, '/channels/userDeleted/messages/UserDeleted/payload/properties/userId')).toEqual({ type: 'string', format: 'uuid' });
    // messages.yaml's own "#/UserPayload", used by both messages, leads to the one place it went.
    expect(at(data, '/components/messages/UserSignedUp/payload')).toBe(at(data, '/channels/userDeleted/messages/UserDeleted/payload'));
  });

  it('2.6: servers, channel parameters and messages from other files', async () => {
    const data = await bundleAndRegister('v2.6');
    expect(data.servers.production).toEqual({ url: 'broker.example.com:9092', protocol: 'kafka' });
    expect(data.channels['orders/{orderId}/placed'].subscribe.message).toEqual({ $ref: '#/components/messages/OrderPlaced' });
    expect(at(data, '/components/messages/OrderPlaced/payload/properties/orderId')).toEqual({ type: 'string', format: 'uuid' });
  });

  it('a cycle through two files ends in a reference back to where the first file was placed', async () => {
    const data = await bundleAndRegister('cycle', true);
    const payload = '/channels/nodes/messages/NodeChanged/payload';
    expect(at(data, `${payload}/properties/children/items/properties/node`)).toBe(at(data, payload));
    expect(getAt(data, `${payload}/properties/children/items/properties/node`)).toEqual({ $ref: `#${payload}` });
  });
});

// Child processes start slowly on a busy 2-core machine: allow for it.
describe('herald register and herald check (built CLI)', { timeout: 180_000 }, () => {
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

  it('register refuses every escape with exit 2 and one line, and sends nothing to the registry', async () => {
    const files = REFUSED.map(([, ref]) => entry(ref));
    const results = await Promise.all(files.map((f, i) => runCli(['register', f, '--contract', `evil-${i}`, ...R])));
    results.forEach((res, i) => {
      expect(res).toEqual({ code: 2, stdout: '', stderr: `herald: ${REFUSED[i]![2](files[i]!)}\n` });
    });
    const list = await runCli(['list', '--json', ...R]);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([]);
  });

  it('register bundles inside the root, and --root widens it', async () => {
    const shared = entry('../shared.yaml');
    expect((await runCli(['register', shared, '--contract', 'shared', ...R])).code).toBe(2);
    const ok = await runCli(['register', shared, '--contract', 'shared', '--root', base, ...R]);
    expect(ok).toMatchObject({ code: 0, stderr: '' });
    expect(ok.stdout).toMatch(/^shared: registered version 1 /);
    const stored = await runCli(['get', 'shared', '1', '--document', ...R]);
    expect(parse(stored.stdout).components.schemas.A.properties.shared).toEqual({ type: 'string' });
    const bundled = await runCli(['register', good, '--contract', 'good', ...R]);
    expect(bundled).toMatchObject({ code: 0, stderr: '' });
  });

  it('check FILE --against FILE refuses an escape on either side (built CLI), and --root widens the folder', async () => {
    const [symlinked, nested] = [entry('linkdir/s.yaml'), entry('nested/escape.yaml#/properties')];
    const shared = entry('../shared.yaml');
    const [a, b, narrow, wide] = await Promise.all([
      runCli(['check', symlinked, '--against', clean]),
      runCli(['check', clean, '--against', nested]),
      runCli(['check', shared, '--against', clean]),
      runCli(['check', shared, '--against', clean, '--root', base]),
    ]);
    expect(a).toEqual({ code: 2, stdout: '', stderr: `herald: ${leaves(symlinked, 'linkdir/s.yaml', proj, true)}\n` });
    expect(b).toEqual({ code: 2, stdout: '', stderr: `herald: ${leaves(path.join(proj, 'nested/escape.yaml'), '../../secret.yaml', proj)}\n` });
    expect(narrow).toEqual({ code: 2, stdout: '', stderr: `herald: ${leaves(shared, '../shared.yaml', proj)}\n` });
    expect(wide.stderr).toBe('');
    expect(wide.stdout).toContain(`is compatible with ${clean}`);
  });
});

describe('herald check (in process, every case on both sides)', () => {
  /** Runs `herald check ...` through the CLI's main(), collecting what it writes to stderr. */
  async function check(args: string[]): Promise<{ code: number; stderr: string }> {
    let stderr = '';
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array) => {
      stderr += String(chunk);
      return true;
    }) as typeof process.stderr.write;
    try {
      return { code: await main(['node', 'herald', 'check', ...args]), stderr };
    } finally {
      process.stderr.write = write;
      process.exitCode = undefined;
    }
  }

  it.each(REFUSED)('refuses %s as NEW and as OLD, exit 2 with one line', async (_, ref, message) => {
    const f = entry(ref);
    const expected = { code: 2, stderr: `herald: ${message(f)}\n` };
    expect(await check([f, '--against', clean])).toEqual(expected);
    expect(await check([clean, '--against', clean, '--against', f])).toEqual(expected);
    expect(await check([f, '--contract', 'x', '--registry', 'http://127.0.0.1:9'])).toEqual(expected);
  });
});

describe('references with keywords beside them', () => {
  it('a reference with siblings is never the home others point to: each place keeps its meaning', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'herald-bundle-siblings-'));
    try {
      writeFileSync(path.join(dir, 'b.yaml'), 'A: {type: object, properties: {x: {type: string}}}\n');
      writeFileSync(
        path.join(dir, 'doc.yaml'),
        `asyncapi: 3.0.0
info: {title: t, version: '1'}
channels:
  c:
    address: c
    messages:
      m: {payload: {$ref: './b.yaml#/A', description: d}}
components:
  schemas:
    Strict: {$ref: './b.yaml#/A', required: [x]}
`,
      );
      // Read as the parser reads it: references resolved wherever they are.
      const bundled = resolveDocument(parse((await prepareDocument(path.join(dir, 'doc.yaml'))).text), 100_000) as any;
      expect(bundled.components.schemas.Strict).toEqual({ type: 'object', properties: { x: { type: 'string' } }, required: ['x'] });
      // The payload does not require x: it is the target with its own description, not Strict.
      expect(bundled.channels.c.messages.m.payload).toEqual({ type: 'object', properties: { x: { type: 'string' } }, description: 'd' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
