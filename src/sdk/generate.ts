/**
 * An SDK from a contract: the models every language gets (names decided once, in names.ts),
 * and for TypeScript the package around them. Pure: files in, no I/O; the same contract
 * gives the same files, byte for byte.
 */
import type { Contract } from '../contracts/model.js';
import { modelinaModels } from './modelina.js';
import { nameModels, trimEnds } from './names.js';
import { typescriptChannels } from './typescript/channels.js';
import { typescriptModels } from './typescript/models.js';
import { typescriptPackage } from './typescript/package.js';
import { typescriptValidators } from './typescript/validators.js';

export const LANGUAGES = ['typescript', 'java', 'python', 'go', 'csharp', 'rust', 'kotlin'] as const;
export type Language = (typeof LANGUAGES)[number];

export interface SdkOptions {
  lang: Language;
  /** npm package name (TypeScript), package or module name in the other languages. */
  packageName: string;
  /** The contract's name in the registry: the TypeScript client publishes to the gateway and writes dead letters under it. */
  contract: string;
  /** The registered version the document is, when it comes from the registry: the SDK's dead letters name it, as the gateway's do. */
  registryVersion?: number;
  /** TypeScript: the package's version (the registry's, package-version.ts), else the contract's `info.version` when it is semver. */
  packageVersion?: string;
}

export interface Sdk {
  /** Relative path -> content, sorted by path. */
  files: Record<string, string>;
  /** Names two places wanted (names.ts), to report. */
  collisions: string[];
}

export async function generateSdk(document: unknown, contract: Contract, options: SdkOptions): Promise<Sdk> {
  const set = nameModels(document, contract);
  const files =
    options.lang === 'typescript'
      ? {
          ...typescriptModels(set),
          ...(await typescriptValidators(set)),
          ...typescriptChannels({ name: options.contract, version: options.registryVersion ?? contract.version }, contract, set),
          ...typescriptPackage({ name: options.packageName, contract, ...(options.packageVersion ? { version: options.packageVersion } : {}) }, set),
        }
      : await modelinaModels(options.lang, set, { packageName: options.packageName });
  const sorted: Record<string, string> = {};
  for (const path of Object.keys(files).sort()) sorted[path] = files[path]!;
  return { files: sorted, collisions: set.collisions };
}

/** The default package name: `@herald/<contract>` for TypeScript, the contract's name made an identifier elsewhere. */
export function defaultPackage(lang: Language, contract: string): string {
  const kebab = trimEnds(contract.toLowerCase().replace(/[^a-z0-9._-]+/g, '-'), '-._') || 'contract';
  if (lang === 'typescript') return `@herald/${kebab}`;
  const words = kebab.split(/[^a-z0-9]+/).filter(Boolean);
  if (lang === 'java' || lang === 'kotlin') return `herald.${words.join('_').replace(/^(\d)/, '_$1')}`;
  if (lang === 'python' || lang === 'rust') return words.join('_').replace(/^(\d)/, '_$1');
  if (lang === 'csharp') return `Herald.${words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('')}`;
  return words.join('').replace(/^(\d)/, '_$1');
}
