/**
 * The storage interface the registry talks to, and its drizzle implementation. Nothing
 * outside store/ imports drizzle. PGlite and PostgreSQL share this code: both are
 * PostgreSQL, so one query layer serves both drivers (see open.ts).
 */
import { and, asc, desc, eq, gt, inArray, isNull, like, sql } from 'drizzle-orm';
import type { PgDatabase } from 'drizzle-orm/pg-core';
import { CHANGES_CHANNEL, changePayload, type Change } from './changes.js';
import * as t from './schema.js';

export interface ContractRow {
  id: number;
  name: string;
  /** The highest SDK package version ever given to one of its versions. */
  packageVersion: string | null;
  createdAt: Date;
  deletedAt: Date | null;
}

export interface ContractSummary extends ContractRow {
  latestVersion: number | null;
  versionCount: number;
}

export interface VersionRow {
  id: number;
  contractId: number;
  version: number;
  text: string;
  textFormat: 'yaml' | 'json';
  document: unknown;
  fingerprint: string;
  asyncapiVersion: string;
  infoVersion: string;
  registeredBy: string;
  /** Null for a version registered before package versions existed, until it is given one. */
  packageVersion: string | null;
  packageReason: unknown;
  createdAt: Date;
  deletedAt: Date | null;
}

export type NewVersion = Omit<VersionRow, 'id' | 'createdAt' | 'deletedAt' | 'version'>;

/** A version without its text and document: what lists and lookups need. */
export type VersionMeta = Omit<VersionRow, 'text' | 'document'>;

export interface SchemaLink {
  schemaId: number;
  channel: string;
  message: string;
  part: 'payload' | 'headers';
}

export interface SchemaRow {
  id: number;
  fingerprint: string;
  format: string;
  schema: unknown;
}

export interface ConfigRow {
  compatibility: string;
  policy: string;
}

/** A generated SDK archive, without its bytes. */
export interface ArchiveInfo {
  versionId: number;
  lang: string;
  generator: string;
  packageVersion: string;
  manifest: unknown;
  shasum: string;
  integrity: string;
  createdAt: Date;
}

export interface ArchiveRow extends ArchiveInfo {
  tarball: Buffer;
}

export interface TokenRow {
  id: number;
  name: string;
  scope: 'read' | 'write' | 'admin';
  createdBy: string;
  createdAt: Date;
}

/** Reads, and the writes that need no transaction. */
export interface StoreReader {
  findContract(name: string): Promise<ContractRow | undefined>;
  listContracts(opts: { prefix?: string; after?: string; limit: number; includeDeleted: boolean }): Promise<ContractSummary[]>;
  listVersions(contractId: number, includeDeleted: boolean): Promise<VersionRow[]>;
  findVersion(contractId: number, version: number): Promise<VersionRow | undefined>;
  latestVersion(contractId: number): Promise<VersionRow | undefined>;
  schemaLinks(versionId: number): Promise<SchemaLink[]>;
  /** Live versions without their text or document, oldest first; only the latest when `latestOnly`. */
  versionHeads(contractId: number, latestOnly: boolean): Promise<Array<{ id: number; version: number; fingerprint: string }>>;
  versionDocument(versionId: number): Promise<unknown>;
  /** Every version of a contract, deleted ones too, without text or document, oldest first. */
  versionMetas(contractId: number): Promise<VersionMeta[]>;
  /** A version's text, its format and its document, by row id. */
  versionContent(versionId: number): Promise<Pick<VersionRow, 'text' | 'textFormat' | 'document'> | undefined>;
  findSchema(id: number): Promise<SchemaRow | undefined>;
  getConfig(scope: string): Promise<ConfigRow | undefined>;
  /** Several scopes in one query, by scope. */
  getConfigs(scopes: string[]): Promise<Map<string, ConfigRow>>;
  findTokenByHash(hash: string): Promise<TokenRow | undefined>;
  listTokens(): Promise<TokenRow[]>;
  /** The archives of a contract's versions in one language, without their bytes, deleted versions' too. */
  listArchives(contractId: number, lang: string): Promise<ArchiveInfo[]>;
  findArchive(versionId: number, lang: string, generator: string): Promise<ArchiveRow | undefined>;
  /** The archive a package version names, of a live or soft-deleted version of the contract (live or soft-deleted too). */
  findArchiveByPackageVersion(contract: string, lang: string, packageVersion: string): Promise<ArchiveRow | undefined>;
  /** Each version's number and package version, without documents, oldest first. */
  versionPackages(contractId: number, includeDeleted: boolean): Promise<Array<{ id: number; version: number; packageVersion: string | null }>>;
  /** Keeps the first archive stored for its key: returns the one that is stored. */
  insertArchive(archive: ArchiveRow): Promise<ArchiveRow>;
}

