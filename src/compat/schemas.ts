/**
 * Compares two JSON Schemas and lists the changes, each with the directions in which it
 * loses messages. A schema's messages are what Herald's runtime validator (Ajv, formats
 * asserted) accepts; keywords are compared family by family, and a finite `enum`/`const`
 * is settled exactly by running the validator on its values.
 *
 * Pure: two documents (or schemas) in, changes out. Recursive schemas are compared
 * coinductively (a pair met again on the way down is assumed equal), so nothing loops.
 */
import { canonicalJson, shapeOf } from '../contracts/canonical.js';
import { appendPointer } from '../contracts/pointer.js';
import { ASSERTED_FORMATS, NUMBER_FORMATS } from '../contracts/validator.js';
import { compareArrays } from './arrays.js';
import { Budget, unlimited } from './budget.js';
import { change, dirs, list, q, without } from './change.js';
import { compareDisjunctions } from './combinators.js';
import { ARRAY, BOOLEAN, declared, FRACTION, INTEGER, NodeFacts, NULL, NUMBER, OBJECT, STRING } from './facts.js';
import type { Kind } from './kinds.js';
import { asSchema, conjunction, hasDisjunction, kw, nodeAt, withKw, where, type Loc, type Part, type SchemaNode } from './node.js';
import { compareObjects } from './objects.js';
import type { Change, Policy } from './types.js';

/** Changes between the schema at `old` and the one at `neu`. */
export function compareSchemas(old: Loc, neu: Loc, policy: Policy, budget: Budget = unlimited()): Change[] {
  return new Comparer(policy, old.doc, neu.doc, budget).node(nodeAt(old), nodeAt(neu), old.ptr, neu.ptr);
}

/** What a property, item or map admits: anything, nothing, or the conjunction of schemas at these places. */
export type Acceptance = 'any' | 'none' | string[];

/**
 * Compares nodes of two documents. Each pair of nodes is compared once per check: a schema
 * shared through `$ref` (reached along many paths) costs one comparison, and its changes
 * are listed once, with the number of paths counted in `occurrences`.
 *
 * Recursion is handled on the graph: a pair met again while it is still being compared is
 * assumed equal (coinduction); results that rest on such an assumption are reused under
 * it and settled when the pair they assumed is finished (as Tarjan's algorithm finishes a
 * strongly connected component), so mutually recursive types cost one comparison per pair
 * of types, not one per path through them.
 */
export class Comparer {
  readonly facts: NodeFacts;
  private readonly stack: string[] = [];
  private readonly depthOf = new Map<string, number>();
  private readonly memo = new Map<string, Change[]>();
  /** Results that rest on an assumption about a pair still being compared, in order; by key in `tentative`. */
  private readonly pending: Array<{ key: string; result: Change[]; low: number }> = [];
  private readonly tentative = new Map<string, { result: Change[]; low: number }>();
  /** The shallowest stack depth an assumption was made about, within the pair being compared. */
  private low = Number.POSITIVE_INFINITY;

  constructor(
    readonly policy: Policy,
    readonly oldDoc: unknown,
    readonly newDoc: unknown,
    readonly budget: Budget = unlimited(),
  ) {
    this.facts = new NodeFacts(budget);
  }

