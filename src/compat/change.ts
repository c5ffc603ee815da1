/** Building changes: the kind, the directions it breaks, where, and a sentence on why it matters. */
import type { Kind } from './kinds.js';
import type { Change, Direction } from './types.js';

export function consequence(breaks: readonly Direction[]): string {
  const b = breaks.includes('BACKWARD');
  const f = breaks.includes('FORWARD');
  if (b && f) return 'each version can reject messages the other accepts';
  if (b) return 'messages valid under the old version can be rejected by the new one (breaks BACKWARD)';
  if (f) return 'messages valid under the new version can be rejected by readers on the old one (breaks FORWARD)';
  return 'no message valid under one version is rejected by the other';
}

export function change(kind: Kind, breaks: readonly Direction[], oldPath: string, newPath: string, what: string): Change {
  const ordered = (['BACKWARD', 'FORWARD'] as const).filter((d) => breaks.includes(d));
  return { kind, breaks: ordered, oldPath, newPath, message: `${what}: ${consequence(ordered)}.` };
}

/** The directions from two flags. */
export const dirs = (backward: boolean, forward: boolean): Direction[] => [
  ...(backward ? (['BACKWARD'] as const) : []),
  ...(forward ? (['FORWARD'] as const) : []),
];

/** The same changes without one direction (it has been decided otherwise). */
export function without(changes: Change[], direction: Direction): Change[] {
  return changes.map((c) => (c.breaks.includes(direction) ? { ...c, breaks: c.breaks.filter((d) => d !== direction), message: rephrase(c, direction) } : c));
}

/** The same changes, counted only in one direction. */
export function only(changes: Change[], direction: Direction): Change[] {
  return changes.filter((c) => c.breaks.includes(direction)).map((c) => (c.breaks.length === 1 ? c : { ...c, breaks: [direction], message: rephrase(c, direction === 'BACKWARD' ? 'FORWARD' : 'BACKWARD') }));
}

function rephrase(c: Change, dropped: Direction): string {
  const what = c.message.slice(0, c.message.lastIndexOf(': ' + consequence(c.breaks)));
  return `${what}: ${consequence(c.breaks.filter((d) => d !== dropped))}.`;
}

export const q = (value: unknown) => JSON.stringify(value);

/** Values for a message: the first few, then how many more (an enum may hold thousands). */
export function list(values: readonly unknown[], shown = 10): string {
  const head = values.slice(0, shown).map(q).join(', ');
  return values.length > shown ? `${head} and ${values.length - shown} more` : head;
}
