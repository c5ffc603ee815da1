/**
 * Objects: properties added and removed against open, closed and partially open content
 * models, required, additionalProperties, patternProperties, propertyNames, size bounds
 * and dependencies.
 *
 * Each question is "does what the writer may send pass the reader?". BACKWARD asks it with
 * the old version writing, FORWARD with the new one. Under the lenient policy a writer whose
 * object is open sends only the properties it declares.
 */
import { appendPointer, isObject } from '../contracts/pointer.js';
import { compilePattern } from '../contracts/regex.js';
import { change, dirs, q, without } from './change.js';
import type { Kind } from './kinds.js';
import { kw, withKw, type SchemaNode } from './node.js';
import { compareBound, type Acceptance, type Comparer } from './schemas.js';
import type { Change } from './types.js';

interface ObjectView {
  node: SchemaNode;
  /** Declared property -> places of its schemas. */
  declared: Map<string, string[]>;
  required: Set<string>;
  /** `patternProperties` entries. */
  patterns: Array<{ source: string; test: (name: string) => boolean; ptr: string; part: number }>;
  /** No additionalProperties other than true, no patternProperties, in any part. */
  open: boolean;
}

function view(node: SchemaNode): ObjectView {
  const declared = new Map<string, string[]>();
  const required = new Set<string>();
  const patterns: ObjectView['patterns'] = [];
  let open = true;
  node.parts.forEach((part, index) => {
    const props = kw(part, 'properties');
    if (isObject(props)) for (const name of Object.keys(props)) declared.set(name, [...(declared.get(name) ?? []), appendPointer(part.ptr, 'properties', name)]);
    const req = kw(part, 'required');
    if (Array.isArray(req)) for (const r of req) if (typeof r === 'string') required.add(r);
    const pp = kw(part, 'patternProperties');
    if (isObject(pp)) {
      for (const source of Object.keys(pp)) {
        let test: (name: string) => boolean;
        try {
          const re = compilePattern(source);
          test = (name) => re.test(name);
        } catch {
          test = () => true; // a pattern Herald cannot run: assume it may match anything
        }
        patterns.push({ source, test, ptr: appendPointer(part.ptr, 'patternProperties', source), part: index });
        open = false;
      }
    }
    const ap = kw(part, 'additionalProperties');
    if (ap !== undefined && ap !== true) open = false;
  });
  return { node, declared, required, patterns, open };
}

/** What a part of the view admits under one property name; `name` undefined means a name nobody declares. */
function accepted(v: ObjectView, name: string | undefined): Acceptance {
  const ptrs: string[] = [];
  for (const [index, part] of v.node.parts.entries()) {
    const props = kw(part, 'properties');
    if (name !== undefined && isObject(props) && Object.prototype.hasOwnProperty.call(props, name)) {
      ptrs.push(appendPointer(part.ptr, 'properties', name));
      continue;
    }
    const matching = name === undefined ? [] : v.patterns.filter((p) => p.part === index && p.test(name));
    if (matching.length > 0) {
      ptrs.push(...matching.map((p) => p.ptr));
      continue;
    }
    const ap = kw(part, 'additionalProperties');
    if (ap === false) return 'none';
    if (ap !== undefined && ap !== true) ptrs.push(appendPointer(part.ptr, 'additionalProperties'));
  }
  return ptrs.length > 0 ? ptrs : 'any';
}

/** What a writer sends under a name: nothing for an undeclared name of an open object under lenient. */
function sent(cmp: Comparer, v: ObjectView, name: string | undefined): Acceptance {
  // A required name is sent whether or not `properties` describes it.
  const isDeclared = name !== undefined && (v.declared.has(name) || v.required.has(name));
  if (!isDeclared && v.open && cmp.policy === 'lenient') return 'none';
  return accepted(v, name);
}

export function compareObjects(cmp: Comparer, o: SchemaNode, n: SchemaNode, oPath: string, nPath: string): Change[] {
  const a = view(o);
  const b = view(n);
  return [
    ...properties(cmp, a, b, oPath, nPath),
    ...undeclared(cmp, a, b, oPath, nPath),
    ...patternProperties(cmp, a, b, oPath, nPath),
    ...propertyNames(cmp, o, n, oPath, nPath),
    ...compareBound(o, n, oPath, nPath, [{ name: 'minProperties', exclusive: false }], true),
    ...compareBound(o, n, oPath, nPath, [{ name: 'maxProperties', exclusive: false }], false),
    ...dependencies(cmp, o, n, oPath, nPath),
  ];
}

