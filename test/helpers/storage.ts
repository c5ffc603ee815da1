/**
 * Both storage drivers for integration tests: an in-memory PGlite, and a throwaway
 * database on the machine's PostgreSQL (dropped afterwards).
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';

export type DriverName = 'pglite' | 'postgres';
export const DRIVERS: DriverName[] = ['pglite', 'postgres'];

export const ADMIN_URL = process.env.HERALD_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestStore {
  store: Store;
  /** The PostgreSQL URL of the throwaway database, for the postgres driver. */
  databaseUrl?: string;
  cleanup(): Promise<void>;
}

/** A new, empty database on the machine's PostgreSQL; returns its URL and a function that drops it. */
export async function throwawayDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `herald_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

export async function openTestStore(driver: DriverName): Promise<TestStore> {
  if (driver === 'pglite') {
    const store = await openStore({ memory: true });
    return { store, cleanup: () => store.close() };
  }
  const db = await throwawayDatabase();
  const store = await openStore({ databaseUrl: db.url });
  return {
    store,
    databaseUrl: db.url,
    async cleanup() {
      await store.close();
      await db.drop();
    },
  };
}
