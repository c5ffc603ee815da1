/** `npm run bench`: every benchmark, each with its baseline measured in this same run. */
import os from 'node:os';
import { benchRegistration } from './registration.js';

const runs = Number(process.env.BENCH_RUNS ?? 30);
const header = `# Herald benchmarks\n\n${new Date().toISOString()} · ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'} · ${Math.round(os.totalmem() / 2 ** 30)} GiB · Node ${process.version}\n`;
console.log(header);
console.log(await benchRegistration(runs));
