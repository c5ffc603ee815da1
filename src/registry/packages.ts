/**
 * Generated SDKs as archives, built once and kept: the npm registry under /npm/ (TypeScript
 * packages, `@herald/<contract>` by default) and `GET .../versions/{n}/sdk/{lang}`.
 *
 * A package version never changes meaning. Each contract version gets its package version
 * when it is registered (package-version.ts); its archive is built the first time it is asked
 * for, by the generator of the Herald that runs, and then served byte for byte. A newer
 * generator builds the latest live version again: when its package differs, that is a new
 * patch (from the highest package version the contract has had); when not, nothing changes.
 * Older versions keep the package they were first built as.
 */
import { readFileSync } from 'node:fs';
import semver from 'semver';
import type { Analyzer } from '../analysis/analyzer.js';
import type { SdkArchive } from '../analysis/tasks.js';
import { HeraldError } from '../errors.js';
import { defaultPackage, LANGUAGES, type Language, type SdkOptions } from '../sdk/generate.js';
import type { ArchiveRow, ContractRow, Store, VersionRow } from '../store/store.js';
import { CONTRACT_NAME } from './names.js';
import { nextPackageVersion } from './package-version.js';
import { KeyedQueue } from './queue.js';
import type { Registry } from './registry.js';

/** Herald's version names its generators: src/ and dist/ are both two levels below package.json. */
export const GENERATOR = `herald@${(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version}`;

/** What the abbreviated packument (npm's install metadata) keeps of a manifest. */
const ABBREVIATED = ['name', 'version', 'dependencies', 'optionalDependencies', 'peerDependencies', 'peerDependenciesMeta', 'bundleDependencies', 'bin', 'directories', 'engines', 'deprecated', 'dist'];

export interface PackageOptions {
  /** HERALD_NPM_SCOPE. */
  scope: string;
  /** Names the generator; tests stand in a newer one. */
  generator?: string;
  /** Generates and packs an SDK (the analyzer's workers, by default). */
  build?: (document: Record<string, unknown>, options: SdkOptions) => Promise<SdkArchive>;
}

export interface Packument {
  contentType: string;
  body: Record<string, unknown>;
}

export class PackageService {
  readonly scope: string;
  private readonly generator: string;
  private readonly build: NonNullable<PackageOptions['build']>;
  /** One build of a contract's archives at a time in this process; others are caught by the store's key. */
  private readonly queue = new KeyedQueue();

  constructor(
    private readonly store: Store,
    private readonly registry: Registry,
    analyzer: Analyzer,
    options: PackageOptions,
  ) {
    this.scope = options.scope;
    this.generator = options.generator ?? GENERATOR;
    this.build = options.build ?? ((document, sdk) => analyzer.sdk(document, sdk));
  }

  /** `@herald/orders` for contract `orders`; contract names are already lowercase npm names. */
  packageName(contract: string): string {
    return `${this.scope}/${contract}`;
  }

  /** The contract a package name stands for, when it is one of this scope's. */
  contractOf(packageName: string): string | undefined {
    const prefix = `${this.scope}/`;
    const name = packageName.startsWith(prefix) ? packageName.slice(prefix.length) : undefined;
    return name !== undefined && CONTRACT_NAME.test(name) ? name : undefined;
  }

  /**
   * The packument of a contract's package: every live version's package (building those not
   * built yet), `dist-tags.latest`, `time`. `abbreviated` is npm's install form.
   */
  async packument(packageName: string, abbreviated: boolean, origin: string): Promise<Packument | undefined> {
    const name = this.contractOf(packageName);
    const contract = name && (await this.store.findContract(name));
    if (!name || !contract || contract.deletedAt !== null) return undefined;
    await this.registry.ensurePackageVersions(name);
    const live = await this.store.versionPackages(contract.id, false);
    if (live.length === 0) return undefined;
    let archives = await this.store.listArchives(contract.id, 'typescript');
    const built = (id: number, latest: boolean) => archives.some((a) => a.versionId === id && (!latest || a.generator === this.generator));
    if (live.some((v, i) => !built(v.id, i === live.length - 1))) {
      for (const [i, v] of live.entries()) if (!built(v.id, i === live.length - 1)) await this.ensureNpmArchive(contract, v, i === live.length - 1);
      archives = await this.store.listArchives(contract.id, 'typescript');
    }
    const liveIds = new Set(live.map((v) => v.id));
    const packages = archives.filter((a) => liveIds.has(a.versionId)).sort((x, y) => semver.compare(x.packageVersion, y.packageVersion));
    const versions: Record<string, unknown> = {};
    const time: Record<string, string> = {};
    for (const a of packages) {
      if (Object.hasOwn(versions, a.packageVersion)) continue;
      const tarball = `${origin}/npm/${packageName}/-/${name}-${a.packageVersion}.tgz`;
      const manifest = { ...(a.manifest as Record<string, unknown>), _id: `${packageName}@${a.packageVersion}`, dist: { tarball, shasum: a.shasum, integrity: a.integrity } };
      versions[a.packageVersion] = abbreviated ? Object.fromEntries(Object.entries(manifest).filter(([k]) => ABBREVIATED.includes(k))) : manifest;
      time[a.packageVersion] = a.createdAt.toISOString();
    }
    const tags = { latest: packages.at(-1)!.packageVersion };
    const modified = new Date(Math.max(...packages.map((a) => a.createdAt.getTime()))).toISOString();
    if (abbreviated) return { contentType: 'application/vnd.npm.install-v1+json', body: { name: packageName, modified, 'dist-tags': tags, versions } };
    return {
      contentType: 'application/json',
      body: { _id: packageName, name: packageName, description: `SDK of the contract "${name}", generated by Herald.`, 'dist-tags': tags, versions, time: { created: contract.createdAt.toISOString(), modified, ...time } },
    };
  }

