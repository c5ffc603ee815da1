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
const registration = !only || only === 'registration';
if (registration) console.log(await benchRegistration(runs));
// The same on PostgreSQL, when the machine has it (as the development machines and CI do).
const pg = !registration ? undefined : await throwawayDatabase().catch(() => undefined);
if (!registration) {
  // skipped
} else if (pg) {
  try {
    console.log(await benchRegistration(runs, pg.url));
  } finally {
    await pg.drop();
  }
} else {
  console.log('## Registration, PostgreSQL\n\nskipped: no PostgreSQL at 127.0.0.1:5432\n');
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
  const db = await throwawayDatabase().catch(() => undefined);
  if (db) {
    try {
      console.log(await benchReads(requests, db.url));
    } finally {
      await db.drop();
    }
  } else {
    console.log('## Read path, PostgreSQL\n\nskipped: no PostgreSQL at 127.0.0.1:5432\n');
  }
}