  /** Changes between two nodes; `oPath`/`nPath` name them where they have no part of their own. */
  node(o: SchemaNode, n: SchemaNode, oPath: string, nPath: string): Change[] {
    const key = `${o.key}|${n.key}`;
    const known = this.memo.get(key);
    if (known) return known;
    // Reused under the same assumption it was computed with, which still holds: the pair it
    // assumed is still on the stack (else the result would have been settled).
    const assumed = this.tentative.get(key);
    if (assumed) {
      this.low = Math.min(this.low, assumed.low);
      return assumed.result;
    }
    const onStack = this.depthOf.get(key);
    if (onStack !== undefined) {
      this.low = Math.min(this.low, onStack);
      return [];
    }
    if (same(o, n)) return [];
    const op = where(o, oPath);
    const np = where(n, nPath);
    this.budget.spend(1, op, np);
    const depth = this.stack.length;
    const pendingFrom = this.pending.length;
    const outer = this.low;
    this.low = Number.POSITIVE_INFINITY;
    this.stack.push(key);
    this.depthOf.set(key, depth);
    try {
      const result = merged(this.exact(o, n, this.compare(o, n, op, np)));
      if (this.low >= depth) {
        // Every assumption made inside was about this pair or deeper ones: all settled now.
        for (const p of this.pending.splice(pendingFrom)) {
          this.tentative.delete(p.key);
          this.memo.set(p.key, p.result);
        }
        this.memo.set(key, result);
      } else {
        this.pending.push({ key, result, low: this.low });
        this.tentative.set(key, { result, low: this.low });
      }
      return result;
    } finally {
      this.stack.pop();
      this.depthOf.delete(key);
      this.low = Math.min(outer, this.low);
    }
  }

  /** Nodes of an acceptance on either side ('any' is the schema `{}`). */
  nodeOf(side: 'old' | 'new', acc: string[] | 'any'): SchemaNode {
    const doc = side === 'old' ? this.oldDoc : this.newDoc;
    return conjunction(doc, acc === 'any' ? [] : acc);
  }

  /**
   * Whether every value the writer admits is admitted by the reader. `writer` says which
   * version writes: 'old' for BACKWARD, 'new' for FORWARD.
   */
  subset(writer: 'old' | 'new', w: Acceptance, r: Acceptance): boolean {
    if (w === 'none' || r === 'any') return true;
    const wNode = w === 'any' ? undefined : this.nodeOf(writer, w);
    if (wNode?.never) return true; // a `false` schema: the writer never sends it
    if (r === 'none') return false;
    const readerSide = writer === 'old' ? 'new' : 'old';
    const rNode = this.nodeOf(readerSide, r);
    if (!wNode) return !rNode.never && rNode.parts.every((p) => Object.keys(p.value).every((k) => ANNOTATIONS.has(k)));
    const changes = writer === 'old' ? this.node(wNode, rNode, '', '') : this.node(rNode, wNode, '', '');
    return !changes.some((c) => c.breaks.includes(writer === 'old' ? 'BACKWARD' : 'FORWARD'));
  }

  private compare(o: SchemaNode, n: SchemaNode, oPath: string, nPath: string): Change[] {
    if (o.unresolved || n.unresolved) {
      return o.unresolved === n.unresolved ? [] : [change('REF_UNRESOLVED', ['BACKWARD', 'FORWARD'], oPath, nPath, `A reference leads outside the schema (${q(o.unresolved ?? n.unresolved)}), so Herald cannot judge it`)];
    }
    if (o.never || n.never) {
      if (o.never && n.never) return [];
      return o.never
        ? [change('FALSE_SCHEMA_REMOVED', ['FORWARD'], oPath, nPath, 'The schema admitted nothing and now admits messages')]
        : [change('FALSE_SCHEMA_ADDED', ['BACKWARD'], oPath, nPath, 'The schema now admits nothing')];
    }
    if (hasDisjunction(o) || hasDisjunction(n)) return compareDisjunctions(this, o, n, oPath, nPath);
    const ao = this.facts.admitted(o);
    const an = this.facts.admitted(n);
    const shared = ao & an;
    return [
      ...types(o, n, oPath, nPath),
      ...enums(o, n, oPath, nPath),
      ...defaults(o, n, oPath, nPath),
      ...(shared & NUMBER ? numbers(o, n, oPath, nPath, ao, an) : []),
      ...(shared & STRING ? strings(o, n, oPath, nPath) : []),
      ...formats(o, n, oPath, nPath, shared),
      ...(shared & ARRAY ? compareArrays(this, o, n, oPath, nPath) : []),
      ...(shared & OBJECT ? compareObjects(this, o, n, oPath, nPath) : []),
      ...opaque(o, n, oPath, nPath),
    ];
  }