/** Operations inside one transaction. */
export interface StoreTx extends StoreReader {
  /** The contract row, created if absent, locked until the transaction ends. */
  lockContract(name: string): Promise<ContractRow>;
  reviveContract(contractId: number): Promise<void>;
  /** Takes the next version number of a locked contract. */
  allocateVersion(contractId: number): Promise<number>;
  /** Records the highest package version given, on a locked contract. */
  setPackageVersion(contractId: number, packageVersion: string): Promise<void>;
  /** Gives a version registered before package versions existed its package version, unless it has one. */
  assignPackageVersion(versionId: number, packageVersion: string, reason: unknown): Promise<boolean>;
  insertVersion(version: NewVersion & { version: number }): Promise<VersionRow>;
  /** Ids of the schemas by fingerprint, inserting those that are new. Fingerprints must be distinct. */
  upsertSchemas(schemas: Array<{ fingerprint: string; format: string; schema: unknown }>): Promise<Map<string, number>>;
  linkSchemas(versionId: number, links: SchemaLink[]): Promise<void>;
  softDeleteVersion(versionId: number): Promise<void>;
  hardDeleteVersion(versionId: number): Promise<void>;
  softDeleteContract(contractId: number): Promise<void>;
  hardDeleteContract(contractId: number, name: string): Promise<void>;
  putConfig(scope: string, config: ConfigRow): Promise<void>;
  deleteConfig(scope: string): Promise<boolean>;
  insertToken(token: { name: string; scope: TokenRow['scope']; secretHash: string; createdBy: string }): Promise<TokenRow | undefined>;
  deleteToken(name: string): Promise<boolean>;
  /** Tells every process sharing the database, when the transaction commits (changes.ts). */
  notifyChange(change: Change): Promise<void>;
}

export interface Store extends StoreReader {
  readonly driver: 'pglite' | 'postgres';
  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

// The driver-specific query result type is irrelevant to these queries.
export type Db = PgDatabase<any, typeof t>;

const metaColumns = {
  id: t.contractVersions.id,
  contractId: t.contractVersions.contractId,
  version: t.contractVersions.version,
  textFormat: t.contractVersions.textFormat,
  fingerprint: t.contractVersions.fingerprint,
  asyncapiVersion: t.contractVersions.asyncapiVersion,
  infoVersion: t.contractVersions.infoVersion,
  registeredBy: t.contractVersions.registeredBy,
  packageVersion: t.contractVersions.packageVersion,
  packageReason: t.contractVersions.packageReason,
  createdAt: t.contractVersions.createdAt,
  deletedAt: t.contractVersions.deletedAt,
};
const versionColumns = { ...metaColumns, text: t.contractVersions.text, document: t.contractVersions.document };

const archiveInfoColumns = {
  versionId: t.sdkArchives.versionId,
  lang: t.sdkArchives.lang,
  generator: t.sdkArchives.generator,
  packageVersion: t.sdkArchives.packageVersion,
  manifest: t.sdkArchives.manifest,
  shasum: t.sdkArchives.shasum,
  integrity: t.sdkArchives.integrity,
  createdAt: t.sdkArchives.createdAt,
};
const archiveColumns = { ...archiveInfoColumns, tarball: t.sdkArchives.tarball };

/** Rows of a raw query: postgres-js returns an array, PGlite an object with `rows`. */
function resultRows<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

const contractColumns = { id: t.contracts.id, name: t.contracts.name, packageVersion: t.contracts.packageVersion, createdAt: t.contracts.createdAt, deletedAt: t.contracts.deletedAt };
const tokenColumns = { id: t.tokens.id, name: t.tokens.name, scope: t.tokens.scope, createdBy: t.tokens.createdBy, createdAt: t.tokens.createdAt };

/** Escapes LIKE wildcards so a name prefix matches literally. */
const likePrefix = (prefix: string) => prefix.replace(/[\\%_]/g, (c) => '\\' + c) + '%';

class Queries implements StoreTx {
  constructor(protected readonly db: Db) {}

