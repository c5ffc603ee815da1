/**
 * Herald's tables, as drizzle schema. Migrations in migrations/ are generated from this file
 * with `npm run db:generate` and reviewed like code. The same schema serves the embedded
 * PGlite and PostgreSQL.
 *
 * Documents and schemas are `json`, not `jsonb`: jsonb reorders keys, and the order a team
 * wrote its properties in is what docs and generated code show.
 */
import { customType, index, integer, json, pgTable, primaryKey, text, timestamp, unique } from 'drizzle-orm/pg-core';

/** Bytes: node Buffers in and out, with both drivers. */
const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (value) => Buffer.from(value),
});

const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
const deletedAt = () => timestamp('deleted_at', { withTimezone: true, mode: 'date' });

export const contracts = pgTable('contracts', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  name: text('name').notNull().unique(),
  /** Version numbers are never reused while the contract exists, even after a hard delete. */
  nextVersion: integer('next_version').notNull().default(1),
  /** The highest SDK package version ever given (registry/packages.ts): the next bump starts from it, so none is given twice. */
  packageVersion: text('package_version'),
  createdAt: createdAt(),
  deletedAt: deletedAt(),
});

export const contractVersions = pgTable(
  'contract_versions',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    contractId: integer('contract_id').notNull().references(() => contracts.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    /** The document exactly as registered, and whether it was YAML or JSON. */
    text: text('text').notNull(),
    textFormat: text('text_format', { enum: ['yaml', 'json'] }).notNull(),
    /** The normalized document: the registered document as JSON data. */
    document: json('document').notNull(),
    /** sha-256 of the canonical JSON of `document`. */
    fingerprint: text('fingerprint').notNull(),
    asyncapiVersion: text('asyncapi_version').notNull(),
    infoVersion: text('info_version').notNull(),
    registeredBy: text('registered_by').notNull(),
    /** Its SDK package's semantic version, and the verdict that set it (registry/packages.ts). */
    packageVersion: text('package_version'),
    packageReason: json('package_reason'),
    createdAt: createdAt(),
    deletedAt: deletedAt(),
  },
  (t) => [unique('contract_versions_number').on(t.contractId, t.version), index('contract_versions_fingerprint').on(t.contractId, t.fingerprint)],
);

/** Message schemas, content-addressed: one row, one global id, per distinct schema. */
export const schemas = pgTable('schemas', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  fingerprint: text('fingerprint').notNull().unique(),
  format: text('format').notNull(),
  schema: json('schema').notNull(),
  createdAt: createdAt(),
});

export const versionSchemas = pgTable(
  'version_schemas',
  {
    versionId: integer('version_id').notNull().references(() => contractVersions.id, { onDelete: 'cascade' }),
    schemaId: integer('schema_id').notNull().references(() => schemas.id),
    channel: text('channel').notNull(),
    message: text('message').notNull(),
    part: text('part', { enum: ['payload', 'headers'] }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.versionId, t.channel, t.message, t.part] }), index('version_schemas_schema').on(t.schemaId)],
);

/** Compatibility settings; `scope` is a contract name, or `*` for the global default. */
export const config = pgTable('config', {
  scope: text('scope').primaryKey(),
  compatibility: text('compatibility').notNull(),
  policy: text('policy').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

/** API tokens. Only a sha-256 of each secret is kept. */
export const tokens = pgTable('tokens', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  name: text('name').notNull().unique(),
  scope: text('scope', { enum: ['read', 'write', 'admin'] }).notNull(),
  secretHash: text('secret_hash').notNull().unique(),
  createdBy: text('created_by').notNull(),
  createdAt: createdAt(),
});

/**
 * Generated SDKs, each built once per contract version, language and generator, and kept:
 * what was served is served again byte for byte. For TypeScript, `packageVersion` is what the
 * npm registry (/npm/) calls it and `manifest` its package.json.
 */
export const sdkArchives = pgTable(
  'sdk_archives',
  {
    versionId: integer('version_id').notNull().references(() => contractVersions.id, { onDelete: 'cascade' }),
    lang: text('lang').notNull(),
    generator: text('generator').notNull(),
    packageVersion: text('package_version').notNull(),
    manifest: json('manifest'),
    tarball: bytea('tarball').notNull(),
    shasum: text('shasum').notNull(),
    integrity: text('integrity').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.versionId, t.lang, t.generator] }), index('sdk_archives_package').on(t.lang, t.packageVersion)],
);
