/**
 * Opens storage: embedded PGlite under a data directory by default, PostgreSQL when a
 * connection URL is configured. Migrations from migrations/ are applied before use.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import * as schema from './schema.js';
import { DrizzleStore, type Db, type Store } from './store.js';

/** migrations/ at the package root, from src/store or dist/store alike. */
const migrationsFolder = fileURLToPath(new URL('../../migrations', import.meta.url));

// Any constant works; it keeps two Herald processes from migrating one database at once.
const MIGRATION_LOCK = 7_041_961;

export type StorageOptions = { databaseUrl: string } | { dataDir: string } | { memory: true };

export async function openStore(options: StorageOptions): Promise<Store> {
  if ('databaseUrl' in options) {
    // One connection, so that the advisory lock and the migration share a session.
    const migrator = postgres(options.databaseUrl, { max: 1, onnotice: () => {} });
    try {
      await migrator`select pg_advisory_lock(${MIGRATION_LOCK})`;
      await migratePostgres(drizzlePostgres(migrator, { schema }), { migrationsFolder });
    } finally {
      await migrator.end({ timeout: 5 });
    }
    const client = postgres(options.databaseUrl, { max: 10, onnotice: () => {} });
    const db = drizzlePostgres(client, { schema }) as unknown as Db;
    return new DrizzleStore(db, 'postgres', () => client.end({ timeout: 5 }));
  }
  let client: PGlite;
  if ('dataDir' in options) {
    mkdirSync(options.dataDir, { recursive: true });
    client = new PGlite(options.dataDir);
  } else {
    client = new PGlite();
  }
  await migratePglite(drizzlePglite(client, { schema }), { migrationsFolder });
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  return new DrizzleStore(db, 'pglite', () => client.close());
}
