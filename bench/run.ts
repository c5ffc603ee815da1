/** `npm run bench`: every benchmark, each with its baseline measured in this same run. */
import os from 'node:os';
import { throwawayDatabase } from '../test/helpers/storage.js';
import { benchCompat } from './compat.js';
import { benchDocs } from './docs.js';
import { benchGateway } from './gateway.js';
import { benchHardening } from './hardening.js';
import { benchPackages } from './packages.js';
import { benchReads } from './reads.js';
import { benchRegistration } from './registration.js';
import { benchSdk } from './sdk.js';

const runs = Number(process.env.BENCH_RUNS ?? 30);
const only = process.env.BENCH_ONLY; // registration | compat | hardening | sdk | packages | docs | gateway | reads
const header = `# Herald benchmarks\n\n${new Date().toISOString()} · ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'} · ${Math.round(os.totalmem() / 2 ** 30)} GiB · Node ${process.version}\n`;
console.log(header);
/** A bench on a throwaway PostgreSQL database, when the machine has one (as the development machines and CI do). */
async function onPostgres(title: string, bench: (url: string) => Promise<string>): Promise<string> {
  const db = await throwawayDatabase().catch(() => undefined);
  if (!db) return `## ${title}, PostgreSQL\n\nskipped: no PostgreSQL at 127.0.0.1:5432\n`;
  try {
    return await bench(db.url);
  } finally {
    await db.drop();
  }
}

if (!only || only === 'registration') {
  console.log(await benchRegistration(runs));
  console.log(await onPostgres('Registration', (url) => benchRegistration(runs, url)));
}
if (!only || only === 'compat') console.log(await benchCompat(Math.max(5, Math.floor(runs / 3))));
if (!only || only === 'hardening') console.log(await benchHardening(Math.max(5, Math.floor(runs / 3))));
if (!only || only === 'sdk') console.log(await benchSdk(Math.max(5, Math.floor(runs / 3))));
if (!only || only === 'packages') console.log(await benchPackages(runs));
if (!only || only === 'docs') console.log(await benchDocs(runs));
if (!only || only === 'gateway') console.log(await benchGateway(runs));
if (!only || only === 'reads') {
  const requests = Number(process.env.BENCH_READ_REQUESTS ?? 2400);
  console.log(await benchReads(requests));
  console.log(await onPostgres('Read path', (url) => benchReads(requests, url)));
}
