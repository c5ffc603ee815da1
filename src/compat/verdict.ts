/**
 * From changes to a verdict under a mode. AUTO reads the contract's operations: messages
 * the application sends are checked FORWARD (its consumers still run the old contract),
 * messages it receives BACKWARD, messages it does both with FULL. Changes to channels and
 * operations as a whole count in both directions.
 */
import type { Contract } from '../contracts/model.js';
import { unlimited, type Budget } from './budget.js';
import { compareContracts, type ContractVersion } from './contracts.js';
import { KINDS } from './kinds.js';
import { matchContracts, messageFlows, operationsOf, type Matching } from './match.js';
import { BOTH, type Change, type Direction, type Mode, type Policy, type Scope } from './types.js';

export interface JudgedChange extends Change {
  /** Whether this change makes the check fail under the mode applied. */
  breaking: boolean;
  /** The directions the mode checks this change in (under AUTO: by who sends the message). */
  checked: Direction[];
  /** The earlier version this change was found against (registry checks). */
  against?: number;
}

export interface Verdict {
  compatible: boolean;
  mode: Mode;
  policy: Policy;
  changes: JudgedChange[];
  /** Advice that does not affect the verdict, e.g. a missing major version bump. */
  advice: string[];
  /** Present when the report lists fewer changes than were found (breaking ones first). */
  truncated?: { total: number; shown: number };
}

export interface CheckOptions {
  /** Shared by every comparison of the check; unlimited by default. */
  budget?: Budget;
  /** Most changes the report lists; the verdict counts all of them. */
  maxChanges?: number;
}

export interface Earlier extends ContractVersion {
  /** Its version number in the registry, when it has one. */
  version?: number;
}

export const isTransitive = (mode: Mode) => mode.endsWith('_TRANSITIVE');

function baseDirections(mode: Mode): Direction[] {
  if (mode.startsWith('BACKWARD')) return ['BACKWARD'];
  if (mode.startsWith('FORWARD')) return ['FORWARD'];
  if (mode.startsWith('FULL')) return [...BOTH];
  return [];
}

/** The directions a change is checked in under AUTO. */
function autoDirections(scope: Scope | undefined, now: Map<string, Set<Direction>>, before: Map<string, Set<Direction>>, neu: Contract, old: Contract): Direction[] {
  if (scope?.channel !== undefined && scope.message !== undefined) {
    const key = `${scope.channel}\u0000${scope.message}`;
    const flow = now.get(key) ?? before.get(key);
    if (flow) return [...flow];
  }
  const op = scope?.operation === undefined ? undefined : (operationsOf(neu).get(scope.operation) ?? operationsOf(old).get(scope.operation));
  // A reply flows opposite to its operation: an application that sends a request receives the reply.
  if (scope?.reply && op) return [op.action === 'send' ? 'BACKWARD' : 'FORWARD'];
  if (scope?.binding !== undefined && scope.message === undefined) {
    // An operation's binding is written by whoever sends; a channel's (the WebSocket handshake) by the connecting client.
    if (op) return [op.action === 'send' ? 'FORWARD' : 'BACKWARD'];
    if (scope.operation === undefined) return ['BACKWARD'];
  }
  // A message no operation sends or receives: nothing tells which side reads it, so both are checked.
  return [...BOTH];
}

/** The old version's flows under the new version's channel and message ids, where they were matched. */
function flowsAsNew(old: Contract, matching: Matching): Map<string, Set<Direction>> {
  const out = new Map<string, Set<Direction>>();
  for (const [key, flow] of messageFlows(old)) {
    const [channel, message] = key.split('\u0000') as [string, string];
    out.set(`${matching.channels.get(channel) ?? channel}\u0000${matching.messages.get(channel)?.get(message) ?? message}`, flow);
  }
  return out;
}

function judge(changes: Change[], mode: Mode, old: Contract, neu: Contract, matching: Matching, against: number | undefined): JudgedChange[] {
  const now = messageFlows(neu);
  const before = flowsAsNew(old, matching);
  return changes.map((c) => {
    const directions = mode === 'NONE' ? [] : mode.startsWith('AUTO') ? autoDirections(c.scope, now, before, neu, old) : baseDirections(mode);
    return { ...c, breaking: c.breaks.some((d) => directions.includes(d)), checked: directions, ...(against !== undefined ? { against } : {}) };
  });
}

