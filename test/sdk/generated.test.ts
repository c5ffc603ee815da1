/** generated/ holds the TypeScript SDK of every contract in specs/, as `npm run generate` writes it. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ingest } from '../../src/contracts/ingest.js';
import { defaultPackage, generateSdk } from '../../src/sdk/generate.js';

const specs = readdirSync('specs').filter((f) => /\.ya?ml$/.test(f)).sort();

describe('generated/ is up to date (npm run generate)', () => {
  it.each(specs)('%s', async (file) => {
    const name = file.replace(/\.ya?ml$/, '');
    const { document, contract } = await ingest(readFileSync(`specs/${file}`, 'utf8'), 'yaml');
    const sdk = await generateSdk(document, contract, { lang: 'typescript', packageName: defaultPackage('typescript', name), contract: name });
    const dir = `generated/${name}`;
    const committed = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => statSync(`${dir}/${f}`).isFile()).sort();
    expect(committed).toEqual(Object.keys(sdk.files));
    for (const [path, content] of Object.entries(sdk.files)) expect(readFileSync(`generated/${name}/${path}`, 'utf8'), `generated/${name}/${path} is stale: npm run generate`).toBe(content);
  });

  it('two generations of the same contract are the same bytes', async () => {
    const { document, contract } = await ingest(readFileSync('specs/orders.yaml', 'utf8'), 'yaml');
    const a = await generateSdk(document, contract, { lang: 'typescript', packageName: '@herald/orders', contract: 'orders' });
    const b = await generateSdk(structuredClone(document), structuredClone(contract), { lang: 'typescript', packageName: '@herald/orders', contract: 'orders' });
    expect(JSON.stringify(b.files)).toBe(JSON.stringify(a.files));
  });
});
