/**
 * Client-side bundling for `herald register` and `herald check`: a document that spreads
 * over local files is made one document before it is used, since the registry resolves
 * only internal `$ref`s. Remote (http/https) references are not fetched; the registry then
 * names them.
 *
 * A contract may come from an untrusted pull request, so local references are held to one
 * folder (the document's own, or `--root`): no absolute path, `..`, `file://` URL, encoded
 * escape or symbolic link may read a file outside it. Every read goes through `readInside`,
 * which checks the path as written and then its realpath, and opens only the checked
 * realpath.
 *
 * Bundling reads every file the local references reach (`loadFiles`), then copies the
 * document (`bundle`), putting each referenced value from another file in one place, its
 * home, and pointing the other references to it at that home. A `$ref` the author wrote
 * inside the document (`#/...`) is kept exactly as written: in AsyncAPI where a reference
 * points carries meaning beyond its target (a 3.x operation's messages must be referred to
 * through its channel), so re-pointing shared targets at one canonical place, as the
 * ref-parser's bundle() does, turned valid documents invalid. Only references in the other
 * files change, `#/...` there included: it means a place in that file.
 *
 * A home is the place of a reference in the document without siblings (one with siblings
 * stands for its target and more), preferably under `components` (so a message named there
 * keeps its name and a channel's message refers to it); a value no such reference names gets
 * the first place it is copied to. Every value copied from
 * another file is recorded with its place, so each is copied once: a cycle through files, or
 * a reference to part of a value copied already, becomes a `$ref` to where it is.
 */
import { constants, type Stats } from 'node:fs';
import { lstat, open, readlink, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import type { SourceFormat } from '../contracts/text.js';
import { findRefs } from '../contracts/refs.js';
import { parseText } from '../contracts/text.js';
import { DEFAULT_LIMITS } from '../contracts/ingest.js';
import { appendPointer, getAt, isObject, parsePointer, setOwn } from '../contracts/pointer.js';
import { InvalidDocumentError } from '../errors.js';
import { CliError, EXIT } from './errors.js';

export interface PreparedDocument {
  text: string;
  format: SourceFormat;
  /** True when local files were merged in. */
  bundled: boolean;
}

export interface PrepareOptions {
  /** The folder local `$ref` files must stay inside; default: the folder of the document. */
  root?: string;
}

const oneLine = (s: string): string => s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/**
 * Any reason a document cannot be prepared; the message is one complete line naming the
 * file. File names and `$ref`s come from the contract's author, so control characters are
 * escaped: a crafted name cannot add lines (or CI workflow commands) to a log.
 */
export class DocumentFileError extends CliError {
  constructor(message: string) {
    super(oneLine(message), EXIT.usage);
  }
}

/** A reference (or the document itself, through a symbolic link) that leads outside the root. */
export class RefOutsideRootError extends DocumentFileError {
  constructor(
    /** The `$ref` as written, or undefined when the document itself leads outside. */
    readonly ref: string | undefined,
    /** The file the `$ref` appears in (or the document), as shown to the user. */
    readonly file: string,
    /** The root folder, absolute. */
    readonly root: string,
    readonly through: 'path' | 'symlink' | 'outside-root-option',
  ) {
    super(
      through === 'outside-root-option'
        ? `${file} is outside the folder ${root} given by --root`
        : `${ref === undefined ? file : `${file}: $ref "${ref}"`} leaves the folder ${root}${through === 'symlink' ? ' through a symbolic link' : ''} (use --root to widen it)`,
    );
  }
}

export const formatOf = (file: string): SourceFormat => (path.extname(file).toLowerCase() === '.json' ? 'json' : 'yaml');

/** The folder references are held to: as the user named it (for messages and lexical checks) and its realpath. */
interface Root {
  shown: string;
  real: string;
}

const isInside = (folder: string, p: string): boolean => {
  const rel = path.relative(folder, p);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
};

/** A path as the user would recognise it: relative to the working folder when inside it. */
const shown = (abs: string): string => {
  const rel = path.relative(process.cwd(), abs);
  return rel && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel) ? rel : abs;
};

async function resolveRoot(file: string, given: string | undefined): Promise<Root> {
  const folder = path.resolve(given ?? path.dirname(file));
  let real: string;
  let info: Stats;
  try {
    real = await realpath(folder);
    info = await stat(real);
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such folder' : reason(err);
    throw new DocumentFileError(given !== undefined ? `--root ${given}: ${why}` : `${file}: ${why}`);
  }
  if (!info.isDirectory()) throw new DocumentFileError(`--root ${given ?? folder}: not a folder`);
  return { shown: folder, real };
}

