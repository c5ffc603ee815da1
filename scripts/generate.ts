/**
 * `npm run generate`: the TypeScript SDK of every contract in specs/, into generated/<name>/.
 * `npm run generate -- --check` writes nothing and fails when generated/ is stale.
 */
import { readdirSync } from 'node:fs';
import { runGenerate } from '../src/cli/generate.js';

const check = process.argv.includes('--check');
let code = 0;
for (const file of readdirSync('specs').filter((f) => /\.ya?ml$/.test(f)).sort()) {
  const name = file.replace(/\.ya?ml$/, '');
  code = Math.max(code, await runGenerate(`specs/${file}`, { out: `generated/${name}`, lang: 'typescript', check }));
}
process.exitCode = code;