  async findContract(name: string) {
    const [row] = await this.db.select(contractColumns).from(t.contracts).where(eq(t.contracts.name, name));
    return row;
  }

  async listContracts({ prefix, after, limit, includeDeleted }: { prefix?: string; after?: string; limit: number; includeDeleted: boolean }) {
    const live = includeDeleted ? undefined : isNull(t.contractVersions.deletedAt);
    const rows = await this.db
      .select({
        ...contractColumns,
        latestVersion: sql<number | null>`max(${t.contractVersions.version})`,
        versionCount: sql<number>`count(${t.contractVersions.id})::int`,
      })
      .from(t.contracts)
      .leftJoin(t.contractVersions, and(eq(t.contractVersions.contractId, t.contracts.id), live))
      .where(
        and(
          includeDeleted ? undefined : isNull(t.contracts.deletedAt),
          prefix ? like(t.contracts.name, likePrefix(prefix)) : undefined,
          after ? gt(t.contracts.name, after) : undefined,
        ),
      )
      .groupBy(t.contracts.id)
      .orderBy(asc(t.contracts.name))
      .limit(limit);
    return rows.map((r) => ({ ...r, latestVersion: r.latestVersion === null ? null : Number(r.latestVersion) }));
  }

  async listVersions(contractId: number, includeDeleted: boolean) {
    return this.db
      .select(versionColumns)
      .from(t.contractVersions)
      .where(and(eq(t.contractVersions.contractId, contractId), includeDeleted ? undefined : isNull(t.contractVersions.deletedAt)))
      .orderBy(asc(t.contractVersions.version));
  }

  async findVersion(contractId: number, version: number) {
    const [row] = await this.db
      .select(versionColumns)
      .from(t.contractVersions)
      .where(and(eq(t.contractVersions.contractId, contractId), eq(t.contractVersions.version, version)));
    return row;
  }

  async latestVersion(contractId: number) {
    const [row] = await this.db
      .select(versionColumns)
      .from(t.contractVersions)
      .where(and(eq(t.contractVersions.contractId, contractId), isNull(t.contractVersions.deletedAt)))
      .orderBy(desc(t.contractVersions.version))
      .limit(1);
    return row;
  }

  async versionHeads(contractId: number, latestOnly: boolean) {
    const rows = await this.db
      .select({ id: t.contractVersions.id, version: t.contractVersions.version, fingerprint: t.contractVersions.fingerprint })
      .from(t.contractVersions)
      .where(and(eq(t.contractVersions.contractId, contractId), isNull(t.contractVersions.deletedAt)))
      .orderBy(latestOnly ? desc(t.contractVersions.version) : asc(t.contractVersions.version))
      .limit(latestOnly ? 1 : 1_000_000);
    return rows;
  }

  async versionDocument(versionId: number) {
    const [row] = await this.db.select({ document: t.contractVersions.document }).from(t.contractVersions).where(eq(t.contractVersions.id, versionId));
    return row?.document;
  }

  async versionMetas(contractId: number) {
    return this.db.select(metaColumns).from(t.contractVersions).where(eq(t.contractVersions.contractId, contractId)).orderBy(asc(t.contractVersions.version));
  }

  async versionContent(versionId: number) {
    const [row] = await this.db
      .select({ text: t.contractVersions.text, textFormat: t.contractVersions.textFormat, document: t.contractVersions.document })
      .from(t.contractVersions)
      .where(eq(t.contractVersions.id, versionId));
    return row;
  }

  async notifyChange(change: Change) {
    await this.db.execute(sql`select pg_notify(${CHANGES_CHANNEL}, ${changePayload(change)})`);
  }

  async schemaLinks(versionId: number) {
    return this.db
      .select({ schemaId: t.versionSchemas.schemaId, channel: t.versionSchemas.channel, message: t.versionSchemas.message, part: t.versionSchemas.part })
      .from(t.versionSchemas)
      .where(eq(t.versionSchemas.versionId, versionId))
      .orderBy(...[t.versionSchemas.channel, t.versionSchemas.message, t.versionSchemas.part].map((c) => asc(sql`${c} collate "C"`)));
  }