  /**
   * The tarball a package version names: of a live version, or of a deleted one (a lockfile
   * that pinned it must keep working); gone only with a hard delete.
   */
  async tarball(packageName: string, file: string): Promise<ArchiveRow | undefined> {
    const name = this.contractOf(packageName);
    const version = name && file.startsWith(`${name}-`) && file.endsWith('.tgz') ? file.slice(name.length + 1, -'.tgz'.length) : undefined;
    if (!name || !version || semver.valid(version) !== version) return undefined;
    const kept = await this.store.findArchiveByPackageVersion(name, 'typescript', version);
    if (kept) return kept;
    // Never built: the version whose package this is, built now.
    const contract = await this.store.findContract(name);
    if (!contract) return undefined;
    await this.registry.ensurePackageVersions(contract.name);
    const row = (await this.store.versionPackages(contract.id, true)).find((r) => r.packageVersion === version);
    if (!row) return undefined;
    await this.ensureNpmArchive(contract, row, false);
    return this.store.findArchiveByPackageVersion(name, 'typescript', version);
  }

  /** The archive of a version in a language (`GET .../sdk/{lang}`); TypeScript's is its npm package, the newest. */
  async archive(contract: ContractRow, row: VersionRow, lang: string): Promise<ArchiveRow> {
    if (!(LANGUAGES as readonly string[]).includes(lang)) throw new HeraldError('not-found', `Herald generates no SDK in "${lang}"; it does in ${LANGUAGES.join(', ')}.`);
    if (lang === 'typescript') {
      await this.registry.ensurePackageVersions(contract.name);
      const latest = await this.store.latestVersion(contract.id);
      await this.ensureNpmArchive(contract, row, latest?.id === row.id);
      const newest = (await this.store.listArchives(contract.id, 'typescript')).filter((a) => a.versionId === row.id).sort((x, y) => semver.compare(x.packageVersion, y.packageVersion)).at(-1)!;
      return (await this.store.findArchive(row.id, 'typescript', newest.generator))!;
    }
    return this.serialized(contract.name, async () => {
      const kept = await this.store.findArchive(row.id, lang, this.generator);
      if (kept) return kept;
      const built = await this.build(row.document as Record<string, unknown>, this.options(contract, row, lang as Language));
      return this.store.insertArchive({ ...built, versionId: row.id, lang, generator: this.generator, packageVersion: row.packageVersion ?? '0.0.0', manifest: null, createdAt: new Date() });
    });
  }

  /**
   * Builds a version's npm package unless it is built: the package it was first built as, and,
   * for the latest version, a new patch when this generator's package differs from the last one.
   */
  private ensureNpmArchive(contract: ContractRow, version: { id: number; version: number }, latest: boolean): Promise<void> {
    const versionId = version.id;
    return this.serialized(contract.name, async () => {
      const all = (await this.store.listArchives(contract.id, 'typescript')).filter((a) => a.versionId === versionId);
      if (all.some((a) => a.generator === this.generator) || (all.length > 0 && !latest)) return;
      const row = (await this.store.findVersion(contract.id, version.version))!;
      const last = all.sort((x, y) => semver.compare(x.packageVersion, y.packageVersion)).at(-1);
      const base = last?.packageVersion ?? row.packageVersion ?? '0.0.0';
      const built = await this.build(row.document as Record<string, unknown>, this.options(contract, row, 'typescript', base));
      // The same bytes as the package already served: this generator changes nothing here.
      if (!last || built.integrity === last.integrity) {
        await this.store.insertArchive({ ...built, versionId, lang: 'typescript', generator: this.generator, packageVersion: base, manifest: built.manifest ?? null, createdAt: new Date() });
        return;
      }
      // A new patch, numbered from the highest the contract has had, so no number is given
      // twice; taken before the build, which runs outside the transaction (a crash between
      // leaves a gap, never a reuse).
      const patch = await this.store.transaction(async (tx) => {
        const locked = await tx.lockContract(contract.name);
        const next = nextPackageVersion(locked.packageVersion, 'patch');
        await tx.setPackageVersion(locked.id, next);
        return next;
      });
      const rebuilt = await this.build(row.document as Record<string, unknown>, this.options(contract, row, 'typescript', patch));
      await this.store.insertArchive({ ...rebuilt, versionId, lang: 'typescript', generator: this.generator, packageVersion: patch, manifest: rebuilt.manifest ?? null, createdAt: new Date() });
    });
  }

  private options(contract: ContractRow, row: VersionRow, lang: Language, packageVersion?: string): SdkOptions {
    const packageName = lang === 'typescript' ? this.packageName(contract.name) : defaultPackage(lang, contract.name);
    return { lang, packageName, contract: contract.name, registryVersion: row.version, ...(packageVersion ? { packageVersion } : {}) };
  }

  private serialized<T>(name: string, work: () => Promise<T>): Promise<T> {
    return this.queue.run(name, work);
  }
}
