/**
 * Random JSON Schemas, related pairs of them, and instances of a schema, for the
 * compatibility engine's property test. The space is small on purpose (few property names,
 * few patterns and formats) so that pairs overlap and instances hit the edges.
 */
import fc from 'fast-check';

export type Schema = Record<string, any> | boolean;

const NAMES = ['a', 'b', 'c', 'd'];
const PATTERNS: Record<string, () => string[]> = {
  '^[a-z]+$': () => ['abc', 'x', 'hello'],
  '^[A-Z]{3}$': () => ['EUR', 'USD', 'ABC'],
  '^x-': () => ['x-one', 'x-', 'x-2'],
};
const FORMATS: Record<string, string[]> = {
  email: ['a@b.co', 'ops@example.com'],
  uuid: ['0b9e7f5c-3c0e-4c55-9d43-94c3f1c6b0c2'],
  'date-time': ['2026-11-28T10:00:00Z'],
};
const SCALARS = fc.constantFrom<unknown>('a', 'b', 'EUR', '', 0, 1, 2, -1, 2.5, true, false, null);

const stringSchema = fc.record(
  {
    type: fc.constant('string'),
    minLength: fc.integer({ min: 0, max: 3 }),
    maxLength: fc.integer({ min: 2, max: 8 }),
    pattern: fc.constantFrom(...Object.keys(PATTERNS)),
    format: fc.constantFrom(...Object.keys(FORMATS)),
  },
  { requiredKeys: ['type'] },
);
const numberSchema = fc.record(
  {
    type: fc.constantFrom('integer', 'number'),
    minimum: fc.integer({ min: -2, max: 2 }),
    maximum: fc.integer({ min: 1, max: 10 }),
    exclusiveMinimum: fc.integer({ min: -3, max: 1 }),
    exclusiveMaximum: fc.integer({ min: 2, max: 12 }),
    multipleOf: fc.constantFrom(1, 2, 0.5, 3),
  },
  { requiredKeys: ['type'] },
);
const leaf: fc.Arbitrary<Schema> = fc.oneof(
  stringSchema,
  numberSchema,
  fc.constant({ type: 'boolean' }),
  fc.constant({ type: 'null' }),
  fc.uniqueArray(SCALARS, { minLength: 1, maxLength: 4 }).map((e) => ({ enum: e })),
  SCALARS.map((c) => ({ const: c })),
  fc.constantFrom<Schema>({ type: ['string', 'null'] }, { type: ['integer', 'string'] }, {}, true),
);

export const schemaArb: fc.Arbitrary<Schema> = fc.letrec<{ schema: Schema; object: Schema; array: Schema }>((tie) => ({
  schema: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, leaf, tie('object'), tie('array'), fc.array(tie('schema'), { minLength: 2, maxLength: 3 }).chain((branches) => fc.constantFrom({ anyOf: branches }, { oneOf: branches }))),
  object: fc
    .record(
      {
        properties: fc.dictionary(fc.constantFrom(...NAMES), tie('schema'), { maxKeys: 3 }),
        required: fc.subarray(NAMES, { maxLength: 2 }),
        additionalProperties: fc.oneof(fc.boolean(), tie('schema')),
        patternProperties: fc.constant({ '^x-': { type: 'string' } }),
        minProperties: fc.integer({ min: 0, max: 2 }),
        maxProperties: fc.integer({ min: 2, max: 5 }),
      },
      { requiredKeys: ['properties'] },
    )
    .map((o) => ({ type: 'object', ...o })),
  array: fc
    .record(
      {
        items: fc.oneof(tie('schema'), fc.array(tie('schema'), { minLength: 1, maxLength: 2 })),
        additionalItems: fc.oneof(fc.boolean(), tie('schema')),
        minItems: fc.integer({ min: 0, max: 2 }),
        maxItems: fc.integer({ min: 1, max: 4 }),
        uniqueItems: fc.boolean(),
      },
      { requiredKeys: [] },
    )
    .map((a) => ({ type: 'array', ...a })),
})).schema;

