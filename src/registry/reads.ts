/**
 * The registry's read path: contracts, versions, documents and schemas from the read cache
 * (read-cache.ts), storage only on a miss. A contract's row and version list are mutable and
 * dropped by every write to the contract; a version's text, document and schema links are
 * keyed by its row id, which is never reused, so they never go stale. Answers that HTTP sends
 * as they are (a version's JSON, a document in each format, a schema) are kept as UTF-8 bytes
 * with their ETag, so a hot read is a lookup and a write of bytes encoded once (a string built
 * or encoded per read cost a cached read a fifth of its time), and a conditional one needs no
 * storage.
 */
import { createHash } from 'node:crypto';
import { stringify as stringifyYaml, parse as parseYaml } from 'yaml';
import { notFound } from '../errors.js';
import type { SourceFormat } from '../contracts/text.js';
import type { ContractRow, Store, VersionMeta } from '../store/store.js';
import type { PackageReason } from './package-version.js';
import { ReadCache, stringBytes } from './read-cache.js';
import { assertContractName } from './names.js';

/** A body to send as it is (UTF-8), and its strong ETag. */
export interface Answer {
  body: Buffer<ArrayBuffer>;
  etag: string;
}

export interface ContractState {
  contract: ContractRow;
  /** Every version, deleted ones too, oldest first. */
  versions: VersionMeta[];
  /** Each version's answer without its document, and its ETag, as first asked: they change with this state. */
  heads: Map<number, { head: string; etag: string }>;
}

export interface SchemaRef {
  id: number;
  channel: string;
  message: string;
  part: 'payload' | 'headers';
}

/** What never changes about a stored version. */
interface VersionContent {
  text: string;
  format: SourceFormat;
  /** The document as JSON text, as the version's answer embeds it. */
  documentJson: string;
  schemas: SchemaRef[];
}

export type VersionSelector = number | 'latest';

export interface VersionSummary {
  version: number;
  fingerprint: string;
  asyncapiVersion: string;
  infoVersion: string;
  registeredBy: string;
  /** The version's SDK package version and the verdict that set it (package-version.ts). */
  package?: PackageReason & { version: string };
  createdAt: string;
  deletedAt?: string;
}

const etagOf = (...parts: string[]) => {
  const hash = createHash('sha1');
  for (const part of parts) hash.update(part).update('\u0000');
  return `"${hash.digest('base64url')}"`;
};

const contractKey = (name: string) => `c:${name}`;
const contentKey = (versionId: number) => `v:${versionId}`;
const answerKey = (versionId: number) => `a:${versionId}`;
const documentKey = (versionId: number, format: SourceFormat) => `d:${versionId}:${format}`;

export class Reads {
  constructor(
    private readonly store: Store,
    readonly cache: ReadCache,
  ) {}

  /** A contract's row and versions, or undefined when there is no such contract. */
  state(name: string): Promise<ContractState | undefined> {
    return this.cache.mutable(
      contractKey(name),
      async () => {
        const contract = await this.store.findContract(name);
        return contract && { contract, versions: await this.store.versionMetas(contract.id), heads: new Map() };
      },
      // A version's summary, and its answer's head once asked (about as much again).
      (s) => 256 + (s ? s.versions.length * 2048 : 0),
    );
  }

  async contract(name: string, includeDeleted: boolean): Promise<ContractState> {
    assertContractName(name);
    const state = await this.state(name);
    if (!state || (state.contract.deletedAt !== null && !includeDeleted)) throw notFound(`No contract named "${name}".`);
    return state;
  }

  async version(name: string, selector: VersionSelector, includeDeleted: boolean): Promise<{ state: ContractState; meta: VersionMeta }> {
    const state = await this.contract(name, includeDeleted);
    const meta =
      selector === 'latest' ? state.versions.findLast((v) => v.deletedAt === null) : state.versions.find((v) => v.version === selector && (includeDeleted || v.deletedAt === null));
    if (!meta) throw notFound(selector === 'latest' ? `Contract "${name}" has no versions.` : `Contract "${name}" has no version ${selector}.`);
    return { state, meta };
  }

  private content(meta: VersionMeta): Promise<VersionContent> {
    return this.cache.immutable(
      contentKey(meta.id),
      async () => {
        const [row, links] = await Promise.all([this.store.versionContent(meta.id), this.store.schemaLinks(meta.id)]);
        // Removed for good between the lookup and now.
        if (!row) throw notFound(`Version ${meta.version} no longer exists.`);
        return { text: row.text, format: row.textFormat, documentJson: JSON.stringify(row.document), schemas: schemaRefs(links) };
      },
      (c) => 256 + stringBytes(c.text) + stringBytes(c.documentJson) + c.schemas.length * 128,
    );
  }

