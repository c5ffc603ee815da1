/**
 * The registry's use cases and rules: names, version numbering, idempotency, soft and
 * hard deletes. HTTP routes and CLI commands are thin shells over this class.
 */
import { HeraldError, notFound } from '../errors.js';
import type { Analyzer } from '../analysis/analyzer.js';
import { isTransitive, type Earlier, type Verdict } from '../compat/verdict.js';
import { nextPackageVersion, packageReason, stepMode } from './package-version.js';
import { KeyedQueue } from './queue.js';
import type { Mode, Policy } from '../compat/types.js';
import type { IngestedDocument } from '../contracts/ingest.js';
import type { Contract } from '../contracts/model.js';
import type { SourceFormat } from '../contracts/text.js';
import type { Change, ContractChange } from '../store/changes.js';
import type { ContractRow, SchemaLink, Store, StoreReader, StoreTx, VersionMeta, VersionRow } from '../store/store.js';
import { effectiveConfig } from './config.js';
import { assertContractName } from './names.js';
import { ReadCache, stringBytes } from './read-cache.js';
import { Reads, schemaRefs, summary, type Answer, type SchemaRef, type VersionSelector, type VersionSummary } from './reads.js';

export type { Answer, SchemaRef, VersionSelector, VersionSummary };

/** The version a new one's package bump is judged against, and the verdict (or why there is none). */
type Predecessor = { version: number; verdict?: Verdict; failure?: string };

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

export interface Registration {
  /** False when an identical document was already registered: no new version was made. */
  created: boolean;
  version: VersionView;
}

type VersionHead = { id: number; version: number; fingerprint: string };

export interface CompatibilityReport extends Verdict {
  contract: string;
}

export interface DiffReport extends Verdict {
  contract: string;
  from: number;
  to: number;
}

export class Registry {
  /**
   * Schema ids by fingerprint. Schemas are content-addressed and never deleted, so an id,
   * once committed, stays right; only committed ones are added.
   */
  private readonly schemaIds = new Map<string, number>();
  /** Reads served from memory after the first (reads.ts). */
  readonly reads: Reads;

  constructor(
    readonly store: Store,
    /** Parses and compares documents: in worker threads when serving, so no request blocks another. */
    private readonly analyzer: Analyzer,
    cache: ReadCache = new ReadCache(),
  ) {
    this.reads = new Reads(store, cache);
  }

  async register(name: string, text: string, format: SourceFormat, registeredBy: string): Promise<Registration> {
    assertContractName(name);
    // Parsing, validation and the compatibility check happen before the transaction: they
    // are the slow part, and a transaction (with PGlite, the only connection) must stay short.
    const doc = await this.analyzer.ingest(text, format);
    // Versions from before package versions existed get theirs first, so that the new one is numbered after them.
    await this.ensurePackageVersions(name);
    // One registration of a contract at a time in this process, so that each is checked
    // against the one before; other processes are caught by the check's basis.
    return this.serialized(name, () => this.registerChecked(name, doc, text, format, registeredBy));
  }

  private readonly queue = new KeyedQueue();

  private serialized<T>(name: string, work: () => Promise<T>): Promise<T> {
    return this.queue.run(name, work);
  }

