/**
 * The semantic version of a contract version's SDK package, from the compatibility engine's
 * verdict against the version before it (the latest live one), under the contract's mode
 * made one-step (BACKWARD when the mode is NONE):
 *
 * - the contract's first version: 1.0.0;
 * - no change of kind (descriptions, examples, titles only): a patch;
 * - compatible: a minor;
 * - breaking (registered under NONE, or after a change of mode), or no live version before
 *   it: a major.
 *
 * The bump applies to the highest package version the contract has ever been given, never to
 * the predecessor's, so that no number is given twice, whatever was deleted in between.
 */
import semver from 'semver';
import type { Mode } from '../compat/types.js';
import type { Verdict } from '../compat/verdict.js';

export type Bump = 'initial' | 'patch' | 'minor' | 'major';

/** Why a version got its package version: stored beside it and shown by the API. */
export interface PackageReason {
  bump: Bump;
  /** The registry version it was compared with. */
  against?: number;
  mode?: Mode;
  /** Changes of kind the engine found, and how many of them break. */
  changes?: number;
  breaking?: number;
  /** In words, e.g. "compatible with version 2 under BACKWARD: 3 changes, none breaking". */
  summary: string;
}

/** The one-step mode a package bump is judged under. */
export function stepMode(mode: Mode): Mode {
  return mode === 'NONE' ? 'BACKWARD' : (mode.replace('_TRANSITIVE', '') as Mode);
}

/**
 * The reason for a version's package bump, from the verdict against its predecessor, or the
 * lack of one (no predecessor, or a check that could not finish: `failure`).
 */
export function packageReason(isFirst: boolean, predecessor: { version: number; verdict?: Verdict; failure?: string } | undefined): PackageReason {
  if (isFirst) return { bump: 'initial', summary: 'the first version of the contract' };
  if (!predecessor) return { bump: 'major', summary: 'no live version before it to compare with' };
  if (!predecessor.verdict) return { bump: 'major', against: predecessor.version, summary: `the check against version ${predecessor.version} did not finish: ${predecessor.failure ?? 'unknown reason'}` };
  const v = predecessor.verdict;
  const changes = v.truncated?.total ?? v.changes.length;
  const breaking = v.changes.filter((c) => c.breaking).length;
  const base = { against: predecessor.version, mode: v.mode, changes, breaking };
  if (changes === 0) return { ...base, bump: 'patch', summary: `no change of kind from version ${predecessor.version} under ${v.mode}: documentation only` };
  if (v.compatible) return { ...base, bump: 'minor', summary: `compatible with version ${predecessor.version} under ${v.mode}: ${changes} change${changes === 1 ? '' : 's'}, none breaking` };
  const firstBreaking = v.changes.find((c) => c.breaking);
  return {
    ...base,
    bump: 'major',
    summary: `breaking against version ${predecessor.version} under ${v.mode}: ${breaking} breaking change${breaking === 1 ? '' : 's'}${firstBreaking ? `, first ${firstBreaking.kind} at ${firstBreaking.newPath || firstBreaking.oldPath || '/'}` : ''}`,
  };
}

/** The package version a bump gives, from the highest the contract has had (none: 1.0.0). */
export function nextPackageVersion(highest: string | null, bump: Bump): string {
  if (highest === null) return '1.0.0';
  return semver.inc(highest, bump === 'initial' ? 'major' : bump)!;
}
