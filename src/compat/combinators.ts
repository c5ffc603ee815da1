/**
 * `anyOf` and `oneOf`: alternatives are matched with a best matching. Each old alternative
 * must fit in some new one (BACKWARD) and each new one in some old one (FORWARD); the
 * changes of the closest pair explain a miss. Keywords beside the combinator apply to every
 * alternative, so they are folded into each branch before matching.
 *
 * `oneOf` rejects a message that matches two alternatives, so where alternatives may
 * overlap (and Herald cannot prove they do not) a changed `oneOf` is reported as breaking,
 * naming the two alternatives, with a message both accept where one is found (overlap.ts).
 */
import { change, only } from './change.js';
import { branches, type Branch, type Combinator } from './node.js';
import { disjoint, explainOverlap } from './overlap.js';
import type { SchemaNode } from './node.js';
import type { Comparer } from './schemas.js';
import type { Change } from './types.js';


export function compareDisjunctions(cmp: Comparer, o: SchemaNode, n: SchemaNode, oPath: string, nPath: string): Change[] {
  // An alternative that admits nothing (a subtype's discriminator against another's, once a
  // polymorphic base is unfolded) can be neither missed nor matched: it is left out.
  const live = (x: ReturnType<typeof branches>) => {
    const kept = x.combinator ? x.branches.filter((br) => !disjoint(cmp, br.node, br.node, 3)) : x.branches;
    return { ...x, branches: kept.length > 0 ? kept : x.branches };
  };
  const a = live(branches(o, oPath));
  const b = live(branches(n, nPath));
  const diffs = a.branches.map((x) => b.branches.map((y) => cmp.node(x.node, y.node, x.path, y.path)));
  const count = (changes: Change[], d: 'BACKWARD' | 'FORWARD') => changes.filter((c) => c.breaks.includes(d)).length;
  const out: Change[] = [];
  const rootTypeMiss = (changes: Change[], x: Branch, y: Branch) =>
    changes.some((c) => ['TYPE_CHANGED', 'TYPE_NARROWED', 'TYPE_EXTENDED', 'FALSE_SCHEMA_ADDED', 'FALSE_SCHEMA_REMOVED'].includes(c.kind) && (c.oldPath.startsWith(x.path) || c.newPath.startsWith(y.path)) && c.oldPath.split('/').length <= x.path.split('/').length + 1);

  // The closest counterpart that shares messages with the alternative explains its misses; a
  // counterpart that provably shares none is no counterpart (the alternative is gone).
  const closest = (x: Branch, y: Branch, changes: Change[]) => !rootTypeMiss(changes, x, y) && !disjoint(cmp, x.node, y.node, 3);
  a.branches.forEach((x, i) => {
    const scores = diffs[i]!.map((d) => count(d, 'BACKWARD'));
    if (Math.min(...scores) === 0) return;
    const near = b.branches.map((y, j) => j).filter((j) => closest(x, b.branches[j]!, diffs[i]![j]!));
    const j = near.sort((p, q) => scores[p]! - scores[q]!)[0];
    if (j === undefined) out.push(change('SUM_TYPE_NARROWED', ['BACKWARD'], x.path, b.path, `Alternative ${x.index} of the old schema has no counterpart in the new one`));
    else out.push(...only(diffs[i]![j]!, 'BACKWARD'));
  });
  b.branches.forEach((y, j) => {
    const scores = a.branches.map((_, i) => count(diffs[i]![j]!, 'FORWARD'));
    if (Math.min(...scores) === 0) return;
    const near = a.branches.map((x, i) => i).filter((i) => closest(a.branches[i]!, y, diffs[i]![j]!));
    const i = near.sort((p, q) => scores[p]! - scores[q]!)[0];
    if (i === undefined) out.push(change('SUM_TYPE_EXTENDED', ['FORWARD'], a.path, y.path, `Alternative ${y.index} of the new schema admits messages no old alternative admits`));
    else out.push(...only(diffs[i]![j]!, 'FORWARD'));
  });
  // Pairs that match both ways may still differ harmlessly (a default); keep those notes.
  a.branches.forEach((_, i) => {
    const j = diffs[i]!.findIndex((d) => d.length > 0 && d.every((c) => c.breaks.length === 0));
    if (j >= 0) out.push(...diffs[i]![j]!);
  });
  // Each new alternative inside its own old one (and the reverse): matchings that keep oneOf's "exactly one" intact.
  const intoOld = injective(b.branches.length, a.branches.length, (j, i) => count(diffs[i]![j]!, 'FORWARD') === 0);
  const intoNew = injective(a.branches.length, b.branches.length, (i, j) => count(diffs[i]![j]!, 'BACKWARD') === 0);
  out.push(...exclusivity(cmp, a.combinator, b.combinator, a.branches, b.branches, a.path, b.path, intoOld, intoNew));
  return dedupe(out);
}

