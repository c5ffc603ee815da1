/**
 * ONE_OF_OVERLAP_POSSIBLE: reported only where a message can match two `oneOf`
 * alternatives, and then with the two named, a message both accept (confirmed here with the
 * runtime validator, independently of the engine) and a way to keep them apart.
 */
import { describe, expect, it } from 'vitest';
import { Budget, TooComplexError } from '../../src/compat/budget.js';
import { compareSchemas } from '../../src/compat/schemas.js';
import type { Change } from '../../src/compat/types.js';
import { runtimeValidator } from '../../src/contracts/validator.js';

type Schema = Record<string, unknown>;

const str = { type: 'string' };
const compare = (old: Schema, neu: Schema, budget?: Budget) => compareSchemas({ doc: old, ptr: '' }, { doc: neu, ptr: '' }, 'strict', budget);
const overlaps = (changes: Change[]) => changes.filter((c) => c.kind === 'ONE_OF_OVERLAP_POSSIBLE');

/** Whether the runtime validator accepts `value` under `schema` (self-contained: its `$defs` travel with it). */
function valid(schema: unknown, value: unknown): boolean {
  const validate = runtimeValidator(schema);
  if (typeof validate !== 'function') throw validate;
  return validate(value) === true;
}

/** Alternative `i` of a document whose root is `{oneOf, $defs}`, as a schema of its own. */
const alternative = (doc: Schema, i: number) => ({ $defs: doc.$defs ?? {}, allOf: [(doc.oneOf as unknown[])[i]] });

/** An object alternative with a `type` discriminator, required or not. */
const variant = (value: string, required: boolean, extra: Schema = {}) => ({
  type: 'object',
  properties: { type: { const: value }, id: str, ...extra },
  required: required ? ['type', 'id'] : ['id'],
});

describe('a discriminator required in each alternative separates them', () => {
  it('reports no overlap for disjoint consts of a required property', () => {
    const old = { oneOf: [variant('card', true), variant('sepa', true)] };
    const neu = { oneOf: [variant('card', true), variant('sepa', true), variant('paypal', true, { email: str })] };
    const changes = compare(old, neu);
    expect(overlaps(changes)).toEqual([]);
    expect(changes.map((c) => c.kind)).toEqual(['SUM_TYPE_EXTENDED']);
  });

  it('separates them when only one of the two requires it (the other still constrains it when present)', () => {
    const neu = { oneOf: [variant('card', true), variant('sepa', false)] };
    expect(overlaps(compare({ anyOf: neu.oneOf }, neu))).toEqual([]);
  });

  it('does not separate alternatives that admit a non-object value as well', () => {
    // `required` and `properties` constrain objects only: "x" passes both.
    const alt = (value: string) => ({ properties: { type: { const: value } }, required: ['type'] });
    const neu = { oneOf: [alt('a'), alt('b')] };
    const [overlap, ...more] = overlaps(compare({ anyOf: neu.oneOf }, neu));
    expect(more).toEqual([]);
    expect(overlap).toBeDefined();
    expect(overlap!.example).not.toBeTypeOf('object');
    expect(valid(alternative(neu, 0), overlap!.example) && valid(alternative(neu, 1), overlap!.example)).toBe(true);
    expect(overlap!.fix).toContain('type: object');
  });
});