/**
 * A discriminated hierarchy as Java generators emit it: a base whose `oneOf` lists subtypes
 * that each `allOf` the base again (and, sometimes, a subtype that is itself a base of two).
 */
export const polymorphicArb: fc.Arbitrary<Schema> = fc
  .record({
    base: fc.dictionary(fc.constantFrom('b', 'c'), leaf, { maxKeys: 2 }),
    subtypes: fc.array(fc.dictionary(fc.constantFrom('c', 'd'), leaf, { maxKeys: 2 }), { minLength: 2, maxLength: 4 }),
    nested: fc.boolean(),
    required: fc.boolean(),
  })
  .map(({ base, subtypes, nested, required }) => {
    const ref = (name: string) => ({ $ref: `#/$defs/${name}` });
    const sub = (name: string, parent: string, props: Record<string, Schema>, kind: string) => ({
      allOf: [ref(parent), { type: 'object', properties: { ...props, kind: { const: kind } }, ...(required ? { required: ['kind'] } : {}) }],
    });
    const names = subtypes.map((_, i) => `S${i}`);
    const $defs: Record<string, Schema> = {
      Base: { type: 'object', required: ['a'], properties: { a: { type: 'string' }, kind: { type: 'string' }, ...base }, oneOf: names.map(ref) },
    };
    subtypes.forEach((props, i) => ($defs[names[i]!] = sub(names[i]!, 'Base', props, `k${i}`)));
    if (nested) {
      // S0 is abstract: its own oneOf lists two subtypes of it.
      $defs.S0 = { allOf: [ref('Base'), { type: 'object', properties: subtypes[0] }], oneOf: [ref('T0'), ref('T1')] };
      $defs.T0 = sub('T0', 'S0', { d: { type: 'integer' } }, 't0');
      $defs.T1 = sub('T1', 'S0', { d: { type: 'string' } }, 't1');
    }
    return { $ref: '#/$defs/Base', $defs };
  });

type Path = Array<string | number>;

function paths(node: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  if (node !== null && typeof node === 'object') {
    out.push(prefix);
    for (const [k, v] of Object.entries(node)) paths(v, [...prefix, Array.isArray(node) ? Number(k) : k], out);
  }
  return out;
}

const get = (root: unknown, path: Path) => path.reduce<any>((o, k) => o?.[k], root);

/** One edit that a team might make to a schema. */
export function mutate(schema: Schema, choice: number, pick: number, replacement: Schema): Schema {
  const root = structuredClone(schema);
  if (typeof root !== 'object') return replacement;
  const objects = paths(root).filter((p) => {
    const v = get(root, p);
    // Not a `$ref` object: keywords beside it are ignored by draft-07 (AsyncAPI's schemas, and the engine), applied by Ajv.
    return v && typeof v === 'object' && !Array.isArray(v) && typeof v.$ref !== 'string' && !['properties', 'patternProperties', 'dependentRequired', '$defs'].includes(String(p[p.length - 1]));
  });
  const path = objects[pick % objects.length]!;
  const node = get(root, path) as Record<string, any>;
  const name = NAMES[pick % NAMES.length]!;
  switch (choice % 16) {
    case 0: // add an optional property
      if (node.type === 'object') (node.properties ??= {})[name] = replacement;
      break;
    case 1: // remove a property
      if (node.properties) delete node.properties[Object.keys(node.properties)[pick % Math.max(1, Object.keys(node.properties).length)]!];
      break;
    case 2: // toggle required
      if (node.type === 'object') node.required = node.required?.includes(name) ? node.required.filter((r: string) => r !== name) : [...(node.required ?? []), name];
      break;
    case 3:
      if (node.type === 'object') node.additionalProperties = [true, false, { type: 'string' }, undefined][pick % 4];
      break;
    case 4:
      node.type = ['string', 'integer', 'number', ['integer', 'null'], 'object', undefined][pick % 6];
      break;
    case 5:
      for (const k of ['minimum', 'maximum', 'minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties']) {
        if (k in node) node[k] = Math.max(0, node[k] + ((pick % 3) - 1));
      }
      break;
    case 6:
      if (Array.isArray(node.enum)) node.enum = pick % 2 ? [...node.enum, ['z', 7, null][pick % 3]] : node.enum.slice(1);
      else node.enum = ['a', 1];
      break;
    case 7:
      if ('multipleOf' in node) delete node.multipleOf;
      else node.multipleOf = [2, 0.5, 3][pick % 3];
      break;
    case 8:
      return { anyOf: [root, replacement] };
    case 9:
      if (node.anyOf || node.oneOf) {
        const list = node.anyOf ?? node.oneOf;
        if (list.length > 1) list.splice(pick % list.length, 1);
        else list.push(replacement);
      }
      break;
    case 10:
      if (node.oneOf) ((node.anyOf = node.oneOf), delete node.oneOf);
      else if (node.anyOf) ((node.oneOf = node.anyOf), delete node.anyOf);
      break;
    case 11:
      for (const k of ['pattern', 'format']) if (k in node) delete node[k];
      node.pattern ??= Object.keys(PATTERNS)[pick % 3];
      break;
    case 12:
      if (node.type === 'array') node.items = pick % 2 ? replacement : [replacement];
      break;
    case 13:
      if ('uniqueItems' in node) node.uniqueItems = !node.uniqueItems;
      else if ('exclusiveMinimum' in node) delete node.exclusiveMinimum;
      break;
    case 14:
      return { allOf: [root, replacement] };
    default:
      Object.assign(node, typeof replacement === 'object' ? replacement : {});
  }
  return root;
}