  /**
   * A finite `enum`/`const` settles a direction exactly: run the validator on each value.
   * When every old value passes the new schema, nothing under this node breaks BACKWARD,
   * whatever the keywords say (and the same for FORWARD).
   */
  private exact(o: SchemaNode, n: SchemaNode, changes: Change[]): Change[] {
    let out = changes;
    for (const [writer, reader, direction] of [[o, n, 'BACKWARD'], [n, o, 'FORWARD']] as const) {
      const values = this.facts.finiteValues(writer);
      if (values === undefined) continue;
      const rejected = values.filter((v) => !this.facts.accepts(reader, v));
      if (rejected.length === 0) out = without(out, direction);
      else if (!out.some((c) => c.breaks.includes(direction))) {
        out = [...out, change(enumKind(o, n), [direction], where(o, ''), where(n, ''), `${direction === 'BACKWARD' ? 'The new' : 'The old'} schema rejects ${list(rejected)}`)];
      }
    }
    return out;
  }
}

const ANNOTATIONS = new Set(['title', 'description', 'default', 'examples', 'example', '$comment', 'deprecated', 'readOnly', 'writeOnly', '$id', '$schema', '$anchor', 'x-parser-schema-id']);

/** Two nodes are the same when their parts are equal and hold no reference that could lead apart. */
function same(o: SchemaNode, n: SchemaNode): boolean {
  if (o.never !== n.never || o.unresolved !== n.unresolved || o.parts.length !== n.parts.length) return false;
  const omitted = (p: Part) => (p.omit ? [...p.omit].sort().join() : '');
  return o.parts.every((a, i) => {
    const b = n.parts[i]!;
    const sa = shapeOf(a.value);
    return !sa.hasRef && sa.hash === shapeOf(b.value).hash && omitted(a) === omitted(b);
  });
}

/** One entry per distinct change; a change reached along several paths counts them in `occurrences`. */
function merged(changes: Change[]): Change[] {
  if (changes.length < 2) return changes;
  const byKey = new Map<string, Change>();
  for (const c of changes) {
    const key = `${c.kind}|${c.oldPath}|${c.newPath}|${c.breaks.join()}`;
    const seen = byKey.get(key);
    if (!seen) byKey.set(key, c);
    else byKey.set(key, { ...seen, occurrences: (seen.occurrences ?? 1) + (c.occurrences ?? 1) });
  }
  return byKey.size === changes.length ? changes : [...byKey.values()];
}

// ---- types ---------------------------------------------------------------------------

const typeNames = (bits: number) =>
  Object.entries({ null: NULL, boolean: BOOLEAN, object: OBJECT, array: ARRAY, string: STRING, number: NUMBER, integer: INTEGER, 'non-integer number': FRACTION })
    .filter(([, b]) => (bits & b) === b && !(b !== NUMBER && (b & NUMBER) && (bits & NUMBER) === NUMBER))
    .map(([name]) => name)
    .join(', ');

function types(o: SchemaNode, n: SchemaNode, oPath: string, nPath: string): Change[] {
  const to = declared(o);
  const tn = declared(n);
  if (to === tn) return [];
  const lost = to & ~tn;
  const gained = tn & ~to;
  const at = (node: SchemaNode, path: string) => {
    const part = withKw(node, 'type')[0]?.part;
    return part ? appendPointer(part.ptr, 'type') : path;
  };
  const kind: Kind = (lost | gained) === NULL ? (gained ? 'NULL_ALLOWED' : 'NULL_DISALLOWED') : !lost ? 'TYPE_EXTENDED' : !gained ? 'TYPE_NARROWED' : 'TYPE_CHANGED';
  const what = `The admitted types went from [${typeNames(to)}] to [${typeNames(tn)}]`;
  return [change(kind, dirs(lost !== 0, gained !== 0), at(o, oPath), at(n, nPath), what)];
}