/**
 * oneOf rejects a message that matches two alternatives. An old message could match two new
 * alternatives only if they overlap and the new alternatives do not each sit inside a
 * different old one (then the old message would have matched two old ones). Likewise the
 * other way round.
 */
function exclusivity(cmp: Comparer, oc: Combinator | undefined, nc: Combinator | undefined, ob: Branch[], nb: Branch[], oPath: string, nPath: string, intoOld: boolean, intoNew: boolean): Change[] {
  const out: Change[] = [];
  if (nc === 'oneOf' && !(oc === 'oneOf' && intoOld)) {
    const pair = overlapping(cmp, nb);
    if (pair) out.push(overlap(cmp, 'BACKWARD', nb, pair, oPath, nPath));
  }
  if (oc === 'oneOf' && !(nc === 'oneOf' && intoNew)) {
    const pair = overlapping(cmp, ob);
    if (nc !== 'oneOf') {
      const disjoint = pair === undefined;
      out.push(change(disjoint ? 'COMBINED_TYPE_EXTENDED' : 'COMBINED_TYPE_CHANGED', disjoint ? [] : ['FORWARD'], oPath, nPath, `oneOf became ${nc ?? 'a single schema'}${disjoint ? '; its alternatives never overlap, so nothing changes' : ', which accepts messages matching several alternatives that the old oneOf rejects'}`));
    } else if (pair) {
      out.push(overlap(cmp, 'FORWARD', ob, pair, oPath, nPath));
    }
  }
  return out;
}

/**
 * ONE_OF_OVERLAP_POSSIBLE for two alternatives of the new oneOf (BACKWARD) or of the old one
 * (FORWARD): which two, a message both accept when one is found, and how to keep them apart.
 */
function overlap(cmp: Comparer, direction: 'BACKWARD' | 'FORWARD', list: Branch[], [i, j]: [number, number], oPath: string, nPath: string): Change {
  const x = list[i]!;
  const y = list[j]!;
  const { example, fix } = explainOverlap(cmp, x.node, y.node);
  const side = direction === 'BACKWARD' ? 'new' : 'old';
  const which = `alternatives ${x.index} (${x.path || '/'}) and ${y.index} (${y.path || '/'}) of the ${side} oneOf`;
  const why = direction === 'BACKWARD' ? 'oneOf rejects a message that matches two of them' : 'readers on the old version reject new messages that match two of them';
  const what = example ? `The ${which} overlap (the example matches both), and ${why}` : `The ${which} may overlap, and ${why}`;
  return { ...change('ONE_OF_OVERLAP_POSSIBLE', [direction], oPath, nPath, what), ...(example ? { example: example.value } : {}), fix };
}

/** Whether each of `from` items can be paired with a distinct `to` item where `fits`. */
function injective(from: number, to: number, fits: (f: number, t: number) => boolean): boolean {
  const owner = new Array<number>(to).fill(-1);
  const place = (f: number, seen: boolean[]): boolean => {
    for (let t = 0; t < to; t++) {
      if (seen[t] || !fits(f, t)) continue;
      seen[t] = true;
      if (owner[t] === -1 || place(owner[t]!, seen)) {
        owner[t] = f;
        return true;
      }
    }
    return false;
  };
  for (let f = 0; f < from; f++) if (!place(f, new Array<boolean>(to).fill(false))) return false;
  return true;
}

/** The first two alternatives that `disjoint` cannot tell apart; undefined when every pair is disjoint. */
function overlapping(cmp: Comparer, list: Branch[]): [number, number] | undefined {
  for (let i = 0; i < list.length; i++) for (let j = i + 1; j < list.length; j++) if (!disjoint(cmp, list[i]!.node, list[j]!.node, 3)) return [i, j];
  return undefined;
}

function dedupe(changes: Change[]): Change[] {
  const seen = new Set<string>();
  return changes.filter((c) => {
    const key = `${c.kind}|${c.oldPath}|${c.newPath}|${c.breaks.join()}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}