  private async registerChecked(name: string, doc: IngestedDocument, text: string, format: SourceFormat, registeredBy: string): Promise<Registration> {
    for (let attempt = 1; ; attempt++) {
      const checked = await this.checkForRegistration(this.store, name, doc);
      const fresh = new Map<string, number>();
      const registration = await this.store.transaction(async (tx) => {
        const contract = await tx.lockContract(name);
        const heads = contract.deletedAt === null ? await tx.versionHeads(contract.id, false) : [];
        const same = heads.find((h) => h.fingerprint === doc.fingerprint);
        if (same) return { created: false, version: await versionView(tx, name, (await tx.findVersion(contract.id, same.version))!) };
        // Checked against what is stored now? Another registration may have come between.
        if (checkBasis(contract, heads, await effectiveConfig(tx, name)) !== checked.basis) return undefined;
        if (contract.deletedAt !== null) await tx.reviveContract(contract.id);
        const number = await tx.allocateVersion(contract.id);
        const reason = packageReason(contract.packageVersion === null, checked.predecessor);
        const packageVersion = nextPackageVersion(contract.packageVersion, reason.bump);
        await tx.setPackageVersion(contract.id, packageVersion);
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
          packageVersion,
          packageReason: reason,
        });
        const distinct = new Map(doc.schemas.map((s) => [s.fingerprint, { fingerprint: s.fingerprint, format: s.format, schema: s.schema }]));
        const unknown = [...distinct.values()].filter((s) => !this.schemaIds.has(s.fingerprint));
        for (const [fingerprint, id] of await tx.upsertSchemas(unknown)) fresh.set(fingerprint, id);
        const idOf = (fingerprint: string) => this.schemaIds.get(fingerprint) ?? fresh.get(fingerprint)!;
        const links: SchemaLink[] = doc.schemas.map((s) => ({ schemaId: idOf(s.fingerprint), channel: s.channel, message: s.message, part: s.part }));
        await tx.linkSchemas(row.id, links);
        await tx.notifyChange({ contract: name });
        return { created: true, version: { contract: name, ...summary(row), schemas: schemaRefs(links) } };
      });
      if (!registration) {
        if (attempt < 10) continue;
        throw new HeraldError('conflict', `Other versions of "${name}" were registered while this one was checked; try again.`);
      }
      if (registration.created) {
        // The next registration is checked against this one: keep what it will need.
        const bytes = modelBytes(text);
        this.reads.cache.put(modelKey(doc.fingerprint), { document: doc.document, contract: doc.contract, bytes } satisfies CachedModel, bytes);
        this.changed({ contract: name });
      }
      for (const [fingerprint, id] of fresh) {
        if (this.schemaIds.size >= 100_000) this.schemaIds.delete(this.schemaIds.keys().next().value!);
        this.schemaIds.set(fingerprint, id);
      }
      return registration;
    }
  }

  /**
   * The compatibility check a registration needs, run against what is stored now; throws
   * 409 when the document breaks it. `basis` names what it was checked against.
   */
  private async checkForRegistration(reader: StoreReader, name: string, doc: IngestedDocument): Promise<{ basis: string; predecessor?: Predecessor }> {
    const contract = await reader.findContract(name);
    const heads = contract && contract.deletedAt === null ? await reader.versionHeads(contract.id, false) : [];
    const config = await effectiveConfig(reader, name);
    const basis = checkBasis(contract, heads, config);
    // Identical to a stored version: the transaction answers with it.
    if (heads.some((h) => h.fingerprint === doc.fingerprint)) return { basis };
    const { compatibility: mode, policy } = config;
    const candidate = { document: doc.document, contract: doc.contract, fingerprint: doc.fingerprint };
    // The package version is bumped by the verdict against the latest version alone (package-version.ts).
    const stepFrom = async (verdict?: Verdict): Promise<Predecessor | undefined> => {
      const latest = heads.at(-1);
      if (!latest) return undefined;
      if (verdict) return { version: latest.version, verdict };
      try {
        return { version: latest.version, verdict: await this.analyzer.check(candidate, await this.earlier(reader, [latest]), stepMode(mode), policy) };
      } catch (err) {
        // A document too complex to compare under NONE is still registered; its package is a major.
        if (err instanceof HeraldError && err.code !== 'internal') return { version: latest.version, failure: err.message };
        throw err;
      }
    };
    if (mode === 'NONE' || heads.length === 0) return { basis, predecessor: await stepFrom() };
    const earlier = await this.earlier(reader, isTransitive(mode) ? heads : heads.slice(-1));
    const verdict = await this.analyzer.check(candidate, earlier, mode, policy);
    if (verdict.compatible) return { basis, predecessor: await stepFrom(isTransitive(mode) ? undefined : verdict) };
    const breaking = verdict.changes.filter((c) => c.breaking);
    const against = isTransitive(mode) ? 'earlier versions' : `version ${earlier.at(-1)!.version}`;
    throw new HeraldError(
      'conflict',
      `The document is incompatible with ${against} of "${name}" under ${mode} (${policy}): ${breaking.length} breaking change${breaking.length === 1 ? '' : 's'}${verdict.truncated ? ' listed' : ''}, first ${breaking[0]!.kind} at ${breaking[0]!.newPath || '/'}: ${breaking[0]!.message}`,
      { mode, policy, compatible: false, changes: verdict.changes, advice: verdict.advice, ...(verdict.truncated ? { truncated: verdict.truncated } : {}) },
    );
  }

  /** A candidate checked against the registered versions, with the contract's settings unless overridden. */
  async checkCompatibility(name: string, text: string, format: SourceFormat, overrides: { mode?: Mode; policy?: Policy }): Promise<CompatibilityReport> {
    assertContractName(name);
    const doc = await this.analyzer.ingest(text, format);
    const config = await effectiveConfig(this.store, name);
    const mode = overrides.mode ?? config.compatibility;
    const policy = overrides.policy ?? config.policy;
    const contract = await this.store.findContract(name);
    const heads = contract && contract.deletedAt === null && mode !== 'NONE' ? await this.store.versionHeads(contract.id, !isTransitive(mode)) : [];
    const earlier = await this.earlier(this.store, heads);
    return { contract: name, ...(await this.analyzer.check({ document: doc.document, contract: doc.contract, fingerprint: doc.fingerprint }, earlier, mode, policy)) };
  }

  /** Every change from version `a` to version `b`, judged under the contract's mode (one step, not transitive). */
  async diff(name: string, a: VersionSelector, b: VersionSelector, includeDeleted: boolean): Promise<DiffReport> {
    const from = (await this.reads.version(name, a, includeDeleted)).meta;
    const to = (await this.reads.version(name, b, includeDeleted)).meta;
    const config = await effectiveConfig(this.store, name);
    const mode = config.compatibility.replace('_TRANSITIVE', '') as Mode;
    const [older, newer] = await Promise.all([this.modelOfVersion(from), this.modelOfVersion(to)]);
    const verdict = await this.analyzer.check(
      { ...newer, fingerprint: to.fingerprint },
      [{ ...older, fingerprint: from.fingerprint, version: from.version }],
      mode,
      config.policy,
    );
    return { contract: name, from: from.version, to: to.version, ...verdict };
  }

  /** Documents and models of the versions a new one is checked against, from the cache where it has them. */
  private async earlier(reader: StoreReader, heads: VersionHead[]): Promise<Array<Earlier & { fingerprint: string }>> {
    const out: Array<Earlier & { fingerprint: string }> = [];
    for (const head of heads) {
      const { document, contract } = await this.modelOf(head.fingerprint, () => reader.versionDocument(head.id));
      out.push({ document, contract, version: head.version, fingerprint: head.fingerprint });
    }
    return out;
  }

  /**
   * A document and its model by fingerprint: content-addressed, so a cached one is right for
   * every version with that fingerprint. The model is built in a worker.
   */
  private modelOf(fingerprint: string, document: () => Promise<unknown> | unknown): Promise<CachedModel> {
    return this.reads.cache.immutable(
      modelKey(fingerprint),
      async () => {
        const data = await document();
        return { document: data, contract: await this.analyzer.model(data as Record<string, unknown>), bytes: modelBytes(JSON.stringify(data)) };
      },
      (m) => m.bytes,
    );
  }

  private async modelOfVersion(meta: VersionMeta): Promise<CachedModel> {
    return this.modelOf(meta.fingerprint, async () => (await this.store.versionDocument(meta.id)) ?? notFoundVersion(meta.version));
  }

  async listContracts(opts: { prefix?: string; after?: string; limit: number; includeDeleted: boolean }): Promise<{ contracts: ContractView[]; next: string | null }> {
    const rows = await this.store.listContracts({ ...opts, limit: opts.limit + 1 });
    const page = rows.slice(0, opts.limit);
    return {
      contracts: page.map((r) => ({ ...contractView(r), latestVersion: r.latestVersion, versionCount: r.versionCount })),
      next: rows.length > opts.limit ? page[page.length - 1]!.name : null,
    };
  }

  /**
   * Gives the versions registered before package versions existed theirs, oldest first, each
   * judged against the version before it (package-version.ts). Nothing to do, as a rule.
   */
  async ensurePackageVersions(name: string): Promise<void> {
    const contract = await this.store.findContract(name);
    if (!contract || (await this.store.versionPackages(contract.id, true)).every((r) => r.packageVersion !== null)) return;
    await this.serialized(name, async () => {
      const { compatibility: mode, policy } = await effectiveConfig(this.store, name);
      const rows = await this.store.listVersions(contract.id, true);
      for (const [i, row] of rows.entries()) {
        if (row.packageVersion !== null) continue;
        const before = rows[i - 1];
        let predecessor: Predecessor | undefined;
        if (before) {
          const candidate = { ...(await this.modelOf(row.fingerprint, () => row.document)), fingerprint: row.fingerprint };
          try {
            predecessor = { version: before.version, verdict: await this.analyzer.check(candidate, await this.earlier(this.store, [before]), stepMode(mode), policy) };
          } catch (err) {
            if (!(err instanceof HeraldError) || err.code === 'internal') throw err;
            predecessor = { version: before.version, failure: err.message };
          }
        }
        await this.store.transaction(async (tx) => {
          const locked = await tx.lockContract(name);
          const reason = packageReason(locked.packageVersion === null, predecessor);
          const next = nextPackageVersion(locked.packageVersion, reason.bump);
          if (await tx.assignPackageVersion(row.id, next, reason)) await tx.setPackageVersion(locked.id, next);
          await tx.notifyChange({ contract: name });
        });
        this.changed({ contract: name });
      }
    });
  }

  async getContract(name: string, includeDeleted: boolean): Promise<ContractView> {
    const { contract, versions } = await this.reads.contract(name, includeDeleted);
    const listed = includeDeleted ? versions : versions.filter((v) => v.deletedAt === null);
    return { ...contractView(contract), latestVersion: listed.at(-1)?.version ?? null, versionCount: listed.length };
  }

  async listVersions(name: string, includeDeleted: boolean): Promise<VersionSummary[]> {
    const { versions } = await this.reads.contract(name, includeDeleted);
    return (includeDeleted ? versions : versions.filter((v) => v.deletedAt === null)).map(summary);
  }

  /** The version with its document as data (the docs pages), which the model cache holds parsed. */
  async getVersion(name: string, selector: VersionSelector, includeDeleted: boolean): Promise<VersionWithDocument> {
    const { meta, schemas } = await this.reads.versionWithSchemas(name, selector, includeDeleted);
    return { contract: name, ...summary(meta), schemas, document: (await this.modelOfVersion(meta)).document };
  }

  /** The version's JSON answer as text, with its ETag: what GET .../versions/{v} sends. */
  versionAnswer(name: string, selector: VersionSelector, includeDeleted: boolean): Promise<Answer> {
    return this.reads.versionAnswer(name, selector, includeDeleted);
  }

  /** The document as registered (or in `target` format), with its ETag. */
  getDocument(name: string, selector: VersionSelector, includeDeleted: boolean, target?: SourceFormat): Promise<Answer & { format: SourceFormat; version: number }> {
    return this.reads.document(name, selector, includeDeleted, target);
  }

  /** Soft delete; with `permanent`, removal of a version that was soft-deleted before. */
  async deleteVersion(name: string, version: number, permanent: boolean): Promise<VersionSummary> {
    assertContractName(name);
    return this.afterwards(name, this.store.transaction(async (tx) => {
      const contract = await tx.findContract(name);
      const row = contract && (await tx.findVersion(contract.id, version));
      if (!contract || !row) throw notFound(`Contract "${name}" has no version ${version}.`);
      if (permanent) {
        if (row.deletedAt === null) {
          throw new HeraldError('conflict', `Version ${version} of "${name}" is not soft-deleted; delete it without ?permanent=true first.`);
        }
        await tx.hardDeleteVersion(row.id);
        return { result: summary(row), change: await notify(tx, { contract: name, gone: [row.id] }) };
      }
      if (row.deletedAt !== null) {
        throw notFound(`Version ${version} of "${name}" is already deleted; ?permanent=true removes it for good.`);
      }
      await tx.softDeleteVersion(row.id);
      return { result: summary({ ...row, deletedAt: new Date() }), change: await notify(tx, { contract: name }) };
    }));
  }

  /** Soft delete of a contract and all its versions; with `permanent`, removal after a soft delete. */
  async deleteContract(name: string, permanent: boolean): Promise<ContractView> {
    assertContractName(name);
    return this.afterwards(name, this.store.transaction(async (tx) => {
      const contract = await tx.findContract(name);
      if (!contract) throw notFound(`No contract named "${name}".`);
      const versions = await tx.listVersions(contract.id, true);
      const view = { ...contractView(contract), latestVersion: versions.at(-1)?.version ?? null, versionCount: versions.length };
      if (permanent) {
        if (contract.deletedAt === null) {
          throw new HeraldError('conflict', `Contract "${name}" is not soft-deleted; delete it without ?permanent=true first.`);
        }
        await tx.hardDeleteContract(contract.id, name);
        return { result: view, change: await notify(tx, { contract: name, gone: versions.map((v) => v.id) }) };
      }
      if (contract.deletedAt !== null) throw notFound(`Contract "${name}" is already deleted; ?permanent=true removes it for good.`);
      await tx.softDeleteContract(contract.id);
      return { result: { ...view, deletedAt: new Date().toISOString() }, change: await notify(tx, { contract: name }) };
    }));
  }

  /** The model of a version, as the gateway routes by it. */
  async model(name: string, selector: VersionSelector, includeDeleted = false): Promise<{ version: number; fingerprint: string; contract: Contract; bytes: number }> {
    const { meta } = await this.reads.version(name, selector, includeDeleted);
    const { contract, bytes } = await this.modelOfVersion(meta);
    return { version: meta.version, fingerprint: meta.fingerprint, contract, bytes };
  }

  /** After a write, here or (by notification) in another process sharing the database: drops what it made stale. */
  changed(change: Change): void {
    if ('contract' in change) this.reads.changed(change.contract, change.gone);
  }

  private async afterwards<T>(name: string, work: Promise<{ result: T; change: Change }>): Promise<T> {
    const { result, change } = await work;
    this.changed(change);
    return result;
  }

  /** A schema by its global id, as JSON text with its ETag. */
  getSchema(id: number): Promise<Answer> {
    return this.reads.schema(id);
  }

  /** A version's stored rows, for services beside the registry (packages.ts); 404 as getVersion. */
  async versionRows(name: string, selector: VersionSelector, includeDeleted: boolean): Promise<{ contract: ContractRow; row: VersionRow }> {
    const { state, meta } = await this.reads.version(name, selector, includeDeleted);
    // Read afresh: the package service writes on what it reads here.
    const [contract, row] = await Promise.all([this.store.findContract(name), this.store.findVersion(state.contract.id, meta.version)]);
    if (!contract || contract.id !== state.contract.id || !row) notFoundVersion(meta.version);
    return { contract: contract!, row: row! };
  }
}