  async findSchema(id: number) {
    const [row] = await this.db
      .select({ id: t.schemas.id, fingerprint: t.schemas.fingerprint, format: t.schemas.format, schema: t.schemas.schema })
      .from(t.schemas)
      .where(eq(t.schemas.id, id));
    return row;
  }

  async getConfig(scope: string) {
    const [row] = await this.db.select({ compatibility: t.config.compatibility, policy: t.config.policy }).from(t.config).where(eq(t.config.scope, scope));
    return row;
  }

  async getConfigs(scopes: string[]) {
    const rows = await this.db
      .select({ scope: t.config.scope, compatibility: t.config.compatibility, policy: t.config.policy })
      .from(t.config)
      .where(inArray(t.config.scope, scopes));
    return new Map(rows.map(({ scope, ...config }) => [scope, config]));
  }

  async findTokenByHash(hash: string) {
    const [row] = await this.db.select(tokenColumns).from(t.tokens).where(eq(t.tokens.secretHash, hash));
    return row;
  }

  async listTokens() {
    return this.db.select(tokenColumns).from(t.tokens).orderBy(asc(t.tokens.name));
  }

  async lockContract(name: string) {
    // An upsert that updates takes the row lock, in one statement, whether the row is new or not.
    const [row] = await this.db
      .insert(t.contracts)
      .values({ name })
      .onConflictDoUpdate({ target: t.contracts.name, set: { name: sql`excluded.name` } })
      .returning(contractColumns);
    return row!;
  }

  async reviveContract(contractId: number) {
    await this.db.update(t.contracts).set({ deletedAt: null }).where(eq(t.contracts.id, contractId));
  }

  async allocateVersion(contractId: number) {
    const [row] = await this.db
      .update(t.contracts)
      .set({ nextVersion: sql`${t.contracts.nextVersion} + 1` })
      .where(eq(t.contracts.id, contractId))
      .returning({ allocated: sql<number>`${t.contracts.nextVersion} - 1` });
    return Number(row!.allocated);
  }

  async setPackageVersion(contractId: number, packageVersion: string) {
    await this.db.update(t.contracts).set({ packageVersion }).where(eq(t.contracts.id, contractId));
  }

  async assignPackageVersion(versionId: number, packageVersion: string, reason: unknown) {
    const rows = await this.db
      .update(t.contractVersions)
      .set({ packageVersion, packageReason: reason })
      .where(and(eq(t.contractVersions.id, versionId), isNull(t.contractVersions.packageVersion)))
      .returning({ id: t.contractVersions.id });
    return rows.length > 0;
  }

  async listArchives(contractId: number, lang: string) {
    return this.db
      .select(archiveInfoColumns)
      .from(t.sdkArchives)
      .innerJoin(t.contractVersions, eq(t.contractVersions.id, t.sdkArchives.versionId))
      .where(and(eq(t.contractVersions.contractId, contractId), eq(t.sdkArchives.lang, lang)))
      .orderBy(asc(t.sdkArchives.createdAt));
  }

  async findArchive(versionId: number, lang: string, generator: string) {
    const [row] = await this.db
      .select(archiveColumns)
      .from(t.sdkArchives)
      .where(and(eq(t.sdkArchives.versionId, versionId), eq(t.sdkArchives.lang, lang), eq(t.sdkArchives.generator, generator)));
    return row;
  }

  async versionPackages(contractId: number, includeDeleted: boolean) {
    return this.db
      .select({ id: t.contractVersions.id, version: t.contractVersions.version, packageVersion: t.contractVersions.packageVersion })
      .from(t.contractVersions)
      .where(and(eq(t.contractVersions.contractId, contractId), includeDeleted ? undefined : isNull(t.contractVersions.deletedAt)))
      .orderBy(asc(t.contractVersions.version));
  }

  async findArchiveByPackageVersion(contract: string, lang: string, packageVersion: string) {
    const [row] = await this.db
      .select(archiveColumns)
      .from(t.sdkArchives)
      .innerJoin(t.contractVersions, eq(t.contractVersions.id, t.sdkArchives.versionId))
      .innerJoin(t.contracts, eq(t.contracts.id, t.contractVersions.contractId))
      .where(and(eq(t.contracts.name, contract), eq(t.sdkArchives.lang, lang), eq(t.sdkArchives.packageVersion, packageVersion)))
      .orderBy(asc(t.sdkArchives.createdAt))
      .limit(1);
    return row;
  }

