/**
 * Arrays: item schemas (one for all, or a tuple and what follows it, in draft-07 and
 * 2020-12 spelling), size bounds, uniqueItems and contains.
 */
import { canonicalJson } from '../contracts/canonical.js';
import { appendPointer } from '../contracts/pointer.js';
import { change, dirs } from './change.js';
import type { Kind } from './kinds.js';
import { kw, withKw, type SchemaNode } from './node.js';
import { compareBound, type Acceptance, type Comparer } from './schemas.js';
import type { Change } from './types.js';

interface Items {
  /** Tuple positions: the places of their schemas. */
  prefix: string[];
  /** What may follow the tuple (or every item, without one). */
  rest: Acceptance;
  restPtr?: string;
  /** `items` with one schema for every item (no tuple). */
  single: boolean;
  /** Items are declared in more than one part: compared as a whole, not position by position. */
  tangled?: string;
}

const ITEM_KEYWORDS = ['items', 'prefixItems', 'additionalItems'];

function itemsOf(node: SchemaNode): Items {
  const parts = node.parts.filter((p) => ITEM_KEYWORDS.some((k) => kw(p, k) !== undefined));
  if (parts.length === 0) return { prefix: [], rest: 'any', single: false };
  if (parts.length > 1) return { prefix: [], rest: 'any', single: false, tangled: canonicalJson(parts.map((p) => ITEM_KEYWORDS.map((k) => kw(p, k)))) };
  const part = parts[0]!;
  const items = kw(part, 'items');
  const prefixItems = kw(part, 'prefixItems');
  const restOf = (value: unknown, keyword: string): Pick<Items, 'rest' | 'restPtr'> =>
    value === undefined || value === true ? { rest: 'any' } : value === false ? { rest: 'none' } : { rest: [appendPointer(part.ptr, keyword)], restPtr: appendPointer(part.ptr, keyword) };
  if (Array.isArray(prefixItems)) {
    return { prefix: prefixItems.map((_, i) => appendPointer(part.ptr, 'prefixItems', i)), ...restOf(items, 'items'), single: false };
  }
  if (Array.isArray(items)) {
    return { prefix: items.map((_, i) => appendPointer(part.ptr, 'items', i)), ...restOf(kw(part, 'additionalItems'), 'additionalItems'), single: false };
  }
  return { prefix: [], ...restOf(items, 'items'), single: items !== undefined };
}

/** Whether arrays of the node can have an item at index `i`. */
function reaches(node: SchemaNode, i: number): boolean {
  return withKw(node, 'maxItems').every(({ value }) => typeof value !== 'number' || value > i);
}

export function compareArrays(cmp: Comparer, o: SchemaNode, n: SchemaNode, oPath: string, nPath: string): Change[] {
  const a = itemsOf(o);
  const b = itemsOf(n);
  const out: Change[] = [];
  if (a.tangled !== undefined || b.tangled !== undefined) {
    if (a.tangled !== b.tangled) out.push(change('UNDECIDED_KEYWORD_CHANGED', ['BACKWARD', 'FORWARD'], oPath, nPath, 'Item schemas spread over several allOf members changed, and Herald does not compare those'));
  } else {
    out.push(...positions(cmp, o, n, a, b, oPath, nPath), ...rest(cmp, o, n, a, b, oPath, nPath));
  }
  out.push(
    ...compareBound(o, n, oPath, nPath, [{ name: 'minItems', exclusive: false }], true),
    ...compareBound(o, n, oPath, nPath, [{ name: 'maxItems', exclusive: false }], false),
    ...uniqueItems(o, n, oPath, nPath),
    ...contains(cmp, o, n, oPath, nPath),
  );
  return out;
}

function positions(cmp: Comparer, o: SchemaNode, n: SchemaNode, a: Items, b: Items, oPath: string, nPath: string): Change[] {
  const out: Change[] = [];
  for (let i = 0; i < Math.max(a.prefix.length, b.prefix.length); i++) {
    const x = a.prefix[i];
    const y = b.prefix[i];
    if (x && y) {
      out.push(...cmp.node(cmp.nodeOf('old', [x]), cmp.nodeOf('new', [y]), x, y));
    } else if (x) {
      // The new version treats position i as one of the items after its tuple.
      const backward = reaches(o, i) && !cmp.subset('old', [x], b.rest);
      const forward = reaches(n, i) && !cmp.subset('new', b.rest, [x]);
      out.push(change(itemKind('REMOVED', b.rest, !backward), dirs(backward, forward), x, b.restPtr ?? nPath, `Tuple position ${i} was removed`));
    } else if (y) {
      const backward = reaches(o, i) && !cmp.subset('old', a.rest, [y]);
      const forward = !cmp.subset('new', [y], a.rest);
      out.push(change(itemKind('ADDED', a.rest, !forward), dirs(backward, forward), a.restPtr ?? oPath, y, `Tuple position ${i} was added`));
    }
  }
  return out;
}

