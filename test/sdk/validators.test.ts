/**
 * The SDK's validators (src/sdk/typescript/validators.ts): one self-contained ES module, and
 * for every message of every contract in specs/ and in the corpus, the same verdict and the
 * same errors as the gateway's judge on a thousand values each, valid and broken.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { parse as parseJs } from '@babel/parser';
import { describe, expect, it } from 'vitest';
import { prepareDocument } from '../../src/cli/bundle.js';
import { ingest } from '../../src/contracts/ingest.js';
import { runtimeValidator } from '../../src/contracts/validator.js';
import { judge, type Incoming, type MessageError } from '../../src/gateway/judge.js';
import type { Check, Route } from '../../src/gateway/routing.js';
import { nameModels, type ModelSet } from '../../src/sdk/names.js';
import { typescriptValidators } from '../../src/sdk/typescript/validators.js';
import { CORPUS_DIR, CORPUS_MISSING, corpusFiles, corpusPath, corpusPresent, isFragment } from '../helpers/corpus.js';
import { instances, type Schema } from '../helpers/schema-gen.js';

/** What the parity test needs beyond specs/: recursion, `__proto__`, patterns on RE2, formats, 2020-12. */
const EDGE = `asyncapi: 3.0.0
info: {title: edge, version: 1.0.0}
channels:
  trees:
    address: trees
    messages:
      Planted:
        payload: {$ref: '#/components/schemas/Node'}
        headers:
          type: object
          required: [x-trace-id]
          properties:
            x-trace-id: {type: string, pattern: '^[a-f0-9]{8}$'}
            x-retries: {type: integer, minimum: 0, maximum: 10}
      Felled:
        payload: {$ref: '#/components/schemas/Node'}
  odd:
    address: odd
    messages:
      Odd:
        payload:
          type: object
          required: [constructor, s]
          additionalProperties: false
          properties:
            __proto__: {type: string, format: email}
            constructor: {type: integer, format: int32}
            toString: {type: string}
            s: {type: string, pattern: '^(a+)+$'}
            t: {type: string, pattern: '^a*a*b$'}
            code: {type: string, pattern: '^[A-Z]{3}$', minLength: 3}
            when: {type: string, format: date-time}
            link: {type: string, format: url}
            ref: {type: string, format: uri}
            id: {type: string, format: uuid}
            tags: {type: array, items: {type: [string, object]}, uniqueItems: true, maxItems: 5}
            'we"ird/~key': {type: number, multipleOf: 0.5}
            amount: {type: number, format: double, exclusiveMinimum: 0}
  modern:
    address: modern
    messages:
      Modern:
        payload:
          $schema: 'https://json-schema.org/draft/2020-12/schema'
          type: object
          properties:
            pair: {type: array, prefixItems: [{type: string}, {type: integer}], items: false}
            kind: {const: a}
          dependentRequired: {kind: [pair]}
          unevaluatedProperties: false
  legacy:
    address: legacy
    messages:
      Old:
        payload:
          $schema: 'http://json-schema.org/draft-04/schema#'
          type: object
          required: [n]
          properties:
            n: {type: number, minimum: 0, maximum: 10, multipleOf: 0.5}
            m: {type: integer, format: int64}
      Middle:
        payload:
          $schema: 'https://json-schema.org/draft/2019-09/schema'
          type: object
          properties:
            list: {type: array, contains: {type: integer}, minContains: 2, maxContains: 3}
          dependentSchemas: {list: {required: [size]}}
          unevaluatedProperties: {type: integer}
operations:
  plant: {action: send, channel: {$ref: '#/channels/trees'}}
  odd: {action: send, channel: {$ref: '#/channels/odd'}}
  modern: {action: receive, channel: {$ref: '#/channels/modern'}}
components:
  schemas:
    Node:
      type: object
      required: [name]
      properties:
        name: {type: string, minLength: 1}
        children: {type: array, items: {$ref: '#/components/schemas/Node'}}
        parent: {$ref: '#/components/schemas/Node'}
`;

interface Source {
  name: string;
  load: () => Promise<{ text: string; format: 'yaml' | 'json' }>;
}

const specs: Source[] = readdirSync('specs')
  .filter((f) => /\.ya?ml$/.test(f))
  .sort()
  .map((f) => ({ name: `specs/${f}`, load: async () => ({ text: readFileSync(`specs/${f}`, 'utf8'), format: 'yaml' as const }) }));