// ---- enum, const, default ------------------------------------------------------------

function enumKind(o: SchemaNode, n: SchemaNode): Kind {
  const isConst = (node: SchemaNode) => withKw(node, 'const').length > 0;
  return isConst(o) || isConst(n) ? 'CONST_CHANGED' : 'ENUM_ARRAY_CHANGED';
}

function enums(o: SchemaNode, n: SchemaNode, oPath: string, nPath: string): Change[] {
  const listed = (node: SchemaNode) => {
    const e = withKw(node, 'enum')[0] ?? withKw(node, 'const')[0];
    if (!e) return undefined;
    const isConst = e.part.value.const !== undefined && !Array.isArray(kw(e.part, 'enum'));
    return { values: isConst ? [kw(e.part, 'const')] : (kw(e.part, 'enum') as unknown[]), isConst, ptr: appendPointer(e.part.ptr, isConst ? 'const' : 'enum') };
  };
  const a = listed(o);
  const b = listed(n);
  if (!a && !b) return [];
  if (!a) return [change(b!.isConst ? 'CONST_ADDED' : 'ENUM_ADDED', ['BACKWARD'], oPath, b!.ptr, `Only ${list(b!.values)} ${b!.values.length === 1 ? 'is' : 'are'} allowed now`)];
  if (!b) return [change(a.isConst ? 'CONST_REMOVED' : 'ENUM_REMOVED', ['FORWARD'], a.ptr, nPath, `Values other than ${list(a.values)} are allowed now`)];
  const keys = (vs: unknown[]) => new Set(vs.map((v) => canonicalJson(v)));
  const ka = keys(a.values);
  const kb = keys(b.values);
  const added = b.values.filter((v) => !ka.has(canonicalJson(v)));
  const removed = a.values.filter((v) => !kb.has(canonicalJson(v)));
  if (added.length === 0 && removed.length === 0) return [];
  if (a.isConst || b.isConst) return [change('CONST_CHANGED', dirs(removed.length > 0, added.length > 0), a.ptr, b.ptr, `The allowed value went from ${list(a.values)} to ${list(b.values)}`)];
  const kind: Kind = removed.length === 0 ? 'ENUM_ARRAY_EXTENDED' : added.length === 0 ? 'ENUM_ARRAY_NARROWED' : 'ENUM_ARRAY_CHANGED';
  const what = [added.length ? `${list(added)} added` : '', removed.length ? `${list(removed)} removed` : ''].filter(Boolean).join(', ');
  return [change(kind, dirs(removed.length > 0, added.length > 0), a.ptr, b.ptr, `Enum values ${what}`)];
}

function defaults(o: SchemaNode, n: SchemaNode, oPath: string, nPath: string): Change[] {
  const a = withKw(o, 'default')[0];
  const b = withKw(n, 'default')[0];
  if (canonicalJson(a?.value ?? null) === canonicalJson(b?.value ?? null) && !!a === !!b) return [];
  const at = (x: typeof a, path: string) => (x ? appendPointer(x.part.ptr, 'default') : path);
  return [change('DEFAULT_CHANGED', [], at(a, oPath), at(b, nPath), `The default went from ${a ? q(a.value) : 'none'} to ${b ? q(b.value) : 'none'}, which validation does not use`)];
}

// ---- bounds --------------------------------------------------------------------------

interface Bound {
  value: number;
  exclusive: boolean;
  keyword: string;
  ptr: string;
}