/** Candidate instances of a schema: mostly valid ones, some near its edges; the caller filters with a validator. */
export function instances(schema: Schema, rng: () => number, { lenient, count }: { lenient: boolean; count: number }): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < count; i++) out.push(generate(schema, rng, lenient, 4, { root: schema, chain: [] }));
  return out;
}

/** The schema instances are generated from (for `$ref`), and the references followed on the same value. */
interface Ctx {
  root: Schema;
  chain: string[];
}

/**
 * The schema with its `$ref` followed (merged with its other keywords). A reference back
 * into the chain followed on the same value is assumed to hold, as Herald's validator reads
 * it (src/contracts/coinductive.ts), so a polymorphic base is not unfolded again.
 */
function followed(schema: Schema, ctx: Ctx): { schema: Schema; ctx: Ctx } {
  let s = schema;
  let chain = ctx.chain;
  while (typeof s === 'object' && typeof s.$ref === 'string') {
    const { $ref: ref, ...rest } = s;
    if (chain.includes(ref)) return { schema: rest, ctx: { ...ctx, chain } };
    const target = get(ctx.root, ref.slice(2).split('/').filter(Boolean)) as Schema | undefined;
    chain = [...chain, ref];
    s = typeof target === 'object' ? merge(rest, target) : (target ?? rest);
  }
  return { schema: s, ctx: { ...ctx, chain } };
}

const pickOf = <T>(list: readonly T[], rng: () => number): T => list[Math.floor(rng() * list.length)]!;

function merge(a: Record<string, any>, b: Schema): Record<string, any> {
  if (typeof b !== 'object') return a;
  return { ...a, ...b, ...(a.properties || b.properties ? { properties: { ...a.properties, ...b.properties } } : {}), required: [...(a.required ?? []), ...(b.required ?? [])] };
}