const fixtures: Source[] = [
  { name: 'edge cases', load: async () => ({ text: EDGE, format: 'yaml' }) },
  { name: 'test/fixtures/compat/polymorphic-v1.yaml', load: async () => ({ text: readFileSync('test/fixtures/compat/polymorphic-v1.yaml', 'utf8'), format: 'yaml' }) },
];
const corpus: Source[] = corpusFiles()
  // adeo's payloads are Avro schemas referenced over HTTP: Herald refuses the document (and has no JSON Schema to judge by).
  .filter((f) => !isFragment(f) && !f.startsWith('v3/adeo'))
  .map((f) => ({ name: f, load: () => prepareDocument(corpusPath(f), { root: CORPUS_DIR }) }));

async function modelsOf(source: Source): Promise<ModelSet> {
  const { text, format } = await source.load();
  const { document, contract } = await ingest(text, format);
  return nameModels(document, contract);
}

/** The bundle as a consumer's Node loads it: a file of an ES package, imported natively. */
async function load(js: string): Promise<Record<string, any>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'herald-validators-'));
  writeFileSync(path.join(dir, 'package.json'), '{"type": "module"}\n');
  const file = path.join(dir, 'validators.js');
  writeFileSync(file, js);
  try {
    return (await import(/* @vite-ignore */ pathToFileURL(file).href)) as Record<string, any>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- the gateway's verdict -----------------------------------------------------------------

/** A check as the routing table compiles one (routing.ts). */
function check(schema: unknown): Check {
  const fn = runtimeValidator(schema);
  return fn instanceof Error ? { error: `The schema does not compile: ${fn.message}` } : { validate: fn };
}

/** A route whose one message has only the part under test. */
function routeOf(part: 'payload' | 'headers', schema: unknown): Route {
  return {
    contract: 'parity',
    version: 1,
    channel: 'c',
    broker: 'kafka',
    target: { broker: 'kafka', topic: 't', settings: { partitions: 1, replicas: 1, config: {} } },
    parameters: [],
    messages: [{ id: 'm', headerTypes: {}, [part]: check(schema) }],
    dlq: 't.dlq',
    placeholders: [],
    fixed: { broker: 'kafka', topic: 't' },
  };
}

function gateway(route: Route, part: 'payload' | 'headers', value: unknown): MessageError[] {
  const input: Incoming =
    part === 'payload'
      ? { body: Buffer.from(JSON.stringify(value)), parsed: { value }, parameters: {} }
      : { body: Buffer.alloc(0), headers: value as Record<string, unknown>, parameters: {} };
  const verdict = judge(route, input);
  if (verdict.ok) return [];
  if (verdict.reason !== 'schema') throw new Error(`judged ${verdict.reason}: ${JSON.stringify(verdict.errors)}`);
  return verdict.errors;
}

// ---- values to judge ---------------------------------------------------------------------

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const seedOf = (text: string) => [...text].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0, 2166136261);

/** Values that break types, formats, patterns and bounds, or meet them. */
const REPLACEMENTS: unknown[] = [0, 1, -1, 1.5, 2147483648, 'x', '', 'aaa', 'aab', 'ab', 'EUR', 'eur', 'a@b.co', 'not an email', '2026-11-28T10:00:00Z', '2026-13-45', 'https://example.com/x', 'http://10.0.0.1/', 'http://', 'urn:x', '0b9e7f5c-3c0e-4c55-9d43-94c3f1c6b0c2', 'deadbeef', 'a', true, false, null, [], {}, ['a', 'a'], [{}, {}], [{ a: 1, b: 2 }, { b: 2, a: 1 }], { a: 1 }];
/** Property names a schema may not expect, some that every object inherits. */
const EXTRA_KEYS = ['unknown', 'x-extra', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'we"ird/~key', 'a~b/c'];

type Slot = { parent: any; key: string | number };

function slots(root: Slot): Slot[] {
  const out: Slot[] = [root];
  for (let i = 0; i < out.length && out.length < 2000; i++) {
    const v = out[i]!.parent[out[i]!.key];
    if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) out.push({ parent: v, key: Array.isArray(v) ? Number(k) : k });
  }
  return out;
}

/** An own property, `__proto__` included (plain assignment would set the prototype). */
const setOwn = (o: any, key: string, value: unknown) => Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });

function mutate(value: unknown, rng: () => number): unknown {
  const holder = { v: value };
  const pick = <T>(list: readonly T[]) => list[Math.floor(rng() * list.length)]!;
  for (let n = 1 + Math.floor(rng() * 2); n > 0; n--) {
    const all = slots({ parent: holder, key: 'v' });
    const containers = all.filter((s) => s.parent[s.key] !== null && typeof s.parent[s.key] === 'object');
    const objects = containers.filter((s) => !Array.isArray(s.parent[s.key]));
    const arrays = containers.filter((s) => Array.isArray(s.parent[s.key]));
    const r = rng();
    if (r < 0.3 && objects.length > 0) {
      // Delete a property (a required one, often).
      const s = pick(objects);
      const o = s.parent[s.key];
      const keys = Object.keys(o);
      if (keys.length > 0) delete o[pick(keys)];
    } else if (r < 0.6) {
      // Change a value: its type, or within it.
      const s = pick(all);
      if (Array.isArray(s.parent)) s.parent[s.key as number] = structuredClone(pick(REPLACEMENTS));
      else setOwn(s.parent, String(s.key), structuredClone(pick(REPLACEMENTS)));
    } else if (r < 0.85 && objects.length > 0) {
      // Add a property the schema may not declare.
      const s = pick(objects);
      setOwn(s.parent[s.key], pick(EXTRA_KEYS), structuredClone(pick(REPLACEMENTS)));
    } else if (arrays.length > 0) {
      // Repeat an item, or add one.
      const s = pick(arrays);
      const a = s.parent[s.key] as unknown[];
      a.push(a.length > 0 && rng() < 0.6 ? structuredClone(a[0]) : structuredClone(pick(REPLACEMENTS)));
    } else {
      holder.v = structuredClone(pick(REPLACEMENTS));
    }
  }
  return holder.v;
}

/** `count` values for a schema, as JSON would bring them: half generated from it, half those broken. */
function cases(schema: unknown, rng: () => number, count: number): unknown[] {
  const out: unknown[] = [];
  // The generator does not bound how deep a recursive schema takes it: a budget of random
  // draws does, cheaply (a value that needs more is drawn again, then given up for {}).
  const one = (): unknown => {
    for (let attempt = 0; attempt < 3; attempt++) {
      let budget = 3000;
      const bounded = () => {
        if (--budget < 0) throw new RangeError('budget');
        return rng();
      };
      try {
        return instances(schema as Schema, bounded, { lenient: false, count: 1 })[0];
      } catch (err) {
        if (!(err instanceof RangeError)) throw err;
      }
    }
    return {};
  };
  for (let i = 0; i < count; i++) {
    const generated = JSON.parse(JSON.stringify(one() ?? null)) as unknown;
    out.push(i % 2 === 0 ? generated : JSON.parse(JSON.stringify(mutate(generated, rng) ?? null)));
  }
  return out;
}

// ---- parity ----------------------------------------------------------------------------------

const PER_MODEL = 1000;

interface Parity {
  models: number;
  judged: number;
  invalid: number;
  mismatches: unknown[];
}

async function parity(source: Source): Promise<Parity> {
  const set = await modelsOf(source);
  const sdk = await load((await typescriptValidators(set))['validators.js']);
  const result: Parity = { models: 0, judged: 0, invalid: 0, mismatches: [] };
  const done = new Set<string>();
  for (const m of set.messages) {
    for (const part of ['payload', 'headers'] as const) {
      const model = m[part];
      const schema = m.message[part];
      if (model === undefined || schema === undefined || done.has(`${part} ${model}`)) continue;
      done.add(`${part} ${model}`);
      result.models++;
      const route = routeOf(part, schema);
      const rng = mulberry32(seedOf(`${source.name} ${part} ${model}`));
      for (const generated of cases(schema, rng, PER_MODEL)) {
        // The gateway reads headers that are absent (null here) as none.
        const value = part === 'headers' ? (generated ?? {}) : generated;
        const expected = gateway(route, part, value);
        const errors = sdk[`validationErrors${model}`](value, part) as MessageError[];
        const valid = sdk[`is${model}`](value) as boolean;
        let thrown: unknown;
        try {
          sdk[`assert${model}`](value, part);
        } catch (err) {
          thrown = err;
        }
        result.judged++;
        if (expected.length > 0) result.invalid++;
        const agrees =
          valid === (expected.length === 0) &&
          isDeepStrictEqual(errors, expected) &&
          (expected.length === 0 ? thrown === undefined : thrown instanceof sdk.HeraldValidationError && isDeepStrictEqual((thrown as { errors: unknown }).errors, expected));
        if (!agrees && result.mismatches.length < 5) result.mismatches.push({ model, part, value, gateway: expected, sdk: { valid, errors, thrown: String(thrown) } });
      }
    }
  }
  return result;
}