type ReadResult = { ok: true; data: Buffer } | { ok: false; escaped: 'path' | 'symlink' } | { ok: false; error: string };

/**
 * Reads `abs` if, and only if, it lies inside the root both as written and once symbolic
 * links are followed. Nothing outside the root is opened or even stat'ed when the path
 * as written already leaves it. The file is opened by its checked realpath with
 * O_NOFOLLOW, and the opened file is checked again (by /proc/self/fd where there is one,
 * else by device and inode) so that swapping a folder for a symbolic link between the
 * check and the open is caught.
 */
async function readInside(abs: string, root: Root, lexicalCheck: boolean): Promise<ReadResult> {
  if (lexicalCheck && !isInside(root.shown, abs) && !isInside(root.real, abs)) return { ok: false, escaped: 'path' };
  let real: string;
  try {
    real = await realpath(abs);
  } catch (err) {
    return { ok: false, error: reason(err) };
  }
  if (!isInside(root.real, real)) return { ok: false, escaped: 'symlink' };
  const handle = await open(real, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0)).catch((err: Error) => err);
  if (handle instanceof Error) return { ok: false, error: reason(handle) };
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { ok: false, error: 'not a regular file' };
    if (!(await stillInside(handle.fd, real, info, root))) return { ok: false, escaped: 'symlink' };
    if (info.size > DEFAULT_LIMITS.maxDocumentBytes) return { ok: false, error: `larger than ${DEFAULT_LIMITS.maxDocumentBytes} bytes` };
    return { ok: true, data: await handle.readFile() };
  } finally {
    await handle.close();
  }
}

/** Whether the file behind an open descriptor is still the checked one, inside the root. */
async function stillInside(fd: number, real: string, opened: Stats, root: Root): Promise<boolean> {
  const viaProc = await readlink(`/proc/self/fd/${fd}`).catch(() => undefined);
  if (viaProc !== undefined) return isInside(root.real, viaProc);
  try {
    const now = await lstat(real);
    return now.dev === opened.dev && now.ino === opened.ino && (await realpath(real)) === real;
  } catch {
    return false;
  }
}

const REASONS: Record<string, string> = { ENOENT: 'no such file', ENOTDIR: 'not a folder on the way', EACCES: 'permission denied', ELOOP: 'too many symbolic links', EISDIR: 'a folder, not a file' };
const reason = (err: unknown): string => REASONS[(err as NodeJS.ErrnoException).code ?? ''] ?? (err as Error).message;

/** The error for a refused read: of the document itself (`ref` undefined), or of the file a `$ref` names. */
function failure(where: string, ref: string | undefined, target: string, result: Exclude<ReadResult, { ok: true }>, root: Root): DocumentFileError {
  if ('escaped' in result) return new RefOutsideRootError(ref, where, root.shown, result.escaped);
  return new DocumentFileError(ref === undefined ? `${where}: ${result.error}` : `${where}: $ref "${ref}": cannot read ${shown(target)}: ${result.error}`);
}


/** A file of the document, parsed. `abs` is its path as references name it (symbolic links not followed). */
interface Loaded {
  abs: string;
  data: unknown;
}

/** A value a reference leads to: its file, and its literal pointer there (no `$ref` on the way). */
interface Target {
  file: Loaded;
  pointer: string;
  value: unknown;
}

/**
 * The file a `$ref` written in `from` names, and its fragment; undefined for any scheme but
 * file: (http, https, urn...), which stays as written for the registry to name. Resolved as
 * a URL against the file it is written in, as the AsyncAPI parser does: `%2e%2e/` is `../`.
 * Throws when the reference names no usable path.
 */
function refTarget(ref: string, from: string): { abs: string; fragment: string } | undefined {
  const hash = ref.indexOf('#');
  const fragment = hash < 0 ? '' : ref.slice(hash + 1);
  if (hash === 0) return { abs: from, fragment };
  let url: URL;
  try {
    url = new URL(hash < 0 ? ref : ref.slice(0, hash), pathToFileURL(from));
  } catch {
    return undefined;
  }
  if (url.protocol !== 'file:') return undefined;
  // A bare "%" is a character of the file name.
  return { abs: fileURLToPath(url.href.replace(/%(?![0-9A-Fa-f]{2})/g, '%25')), fragment };
}

/** Whether a `$ref` in the document names another local file (or one that cannot be used, to be reported). */
function namesFile(ref: unknown, from: string): boolean {
  if (typeof ref !== 'string' || ref.startsWith('#')) return false;
  try {
    return refTarget(ref, from) !== undefined;
  } catch {
    return true;
  }
}