function properties(cmp: Comparer, a: ObjectView, b: ObjectView, oPath: string, nPath: string): Change[] {
  const out: Change[] = [];
  // Every name either version declares or requires; a required name is sent even if undeclared.
  const names = [...new Set([...a.declared.keys(), ...b.declared.keys(), ...a.required, ...b.required])];
  const reqPath = (v: ObjectView, path: string) => {
    const part = v.node.parts.find((p) => Array.isArray(kw(p, 'required')));
    return part ? appendPointer(part.ptr, 'required') : path;
  };
  const propPath = (v: ObjectView, name: string, path: string) => v.declared.get(name)?.[0] ?? reqPath(v, path);
  for (const name of names) {
    const knownOld = a.declared.has(name) || a.required.has(name);
    const knownNew = b.declared.has(name) || b.required.has(name);
    const newlyRequired = b.required.has(name) && !a.required.has(name);
    const noLongerRequired = a.required.has(name) && !b.required.has(name);
    const accO = accepted(a, name);
    const accN = accepted(b, name);
    if (knownOld && knownNew) {
      if (!a.declared.has(name) && !b.declared.has(name)) {
        // Required on both sides, described by neither: what additionalProperties (or a pattern) admits for it.
        const backward = !cmp.subset('old', accO, accN);
        const forward = !cmp.subset('new', accN, accO);
        if (backward || forward) {
          out.push(change(backward ? 'ADDITIONAL_PROPERTIES_NARROWED' : 'ADDITIONAL_PROPERTIES_EXTENDED', dirs(backward, forward), reqPath(a, oPath), reqPath(b, nPath), `What the required, undescribed property ${q(name)} may hold changed`));
        }
      } else if (accO !== 'none' && accN !== 'none') {
        out.push(...cmp.node(cmp.nodeOf('old', accO), cmp.nodeOf('new', accN), propPath(a, name, oPath), propPath(b, name, nPath)));
      } else if (accO !== accN) {
        // Declared, yet forbidden by another part (an allOf member with additionalProperties: false).
        const backward = !cmp.subset('old', sent(cmp, a, name), accN);
        const forward = !cmp.subset('new', sent(cmp, b, name), accO);
        const kind: Kind = accN === 'none' ? 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL' : 'PROPERTY_ADDED_TO_CLOSED_CONTENT_MODEL';
        out.push(change(kind, dirs(backward, forward), propPath(a, name, oPath), propPath(b, name, nPath), `Property ${q(name)} is ${accN === 'none' ? 'now' : 'no longer'} forbidden`));
      }
      if (newlyRequired) out.push(change('REQUIRED_ATTRIBUTE_ADDED', ['BACKWARD'], reqPath(a, oPath), reqPath(b, nPath), `Property ${q(name)} became required`));
      if (noLongerRequired) out.push(change('REQUIRED_ATTRIBUTE_REMOVED', ['FORWARD'], reqPath(a, oPath), reqPath(b, nPath), `Property ${q(name)} is no longer required`));
    } else if (knownNew) {
      const backward = newlyRequired || !cmp.subset('old', sent(cmp, a, name), accN);
      const forward = noLongerRequired || !cmp.subset('new', accN, accO);
      if (!b.declared.has(name)) {
        out.push(change('REQUIRED_ATTRIBUTE_ADDED', dirs(backward, forward), reqPath(a, oPath), reqPath(b, nPath), `Property ${q(name)} became required`));
        continue;
      }
      const kind: Kind = newlyRequired ? 'REQUIRED_PROPERTY_ADDED' : modelKind('ADDED', accO, !forward);
      const why = kind === 'REQUIRED_PROPERTY_ADDED' ? `Property ${q(name)} was added and is required` : `Property ${q(name)} was added to ${model(a)}`;
      out.push(change(kind, dirs(backward, forward), where(a, oPath), b.declared.get(name)![0]!, why));
    } else {
      const backward = newlyRequired || !cmp.subset('old', accO, accN);
      const forward = noLongerRequired || !cmp.subset('new', sent(cmp, b, name), accO);
      if (!a.declared.has(name)) {
        out.push(change('REQUIRED_ATTRIBUTE_REMOVED', dirs(backward, forward), reqPath(a, oPath), reqPath(b, nPath), `Property ${q(name)} is no longer required`));
        continue;
      }
      const kind = modelKind('REMOVED', accN, !backward);
      out.push(change(kind, dirs(backward, forward), a.declared.get(name)![0]!, where(b, nPath), `Property ${q(name)}${a.required.has(name) ? ', which was required,' : ''} was removed from ${model(b)}`));
    }
  }
  return out;
}