function itemKind(what: 'ADDED' | 'REMOVED', acceptance: Acceptance, covered: boolean): Kind {
  const to = what === 'ADDED' ? 'TO' : 'FROM';
  if (acceptance === 'any') return `ITEM_${what}_${to}_OPEN_CONTENT_MODEL` as Kind;
  if (acceptance === 'none') return `ITEM_${what}_${to}_CLOSED_CONTENT_MODEL` as Kind;
  return `ITEM_${what}_${covered ? 'IS' : 'NOT'}_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL` as Kind;
}

function rest(cmp: Comparer, o: SchemaNode, n: SchemaNode, a: Items, b: Items, oPath: string, nPath: string): Change[] {
  const start = Math.max(a.prefix.length, b.prefix.length);
  if (Array.isArray(a.rest) && Array.isArray(b.rest)) return cmp.node(cmp.nodeOf('old', a.rest), cmp.nodeOf('new', b.rest), a.restPtr!, b.restPtr!);
  const form = (x: Acceptance) => (Array.isArray(x) ? 'schema' : x);
  if (form(a.rest) === form(b.rest)) return [];
  const backward = reaches(o, start) && !cmp.subset('old', a.rest, b.rest);
  const forward = reaches(n, start) && !cmp.subset('new', b.rest, a.rest);
  const single = (a.single || a.rest === 'any') && (b.single || b.rest === 'any') && a.prefix.length === 0 && b.prefix.length === 0;
  let kind: Kind;
  if (single) kind = b.rest === 'any' ? 'ITEMS_REMOVED' : 'ITEMS_ADDED';
  else if (a.rest === 'none' && b.rest === 'any') kind = 'ADDITIONAL_ITEMS_ADDED';
  else if (a.rest === 'any' && b.rest === 'none') kind = 'ADDITIONAL_ITEMS_REMOVED';
  else kind = b.rest === 'any' || a.rest === 'none' ? 'ADDITIONAL_ITEMS_EXTENDED' : 'ADDITIONAL_ITEMS_NARROWED';
  const describe = (x: Acceptance) => (x === 'any' ? 'anything' : x === 'none' ? 'nothing' : 'a schema');
  const what = single ? `Items went from ${describe(a.rest)} to ${describe(b.rest)}` : `Items after the tuple went from ${describe(a.rest)} to ${describe(b.rest)}`;
  return [change(kind, dirs(backward, forward), a.restPtr ?? oPath, b.restPtr ?? nPath, what)];
}

function uniqueItems(o: SchemaNode, n: SchemaNode, oPath: string, nPath: string): Change[] {
  const on = (node: SchemaNode) => withKw(node, 'uniqueItems').find((x) => x.value === true);
  const a = on(o);
  const b = on(n);
  if (!!a === !!b) return [];
  return a
    ? [change('UNIQUE_ITEMS_REMOVED', ['FORWARD'], appendPointer(a.part.ptr, 'uniqueItems'), nPath, 'Items no longer have to be unique')]
    : [change('UNIQUE_ITEMS_ADDED', ['BACKWARD'], oPath, appendPointer(b!.part.ptr, 'uniqueItems'), 'Items now have to be unique')];
}

function contains(cmp: Comparer, o: SchemaNode, n: SchemaNode, oPath: string, nPath: string): Change[] {
  const a = withKw(o, 'contains').map((x) => appendPointer(x.part.ptr, 'contains'));
  const b = withKw(n, 'contains').map((x) => appendPointer(x.part.ptr, 'contains'));
  const out: Change[] = [];
  if (!a.length && b.length) out.push(change('CONTAINS_ADDED', ['BACKWARD'], oPath, b[0]!, 'Arrays must now contain a matching item'));
  else if (a.length && !b.length) out.push(change('CONTAINS_REMOVED', ['FORWARD'], a[0]!, nPath, 'Arrays no longer have to contain a matching item'));
  else if (a.length && b.length) {
    out.push(...cmp.node(cmp.nodeOf('old', a), cmp.nodeOf('new', b), a[0]!, b[0]!));
    out.push(
      ...compareBound(o, n, oPath, nPath, [{ name: 'minContains', exclusive: false }], true),
      ...compareBound(o, n, oPath, nPath, [{ name: 'maxContains', exclusive: false }], false),
    );
  }
  return out;
}
