/**
 * Generated files as a gzipped tar, the form npm installs (`package/` inside) and the SDK
 * route serves. Byte-identical for the same files: entries sorted, every one with the same
 * fixed time, mode and owner, and gzip's header without a time or a name, so that the
 * integrity a lockfile records never changes.
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { extract, pack } from 'tar-stream';

/** npm's own fixed time for reproducible tarballs (pacote, `npm pack`). */
const MTIME = new Date('1985-10-26T08:15:00.000Z');

export interface Archive {
  tarball: Buffer;
  /** sha1, hex: npm's `dist.shasum`. */
  shasum: string;
  /** sha512, base64, as Subresource Integrity: npm's `dist.integrity`. */
  integrity: string;
}

export async function packArchive(files: Record<string, string>, prefix = 'package/'): Promise<Archive> {
  const tar = pack();
  const chunks: Buffer[] = [];
  tar.on('data', (c) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    tar.on('end', resolve);
    tar.on('error', reject);
  });
  for (const rel of Object.keys(files).sort()) {
    tar.entry({ name: `${prefix}${rel}`, mtime: MTIME, mode: 0o644, uid: 0, gid: 0, uname: '', gname: '', type: 'file' }, Buffer.from(files[rel]!, 'utf8'));
  }
  tar.finalize();
  await done;
  // Node's gzip writes no file name and a zero time in its header: the same bytes every time.
  const tarball = await promisify(gzip)(Buffer.concat(chunks), { level: 9 });
  return {
    tarball,
    shasum: createHash('sha1').update(tarball).digest('hex'),
    integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}`,
  };
}

/**
 * The files of an archive, without `prefix`: regular files only, each path relative and
 * inside (no `..`, no absolute path), at most `maxBytes` in all. For archives from a registry
 * the caller trusts only so far.
 */
export async function unpackArchive(tarball: Buffer, maxBytes: number, prefix = 'package/'): Promise<Record<string, string>> {
  const tar = Buffer.from(await promisify(gunzip)(tarball, { maxOutputLength: maxBytes }));
  const files: Record<string, string> = {};
  const reader = extract();
  const done = new Promise<void>((resolve, reject) => {
    reader.on('finish', resolve);
    reader.on('error', reject);
  });
  reader.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c) => chunks.push(c as Buffer));
    stream.on('end', () => {
      const name = header.name.startsWith(prefix) ? header.name.slice(prefix.length) : undefined;
      const safe = name !== undefined && name !== '' && !name.startsWith('/') && !name.split('/').some((part) => part === '..' || part === '');
      if (header.type === 'file' && safe) files[name] = Buffer.concat(chunks).toString('utf8');
      else if (header.type === 'file') reader.destroy(new Error(`The archive holds a file outside ${prefix}: ${JSON.stringify(header.name)}.`));
      next();
    });
  });
  reader.end(tar);
  await done;
  return files;
}
