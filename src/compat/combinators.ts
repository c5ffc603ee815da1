/**
 * `anyOf` and `oneOf`: alternatives are matched with a best matching. Each old alternative
 * must fit in some new one (BACKWARD) and each new one in some old one (FORWARD); the
 * changes of the closest pair explain a miss. Keywords beside the combinator apply to every
 * alternative, so they are folded into each branch before matching.
 *
 * `oneOf` rejects a message that matches two alternatives, so where alternatives may
 * overlap (and Herald cannot prove they do not) a changed `oneOf` is reported as breaking.
 */
import { appendPointer } from '../contracts/pointer.js';
import { change, only } from './change.js';
import { finish, kw, nodeAt, type Part, type SchemaNode } from './node.js';
import type { Comparer } from './schemas.js';
import type { Change } from './types.js';

type Combinator = 'anyOf' | 'oneOf';

export function hasDisjunction(node: SchemaNode): boolean {
  return node.parts.some((p) => Array.isArray(kw(p, 'anyOf')) || Array.isArray(kw(p, 'oneOf')));
}

interface Branch {
  node: SchemaNode;
  path: string;
}

/** The alternatives of a node, each with the node's other keywords folded in. */
function branches(node: SchemaNode, fallback: string): { combinator?: Combinator; branches: Branch[]; path: string } {
  const index = node.parts.findIndex((p) => Array.isArray(kw(p, 'anyOf')) || Array.isArray(kw(p, 'oneOf')));
  if (index < 0) return { branches: [{ node, path: node.parts[0]?.ptr ?? fallback }], path: node.parts[0]?.ptr ?? fallback };
  const part = node.parts[index]!;
  const combinator: Combinator = Array.isArray(kw(part, 'anyOf')) ? 'anyOf' : 'oneOf';
  const others = node.parts.filter((_, i) => i !== index);
  const rest: Part = { ...part, omit: new Set([...(part.omit ?? []), combinator]) };
  const members = kw(part, combinator) as unknown[];
  return {
    combinator,
    path: appendPointer(part.ptr, combinator),
    branches: members.map((_, i) => {
      const ptr = appendPointer(part.ptr, combinator, i);
      const member = nodeAt({ doc: node.doc, ptr });
      return {
        node: finish(node.doc, [...others, rest, ...member.parts], node.never || member.never, node.unresolved ?? member.unresolved),
        path: member.parts[0]?.ptr ?? ptr,
      };
    }),
  };
}