/** A document and its model, with the bytes both are estimated to take. */
interface CachedModel {
  document: unknown;
  contract: Contract;
  bytes: number;
}

const modelKey = (fingerprint: string) => `m:${fingerprint}`;

/** Tells the other processes, at commit, what a write changed; returns the change for this one. */
async function notify(tx: StoreTx, change: ContractChange): Promise<ContractChange> {
  await tx.notifyChange(change);
  return change;
}

/** A parsed document and its model take several times the document's JSON text. */
const modelBytes = (json: string) => 8 * stringBytes(json);
const notFoundVersion = (version: number): never => {
  throw notFound(`Version ${version} no longer exists.`);
};

/** What a registration's check depends on: the live versions and the settings. Equal text, same check. */
function checkBasis(contract: ContractRow | undefined, heads: VersionHead[], config: { compatibility: string; policy: string }): string {
  return JSON.stringify([contract?.deletedAt === null ? heads.map((h) => h.fingerprint) : [], config.compatibility, config.policy]);
}

const iso = (d: Date) => d.toISOString();

function contractView(c: ContractRow): Omit<ContractView, 'latestVersion' | 'versionCount'> {
  return { name: c.name, createdAt: iso(c.createdAt), ...(c.deletedAt ? { deletedAt: iso(c.deletedAt) } : {}) };
}

async function versionView(reader: Pick<StoreTx, 'schemaLinks'>, contract: string, v: VersionRow): Promise<VersionView> {
  return { contract, ...summary(v), schemas: schemaRefs(await reader.schemaLinks(v.id)) };
}