const where = (v: ObjectView, path: string) => v.node.parts[0]?.ptr ?? path;

function model(v: ObjectView): string {
  if (v.open) return 'an open object';
  const any = accepted(v, undefined);
  return any === 'none' && v.patterns.length === 0 ? 'a closed object' : 'a partially open object';
}

/** The content-model kind of a property added or removed, by what the other version admits under its name. */
function modelKind(what: 'ADDED' | 'REMOVED', acceptance: Acceptance, covered: boolean): Kind {
  const to = what === 'ADDED' ? 'TO' : 'FROM';
  if (acceptance === 'any') return `PROPERTY_${what}_${to}_OPEN_CONTENT_MODEL` as Kind;
  if (acceptance === 'none') return `PROPERTY_${what}_${to}_CLOSED_CONTENT_MODEL` as Kind;
  return `PROPERTY_${what}_${covered ? 'IS' : 'NOT'}_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL` as Kind;
}

/** Names no one declares and no pattern matches: additionalProperties decides. */
function undeclared(cmp: Comparer, a: ObjectView, b: ObjectView, oPath: string, nPath: string): Change[] {
  const ua = accepted(a, undefined);
  const ub = accepted(b, undefined);
  const apPath = (v: ObjectView, path: string) => {
    const part = v.node.parts.find((p) => kw(p, 'additionalProperties') !== undefined);
    return part ? appendPointer(part.ptr, 'additionalProperties') : path;
  };
  const sendsOld = sent(cmp, a, undefined) !== 'none';
  const sendsNew = sent(cmp, b, undefined) !== 'none';
  if (Array.isArray(ua) && Array.isArray(ub)) {
    let nested = cmp.node(cmp.nodeOf('old', ua), cmp.nodeOf('new', ub), apPath(a, oPath), apPath(b, nPath));
    if (!sendsOld) nested = without(nested, 'BACKWARD');
    if (!sendsNew) nested = without(nested, 'FORWARD');
    return nested;
  }
  if (formOf(ua) === formOf(ub)) return [];
  const backward = !cmp.subset('old', sent(cmp, a, undefined), ub);
  const forward = !cmp.subset('new', sent(cmp, b, undefined), ua);
  const kind: Kind =
    ua === 'any' && ub === 'none' ? 'ADDITIONAL_PROPERTIES_REMOVED'
    : ua === 'none' && ub === 'any' ? 'ADDITIONAL_PROPERTIES_ADDED'
    : ub === 'any' || ua === 'none' ? 'ADDITIONAL_PROPERTIES_EXTENDED'
    : 'ADDITIONAL_PROPERTIES_NARROWED';
  const describe = (acc: Acceptance) => (acc === 'any' ? 'any value' : acc === 'none' ? 'nothing' : 'a schema');
  return [change(kind, dirs(backward, forward), apPath(a, oPath), apPath(b, nPath), `Undeclared properties went from ${describe(ua)} to ${describe(ub)}`)];
}

const formOf = (acc: Acceptance) => (Array.isArray(acc) ? 'schema' : acc);

function patternProperties(cmp: Comparer, a: ObjectView, b: ObjectView, oPath: string, nPath: string): Change[] {
  const out: Change[] = [];
  const sources = new Set([...a.patterns.map((p) => p.source), ...b.patterns.map((p) => p.source)]);
  for (const source of sources) {
    const pa = a.patterns.filter((p) => p.source === source).map((p) => p.ptr);
    const pb = b.patterns.filter((p) => p.source === source).map((p) => p.ptr);
    if (pa.length && pb.length) {
      out.push(...cmp.node(cmp.nodeOf('old', pa), cmp.nodeOf('new', pb), pa[0]!, pb[0]!));
    } else if (pb.length) {
      // Keys matching the new pattern: the old writer sent them as undeclared properties.
      const backward = !cmp.subset('old', sent(cmp, a, undefined), pb);
      const forward = !cmp.subset('new', pb, accepted(a, undefined));
      out.push(change('PATTERN_PROPERTY_ADDED', dirs(backward, forward), where(a, oPath), pb[0]!, `Properties matching ${q(source)} are now constrained`));
    } else {
      const backward = !cmp.subset('old', pa, accepted(b, undefined));
      const forward = !cmp.subset('new', sent(cmp, b, undefined), pa);
      out.push(change('PATTERN_PROPERTY_REMOVED', dirs(backward, forward), pa[0]!, where(b, nPath), `Properties matching ${q(source)} are no longer constrained by that pattern`));
    }
  }
  return out;
}