function generate(schema0: Schema, rng: () => number, lenient: boolean, depth: number, ctx0: Ctx): unknown {
  const { schema, ctx } = followed(schema0, ctx0);
  if (schema === true || schema === undefined) return randomValue(rng, depth, lenient);
  if (schema === false) return null;
  let s = schema as Record<string, any>;
  if (s.allOf) s = s.allOf.reduce((acc: Record<string, any>, m: Schema) => merge(acc, followed(m, ctx).schema), { ...s, allOf: undefined });
  const combinator = s.anyOf ?? s.oneOf;
  if (combinator) return generate(merge({ ...s, anyOf: undefined, oneOf: undefined }, pickOf(combinator, rng)), rng, lenient, depth, ctx);
  // Past here every subschema applies to a part of the value: the chain starts again.
  const down = { root: ctx.root, chain: [] };
  if (s.const !== undefined) return s.const;
  if (Array.isArray(s.enum)) return pickOf(s.enum, rng);
  const types: string[] = s.type === undefined ? ['string', 'integer', 'number', 'boolean', 'null', 'object', 'array'] : Array.isArray(s.type) ? s.type : [s.type];
  const type = pickOf(types, rng);
  switch (type) {
    case 'null':
      return null;
    case 'boolean':
      return rng() < 0.5;
    case 'integer':
    case 'number': {
      const lo = Math.max(s.minimum ?? -5, (s.exclusiveMinimum ?? -6) + 1);
      const hi = Math.min(s.maximum ?? 12, (s.exclusiveMaximum ?? 13) - 1);
      const edge = [lo, hi, lo - 1, hi + 1, s.exclusiveMinimum, s.exclusiveMaximum].filter((x) => typeof x === 'number');
      let v = rng() < 0.4 ? pickOf(edge, rng) : lo + Math.floor(rng() * Math.max(1, hi - lo + 1));
      if (s.multipleOf && rng() < 0.7) v = Math.round(v / s.multipleOf) * s.multipleOf;
      if (type === 'number' && rng() < 0.3) v += 0.5;
      return v;
    }
    case 'string': {
      if (s.format && FORMATS[s.format]) return pickOf(FORMATS[s.format]!, rng);
      if (s.pattern && PATTERNS[s.pattern]) return pickOf(PATTERNS[s.pattern]!(), rng);
      const len = (s.minLength ?? 0) + Math.floor(rng() * ((s.maxLength ?? 6) - (s.minLength ?? 0) + 2));
      return 'abcdefghij'.slice(0, Math.max(0, len));
    }
    case 'array': {
      const prefix: Schema[] = Array.isArray(s.items) ? s.items : [];
      const rest: Schema = Array.isArray(s.items) ? (s.additionalItems ?? true) : (s.items ?? true);
      const len = Math.min(s.maxItems ?? 4, (s.minItems ?? 0) + Math.floor(rng() * 4));
      return Array.from({ length: len }, (_, i) => generate(i < prefix.length ? prefix[i]! : rest, rng, lenient, depth - 1, down));
    }
    default: {
      const obj: Record<string, unknown> = {};
      const props = s.properties ?? {};
      for (const [name, sub] of Object.entries(props)) if ((s.required ?? []).includes(name) || rng() < 0.6) obj[name] = generate(sub as Schema, rng, lenient, depth - 1, down);
      for (const name of s.required ?? []) if (!(name in obj)) obj[name] = generate(props[name] ?? s.additionalProperties ?? true, rng, lenient, depth - 1, down);
      const open = (s.additionalProperties === undefined || s.additionalProperties === true) && !s.patternProperties;
      // Under lenient, a writer whose object is open sends only what it declares.
      if (!(lenient && open) && rng() < 0.5) {
        if (s.patternProperties && rng() < 0.5) obj['x-' + Math.floor(rng() * 9)] = generate(s.patternProperties['^x-'] ?? true, rng, lenient, depth - 1, down);
        else if (s.additionalProperties !== false) obj[pickOf(['e', 'f', ...NAMES], rng)] = generate(s.additionalProperties ?? true, rng, lenient, depth - 1, down);
      }
      return obj;
    }
  }
}

/** Any value; under lenient an object from a schema that declares nothing carries nothing. */
function randomValue(rng: () => number, depth: number, lenient: boolean): unknown {
  const r = rng();
  if (depth <= 0 || r < 0.6) return pickOf<unknown>(['a', 'EUR', '', 0, 1, -1, 2.5, true, null], rng);
  if (r < 0.8) return Array.from({ length: Math.floor(rng() * 3) }, () => randomValue(rng, depth - 1, lenient));
  if (lenient) return {};
  return Object.fromEntries(Array.from({ length: Math.floor(rng() * 3) }, () => [pickOf(['a', 'b', 'e', 'x-1'], rng), randomValue(rng, depth - 1, lenient)]));
}
