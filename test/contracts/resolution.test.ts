/**
 * Documents that once stalled, crashed or fooled registration: references handled as a
 * graph, schemas that cannot run refused where they are written, keys that are JavaScript
 * names treated as data, and validators that share nothing between documents.
 */
import { describe, expect, it } from 'vitest';
import { ingest } from '../../src/contracts/ingest.js';
import { derefIn } from '../../src/contracts/refs.js';
import { bundle } from '../../src/contracts/schema.js';
import { runtimeValidator } from '../../src/contracts/validator.js';
import type { InvalidDocumentError } from '../../src/errors.js';
import { mutuallyRecursive, refFanOut } from '../helpers/attacks.js';

const rejection = (text: string, format: 'yaml' | 'json' = 'yaml') =>
  ingest(text, format).then(
    () => undefined,
    (e: InvalidDocumentError) => e.diagnostics,
  );

const v3 = (payload: string, extra = '') => `asyncapi: 3.0.0
info: {title: t, version: '1'}
channels:
  c:
    address: c
    messages:
      m:
        payload: ${payload}
${extra}`;

describe('references inside schemas form a graph, not a tree', () => {
  it('30 mutually recursive types register, each once in $defs', async () => {
    const { contract } = await ingest(mutuallyRecursive(30, 2), 'yaml');
    const payload = contract.channels[0]!.messages[0]!.payload as { $defs: Record<string, unknown> };
    expect(Object.keys(payload.$defs)).toHaveLength(30);
    const validate = runtimeValidator(payload) as (v: unknown) => boolean;
    expect(validate({ name: 'a', next1: { name: 'b', next2: { name: 'c' } } })).toBe(true);
    expect(validate({ name: 'a', next1: { name: 'b', next2: { name: 7 } } })).toBe(false);
  });

  it('a 3 KB document whose references reach one schema along 100,000 paths bundles small and validates the same', async () => {
    const { contract } = await ingest(refFanOut(10, 5), 'yaml');
    const payload = contract.channels[0]!.messages[0]!.payload!;
    expect(JSON.stringify(payload).length).toBeLessThan(5_000);
    const validate = runtimeValidator(payload) as (v: unknown) => boolean;
    const nest = (depth: number, leaf: unknown): unknown => (depth === 0 ? leaf : { p3: nest(depth - 1, leaf), p7: nest(depth - 1, leaf) });
    expect(validate(nest(5, 'short'))).toBe(true);
    expect(validate(nest(5, 'far too long'))).toBe(false);
  });

  it('a schema shared by two properties is copied to each when small, as tools expect', async () => {
    const { contract } = await ingest(
      v3("{type: object, properties: {a: {$ref: '#/components/schemas/Money'}, b: {$ref: '#/components/schemas/Money'}}}", 'components:\n  schemas:\n    Money: {type: number}\n'),
      'yaml',
    );
    expect(contract.channels[0]!.messages[0]!.payload).toEqual({ type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } } });
  });

  it('a reference from a schema to something that is not one is validated as a schema there, as the parser does', async () => {
    const doc = v3(
      "{oneOf: [{$ref: '#/components/schemas/Base/allOf'}, {type: string}]}",
      'components:\n  schemas:\n    Base:\n      allOf: [{type: object}]\n',
    );
    expect(await rejection(doc)).toEqual([expect.objectContaining({ pointer: '/components/schemas/Base/allOf', message: 'Must be object,boolean.' })]);
  });
});