  async insertArchive(archive: ArchiveRow) {
    const [row] = await this.db.insert(t.sdkArchives).values(archive).onConflictDoNothing().returning(archiveColumns);
    return row ?? (await this.findArchive(archive.versionId, archive.lang, archive.generator))!;
  }

  async insertVersion(version: NewVersion & { version: number }) {
    const [row] = await this.db.insert(t.contractVersions).values(version).returning(versionColumns);
    return row!;
  }

  async upsertSchemas(schemas: Array<{ fingerprint: string; format: string; schema: unknown }>) {
    if (schemas.length === 0) return new Map<string, number>();
    // One statement for all. DO UPDATE (a no-op) rather than DO NOTHING, so that RETURNING
    // yields the ids of existing rows too. Sorted, so that concurrent registrations sharing
    // schemas lock their rows in one order.
    // The rows travel as one JSON parameter: far cheaper than three bound parameters a row.
    const sorted = [...schemas].sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : 1));
    const rows = await this.db.execute<{ id: number; fingerprint: string }>(sql`
      insert into ${t.schemas} (fingerprint, format, schema)
      select fingerprint, format, schema from json_to_recordset(${JSON.stringify(sorted)}::json) as x(fingerprint text, format text, schema json)
      on conflict (fingerprint) do update set fingerprint = excluded.fingerprint
      returning id, fingerprint`);
    return new Map(resultRows<{ id: number; fingerprint: string }>(rows).map((r) => [r.fingerprint, Number(r.id)]));
  }

  async linkSchemas(versionId: number, links: SchemaLink[]) {
    if (links.length === 0) return;
    await this.db.execute(sql`
      insert into ${t.versionSchemas} (version_id, schema_id, channel, message, part)
      select ${versionId}, "schemaId", channel, message, part from json_to_recordset(${JSON.stringify(links)}::json)
        as x("schemaId" integer, channel text, message text, part text)`);
  }

  async softDeleteVersion(versionId: number) {
    await this.db.update(t.contractVersions).set({ deletedAt: new Date() }).where(eq(t.contractVersions.id, versionId));
  }

  async hardDeleteVersion(versionId: number) {
    await this.db.delete(t.contractVersions).where(eq(t.contractVersions.id, versionId));
  }

  async softDeleteContract(contractId: number) {
    const now = new Date();
    await this.db.update(t.contracts).set({ deletedAt: now }).where(eq(t.contracts.id, contractId));
    await this.db
      .update(t.contractVersions)
      .set({ deletedAt: now })
      .where(and(eq(t.contractVersions.contractId, contractId), isNull(t.contractVersions.deletedAt)));
  }

  async hardDeleteContract(contractId: number, name: string) {
    await this.db.delete(t.contracts).where(eq(t.contracts.id, contractId));
    await this.db.delete(t.config).where(eq(t.config.scope, name));
  }

  async putConfig(scope: string, config: ConfigRow) {
    await this.db
      .insert(t.config)
      .values({ scope, ...config })
      .onConflictDoUpdate({ target: t.config.scope, set: { ...config, updatedAt: new Date() } });
  }

  async deleteConfig(scope: string) {
    const rows = await this.db.delete(t.config).where(eq(t.config.scope, scope)).returning({ scope: t.config.scope });
    return rows.length > 0;
  }

  async insertToken(token: { name: string; scope: TokenRow['scope']; secretHash: string; createdBy: string }) {
    const [row] = await this.db.insert(t.tokens).values(token).onConflictDoNothing({ target: t.tokens.name }).returning(tokenColumns);
    return row;
  }

  async deleteToken(name: string) {
    const rows = await this.db.delete(t.tokens).where(eq(t.tokens.name, name)).returning({ id: t.tokens.id });
    return rows.length > 0;
  }
}

export class DrizzleStore extends Queries implements Store {
  constructor(
    db: Db,
    readonly driver: 'pglite' | 'postgres',
    private readonly closeDriver: () => Promise<void>,
  ) {
    super(db);
  }

  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => fn(new Queries(tx as unknown as Db)));
  }

  async ping() {
    await this.db.execute(sql`select 1`);
  }

  close() {
    return this.closeDriver();
  }
}