function propertyNames(cmp: Comparer, o: SchemaNode, n: SchemaNode, oPath: string, nPath: string): Change[] {
  const a = withKw(o, 'propertyNames').map((x) => appendPointer(x.part.ptr, 'propertyNames'));
  const b = withKw(n, 'propertyNames').map((x) => appendPointer(x.part.ptr, 'propertyNames'));
  if (!a.length && !b.length) return [];
  if (!a.length) return [change('PROPERTY_NAMES_ADDED', ['BACKWARD'], oPath, b[0]!, 'Property names are now constrained')];
  if (!b.length) return [change('PROPERTY_NAMES_REMOVED', ['FORWARD'], a[0]!, nPath, 'Property names are no longer constrained')];
  return cmp.node(cmp.nodeOf('old', a), cmp.nodeOf('new', b), a[0]!, b[0]!);
}

/** `dependentRequired`, `dependentSchemas` and draft-07 `dependencies` (both forms). */
function dependencies(cmp: Comparer, o: SchemaNode, n: SchemaNode, oPath: string, nPath: string): Change[] {
  const collect = (node: SchemaNode) => {
    const arrays = new Map<string, { names: Set<string>; ptr: string }>();
    const schemas = new Map<string, string[]>();
    for (const part of node.parts) {
      for (const keyword of ['dependentRequired', 'dependencies', 'dependentSchemas']) {
        const value = kw(part, keyword);
        if (!isObject(value)) continue;
        for (const [key, dep] of Object.entries(value)) {
          const ptr = appendPointer(part.ptr, keyword, key);
          if (Array.isArray(dep)) {
            const entry = arrays.get(key) ?? { names: new Set<string>(), ptr };
            dep.forEach((d) => typeof d === 'string' && entry.names.add(d));
            arrays.set(key, entry);
          } else {
            schemas.set(key, [...(schemas.get(key) ?? []), ptr]);
          }
        }
      }
    }
    return { arrays, schemas };
  };
  const a = collect(o);
  const b = collect(n);
  const out: Change[] = [];
  for (const key of new Set([...a.arrays.keys(), ...b.arrays.keys()])) {
    const x = a.arrays.get(key);
    const y = b.arrays.get(key);
    if (!x) out.push(change('DEPENDENCY_ARRAY_ADDED', ['BACKWARD'], oPath, y!.ptr, `${q(key)} now requires ${[...y!.names].map(q).join(', ')}`));
    else if (!y) out.push(change('DEPENDENCY_ARRAY_REMOVED', ['FORWARD'], x.ptr, nPath, `${q(key)} no longer requires ${[...x.names].map(q).join(', ')}`));
    else {
      const more = [...y.names].filter((d) => !x.names.has(d));
      const fewer = [...x.names].filter((d) => !y.names.has(d));
      if (!more.length && !fewer.length) continue;
      const kind: Kind = !fewer.length ? 'DEPENDENCY_ARRAY_EXTENDED' : !more.length ? 'DEPENDENCY_ARRAY_NARROWED' : 'DEPENDENCY_ARRAY_CHANGED';
      out.push(change(kind, dirs(more.length > 0, fewer.length > 0), x.ptr, y.ptr, `What ${q(key)} requires went from ${[...x.names].map(q).join(', ')} to ${[...y.names].map(q).join(', ')}`));
    }
  }
  for (const key of new Set([...a.schemas.keys(), ...b.schemas.keys()])) {
    const x = a.schemas.get(key);
    const y = b.schemas.get(key);
    if (!x) out.push(change('DEPENDENCY_SCHEMA_ADDED', ['BACKWARD'], oPath, y![0]!, `A schema now applies when ${q(key)} is present`));
    else if (!y) out.push(change('DEPENDENCY_SCHEMA_REMOVED', ['FORWARD'], x[0]!, nPath, `The schema that applied when ${q(key)} is present was removed`));
    else out.push(...cmp.node(cmp.nodeOf('old', x), cmp.nodeOf('new', y), x[0]!, y[0]!));
  }
  return out;
}
