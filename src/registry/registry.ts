/**
 * The registry's use cases and rules: names, version numbering, idempotency, soft and
 * hard deletes. HTTP routes and CLI commands are thin shells over this class.
 */
import { HeraldError, notFound } from '../errors.js';
import { ingest, type IngestLimits } from '../contracts/ingest.js';
import type { SourceFormat } from '../contracts/text.js';
import type { ContractRow, SchemaLink, Store, StoreTx, VersionRow } from '../store/store.js';
import { assertContractName } from './names.js';

export interface VersionSummary {
  version: number;
  fingerprint: string;
  asyncapiVersion: string;
  infoVersion: string;
  registeredBy: string;
  createdAt: string;
  deletedAt?: string;
}

export interface SchemaRef {
  id: number;
  channel: string;
  message: string;
  part: 'payload' | 'headers';
}

export interface VersionView extends VersionSummary {
  contract: string;
  schemas: SchemaRef[];
}

export interface VersionWithDocument extends VersionView {
  document: unknown;
}

export interface ContractView {
  name: string;
  latestVersion: number | null;
  versionCount: number;
  createdAt: string;
  deletedAt?: string;
}

export type VersionSelector = number | 'latest';

export interface Registration {
  /** False when an identical document was already registered: no new version was made. */
  created: boolean;
  version: VersionView;
}

export class Registry {
  constructor(
    readonly store: Store,
    private readonly limits: IngestLimits,
  ) {}

  async register(name: string, text: string, format: SourceFormat, registeredBy: string): Promise<Registration> {
    assertContractName(name);
    // Parsing and validation happen before the transaction: they are the slow part and need no lock.
    const doc = await ingest(text, format, this.limits);
    return this.store.transaction(async (tx) => {
      const contract = await tx.lockContract(name);
      if (contract.deletedAt === null) {
        const same = await tx.findVersionByFingerprint(contract.id, doc.fingerprint);
        if (same) return { created: false, version: await versionView(tx, name, same) };
      } else {
        await tx.reviveContract(contract.id);
      }
      const number = await tx.allocateVersion(contract.id);
      const row = await tx.insertVersion({
        contractId: contract.id,
        version: number,
        text,
        textFormat: format,
        document: doc.document,
        fingerprint: doc.fingerprint,
        asyncapiVersion: doc.asyncapiVersion,
        infoVersion: doc.infoVersion,
        registeredBy,
      });
      const distinct = new Map(doc.schemas.map((s) => [s.fingerprint, { fingerprint: s.fingerprint, format: s.format, schema: s.schema }]));
      const ids = await tx.upsertSchemas([...distinct.values()]);
      const links: SchemaLink[] = doc.schemas.map((s) => ({ schemaId: ids.get(s.fingerprint)!, channel: s.channel, message: s.message, part: s.part }));
      await tx.linkSchemas(row.id, links);
      return { created: true, version: { contract: name, ...summary(row), schemas: schemaRefs(links) } };
    });
  }

  async listContracts(opts: { prefix?: string; after?: string; limit: number; includeDeleted: boolean }): Promise<{ contracts: ContractView[]; next: string | null }> {
    const rows = await this.store.listContracts({ ...opts, limit: opts.limit + 1 });
    const page = rows.slice(0, opts.limit);
    return {
      contracts: page.map((r) => ({ ...contractView(r), latestVersion: r.latestVersion, versionCount: r.versionCount })),
      next: rows.length > opts.limit ? page[page.length - 1]!.name : null,
    };
  }

  async getContract(name: string, includeDeleted: boolean): Promise<ContractView> {
    const contract = await this.contract(name, includeDeleted);
    const versions = await this.store.listVersions(contract.id, includeDeleted);
    return { ...contractView(contract), latestVersion: versions.at(-1)?.version ?? null, versionCount: versions.length };
  }

  async listVersions(name: string, includeDeleted: boolean): Promise<VersionSummary[]> {
    const contract = await this.contract(name, includeDeleted);
    return (await this.store.listVersions(contract.id, includeDeleted)).map(summary);
  }

  async getVersion(name: string, selector: VersionSelector, includeDeleted: boolean): Promise<VersionWithDocument> {
    const row = await this.version(name, selector, includeDeleted);
    return { ...(await versionView(this.store, name, row)), document: row.document };
  }

  /** The document as registered, and its format. */
  async getDocument(name: string, selector: VersionSelector, includeDeleted: boolean): Promise<{ text: string; format: SourceFormat; version: number }> {
    const row = await this.version(name, selector, includeDeleted);
    return { text: row.text, format: row.textFormat, version: row.version };
  }