function bound(node: SchemaNode, keywords: Array<{ name: string; exclusive: boolean }>, lower: boolean, integers: boolean): Bound | undefined {
  let best: Bound | undefined;
  for (const part of node.parts) {
    for (const { name, exclusive } of keywords) {
      const raw = kw(part, name);
      if (typeof raw !== 'number') continue;
      // draft-04: a boolean exclusiveMinimum/Maximum beside minimum/maximum.
      const draft4 = !exclusive && kw(part, lower ? 'exclusiveMinimum' : 'exclusiveMaximum') === true;
      let b: Bound = { value: raw, exclusive: exclusive || draft4, keyword: name, ptr: appendPointer(part.ptr, name) };
      if (integers) b = { ...b, value: lower ? (b.exclusive ? Math.floor(raw) + 1 : Math.ceil(raw)) : b.exclusive ? Math.ceil(raw) - 1 : Math.floor(raw), exclusive: false };
      const stricter = !best || (lower ? b.value > best.value : b.value < best.value) || (b.value === best.value && b.exclusive && !best.exclusive);
      if (stricter) best = b;
    }
  }
  return best;
}

const PREFIX: Record<string, string> = {
  minimum: 'MINIMUM', exclusiveMinimum: 'EXCLUSIVE_MINIMUM', maximum: 'MAXIMUM', exclusiveMaximum: 'EXCLUSIVE_MAXIMUM',
  minLength: 'MIN_LENGTH', maxLength: 'MAX_LENGTH', minItems: 'MIN_ITEMS', maxItems: 'MAX_ITEMS',
  minProperties: 'MIN_PROPERTIES', maxProperties: 'MAX_PROPERTIES', minContains: 'MIN_CONTAINS', maxContains: 'MAX_CONTAINS',
};

/** One lower or upper bound compared; `lower` says which way is stricter. */
export function compareBound(o: SchemaNode, n: SchemaNode, oPath: string, nPath: string, keywords: Array<{ name: string; exclusive: boolean }>, lower: boolean, integers = true): Change[] {
  const a = bound(o, keywords, lower, integers);
  const b = bound(n, keywords, lower, integers);
  if (!a && !b) return [];
  const show = (x: Bound) => `${x.keyword} ${x.value}`;
  if (!b) return [change(`${PREFIX[a!.keyword]}_REMOVED` as Kind, ['FORWARD'], a!.ptr, nPath, `The bound ${show(a!)} was removed`)];
  if (!a) return [change(`${PREFIX[b.keyword]}_ADDED` as Kind, ['BACKWARD'], oPath, b.ptr, `The bound ${show(b)} was added`)];
  const stricter = lower ? b.value > a.value : b.value < a.value;
  const looser = lower ? b.value < a.value : b.value > a.value;
  const tighter = stricter || (b.value === a.value && b.exclusive && !a.exclusive);
  const wider = looser || (b.value === a.value && !b.exclusive && a.exclusive);
  if (!tighter && !wider) return [];
  // The kind names the keyword that now sets the bound; "increased" means a larger value.
  const kind = `${PREFIX[b.keyword]}_${b.value > a.value || (b.value === a.value && lower === tighter) ? 'INCREASED' : 'DECREASED'}` as Kind;
  return [change(kind, dirs(tighter, wider), a.ptr, b.ptr, `The bound went from ${show(a)} to ${show(b)}`)];
}

/** `ao`/`an`: the types each node admits. */
function numbers(o: SchemaNode, n: SchemaNode, oPath: string, nPath: string, ao: number, an: number): Change[] {
  const ints = (ao & NUMBER) === INTEGER && (an & NUMBER) === INTEGER;
  return [
    ...compareBound(o, n, oPath, nPath, [{ name: 'minimum', exclusive: false }, { name: 'exclusiveMinimum', exclusive: true }], true, ints),
    ...compareBound(o, n, oPath, nPath, [{ name: 'maximum', exclusive: false }, { name: 'exclusiveMaximum', exclusive: true }], false, ints),
    ...multipleOf(o, n, oPath, nPath, (ao & NUMBER) === INTEGER, (an & NUMBER) === INTEGER),
  ];
}

const isMultiple = (a: number, b: number) => {
  const r = a / b;
  return Math.abs(r - Math.round(r)) < 1e-9;
};