describe('schemas the gateway would run', () => {
  it('a schema that comes back to itself in place registers, and is read coinductively: its own keywords apply once', async () => {
    const { contract } = await ingest(v3("{type: object, required: [id], oneOf: [{allOf: [{$ref: '#/channels/c/messages/m/payload'}, {properties: {kind: {const: a}}}]}, {properties: {kind: {const: b}}, required: [kind]}]}"), 'yaml');
    const validate = runtimeValidator(contract.channels[0]!.messages[0]!.payload!) as (v: unknown) => boolean;
    expect(validate({ id: 1, kind: 'a' })).toBe(true);
    expect(validate({ id: 1, kind: 'b' })).toBe(true);
    expect(validate({ kind: 'a' })).toBe(false);
    expect(validate('text')).toBe(false);
    // Recursion through a property is a tree of messages, not a loop.
    await expect(ingest(v3("{type: object, properties: {child: {$ref: '#/channels/c/messages/m/payload'}}}"), 'yaml')).resolves.toBeDefined();
  });

  it('a schema whose cycles meet along several paths bundles into a finite schema (subtypes that each return to their base)', () => {
    const doc = {
      Base: { type: 'object', oneOf: [{ $ref: '#/S0' }, { $ref: '#/S1' }] },
      S0: { allOf: [{ $ref: '#/Base' }, { properties: { kind: { const: 0 } } }] },
      S1: { allOf: [{ $ref: '#/Base' }, { properties: { kind: { const: 1 } } }] },
    };
    // A copy of the base, as the compatibility engine passes one: not itself the target of any reference.
    const { schema, recursive } = bundle({ ...doc.Base }, derefIn(doc));
    expect(recursive).toBe(true);
    expect(JSON.stringify(schema).length).toBeLessThan(1000);
    const validate = runtimeValidator(schema) as (v: unknown) => boolean;
    expect(validate({ kind: 1 })).toBe(true);
    expect(validate({ kind: 2 })).toBe(false);
  });

  it('a schema that would unfold into too many variants is refused where it is written', async () => {
    // 12 schemas that each reach every other in place: the chains through them are too many to unfold.
    const names = Array.from({ length: 12 }, (_, i) => `S${i}`);
    const schemas = names.map((n) => `    ${n}: {anyOf: [${names.filter((m) => m !== n).map((m) => `{$ref: '#/components/schemas/${m}'}`).join(', ')}], required: [${n.toLowerCase()}]}`).join('\n');
    const diagnostics = await rejection(v3("{$ref: '#/components/schemas/S0'}", `components:\n  schemas:\n${schemas}\n`));
    expect(diagnostics).toEqual([expect.objectContaining({ rule: 'schema-compile', pointer: '/components/schemas/S0', message: expect.stringContaining('too many to unfold') })]);
  });

  it('a payload that is the whole document ($ref: "#") registers as the parser lets it, and its validator ends', async () => {
    const { contract } = await ingest(v3("{$ref: '#'}"), 'yaml');
    const validate = runtimeValidator(contract.channels[0]!.messages[0]!.payload!) as (v: unknown) => boolean;
    expect(validate({ any: 'message' })).toBe(true);
  });

  it('two documents may give different schemas the same $id: each validator keeps its own', () => {
    const a = runtimeValidator({ $id: 'urn:shared:order', type: 'object', required: ['a'] }) as (v: unknown) => boolean;
    const b = runtimeValidator({ $id: 'urn:shared:order', type: 'object', required: ['b'] }) as (v: unknown) => boolean;
    expect(typeof a).toBe('function');
    expect(typeof b).toBe('function');
    expect([a({ a: 1 }), a({ b: 1 }), b({ b: 1 }), b({ a: 1 })]).toEqual([true, false, true, false]);
  });
});