  /** The version's JSON answer: its summary, schema ids and document. */
  async versionAnswer(name: string, selector: VersionSelector, includeDeleted: boolean): Promise<Answer> {
    const { state, meta } = await this.version(name, selector, includeDeleted);
    // The summary is small and may change (a soft delete): it lives with the contract's state.
    // The document is the bulk and never changes: it lives with the version's content. The
    // answer joins the two, kept by row id while its head (and so its ETag) stays the same.
    let head = state.heads.get(meta.id);
    if (!head) {
      const content = await this.content(meta);
      const text = JSON.stringify({ contract: name, ...summary(meta), schemas: content.schemas });
      head = { head: `${text.slice(0, -1)},"document":`, etag: etagOf(text, String(meta.id)) };
      state.heads.set(meta.id, head);
    }
    const held = this.cache.peek<Answer>(answerKey(meta.id));
    if (held?.etag === head.etag) return held;
    const answer = { body: Buffer.from(`${head.head}${(await this.content(meta)).documentJson}}`), etag: head.etag };
    this.cache.put(answerKey(meta.id), answer, 128 + answer.body.byteLength);
    return answer;
  }

  /** The version and its schema ids. */
  async versionWithSchemas(name: string, selector: VersionSelector, includeDeleted: boolean): Promise<{ meta: VersionMeta; schemas: SchemaRef[] }> {
    const { meta } = await this.version(name, selector, includeDeleted);
    return { meta, schemas: (await this.content(meta)).schemas };
  }

  /** The document as registered, or converted to the other format. */
  async document(name: string, selector: VersionSelector, includeDeleted: boolean, target?: SourceFormat): Promise<Answer & { format: SourceFormat; version: number }> {
    const { meta } = await this.version(name, selector, includeDeleted);
    const content = await this.content(meta);
    const format = target ?? content.format;
    return this.cache.immutable(
      documentKey(meta.id, format),
      () => {
        if (format === content.format) return { body: Buffer.from(content.text), etag: etagOf(content.text), format, version: meta.version };
        const data = parseYaml(content.text, { maxAliasCount: -1 }) as unknown;
        const text = format === 'json' ? JSON.stringify(data, null, 2) + '\n' : stringifyYaml(data);
        return { body: Buffer.from(text), etag: etagOf(text), format, version: meta.version };
      },
      (a) => 128 + a.body.byteLength,
    );
  }

  /** A message schema by its global id: content-addressed, so it never changes. */
  schema(id: number): Promise<Answer> {
    if (!Number.isSafeInteger(id) || id <= 0) throw notFound(`No schema with id ${id}.`);
    return this.cache.immutable(
      `s:${id}`,
      async () => {
        const row = await this.store.findSchema(id);
        if (!row) throw notFound(`No schema with id ${id}.`);
        const text = JSON.stringify(row);
        return { body: Buffer.from(text), etag: etagOf(text) };
      },
      (a) => 128 + a.body.byteLength,
    );
  }

  /** After a write to a contract: drops its state, and the content of versions removed for good. */
  changed(name: string, gone: number[] = []): void {
    this.cache.invalidate(contractKey(name));
    for (const id of gone) {
      this.cache.evict(contentKey(id));
      this.cache.evict(answerKey(id));
      this.cache.evict(documentKey(id, 'yaml'));
      this.cache.evict(documentKey(id, 'json'));
    }
  }
}

const iso = (d: Date) => d.toISOString();

export function summary(v: VersionMeta): VersionSummary {
  return {
    version: v.version,
    fingerprint: v.fingerprint,
    asyncapiVersion: v.asyncapiVersion,
    infoVersion: v.infoVersion,
    registeredBy: v.registeredBy,
    ...(v.packageVersion !== null ? { package: { version: v.packageVersion, ...(v.packageReason as PackageReason) } } : {}),
    createdAt: iso(v.createdAt),
    ...(v.deletedAt ? { deletedAt: iso(v.deletedAt) } : {}),
  };
}

/** In the order the store lists them: by channel, message, part. */
export function schemaRefs(links: Array<{ schemaId: number; channel: string; message: string; part: 'payload' | 'headers' }>): SchemaRef[] {
  return links
    .map((l) => ({ id: l.schemaId, channel: l.channel, message: l.message, part: l.part }))
    .sort((a, b) => cmp(a.channel, b.channel) || cmp(a.message, b.message) || cmp(a.part, b.part));
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