  /** Soft delete; with `permanent`, removal of a version that was soft-deleted before. */
  async deleteVersion(name: string, version: number, permanent: boolean): Promise<VersionSummary> {
    assertContractName(name);
    return this.store.transaction(async (tx) => {
      const contract = await tx.findContract(name);
      const row = contract && (await tx.findVersion(contract.id, version));
      if (!contract || !row) throw notFound(`Contract "${name}" has no version ${version}.`);
      if (permanent) {
        if (row.deletedAt === null) {
          throw new HeraldError('conflict', `Version ${version} of "${name}" is not soft-deleted; delete it without ?permanent=true first.`);
        }
        await tx.hardDeleteVersion(row.id);
        return summary(row);
      }
      if (row.deletedAt !== null) {
        throw notFound(`Version ${version} of "${name}" is already deleted; ?permanent=true removes it for good.`);
      }
      await tx.softDeleteVersion(row.id);
      return summary({ ...row, deletedAt: new Date() });
    });
  }

  /** Soft delete of a contract and all its versions; with `permanent`, removal after a soft delete. */
  async deleteContract(name: string, permanent: boolean): Promise<ContractView> {
    assertContractName(name);
    return this.store.transaction(async (tx) => {
      const contract = await tx.findContract(name);
      if (!contract) throw notFound(`No contract named "${name}".`);
      const versions = await tx.listVersions(contract.id, true);
      const view = { ...contractView(contract), latestVersion: versions.at(-1)?.version ?? null, versionCount: versions.length };
      if (permanent) {
        if (contract.deletedAt === null) {
          throw new HeraldError('conflict', `Contract "${name}" is not soft-deleted; delete it without ?permanent=true first.`);
        }
        await tx.hardDeleteContract(contract.id, name);
        return view;
      }
      if (contract.deletedAt !== null) throw notFound(`Contract "${name}" is already deleted; ?permanent=true removes it for good.`);
      await tx.softDeleteContract(contract.id);
      return { ...view, deletedAt: new Date().toISOString() };
    });
  }

  async getSchema(id: number): Promise<{ id: number; format: string; fingerprint: string; schema: unknown }> {
    const row = Number.isSafeInteger(id) && id > 0 ? await this.store.findSchema(id) : undefined;
    if (!row) throw notFound(`No schema with id ${id}.`);
    return row;
  }

  private async contract(name: string, includeDeleted: boolean): Promise<ContractRow> {
    assertContractName(name);
    const contract = await this.store.findContract(name);
    if (!contract || (contract.deletedAt !== null && !includeDeleted)) throw notFound(`No contract named "${name}".`);
    return contract;
  }

  private async version(name: string, selector: VersionSelector, includeDeleted: boolean): Promise<VersionRow> {
    const contract = await this.contract(name, includeDeleted);
    const row = selector === 'latest' ? await this.store.latestVersion(contract.id) : await this.store.findVersion(contract.id, selector);
    if (!row || (row.deletedAt !== null && !includeDeleted)) {
      throw notFound(selector === 'latest' ? `Contract "${name}" has no versions.` : `Contract "${name}" has no version ${selector}.`);
    }
    return row;
  }
}

const iso = (d: Date) => d.toISOString();

function contractView(c: ContractRow): Omit<ContractView, 'latestVersion' | 'versionCount'> {
  return { name: c.name, createdAt: iso(c.createdAt), ...(c.deletedAt ? { deletedAt: iso(c.deletedAt) } : {}) };
}

function summary(v: VersionRow): VersionSummary {
  return {
    version: v.version,
    fingerprint: v.fingerprint,
    asyncapiVersion: v.asyncapiVersion,
    infoVersion: v.infoVersion,
    registeredBy: v.registeredBy,
    createdAt: iso(v.createdAt),
    ...(v.deletedAt ? { deletedAt: iso(v.deletedAt) } : {}),
  };
}

async function versionView(reader: Pick<StoreTx, 'schemaLinks'>, contract: string, v: VersionRow): Promise<VersionView> {
  return { contract, ...summary(v), schemas: schemaRefs(await reader.schemaLinks(v.id)) };
}

/** In the order the store lists them: by channel, message, part. */
function schemaRefs(links: SchemaLink[]): SchemaRef[] {
  return links
    .map((l) => ({ id: l.schemaId, channel: l.channel, message: l.message, part: l.part }))
    .sort((a, b) => cmp(a.channel, b.channel) || cmp(a.message, b.message) || cmp(a.part, b.part));
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