export function compareDisjunctions(cmp: Comparer, o: SchemaNode, n: SchemaNode, oPath: string, nPath: string): Change[] {
  const a = branches(o, oPath);
  const b = branches(n, nPath);
  const diffs = a.branches.map((x) => b.branches.map((y) => cmp.node(x.node, y.node, x.path, y.path)));
  const count = (changes: Change[], d: 'BACKWARD' | 'FORWARD') => changes.filter((c) => c.breaks.includes(d)).length;
  const out: Change[] = [];
  const rootTypeMiss = (changes: Change[], x: Branch, y: Branch) =>
    changes.some((c) => ['TYPE_CHANGED', 'TYPE_NARROWED', 'TYPE_EXTENDED', 'FALSE_SCHEMA_ADDED', 'FALSE_SCHEMA_REMOVED'].includes(c.kind) && (c.oldPath.startsWith(x.path) || c.newPath.startsWith(y.path)) && c.oldPath.split('/').length <= x.path.split('/').length + 1);

  a.branches.forEach((x, i) => {
    const scores = diffs[i]!.map((d) => count(d, 'BACKWARD'));
    const j = scores.indexOf(Math.min(...scores));
    if (scores[j] === 0) return;
    const y = b.branches[j];
    // A counterpart that provably shares no message is no counterpart: the alternative is gone.
    if (!y || rootTypeMiss(diffs[i]![j]!, x, y) || disjoint(cmp, x.node, y.node, 3)) {
      out.push(change('SUM_TYPE_NARROWED', ['BACKWARD'], x.path, b.path, `Alternative ${i} of the old schema has no counterpart in the new one`));
    } else {
      out.push(...only(diffs[i]![j]!, 'BACKWARD'));
    }
  });
  b.branches.forEach((y, j) => {
    const scores = a.branches.map((_, i) => count(diffs[i]![j]!, 'FORWARD'));
    const i = scores.indexOf(Math.min(...scores));
    if (scores[i] === 0) return;
    const x = a.branches[i];
    if (!x || rootTypeMiss(diffs[i]![j]!, x, y) || disjoint(cmp, x.node, y.node, 3)) {
      out.push(change('SUM_TYPE_EXTENDED', ['FORWARD'], a.path, y.path, `Alternative ${j} of the new schema admits messages no old alternative admits`));
    } else {
      out.push(...only(diffs[i]![j]!, 'FORWARD'));
    }
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
  if (nc === 'oneOf' && !(oc === 'oneOf' && intoOld) && !pairwiseDisjoint(cmp, nb)) {
    out.push(change('ONE_OF_OVERLAP_POSSIBLE', ['BACKWARD'], oPath, nPath, 'The new oneOf alternatives may overlap, and oneOf rejects a message that matches two of them'));
  }
  if (oc === 'oneOf' && !(nc === 'oneOf' && intoNew)) {
    const disjoint = pairwiseDisjoint(cmp, ob);
    if (nc !== 'oneOf') {
      out.push(change(disjoint ? 'COMBINED_TYPE_EXTENDED' : 'COMBINED_TYPE_CHANGED', disjoint ? [] : ['FORWARD'], oPath, nPath, `oneOf became ${nc ?? 'a single schema'}${disjoint ? '; its alternatives never overlap, so nothing changes' : ', which accepts messages matching several alternatives that the old oneOf rejects'}`));
    } else if (!disjoint) {
      out.push(change('ONE_OF_OVERLAP_POSSIBLE', ['FORWARD'], oPath, nPath, 'The old oneOf alternatives may overlap, so readers on the old version reject new messages that match two of them'));
    }
  }
  return out;
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

function pairwiseDisjoint(cmp: Comparer, list: Branch[]): boolean {
  for (let i = 0; i < list.length; i++) for (let j = i + 1; j < list.length; j++) if (!disjoint(cmp, list[i]!.node, list[j]!.node, 3)) return false;
  return true;
}

/** Whether no message matches both: by type, by finite values, or by a required property that differs. */
export function disjoint(cmp: Comparer, a: SchemaNode, b: SchemaNode, depth: number): boolean {
  if (a.never || b.never) return true;
  cmp.budget.spend(1, a.parts[0]?.ptr ?? '', b.parts[0]?.ptr ?? '');
  const { facts } = cmp;
  if ((facts.admitted(a) & facts.admitted(b)) === 0) return true;
  const va = facts.finiteValues(a);
  if (va && va.every((v) => !facts.accepts(b, v))) return true;
  const vb = facts.finiteValues(b);
  if (vb && vb.every((v) => !facts.accepts(a, v))) return true;
  if (depth === 0) return false;
  const requiredProps = (node: SchemaNode) => {
    const required = new Set(node.parts.flatMap((p) => (Array.isArray(kw(p, 'required')) ? (kw(p, 'required') as string[]) : [])));
    const props = new Map<string, string[]>();
    for (const p of node.parts) {
      const properties = kw(p, 'properties');
      if (properties && typeof properties === 'object') {
        for (const name of Object.keys(properties)) if (required.has(name)) props.set(name, [...(props.get(name) ?? []), appendPointer(p.ptr, 'properties', name)]);
      }
    }
    return props;
  };
  const pa = requiredProps(a);
  const pb = requiredProps(b);
  for (const [name, ptrs] of pa) {
    const other = pb.get(name);
    if (!other) continue;
    const x = nodeAtAll(a.doc, ptrs);
    const y = nodeAtAll(b.doc, other);
    if (disjoint(cmp, x, y, depth - 1)) return true;
  }
  return false;
}

function nodeAtAll(doc: unknown, ptrs: string[]): SchemaNode {
  const parts = ptrs.flatMap((ptr) => nodeAt({ doc, ptr }).parts);
  return finish(doc, parts, false);
}

function dedupe(changes: Change[]): Change[] {
  const seen = new Set<string>();
  return changes.filter((c) => {
    const key = `${c.kind}|${c.oldPath}|${c.newPath}|${c.breaks.join()}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}