/**
 * Checks a new version against earlier ones (oldest first): the last one, or all of them
 * for the transitive modes. Lists every change against the latest and, for transitive
 * modes, the breaking changes against older versions as well.
 */
export function checkCompatibility(neu: ContractVersion, earlier: Earlier[], mode: Mode, policy: Policy, options: CheckOptions = {}): Verdict {
  const latest = earlier.at(-1);
  if (!latest) return { compatible: true, mode, policy, changes: [], advice: [] };
  const budget = options.budget ?? unlimited();
  const targets = isTransitive(mode) ? earlier : [latest];
  const changes: JudgedChange[] = [];
  const seen = new Set<string>();
  for (const target of [...targets].reverse()) {
    const matching = matchContracts(target.contract, neu.contract);
    const judged = judge(compareContracts(target, neu, policy, budget, matching), mode, target.contract, neu.contract, matching, target.version);
    for (const c of target === latest ? judged : judged.filter((x) => x.breaking)) {
      const key = `${c.kind}|${c.oldPath}|${c.newPath}|${c.breaks.join()}`;
      if (target !== latest && seen.has(key)) continue;
      seen.add(key);
      changes.push(c);
    }
  }
  merge(changes);
  const compatible = !changes.some((c) => c.breaking);
  const advice = semverAdvice(latest.contract, neu.contract, changes, mode);
  const max = options.maxChanges ?? Number.POSITIVE_INFINITY;
  if (changes.length <= max) return { compatible, mode, policy, changes, advice };
  return { compatible, mode, policy, changes: firstOf(changes, max), advice, truncated: { total: changes.length, shown: max } };
}

/**
 * One change per place and judgement: a schema shared by many messages (a polymorphic base
 * on every event) changes once, reached from each of them. The first keeps its scope and
 * counts the others in `occurrences`. In place.
 */
function merge(changes: JudgedChange[]): void {
  const first = new Map<string, JudgedChange>();
  let kept = 0;
  for (const c of changes) {
    // A schema change is the same change from every message; a message or operation change is not.
    const who = KINDS[c.kind].category === 'channel' || KINDS[c.kind].category === 'operation' ? JSON.stringify(c.scope ?? {}) : '';
    const key = `${c.kind}|${c.oldPath}|${c.newPath}|${c.breaks.join()}|${c.breaking}|${c.checked.join()}|${c.against ?? ''}|${who}`;
    const had = first.get(key);
    if (had) had.occurrences = (had.occurrences ?? 1) + (c.occurrences ?? 1);
    else {
      const own = { ...c };
      first.set(key, own);
      changes[kept++] = own;
    }
  }
  changes.length = kept;
}

/** The first `max` changes, breaking ones before the rest, each group in its order. */
function firstOf(changes: JudgedChange[], max: number): JudgedChange[] {
  const breaking = changes.filter((c) => c.breaking);
  const kept = new Set([...breaking, ...changes.filter((c) => !c.breaking)].slice(0, max));
  return changes.filter((c) => kept.has(c));
}

const major = (version: string) => {
  const m = /^v?(\d+)(?:\.|$)/.exec(version.trim());
  return m ? Number(m[1]) : undefined;
};

/** A breaking change without a major bump of info.version is worth saying, though it decides nothing. */
export function semverAdvice(old: Contract, neu: Contract, changes: JudgedChange[], mode: Mode): string[] {
  const breaking = mode === 'NONE' ? changes.filter((c) => c.breaks.length > 0) : changes.filter((c) => c.breaking);
  if (breaking.length === 0) return [];
  const a = major(old.version);
  const b = major(neu.version);
  if (a === undefined || b === undefined || b > a) return [];
  const next = `${a + 1}.0.0`;
  const movement = old.version === neu.version ? `info.version stays ${old.version}` : `info.version goes from ${old.version} to ${neu.version}`;
  return [`${breaking.length} breaking change${breaking.length === 1 ? '' : 's'}, yet ${movement}: semantic versioning calls for a major bump (${next}).`];
}
