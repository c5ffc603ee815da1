/**
 * `herald generate`: an SDK from a contract file (offline) or a registered version, written
 * to a folder; with `--check`, nothing is written and the exit code says whether the folder
 * is what would be generated (for CI). Exit 0 ok, 1 the folder differs, 2 unusable input.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InlineAnalyzer } from '../analysis/analyzer.js';
import { loadConfig } from '../config.js';
import { setPatternDialect } from '../contracts/regex.js';
import { unpackArchive } from '../sdk/archive.js';
import { defaultPackage, generateSdk, LANGUAGES, type Language } from '../sdk/generate.js';
import { DEFAULT_REGISTRY, RegistryClient } from './client.js';
import { CliError, EXIT } from './errors.js';
import { invalid, load } from './load.js';

/** The most an SDK archive from a registry may unpack to. */
const MAX_ARCHIVE_BYTES = 256 * 1024 * 1024;

export interface GenerateOptions {
  out: string;
  lang: string;
  package?: string;
  check?: boolean;
  contract?: string;
  version?: string;
  registry?: string;
  token?: string;
  root?: string;
}

export async function runGenerate(file: string | undefined, o: GenerateOptions): Promise<number> {
  const lang = o.lang.toLowerCase() as Language;
  if (!LANGUAGES.includes(lang)) throw new CliError(`--lang must be one of ${LANGUAGES.join(', ')}, not "${o.lang}"`, EXIT.usage);
  if ((file === undefined) === (o.contract === undefined)) throw new CliError('give either FILE or --contract NAME (with --registry), not both', EXIT.usage);
  const config = loadConfig();
  setPatternDialect(config.patternDialect);
  const analyzer = new InlineAnalyzer({ ingest: config.limits, check: config.compat });
  let name: string;
  let sdk: { files: Record<string, string>; collisions: string[] };
  if (file !== undefined) {
    const doc = (await load(analyzer, file, o.root)).doc;
    name = path.basename(file).replace(/\.(ya?ml|json)$/i, '');
    sdk = await generateSdk(doc.document, doc.contract, { lang, packageName: o.package ?? defaultPackage(lang, name), contract: name });
  } else {
    name = o.contract!;
    const client = new RegistryClient({ registry: o.registry ?? DEFAULT_REGISTRY, token: o.token });
    const at = `v1/contracts/${encodeURIComponent(name)}/versions`;
    let registryVersion: number;
    try {
      // The number first, so that "latest" names one version throughout (the SDK's dead letters carry it, as the gateway's do).
      registryVersion = (await client.request<{ version: number }>('GET', `${at}/${encodeURIComponent(o.version ?? 'latest')}`)).data.version;
    } catch (err) {
      // No such contract or version: unusable input here, not a rejection.
      if (err instanceof CliError && err.exitCode === EXIT.rejected) throw new CliError(err.message, EXIT.usage);
      throw err;
    }
    // The registry's own build of this version, as its npm registry serves it (package version
    // included), unless a package name of the caller's is wanted or the registry predates it.
    const archive = o.package === undefined ? await client.download(`${at}/${registryVersion}/sdk/${lang}`, 'application/gzip').catch((err: unknown) => {
      // The registry cannot generate this version in this language: unusable input, as offline.
      throw err instanceof CliError && err.exitCode === EXIT.rejected ? new CliError(err.message, EXIT.usage) : err;
    }) : undefined;
    if (archive) {
      sdk = { files: await unpackArchive(archive, MAX_ARCHIVE_BYTES), collisions: [] };
    } else {
      const text = (await client.request<string>('GET', `${at}/${registryVersion}/document`, undefined, 'application/json')).text;
      let doc;
      try {
        doc = await analyzer.ingest(text, 'json');
      } catch (err) {
        throw invalid(err, `${name} ${registryVersion}`, name);
      }
      sdk = await generateSdk(doc.document, doc.contract, { lang, packageName: o.package ?? defaultPackage(lang, name), contract: name, registryVersion });
    }
  }
  for (const c of sdk.collisions) process.stderr.write(`name collision: ${c}\n`);
  if (o.check) return check(o.out, sdk.files);
  for (const [rel, content] of Object.entries(sdk.files)) {
    const target = path.join(o.out, rel);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, content);
  }
  process.stdout.write(`${o.out}: ${Object.keys(sdk.files).length} files (${lang})\n`);
  return EXIT.ok;
}

/** Whether `dir` holds exactly the generated files; the differences, one line each. */
async function check(dir: string, files: Record<string, string>): Promise<number> {
  const differ: string[] = [];
  for (const [rel, content] of Object.entries(files)) {
    const now = await readFile(path.join(dir, rel), 'utf8').catch(() => undefined);
    if (now === undefined) differ.push(`missing: ${rel}`);
    else if (now !== content) differ.push(`differs: ${rel}`);
  }
  for (const rel of await listFiles(dir)) if (!(rel in files)) differ.push(`not generated: ${rel}`);
  if (differ.length === 0) {
    process.stdout.write(`${dir}: up to date (${Object.keys(files).length} files)\n`);
    return EXIT.ok;
  }
  process.stdout.write(`${dir} is not what herald generate writes:\n${differ.map((l) => `  ${l}\n`).join('')}`);
  return EXIT.rejected;
}

/** Files under `dir`, relative, with `/`; none when it does not exist. node_modules is not the SDK's. */
async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(path.join(dir, prefix), { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const e of entries) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) {
      if (e.name !== 'node_modules') out.push(...(await listFiles(dir, rel)));
    } else out.push(rel);
  }
  return out.sort();
}
