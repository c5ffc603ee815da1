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
 * realpath; the ref-parser's own file resolver is replaced, so it reads nothing itself.
 */
import { constants, type Stats } from 'node:fs';
import { lstat, open, readlink, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import $RefParser, { type FileInfo } from '@apidevtools/json-schema-ref-parser';
import { stringify } from 'yaml';
import type { SourceFormat } from '../contracts/text.js';
import { findRefs } from '../contracts/refs.js';
import { parseText } from '../contracts/text.js';
import { DEFAULT_LIMITS } from '../contracts/ingest.js';
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

/** The filesystem path the ref-parser means by a resolved URL (a percent-encoded path or a file: URL). */
function toPath(url: string): string {
  // A bare "%" is a character of the file name, as the ref-parser's own resolver reads it.
  const escaped = url.replace(/%(?![0-9A-Fa-f]{2})/g, '%25');
  return path.resolve(/^file:/i.test(url) ? fileURLToPath(escaped) : decodeURIComponent(escaped));
}

/** Only local files; http(s) and other schemes fall through to no resolver, as before. */
const isLocal = (url: string): boolean => !/^\w{2,}:\/\//.test(url) || /^file:/i.test(url);

/** A ref-parser resolver that reads local files through `readInside` and records why it refused. */
function guardedResolver(root: Root, display: (abs: string) => string, refuse: (err: DocumentFileError) => DocumentFileError) {
  return {
    order: 1,
    canRead: (file: FileInfo) => isLocal(file.url),
    async read(file: FileInfo): Promise<Buffer> {
      const ref = (file.reference ?? file.url) + (file.hash.length > 1 ? file.hash : '');
      let where = '(unknown file)';
      let target: string;
      try {
        if (file.baseUrl !== undefined) where = display(toPath(file.baseUrl.split('#')[0]!));
        target = toPath(file.url);
      } catch (err) {
        throw refuse(new DocumentFileError(`${where}: $ref "${ref}" is not a usable local path: ${(err as Error).message}`));
      }
      const result = await readInside(target, root, true);
      if (!result.ok) throw refuse(failure(where, ref, target, result, root));
      return result.data;
    },
  };
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
  const local = findRefs(data).some(({ ref }) => typeof ref === 'string' && !ref.startsWith('#') && !/^https?:/i.test(ref));
  if (!local || data === null || typeof data !== 'object') return { text, format, bundled: false };

  let refused: DocumentFileError | undefined;
  const refuse = (err: DocumentFileError) => (refused ??= err);
  let bundled: unknown;
  try {
    // The entry is passed as data, already read: the parser reads only referenced files,
    // and only through the guarded resolver (the built-in file resolver is switched off).
    bundled = await $RefParser.bundle(entry, data as Record<string, unknown>, {
      resolve: { file: false, http: false, herald: guardedResolver(root, (abs) => (abs === entry ? file : shown(abs)), refuse) },
    });
  } catch (err) {
    throw refused ?? new DocumentFileError(`${file}: ${firstLine((err as Error).message)}`);
  }
  if (refused) throw refused;
  return format === 'json'
    ? { text: JSON.stringify(bundled, null, 2) + '\n', format, bundled: true }
    : { text: stringify(bundled), format, bundled: true };
}

const firstLine = (message: string): string => message.split('\n').find((l) => l.trim() !== '')?.trim() ?? message;