function multipleOf(o: SchemaNode, n: SchemaNode, oPath: string, nPath: string, oldInts: boolean, newInts: boolean): Change[] {
  const a = withKw(o, 'multipleOf').filter((x) => typeof x.value === 'number');
  const b = withKw(n, 'multipleOf').filter((x) => typeof x.value === 'number');
  if (a.length === 0 && b.length === 0) return [];
  const at = (x: (typeof a)[number] | undefined, path: string) => (x ? appendPointer(x.part.ptr, 'multipleOf') : path);
  if (b.length === 0 && !newInts) return [change('MULTIPLE_OF_REMOVED', ['FORWARD'], at(a[0], oPath), nPath, 'multipleOf was removed')];
  if (a.length === 0 && !oldInts) return [change('MULTIPLE_OF_ADDED', ['BACKWARD'], oPath, at(b[0], nPath), `multipleOf ${q(b[0]!.value)} was added`)];
  // Integers are multiples of 1, which settles divisors such as 0.5.
  const ma = [...a.map((x) => x.value as number), ...(oldInts ? [1] : [])];
  const mb = [...b.map((x) => x.value as number), ...(newInts ? [1] : [])];
  // Old values are multiples of every old divisor; they pass the new schema when each new divisor divides some old one.
  const backward = mb.every((d) => ma.some((m) => isMultiple(m, d)));
  const forward = ma.every((d) => mb.some((m) => isMultiple(m, d)));
  if (backward && forward) return [];
  const kind: Kind = a.length === 0 ? 'MULTIPLE_OF_ADDED' : b.length === 0 ? 'MULTIPLE_OF_REMOVED' : backward ? 'MULTIPLE_OF_REDUCED' : forward ? 'MULTIPLE_OF_EXPANDED' : 'MULTIPLE_OF_CHANGED';
  return [change(kind, dirs(!backward, !forward), at(a[0], oPath), at(b[0], nPath), `multipleOf went from ${ma.join(', ')} to ${mb.join(', ')}`)];
}

// ---- strings and formats ---------------------------------------------------------------

function strings(o: SchemaNode, n: SchemaNode, oPath: string, nPath: string): Change[] {
  return [
    ...compareBound(o, n, oPath, nPath, [{ name: 'minLength', exclusive: false }], true),
    ...compareBound(o, n, oPath, nPath, [{ name: 'maxLength', exclusive: false }], false),
    ...keywordSet(o, n, oPath, nPath, 'pattern', () => true, ['PATTERN_ADDED', 'PATTERN_REMOVED', 'PATTERN_CHANGED'], 'pattern', 'whether one regex contains the other is not decided'),
  ];
}

function formats(o: SchemaNode, n: SchemaNode, oPath: string, nPath: string, shared: number): Change[] {
  // Only asserted formats constrain messages, and only of the type they apply to.
  const applies = (f: unknown) => typeof f === 'string' && ASSERTED_FORMATS.has(f) && (NUMBER_FORMATS.has(f) ? (shared & NUMBER) !== 0 : (shared & STRING) !== 0);
  return keywordSet(o, n, oPath, nPath, 'format', applies, ['FORMAT_ADDED', 'FORMAT_REMOVED', 'FORMAT_CHANGED'], 'format', 'one format does not contain another');
}

/**
 * A keyword whose values all apply at once (patterns, formats): new values narrow
 * (BACKWARD), dropped values widen (FORWARD); a swap is both, since containment between
 * two different values is not decided.
 */