describe('the validators bundle', () => {
  it('is one ES module that requires and imports nothing, and loads on its own', async () => {
    const set = await modelsOf(fixtures[0]!);
    const { 'validators.js': js } = await typescriptValidators(set);
    expect(js).not.toContain('require(');
    expect(js).not.toMatch(/^\s*import[\s{*"']/m);
    // Read as a program: no call of `require`, no import of any kind, no `import.meta`.
    const found: string[] = [];
    const walk = (node: any): void => {
      if (node === null || typeof node !== 'object') return;
      if (Array.isArray(node)) return node.forEach(walk);
      if (node.type === 'ImportDeclaration' || node.type === 'ImportExpression' || (node.type === 'CallExpression' && node.callee.type === 'Import')) found.push(node.type);
      if (node.type === 'MetaProperty') found.push('import.meta');
      if (node.type === 'CallExpression' && node.callee.type === 'Identifier' && node.callee.name === 'require') found.push('require');
      if (node.type === 'ExportNamedDeclaration' && node.source) found.push('re-export');
      if (node.type === 'ExportAllDeclaration') found.push('export *');
      for (const [k, v] of Object.entries(node)) if (k !== 'loc' && k !== 'start' && k !== 'end') walk(v);
    };
    walk(parseJs(js, { sourceType: 'module' }).program);
    expect(found).toEqual([]);

    const sdk = await load(js);
    // Planted and Felled share the Node payload: one validator.
    const models = ['MiddlePayload', 'ModernPayload', 'Node', 'OddPayload', 'OldPayload', 'PlantedHeaders'];
    expect(Object.keys(sdk)).toEqual(['HeraldValidationError', ...['assert', 'is', 'validationErrors'].flatMap((f) => models.map((m) => f + m))]);
    // Sorted in the file too.
    const exported = /^export \{([^}]*)\};$/m.exec(js)![1]!.split(',').map((s) => s.trim()).filter(Boolean);
    expect(exported).toEqual(Object.keys(sdk));
    // The RE2 engine is in, for `^(a+)+$` (its licence kept): thirty a's and a "!" answer at once.
    expect(js).toContain('// pkg:re2js/');
    expect(js).toContain('@license MIT');
    expect(sdk.isOddPayload({ constructor: 1, s: `${'a'.repeat(30)}!` })).toBe(false);
    expect(sdk.isOddPayload(JSON.parse('{"constructor": 1, "s": "aaa", "__proto__": "ops@example.com", "tags": ["a", {"b": 1}]}'))).toBe(true);
    expect(sdk.validationErrorsOddPayload(JSON.parse('{"s": "aaa", "__proto__": "nope", "tags": [{"b": 1}, {"b": 1}], "x": 1}'))).toEqual([
      { in: 'payload', pointer: '/constructor', keyword: 'required', message: "must have required property 'constructor'" },
      { in: 'payload', pointer: '/x', keyword: 'additionalProperties', message: 'must NOT have additional properties' },
      { in: 'payload', pointer: '/tags', keyword: 'uniqueItems', message: 'must NOT have duplicate items (items ## 0 and 1 are identical)' },
      { in: 'payload', pointer: '/__proto__', keyword: 'format', message: 'must match format "email"' },
    ]);
    // Values at the edges of what the gateway's validator adds to Ajv: the same verdicts.
    const route = routeOf('payload', set.messages.find((m) => m.payload === 'OddPayload')!.message.payload);
    const edges = [
      '{"constructor": 1, "s": "a"}',
      '{"s": "a"}',
      '{"constructor": 2147483648, "s": "a"}',
      '{"constructor": 1, "s": "a", "link": "http://"}',
      '{"constructor": 1, "s": "a", "link": "ftp://example.com/x"}',
      '{"constructor": 1, "s": "a", "link": "http://10.0.0.1/x"}',
      '{"constructor": 1, "s": "a", "link": "https://exa mple.com"}',
      '{"constructor": 1, "s": "a", "tags": [{"a": 1, "b": 2}, {"b": 2, "a": 1}]}',
      '{"constructor": 1, "s": "a", "tags": [{"a": 1}, {"a": 1.0}, "x", "x"]}',
      '{"constructor": 1, "s": "a", "toString": 1, "hasOwnProperty": 1}',
      '{"constructor": 1, "s": "a", "__proto__": 1}',
      '{"constructor": 1, "s": "a", "t": "aaab", "code": "EURO"}',
      '{"constructor": 1, "s": "a", "we\\"ird/~key": 0.25, "amount": 0}',
      '{"constructor": 1, "s": "a", "when": "2026-02-30T10:00:00Z", "id": "nope", "ref": "not a uri"}',
    ];
    for (const text of edges) {
      const value = JSON.parse(text) as unknown;
      expect([text, sdk.validationErrorsOddPayload(value)]).toEqual([text, gateway(route, 'payload', value)]);
    }

    // Recursion, and the part named by default: headers for a headers-only model.
    expect(sdk.isNode({ name: 'a', children: [{ name: 'b', parent: { name: 'c' } }] })).toBe(true);
    expect(sdk.validationErrorsNode({ name: 'a', children: [{ parent: { name: '' } }] })).toEqual([
      { in: 'payload', pointer: '/children/0/name', keyword: 'required', message: "must have required property 'name'" },
      { in: 'payload', pointer: '/children/0/parent/name', keyword: 'minLength', message: 'must NOT have fewer than 1 characters' },
    ]);
    expect(() => sdk.assertPlantedHeaders({ 'x-trace-id': 'nope' })).toThrow(sdk.HeraldValidationError);
    try {
      sdk.assertPlantedHeaders({ 'x-trace-id': 'nope' });
    } catch (err: any) {
      expect(err.name).toBe('HeraldValidationError');
      expect(err.model).toBe('PlantedHeaders');
      expect(err.errors).toEqual([{ in: 'headers', pointer: '/x-trace-id', keyword: 'pattern', message: 'must match pattern "^[a-f0-9]{8}$"' }]);
      expect(err.message).toBe('PlantedHeaders is not valid: /x-trace-id: must match pattern "^[a-f0-9]{8}$"');
    }
    expect(() => sdk.assertPlantedHeaders({ 'x-trace-id': 'deadbeef' })).not.toThrow();
  });

  it('fails every value, as the gateway does, when a schema does not compile, and refuses one name for two schemas', async () => {
    const broken = { type: 'string', pattern: '(?=a)a' };
    const message = (id: string, payload: unknown) => ({ id, payload, bindings: {} }) as unknown as ModelSet['messages'][number]['message'];
    const set: ModelSet = { models: [], messages: [{ channel: 'c', message: message('m', broken), payload: 'BrokenPayload' }], collisions: [] };
    const sdk = await load((await typescriptValidators(set))['validators.js']);
    const expected = gateway(routeOf('payload', broken), 'payload', 'a');
    expect(expected).toEqual([{ in: 'payload', pointer: '', message: expect.stringMatching(/^The schema does not compile: /) }]);
    expect(sdk.validationErrorsBrokenPayload('a')).toEqual(expected);
    expect(sdk.isBrokenPayload('a')).toBe(false);

    const twice: ModelSet = {
      models: [],
      messages: [
        { channel: 'c', message: message('a', { type: 'string' }), payload: 'Same' },
        { channel: 'c', message: message('b', { type: 'integer' }), payload: 'Same' },
      ],
      collisions: [],
    };
    await expect(typescriptValidators(twice)).rejects.toThrow('The model Same names two different schemas: the payload of message a in channel c and the payload of message b in channel c.');
  });

  it("imports a model named like one of its own types under another name", async () => {
    const message = { id: 'm', payload: { type: 'object' }, bindings: {} } as unknown as ModelSet['messages'][number]['message'];
    const set: ModelSet = { models: [], messages: [{ channel: 'c', message, payload: 'HeraldValidationError' }], collisions: [] };
    const { 'validators.d.ts': dts, 'validators.js': js } = await typescriptValidators(set);
    expect(dts).toContain("import type { HeraldValidationError as HeraldValidationErrorModel } from './models.js';");
    expect(dts).toContain('export declare function isHeraldValidationError(value: unknown): value is HeraldValidationErrorModel;');
    expect(dts).toContain('export declare class HeraldValidationError extends Error {');
    const sdk = await load(js);
    expect(sdk.isHeraldValidationError({})).toBe(true);
    expect(() => sdk.assertHeraldValidationError(1)).toThrow(sdk.HeraldValidationError);
  });

  it('without a pattern that needs RE2, leaves the engine out', async () => {
    const { 'validators.js': js } = await typescriptValidators(await modelsOf(specs.find((s) => s.name === 'specs/orders.yaml')!));
    expect(js).not.toContain('re2js');
    expect(js).not.toContain('require(');
  });

  it('declares a guard, an assertion and an error list per model, typed from models.d.ts, under strict settings', async () => {
    const set = await modelsOf(fixtures[0]!);
    const { 'validators.d.ts': dts } = await typescriptValidators(set);
    expect(dts).toContain("import type { MiddlePayload, ModernPayload, Node, OddPayload, OldPayload, PlantedHeaders } from './models.js';");
    const dir = mkdtempSync(path.join(os.tmpdir(), 'herald-validators-dts-'));
    mkdirSync(path.join(dir, 'src'));
    writeFileSync(path.join(dir, 'src', 'validators.d.ts'), dts);
    writeFileSync(path.join(dir, 'src', 'validators.js'), 'export {};\n');
    writeFileSync(path.join(dir, 'src', 'models.d.ts'), ['MiddlePayload', 'ModernPayload', 'Node', 'OddPayload', 'OldPayload', 'PlantedHeaders'].map((n) => `export interface ${n} { readonly [key: string]: unknown }\n`).join(''));
    writeFileSync(
      path.join(dir, 'src', 'use.ts'),
      `import { assertNode, HeraldValidationError, isOddPayload, validationErrorsPlantedHeaders, type HeraldMessageError } from './validators.js';
import type { Node, OddPayload } from './models.js';
export function use(value: unknown): Node | OddPayload | HeraldMessageError[] {
  if (isOddPayload(value)) return value;
  try {
    assertNode(value, 'payload');
    return value;
  } catch (err) {
    if (err instanceof HeraldValidationError) return err.errors.map((e) => ({ ...e, pointer: e.pointer + '' }));
  }
  return validationErrorsPlantedHeaders(value);
}
`,
    );
    writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', noEmit: true, verbatimModuleSyntax: true, noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true, skipLibCheck: false, isolatedModules: true },
        include: ['src'],
      }),
    );
    writeFileSync(path.join(dir, 'package.json'), '{"type": "module"}\n');
    const tsc = spawnSync(process.execPath, [path.resolve('node_modules/typescript/bin/tsc'), '-p', dir], { encoding: 'utf8' });
    rmSync(dir, { recursive: true, force: true });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });

  it('is the same, byte for byte, from the same models, and names no place on this machine', async () => {
    for (const source of [fixtures[0]!, specs.find((s) => s.name === 'specs/orders.yaml')!]) {
      const a = await typescriptValidators(await modelsOf(source));
      const b = await typescriptValidators(await modelsOf(source));
      expect(b['validators.js']).toBe(a['validators.js']);
      expect(b['validators.d.ts']).toBe(a['validators.d.ts']);
      for (const text of Object.values(a)) {
        expect(text).not.toContain(process.cwd());
        expect(text).not.toContain(os.tmpdir());
        expect(text).not.toContain('node_modules');
      }
    }
  });
});

describe(`the validators agree with the gateway's judge on ${PER_MODEL} values per message payload and headers`, () => {
  it.each([...specs, ...fixtures])('$name', async (source) => {
    const r = await parity(source);
    expect(r.mismatches).toEqual([]);
    expect(r.models).toBeGreaterThan(0);
    expect(r.judged).toBe(r.models * PER_MODEL);
    // Both verdicts are exercised.
    expect(r.invalid).toBeGreaterThan(0);
    expect(r.invalid).toBeLessThan(r.judged);
  });

  describe.skipIf(!corpusPresent)(`the corpus (${corpusPresent ? 'present' : CORPUS_MISSING})`, () => {
    it.each(corpus)('$name', async (source) => {
      const r = await parity(source);
      expect(r.mismatches).toEqual([]);
      expect(r.judged).toBe(r.models * PER_MODEL);
    });
  });
});