/**
 * Reads and parses every file the document's local references reach, through `readInside`,
 * one at a time so that the first refusal is always the same. Whole files are read, as the
 * references inside them are followed wherever they point.
 */
async function loadFiles(entry: Loaded, root: Root, display: (abs: string) => string): Promise<Map<string, Loaded>> {
  const files = new Map([[entry.abs, entry]]);
  const pending = [entry];
  for (let file = pending.shift(); file !== undefined; file = pending.shift()) {
    for (const { ref } of findRefs(file.data)) {
      if (typeof ref !== 'string' || ref.startsWith('#')) continue;
      const where = display(file.abs);
      let target: ReturnType<typeof refTarget>;
      try {
        target = refTarget(ref, file.abs);
      } catch (err) {
        throw new DocumentFileError(`${where}: $ref "${ref}" is not a usable local path: ${(err as Error).message}`);
      }
      if (target === undefined || files.has(target.abs)) continue;
      const read = await readInside(target.abs, root, true);
      if (!read.ok) throw failure(where, ref, target.abs, read, root);
      let data: unknown;
      try {
        data = parseText(read.data.toString('utf8'), formatOf(target.abs), DEFAULT_LIMITS).data;
      } catch (err) {
        const first = err instanceof InvalidDocumentError ? err.diagnostics[0] : undefined;
        const at = first?.line !== undefined ? `:${first.line}:${first.column ?? 1}` : '';
        throw new DocumentFileError(`${where}: $ref "${ref}": cannot parse ${shown(target.abs)}${at}: ${firstLine(first?.message ?? (err as Error).message)}`);
      }
      const loaded = { abs: target.abs, data };
      files.set(target.abs, loaded);
      pending.push(loaded);
    }
  }
  return files;
}

/** A pointer as a `$ref`: percent-encoded where a URI fragment may not hold the character (a channel's `{id}`). */
const asRef = (pointer: string): string => '#' + pointer.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@/?]/gu, encodeURIComponent);