describe('a discriminator that may be absent does not separate them', () => {
  const old = { oneOf: [variant('card', false)] };
  const neu = { oneOf: [variant('card', false), variant('sepa', false, { iban: str })] };
  const changes = compare(old, neu);
  const [overlap] = overlaps(changes);

  it('is reported, naming the two alternatives', () => {
    expect(overlaps(changes)).toHaveLength(1);
    expect(overlap).toMatchObject({ kind: 'ONE_OF_OVERLAP_POSSIBLE', breaks: ['BACKWARD'], newPath: '/oneOf' });
    expect(overlap!.message).toContain('alternatives 0 (/oneOf/0) and 1 (/oneOf/1)');
  });

  it('carries an example that both alternatives accept, which the old schema accepts and the new one rejects', () => {
    expect(overlap!.example).toBeDefined();
    expect(overlap!.example).not.toHaveProperty('type');
    expect(valid(alternative(neu, 0), overlap!.example)).toBe(true);
    expect(valid(alternative(neu, 1), overlap!.example)).toBe(true);
    expect(valid(old, overlap!.example)).toBe(true);
    expect(valid(neu, overlap!.example)).toBe(false);
  });

  it('says to make the discriminator required', () => {
    expect(overlap!.fix).toMatch(/`type` required in each alternative/);
    // Following the advice removes the report.
    const fixed = { oneOf: [variant('card', true), variant('sepa', true, { iban: str })] };
    expect(overlaps(compare(old, fixed))).toEqual([]);
  });

  it('is reported the other way round too (an old oneOf whose alternatives overlap)', () => {
    const back = overlaps(compare(neu, { oneOf: [variant('card', false)] }));
    // The old two alternatives overlap, and the new oneOf does not keep them apart in two alternatives.
    expect(back.map((c) => c.breaks)).toEqual([['FORWARD']]);
    expect(back[0]!.message).toContain('of the old oneOf');
    expect(valid(alternative(neu, 0), back[0]!.example) && valid(alternative(neu, 1), back[0]!.example)).toBe(true);
  });
});

describe('alternatives composed with allOf (Jackson, Springwolf)', () => {
  const doc = (alternatives: unknown[], defs: Schema) => ({ oneOf: alternatives, $defs: defs });

  it('separates required and const written in different allOf parts', () => {
    const defs = { Base: { type: 'object', properties: { id: str }, required: ['id'] } };
    const sub = (value: string) => ({ allOf: [{ $ref: '#/$defs/Base' }, { properties: { type: { const: value } }, required: ['type'] }] });
    expect(overlaps(compare(doc([sub('a')], defs), doc([sub('a'), sub('b')], defs)))).toEqual([]);
  });

  it('separates a discriminator required in the base and given its const in the subtype', () => {
    const defs = { Base: { type: 'object', properties: { id: str, type: str }, required: ['id', 'type'] } };
    const sub = (value: string) => ({ allOf: [{ $ref: '#/$defs/Base' }, { properties: { type: { const: value } } }] });
    expect(overlaps(compare(doc([sub('a')], defs), doc([sub('a'), sub('b')], defs)))).toEqual([]);
  });

  it('separates a const behind a $ref', () => {
    const defs = { Base: { type: 'object', properties: { id: str, type: str }, required: ['id', 'type'] }, A: { const: 'a' }, B: { const: 'b' } };
    const sub = (ref: string) => ({ allOf: [{ $ref: '#/$defs/Base' }, { properties: { type: { $ref: ref } } }] });
    expect(overlaps(compare(doc([sub('#/$defs/A')], defs), doc([sub('#/$defs/A'), sub('#/$defs/B')], defs)))).toEqual([]);
  });

  it('separates a base whose oneOf lists subtypes that each extend a base part', () => {
    const pet = (names: string[], required: string[]) => ({
      $defs: {
        Pet: { type: 'object', properties: { type: str, name: str }, required, discriminator: 'type', oneOf: names.map((n) => ({ $ref: `#/$defs/${n}` })) },
        PetFields: { type: 'object', properties: { type: str, name: str }, required },
        Cat: { allOf: [{ $ref: '#/$defs/PetFields' }, { type: 'object', properties: { type: { const: 'Cat' }, meows: { type: 'boolean' } } }] },
        Dog: { allOf: [{ $ref: '#/$defs/PetFields' }, { type: 'object', properties: { type: { const: 'Dog' }, barks: { type: 'boolean' } } }] },
        Bird: { allOf: [{ $ref: '#/$defs/PetFields' }, { type: 'object', properties: { type: { const: 'Bird' } } }] },
      },
    });
    const judge = (old: Schema, neu: Schema) => compareSchemas({ doc: old, ptr: '/$defs/Pet' }, { doc: neu, ptr: '/$defs/Pet' }, 'strict');
    expect(overlaps(judge(pet(['Cat', 'Dog'], ['type']), pet(['Cat', 'Dog', 'Bird'], ['type'])))).toEqual([]);

    // Without `required: [type]`, the object without a type is a cat, a dog and a bird at once.
    const neu = pet(['Cat', 'Dog', 'Bird'], []);
    const [overlap, ...more] = overlaps(judge(pet(['Cat', 'Dog'], []), neu));
    expect(more).toEqual([]);
    expect(overlap!.message).toContain('alternatives 0 (/$defs/Cat) and 1 (/$defs/Dog)');
    expect(overlap!.fix).toMatch(/`type` required/);
    const cat = { $defs: neu.$defs, allOf: [{ $ref: '#/$defs/Cat' }] };
    const dog = { $defs: neu.$defs, allOf: [{ $ref: '#/$defs/Dog' }] };
    expect(valid(cat, overlap!.example) && valid(dog, overlap!.example)).toBe(true);
  });
});