describe('keys that JavaScript gives a meaning are data', () => {
  it('"info" hidden under a "__proto__" key is not info: refused, as the parser refuses the key', async () => {
    const diagnostics = await rejection('{"asyncapi":"3.0.0","__proto__":{"info":{"title":"t","version":"1"}}}', 'json');
    expect(diagnostics).toEqual(
      expect.arrayContaining([expect.objectContaining({ message: 'Required property "info" is missing.' }), expect.objectContaining({ pointer: '/__proto__' })]),
    );
  });

  it('a channel hidden under "channels.__proto__" is refused, not routed', async () => {
    const diagnostics = await rejection('{"asyncapi":"3.0.0","info":{"title":"t","version":"1"},"channels":{"__proto__":{"evil":{"address":"x"}}}}', 'json');
    expect(diagnostics).toEqual([expect.objectContaining({ pointer: '/channels/__proto__/evil' })]);
  });

  it('payload properties named __proto__ and constructor register and validate like any other', async () => {
    const doc = '{"asyncapi":"3.0.0","info":{"title":"t","version":"1"},"channels":{"c":{"address":"c","messages":{"m":{"payload":' +
      '{"type":"object","required":["__proto__","constructor"],"additionalProperties":false,"properties":{"__proto__":{"type":"string"},"constructor":{"type":"integer"}}}}}}}}';
    const { contract } = await ingest(doc, 'json');
    const validate = runtimeValidator(contract.channels[0]!.messages[0]!.payload!) as (v: unknown) => boolean;
    expect(validate(JSON.parse('{"__proto__":"x","constructor":1}'))).toBe(true);
    expect(validate(JSON.parse('{"__proto__":5,"constructor":1}'))).toBe(false);
    // Required means present in the message, not inherited by every object.
    expect(validate({})).toBe(false);
    expect(validate(JSON.parse('{"__proto__":"x"}'))).toBe(false);
  });
});

describe('what cannot be stored', () => {
  it('a NUL or a lone surrogate is refused at its place; a YAML body declared as JSON is not JSON', async () => {
    expect(await rejection('{"asyncapi":"3.0.0","info":{"title":"t\\u0000","version":"1"}}', 'json')).toEqual([
      expect.objectContaining({ rule: 'unstorable-character', pointer: '/info/title' }),
    ]);
    expect(await rejection('{"asyncapi":"3.0.0","info":{"title":"t","version":"\\ud800"}}', 'json')).toEqual([
      expect.objectContaining({ rule: 'unstorable-character', pointer: '/info/version' }),
    ]);
    expect(await rejection("asyncapi: 3.0.0\ninfo: {title: t, version: '1'}\n", 'json')).toEqual([expect.objectContaining({ rule: 'json-syntax', message: expect.stringMatching(/^Not JSON: /) })]);
  });
});

describe('schemas that come back to themselves in place, and cannot be read coinductively', () => {
  it.each([
    ['through $recursiveRef (2019-09)', "{$schema: 'https://json-schema.org/draft/2019-09/schema', $recursiveAnchor: true, anyOf: [{$recursiveRef: '#'}, {type: string}]}", 'recursiveRef'],
    ['through $dynamicRef (2020-12)', "{$schema: 'https://json-schema.org/draft/2020-12/schema', $dynamicAnchor: m, anyOf: [{$dynamicRef: '#m'}, {type: string}]}", 'dynamicRef'],
    ['under not', "{type: object, not: {$ref: '#/channels/c/messages/m/payload'}}", 'under `not`'],
  ])('%s is refused at registration, where it is written', async (_, payload, why) => {
    const diagnostics = await rejection(v3(payload));
    expect(diagnostics).toEqual([expect.objectContaining({ rule: 'schema-compile', pointer: '/channels/c/messages/m/payload', message: expect.stringContaining(why) })]);
  });

  it('one whose unfolding would hold too many schema objects is refused, however few the variants', async () => {
    // 8 schemas that each reach the other 7 in place, each with 200 properties: few variants, each large.
    const names = Array.from({ length: 8 }, (_, i) => `S${i}`);
    const props = Array.from({ length: 200 }, (_, i) => `p${i}: {type: string}`).join(', ');
    const schemas = names.map((n) => `    ${n}: {properties: {${props}}, anyOf: [${names.filter((m) => m !== n).map((m) => `{$ref: '#/components/schemas/${m}'}`).join(', ')}]}`).join('\n');
    const diagnostics = await rejection(v3("{$ref: '#/components/schemas/S0'}", `components:\n  schemas:\n${schemas}\n`));
    expect(diagnostics).toEqual([expect.objectContaining({ rule: 'schema-compile', message: expect.stringMatching(/too many to unfold|more than 100000 schema objects/) })]);
  });
});