/** The document with every value from another file copied in (see the module comment). */
function bundle(entry: Loaded, files: Map<string, Loaded>, display: (abs: string) => string): unknown {
  // Where each value from another file is (or is to be) in the result, by file and pointer;
  // `placed` once it is written there.
  const homes = new Map<string, string>();
  const placed = new Set<string>();
  const keyOf = (file: Loaded, pointer: string) => `${file.abs}\0${pointer}`;

  /** Where a `$ref` written in `file` leads; undefined for a remote reference. */
  const resolve = (ref: string, file: Loaded, budget = { hops: 64 }): Target | undefined => {
    const fail = (why: string) => new DocumentFileError(`${display(file.abs)}: $ref "${ref}": ${why}`);
    const at = refTarget(ref, file.abs);
    if (at === undefined) return undefined;
    const start = files.get(at.abs)!;
    let pointer: string;
    try {
      pointer = decodeURIComponent(at.fragment);
    } catch {
      pointer = at.fragment;
    }
    if (pointer !== '' && !pointer.startsWith('/')) throw fail(`"#${at.fragment}" is not a JSON pointer`);
    let target: Target = { file: start, pointer: '', value: start.data };
    for (const segment of parsePointer(pointer)) {
      // A `$ref` on the way is followed (in whatever file it leads to), as the parser does.
      while (isObject(target.value) && typeof target.value.$ref === 'string' && !Object.hasOwn(target.value, segment)) {
        if (--budget.hops < 0) throw fail('its references lead round in a loop');
        const next = resolve(target.value.$ref, target.file, budget);
        if (next === undefined) break;
        target = next;
      }
      const node = target.value;
      if (node === null || typeof node !== 'object' || !Object.hasOwn(node, segment)) throw fail(`${display(start.abs)} has nothing at "#${at.fragment}"`);
      target = { file: target.file, pointer: appendPointer(target.pointer, segment), value: (node as Record<string, unknown>)[segment] };
    }
    return target;
  };

  // The homes of values the document itself refers to.
  const sites = findRefs(entry.data).flatMap(({ pointer, ref }) => {
    const target = namesFile(ref, entry.abs) ? resolve(ref as string, entry) : undefined;
    if (target === undefined || target.file === entry) return [];
    return [{ pointer, key: keyOf(target.file, target.pointer), plain: Object.keys(getAt(entry.data, pointer) as object).length === 1 }];
  });
  const rank = (s: (typeof sites)[number]) => (s.plain ? 0 : 4) + (s.pointer.startsWith('/components/') ? 0 : 2);
  sites.sort((a, b) => rank(a) - rank(b) || parsePointer(a.pointer).length - parsePointer(b.pointer).length);
  // Only a reference without siblings can be a home: one with siblings means its target and more.
  for (const site of sites) if (site.plain && !homes.has(site.key)) homes.set(site.key, site.pointer);

  /** `fresh`: part of a merged copy (a reference's target with its siblings), not the target itself: copied anew, never a home. */
  type Member = { key: string; value: unknown; file: Loaded; src: string; fresh?: boolean };

  /** A copy of `node`, found at `src` in `file`, to be placed at `out`. */
  const copy = (node: unknown, file: Loaded, src: string, out: string, fresh = false): unknown => {
    if (node === null || typeof node !== 'object') return node;
    if (file !== entry && !fresh) {
      const key = keyOf(file, src);
      const home = homes.get(key);
      if (home !== undefined && (home !== out || placed.has(key))) return { $ref: asRef(home) };
      homes.set(key, out);
      placed.add(key);
    }
    if (Array.isArray(node)) return node.map((child, i) => copy(child, file, appendPointer(src, i), appendPointer(out, i), fresh));
    return copyObject(Object.entries(node).map(([key, value]) => ({ key, value, file, src: appendPointer(src, key), fresh })), out);
  };

  /** An object from its members, each from its own file: a reference's siblings and the content it brings. */
  const copyObject = (members: Member[], out: string): unknown => {
    const ref = members.find((m) => m.key === '$ref');
    // The document's own `#...` references stay exactly as written.
    const target = ref !== undefined && typeof ref.value === 'string' && !(ref.file === entry && ref.value.startsWith('#')) ? resolve(ref.value, ref.file) : undefined;
    if (target !== undefined) {
      const siblings = members.filter((m) => m !== ref);
      const key = keyOf(target.file, target.pointer);
      const home = target.file === entry ? target.pointer : homes.get(key);
      if (home !== undefined && (target.file === entry || home !== out || placed.has(key))) {
        return copyObject([{ key: '$ref', value: asRef(home), file: entry, src: '' }, ...siblings], out);
      }
      if (siblings.length === 0 || !isObject(target.value)) return copy(target.value, target.file, target.pointer, out);
      // Siblings override what the reference brings, as the parser merges them; this merged
      // copy is not the target, so it is no home for other references to it.
      const names = new Set(siblings.map((m) => m.key));
      const content = Object.entries(target.value).filter(([k]) => !names.has(k));
      return copyObject([...content.map(([k, value]) => ({ key: k, value, file: target.file, src: appendPointer(target.pointer, k), fresh: true })), ...siblings], out);
    }
    const result: Record<string, unknown> = {};
    for (const m of members) setOwn(result, m.key, copy(m.value, m.file, m.src, appendPointer(out, m.key), m.fresh));
    return result;
  };

  return copy(entry.data, entry, '', '');
}

/**
 * Reads an AsyncAPI document and, when it refers to other local files, bundles them in.
 * Throws a `DocumentFileError` (exit 2, one line naming the file) for anything unreadable,
 * and a `RefOutsideRootError` when a reference would leave the root folder.
 */
export async function prepareDocument(file: string, options: PrepareOptions = {}): Promise<PreparedDocument> {
  const root = await resolveRoot(file, options.root);
  // The document itself was named by the user, so its path as written is not held to the
  // root; where it really is (after symbolic links) is.
  const entry = path.resolve(file);
  const read = await readInside(entry, root, false);
  if (!read.ok) {
    if ('escaped' in read && options.root !== undefined && !isInside(root.shown, entry) && !isInside(root.real, entry)) {
      throw new RefOutsideRootError(undefined, file, root.shown, 'outside-root-option');
    }
    throw failure(file, undefined, entry, read, root);
  }
  const text = read.data.toString('utf8');
  const format = formatOf(file);
  let data: unknown;
  try {
    data = parseText(text, format, DEFAULT_LIMITS).data;
  } catch {
    // Let the registry report syntax errors with positions: send the text as it is.
    return { text, format, bundled: false };
  }
  if (data === null || typeof data !== 'object' || !findRefs(data).some(({ ref }) => namesFile(ref, entry))) return { text, format, bundled: false };

  const display = (abs: string) => (abs === entry ? file : shown(abs));
  const document: Loaded = { abs: entry, data };
  const bundled = bundle(document, await loadFiles(document, root, display), display);
  return format === 'json'
    ? { text: JSON.stringify(bundled, null, 2) + '\n', format, bundled: true }
    : { text: stringify(bundled), format, bundled: true };
}

const firstLine = (message: string): string => message.split('\n').find((l) => l.trim() !== '')?.trim() ?? message;