function keywordSet(o: SchemaNode, n: SchemaNode, oPath: string, nPath: string, keyword: string, applies: (v: unknown) => boolean, [added, removed, changed]: [Kind, Kind, Kind], noun: string, why: string): Change[] {
  const a = withKw(o, keyword).filter((x) => applies(x.value));
  const b = withKw(n, keyword).filter((x) => applies(x.value));
  const av = new Set(a.map((x) => String(x.value)));
  const bv = new Set(b.map((x) => String(x.value)));
  const gained = [...bv].filter((v) => !av.has(v));
  const lost = [...av].filter((v) => !bv.has(v));
  if (gained.length === 0 && lost.length === 0) return [];
  const at = (list: typeof a, value: string | undefined, path: string) => {
    const hit = list.find((x) => String(x.value) === value) ?? list[0];
    return hit ? appendPointer(hit.part.ptr, keyword) : path;
  };
  if (lost.length === 0) return [change(added, ['BACKWARD'], oPath, at(b, gained[0], nPath), `The ${noun} ${gained.map(q).join(', ')} was added`)];
  if (gained.length === 0) return [change(removed, ['FORWARD'], at(a, lost[0], oPath), nPath, `The ${noun} ${lost.map(q).join(', ')} was removed`)];
  return [change(changed, ['BACKWARD', 'FORWARD'], at(a, lost[0], oPath), at(b, gained[0], nPath), `The ${noun} went from ${lost.map(q).join(', ')} to ${gained.map(q).join(', ')}; ${why}`)];
}

// ---- what is not compared keyword by keyword ------------------------------------------------

/** `not`, `if`/`then`/`else` and keywords Herald does not analyse: equal, or judged breaking. */
function opaque(o: SchemaNode, n: SchemaNode, oPath: string, nPath: string): Change[] {
  const out: Change[] = [];
  const forms = (node: SchemaNode, keywords: string[]) =>
    node.parts
      .filter((p) => keywords.some((k) => kw(p, k) !== undefined))
      .map((p) => {
        const picked = Object.fromEntries(keywords.filter((k) => kw(p, k) !== undefined).map((k) => [k, asSchema(nodeAt({ doc: node.doc, ptr: appendPointer(p.ptr, k) }))]));
        return { text: canonicalJson(picked), ptr: appendPointer(p.ptr, keywords.find((k) => kw(p, k) !== undefined)!) };
      });
  const groups: Array<{ keywords: string[]; kinds: [Kind, Kind, Kind]; noun: string }> = [
    { keywords: ['not'], kinds: ['NOT_ADDED', 'NOT_REMOVED', 'NOT_CHANGED'], noun: 'not' },
    { keywords: ['if', 'then', 'else'], kinds: ['CONDITIONAL_ADDED', 'CONDITIONAL_REMOVED', 'CONDITIONAL_CHANGED'], noun: 'if/then/else' },
  ];
  for (const { keywords, kinds, noun } of groups) {
    const a = forms(o, keywords);
    const b = forms(n, keywords);
    const gained = b.filter((x) => !a.some((y) => y.text === x.text));
    const lost = a.filter((x) => !b.some((y) => y.text === x.text));
    if (gained.length && lost.length) out.push(change(kinds[2], ['BACKWARD', 'FORWARD'], lost[0]!.ptr, gained[0]!.ptr, `The ${noun} changed; Herald does not decide containment between different ${noun} schemas`));
    else if (gained.length) out.push(change(kinds[0], ['BACKWARD'], oPath, gained[0]!.ptr, `A ${noun} was added`));
    else if (lost.length) out.push(change(kinds[1], ['FORWARD'], lost[0]!.ptr, nPath, `A ${noun} was removed`));
  }
  for (const keyword of ['unevaluatedProperties', 'unevaluatedItems', '$dynamicRef', '$recursiveRef']) {
    const a = forms(o, [keyword]);
    const b = forms(n, [keyword]);
    if (canonicalJson(a.map((x) => x.text)) !== canonicalJson(b.map((x) => x.text))) {
      out.push(change('UNDECIDED_KEYWORD_CHANGED', ['BACKWARD', 'FORWARD'], a[0]?.ptr ?? oPath, b[0]?.ptr ?? nPath, `${keyword} changed, and Herald does not compare it`));
    }
  }
  return out;
}