describe('an enum of one value', () => {
  const alt = (value: string, required: boolean) => ({ type: 'object', properties: { kind: { type: 'string', enum: [value] } }, required: required ? ['kind'] : [] });

  it('separates alternatives when required', () => {
    expect(overlaps(compare({ oneOf: [alt('x', true)] }, { oneOf: [alt('x', true), alt('y', true)] }))).toEqual([]);
  });

  it('is named in the fix when not required', () => {
    const neu = { oneOf: [alt('x', false), alt('y', false)] };
    const [overlap] = overlaps(compare({ oneOf: [alt('x', false)] }, neu));
    expect(overlap!.fix).toContain('`kind` required');
    expect(overlap!.example).toEqual({});
    expect(valid(alternative(neu, 0), {}) && valid(alternative(neu, 1), {})).toBe(true);
  });
});

describe('alternatives that overlap without a discriminator', () => {
  it('are still reported, with a string both accept and a generic fix', () => {
    const neu = { oneOf: [str, { maxLength: 3 }] };
    const [overlap] = overlaps(compare({ oneOf: [str] }, neu));
    expect(overlap).toBeDefined();
    expect(typeof overlap!.example).toBe('string');
    expect(valid(str, overlap!.example) && valid({ maxLength: 3 }, overlap!.example)).toBe(true);
    expect(overlap!.fix).toMatch(/different types|discriminator/);
  });

  it('give an example that meets constraints on the required properties', () => {
    const alt = (extra: Schema) => ({
      type: 'object',
      properties: { at: { type: 'string', format: 'date-time' }, n: { type: 'integer', minimum: 5, multipleOf: 3 }, tags: { type: 'array', minItems: 2, items: { type: 'string', minLength: 2 } }, ...extra },
      required: ['at', 'n', 'tags'],
    });
    const neu = { oneOf: [alt({ a: str }), alt({ b: str })] };
    const [overlap] = overlaps(compare({ oneOf: [alt({ a: str })] }, neu));
    expect(overlap!.example).toEqual({ at: '2024-01-01T00:00:00Z', n: 6, tags: ['aa', 'aa'] });
    expect(valid(alternative(neu, 0), overlap!.example) && valid(alternative(neu, 1), overlap!.example)).toBe(true);
  });

  it('carry no example when none of the candidates passes both (the overlap stays possible)', () => {
    // A pattern Herald does not solve: the guessed string fails it, so no example is claimed.
    const neu = { oneOf: [{ type: 'string', pattern: '^x+$' }, { type: 'string', pattern: '^x{2}$' }] };
    const [overlap] = overlaps(compare({ anyOf: neu.oneOf }, neu));
    expect(overlap).toBeDefined();
    expect(overlap).not.toHaveProperty('example');
    expect(overlap!.message).toContain('may overlap');
    expect(overlap!.fix).toBeTypeOf('string');
  });
});

describe('hostile oneOfs', () => {
  const many = (n: number, required: boolean) => ({ oneOf: Array.from({ length: n }, (_, i) => variant(`t${i}`, required, { [`p${i}`]: str })) });

  it('judges 200 alternatives kept apart by a required discriminator within the budget', () => {
    const budget = new Budget({ maxSteps: 2_000_000 });
    const changes = compare(many(199, true), many(200, true), budget);
    expect(overlaps(changes)).toEqual([]);
    expect(changes.map((c) => c.kind)).toContain('SUM_TYPE_EXTENDED');
    expect(budget.spent).toBeLessThan(2_000_000);
  });

  it('reports 100 alternatives with an optional discriminator once, with an example', () => {
    const budget = new Budget({ maxSteps: 2_000_000 });
    const changes = compare(many(99, false), many(100, false), budget);
    expect(overlaps(changes)).toHaveLength(1);
    expect(overlaps(changes)[0]!.example).toEqual({ id: '' });
  });

  it('ends with TooComplexError, not a crash, on a small budget', () => {
    const budget = new Budget({ maxSteps: 5_000 });
    expect(() => compare(many(199, true), many(200, true), budget)).toThrow(TooComplexError);
  });

  it('decides alternatives that share types through $ref once per pair of types, not once per path', () => {
    // Each alternative requires 40 properties of type T1, which requires 40 of type T2, which requires 40 strings.
    const names = (prefix: string) => Array.from({ length: 40 }, (_, i) => `${prefix}${i}`);
    const level = (prefix: string, target: unknown) => ({ type: 'object', properties: Object.fromEntries(names(prefix).map((k) => [k, target])), required: names(prefix) });
    const doc = (n: number) => ({
      $defs: { T2: level('q', str), T1: level('p', { $ref: '#/$defs/T2' }) },
      oneOf: Array.from({ length: n }, (_, i) => {
        const alt = level('r', { $ref: '#/$defs/T1' });
        return { ...alt, properties: { ...alt.properties, kind: { const: `k${i}` } } };
      }),
    });
    const budget = new Budget({ maxSteps: 2_000_000 });
    const [overlap, ...more] = overlaps(compare(doc(3), doc(4), budget));
    expect(more).toEqual([]);
    expect(overlap!.fix).toMatch(/`kind` required/);
    // 40 x 40 x 40 paths, 3 types: without deciding each pair of types once, this takes over 100,000 steps.
    expect(budget.spent).toBeLessThan(10_000);
  });

  /** The changes, or the TooComplexError the budget ended the check with. */
  const judged = (old: Schema, neu: Schema): Change[] | TooComplexError => {
    try {
      return compare(old, neu, new Budget({ maxSteps: 2_000_000 }));
    } catch (err) {
      if (err instanceof TooComplexError) return err;
      throw err;
    }
  };

  it('bounds the search for an example: thousands of required properties', () => {
    const wide = (tag: string) => ({ type: 'object', properties: { tag: { const: tag } }, required: Array.from({ length: 5_000 }, (_, i) => `r${i}`) });
    const neu = { oneOf: [wide('a'), wide('b')] };
    const result = judged({ anyOf: neu.oneOf }, neu);
    expect(result).toBeInstanceOf(Array);
    const [overlap] = overlaps(result as Change[]);
    // Too many properties to fill in: the overlap is reported, without an example.
    expect(overlap).toBeDefined();
    expect(overlap).not.toHaveProperty('example');
    expect(overlap!.fix).toMatch(/`tag` required/);
  });

  it('bounds the search for an example: deep nesting', () => {
    let deep: Schema = str;
    for (let i = 0; i < 200; i++) deep = { type: 'object', properties: { d: deep }, required: ['d'] };
    const neu = { oneOf: [deep, { ...deep, maxProperties: 3 }] };
    const result = judged({ anyOf: neu.oneOf }, neu);
    // Within the default budget: the answer is a report, not "too complex".
    expect(result).toBeInstanceOf(Array);
    const [overlap] = overlaps(result as Change[]);
    expect(overlap).toBeDefined();
    // The object 200 levels deep is not built: no example is claimed.
    expect(overlap).not.toHaveProperty('example');
  });
});
