/**
 * Models in six languages through Modelina, named by Herald. Java compiles against Jackson
 * (fetched by Maven into .cache/sdk-java) and round-trips valid messages; Python imports with
 * the machine's pydantic v2 and round-trips them; Go builds and round-trips them through
 * encoding/json where `go` is installed; C#, Rust and Kotlin match committed snapshots. In
 * every language each wire field name appears in its serialization annotation.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ingest } from '../../src/contracts/ingest.js';
import { compileSchema } from '../../src/contracts/validator.js';
import { csharpString, javaString, kotlinString, modelinaModels, pythonString, rustString, type ModelinaLanguage } from '../../src/sdk/modelina.js';
import { nameModels, type ModelSet } from '../../src/sdk/names.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** Wire names that need escaping or renaming, enums with awkward values, a required nullable field, recursion, maps, arrays of inline objects. */
const EDGE = `asyncapi: 3.0.0
info: {title: Edge cases, version: 1.0.0}
channels:
  things:
    address: things
    messages:
      ThingChanged:
        $ref: '#/components/messages/ThingChanged'
operations:
  sendThing:
    action: send
    channel: {$ref: '#/channels/things'}
    messages: [{$ref: '#/channels/things/messages/ThingChanged'}]
components:
  messages:
    ThingChanged:
      headers:
        type: object
        properties:
          x-trace-id: {type: string}
      payload:
        $ref: '#/components/schemas/Thing'
  schemas:
    Thing:
      type: object
      additionalProperties: false
      required: [name, class, kind, note]
      properties:
        name: {type: string, description: 'The "name" \\ of it'}
        note: {type: [string, 'null']}
        class: {type: string}
        from: {type: string}
        x-trace-id: {type: string}
        kind: {type: string, enum: [a-b, "line\\nbreak", 'say "hi"', 'dollar $x \\ back']}
        ratio: {type: number}
        flag: {type: boolean}
        tags: {type: array, items: {type: string}}
        labels: {type: object, additionalProperties: {type: string}}
        parts:
          type: array
          items: {type: object, required: [sku], properties: {sku: {type: string}, qty: {type: integer}}}
        parent: {$ref: '#/components/schemas/Thing'}
        at: {type: string, format: date-time}
`;

/** Field names Go's encoding/json cannot put in a tag, and an enum of numbers (Rust's serde cannot rename to one). */
const QUOTED = `asyncapi: 3.0.0
info: {title: Quoted, version: 1.0.0}
channels:
  q:
    address: q
    messages:
      Quoted:
        payload:
          type: object
          required: ['we"ird', level]
          properties:
            'we"ird': {type: string}
            'back\\slash': {type: string}
            'dollar$': {type: string}
            'ünïcode': {type: string}
            ' spaced out ': {type: boolean}
            level: {type: integer, enum: [1, 2, 3]}
operations:
  send: {action: send, channel: {$ref: '#/channels/q'}}
`;

interface Doc {
  name: string;
  text: string;
  packageName: string;
  /** Valid messages: model name -> example. */
  examples: Array<[string, unknown]>;
}

const ORDER_ID = '0b6f3c2e-8d0a-4c53-9a51-6f2f6f7f1a10';
const DOCS: Record<string, Doc> = {
  orders: {
    name: 'orders',
    text: readFileSync(join(ROOT, 'specs/orders.yaml'), 'utf8'),
    packageName: 'com.example.orders',
    examples: [
      [
        'OrderPlacedPayload',
        {
          orderId: ORDER_ID,
          customerId: 'c-42',
          lines: [{ sku: 'SKU-1', quantity: 2, unitPrice: { currency: 'EUR', minorUnits: 1999 } }],
          total: { currency: 'EUR', minorUnits: 3998 },
          placedAt: '2026-05-01T12:00:00Z',
          couponCode: 'SPRING',
        },
      ],
      ['OrderCancelledPayload', { orderId: ORDER_ID, reason: 'out-of-stock', cancelledAt: '2026-05-01T12:30:00.25+02:00' }],
      ['PaymentSettledPayload', { orderId: ORDER_ID, paymentId: 'p-1', outcome: 'captured', amount: { currency: 'EUR', minorUnits: 3998 } }],
      ['EventHeaders', { 'x-correlation-id': ORDER_ID, traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }],
    ],
  },
  edge: {
    name: 'edge',
    text: EDGE,
    packageName: 'herald/edge',
    examples: [
      [
        'Thing',
        {
          name: 'n',
          note: null,
          class: 'c',
          from: 'f',
          'x-trace-id': 't',
          kind: 'say "hi"',
          ratio: 1.5,
          flag: false,
          tags: ['a'],
          labels: { k: 'v' },
          parts: [{ sku: 's', qty: 2 }, { sku: 't' }],
          parent: { name: 'p', class: 'c2', kind: 'line\nbreak', note: 'set' },
          at: '2026-05-01T12:00:00.5+02:00',
        },
      ],
      ['ThingChangedHeaders', { 'x-trace-id': 'abc' }],
    ],
  },
  quoted: {
    name: 'quoted',
    text: QUOTED,
    packageName: 'herald.quoted',
    examples: [['QuotedPayload', { 'we"ird': 'w', 'back\\slash': 'b', dollar$: 'd', ünïcode: 'u', ' spaced out ': true, level: 2 }]],
  },
};

const sets = new Map<string, Promise<{ set: ModelSet; valid: (model: string, value: unknown) => boolean }>>();
/** Herald's models of a document, and a check that an example is valid for its message (with the validator the gateway uses). */
function modelsOf(doc: Doc) {
  let found = sets.get(doc.name);
  if (!found) {
    found = ingest(doc.text, 'yaml').then(({ document, contract, schemas }) => {
      const set = nameModels(document, contract);
      const valid = (model: string, value: unknown) => {
        const entry = set.messages.find((m) => m.payload === model || m.headers === model);
        if (!entry) throw new Error(`${model} is no message's payload or headers`);
        const part = entry.payload === model ? 'payload' : 'headers';
        const schema = schemas.find((s) => s.channel === entry.channel && (s.message === entry.message.id || s.message === entry.message.name) && s.part === part);
        if (!schema) throw new Error(`no schema for ${model}`);
        const validate = compileSchema(schema.schema);
        if (validate instanceof Error) throw validate;
        return validate(value) === true;
      };
      return { set, valid };
    });
    sets.set(doc.name, found);
  }
  return found;
}

const generate = async (lang: ModelinaLanguage, doc: Doc) => modelinaModels(lang, (await modelsOf(doc)).set, { packageName: doc.packageName });

/** The wire names of every object model's properties. */
const wireNames = (set: ModelSet) => [...new Set(set.models.flatMap((m) => (typeof m.schema === 'object' && m.schema.properties && typeof m.schema.properties === 'object' ? Object.keys(m.schema.properties) : [])))];

/** How each language writes a wire name in its annotation. */
const ANNOTATION: Record<ModelinaLanguage, (wire: string) => string> = {
  java: (w) => `@JsonProperty(${javaString(w)})`,
  kotlin: (w) => `@get:JsonProperty(${kotlinString(w)})`,
  python: (w) => `alias=${pythonString(w)}`,
  go: (w) => `\`json:"${w}`,
  csharp: (w) => `[JsonPropertyName(${csharpString(w)})]`,
  rust: (w) => `rename = ${rustString(w)}`,
};

const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});
function writeTree(files: Record<string, string>, dir = mkdtempSync(join(tmpdir(), 'herald-modelina-'))): string {
  if (!temps.includes(dir)) temps.push(dir);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

/** A tool on the PATH, or the reason it is not. */
function tool(cmd: string, args: string[]): string | undefined {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.error || r.status !== 0 ? `\`${cmd} ${args.join(' ')}\` failed: ${r.error?.message ?? r.stderr.trim().split('\n')[0]}` : undefined;
}

function run(cmd: string, args: string[], options: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Maven fetches the Jackson jars once into .cache/sdk-java (git-ignored). */
const cache = join(ROOT, '.cache/sdk-java');
const JACKSON = '2.23.0';
const pom = `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>herald.sdk</groupId>
  <artifactId>jackson-jars</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>com.fasterxml.jackson.core</groupId><artifactId>jackson-databind</artifactId><version>${JACKSON}</version></dependency>
    <dependency><groupId>com.fasterxml.jackson.datatype</groupId><artifactId>jackson-datatype-jsr310</artifactId><version>${JACKSON}</version></dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-dependency-plugin</artifactId><version>3.11.0</version></plugin>
    </plugins>
  </build>
</project>
`;
/** The Jackson jars (fetched once by Maven into .cache/sdk-java/lib-<version>), or why not. */
const jars = (): { classpath: string } | { reason: string } => {
  const missing = tool('javac', ['-version']) ?? tool('java', ['-version']);
  if (missing) return { reason: missing };
  const lib = join(cache, `lib-${JACKSON}`);
  const want = [`jackson-databind-${JACKSON}.jar`, `jackson-datatype-jsr310-${JACKSON}.jar`];
  const have = () => (existsSync(lib) ? readdirSync(lib).filter((f) => f.endsWith('.jar')) : []);
  if (!want.every((w) => have().includes(w))) {
    const noMaven = tool('mvn', ['-v']);
    if (noMaven) return { reason: noMaven };
    mkdirSync(cache, { recursive: true });
    writeFileSync(join(cache, 'pom.xml'), pom);
    const r = spawnSync('mvn', ['-q', '-B', '-f', join(cache, 'pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${lib}`], { encoding: 'utf8' });
    if (r.status !== 0) return { reason: `Maven could not fetch Jackson ${JACKSON}: ${(r.stdout + r.stderr).trim().split('\n').slice(-3).join(' ')}` };
  }
  return { classpath: have().map((f) => join(lib, f)).join(':') };
};

function skipWith(ctx: { skip: (note?: string) => never }, reason: string): never {
  console.warn(`skipped: ${reason}`);
  return ctx.skip(reason);
}

describe('Modelina models with Herald names', () => {
  it('every language: Herald names only, each wire name in its annotation, no additionalProperties map, same bytes twice', async () => {
    for (const doc of [DOCS.orders!, DOCS.edge!]) {
      const { set } = await modelsOf(doc);
      const names = set.models.map((m) => m.name);
      for (const lang of ['java', 'python', 'go', 'csharp', 'rust', 'kotlin'] as const) {
        const files = await generate(lang, doc);
        const all = Object.values(files).join('\n');
        expect(all, `${lang}/${doc.name}`).not.toMatch(/AnonymousSchema|anonymSchema|AnonymSchema|undefined/);
        expect(all, `${lang}/${doc.name}`).not.toMatch(/additionalProperties|additional_properties|AdditionalProperties/);
        for (const name of names) expect(all, `${lang}/${doc.name}: ${name}`).toMatch(new RegExp(`\\b${name}\\b`));
        for (const wire of wireNames(set)) expect(all, `${lang}/${doc.name}: ${wire}`).toContain(ANNOTATION[lang](wire));
        expect(Object.keys(files)).toEqual(Object.keys(files).sort());
        expect(await generate(lang, doc)).toEqual(files);
      }
    }
  });

  it('an inline enum is named after its parent and path, as names.ts names inline objects', async () => {
    const java = await generate('java', DOCS.orders!);
    expect(Object.keys(java)).toEqual(
      ['EventHeaders', 'Money', 'OrderCancelledPayload', 'OrderCancelledPayloadReason', 'OrderLine', 'OrderPlacedPayload', 'PaymentSettledPayload', 'PaymentSettledPayloadOutcome'].map(
        (n) => `src/main/java/com/example/orders/${n}.java`,
      ),
    );
    const python = await generate('python', DOCS.edge!);
    expect(Object.keys(python)).toEqual(['herald/edge/__init__.py']);
    expect(python['herald/edge/__init__.py']).toContain('class ThingKind(Enum)');
    expect(python['herald/edge/__init__.py']).toContain('class ThingPartsItem(BaseModel)');
  });

  it('refuses what a language cannot say, naming it, rather than writing a wrong model', async () => {
    await expect(generate('go', DOCS.quoted!)).rejects.toThrow(/go: encoding\/json cannot name the field "we\\"ird" of QuotedPayload/);
    await expect(generate('rust', DOCS.quoted!)).rejects.toThrow(/rust: the enum QuotedPayloadLevel has values that are not strings/);
    // Polymorphism written as Jackson emits it (a base whose oneOf lists subtypes that allOf the base again):
    // Modelina's interpreter merges it into models it names itself ("undefined") and into two different "Car"s.
    const polymorphic = { name: 'polymorphic', text: readFileSync(join(ROOT, 'test/fixtures/compat/polymorphic-v1.yaml'), 'utf8'), packageName: 'fleet', examples: [] };
    for (const lang of ['java', 'python', 'go', 'csharp', 'rust', 'kotlin'] as const) {
      await expect(generate(lang, polymorphic)).rejects.toThrow(new RegExp(`^${lang}: .*(Modelina named a model|two different models would be rendered as)`));
    }
  });

  it('a name the language reserves is suffixed and reported', async () => {
    const text = `asyncapi: 3.0.0
info: {title: t, version: '1'}
channels:
  c:
    address: c
    messages:
      m: {payload: {$ref: '#/components/schemas/None'}}
components:
  schemas:
    None: {type: object, properties: {a: {type: string}}}
`;
    const { document, contract } = await ingest(text, 'yaml');
    const collisions: string[] = [];
    const files = await modelinaModels('python', nameModels(document, contract), { packageName: 'p', collisions });
    expect(files['p/__init__.py']).toContain('class NoneModel(BaseModel)');
    expect(collisions).toEqual(['None: reserved in python; rendered as NoneModel']);
    expect(Object.keys(await modelinaModels('java', nameModels(document, contract), { packageName: 'p' }))).toEqual(['src/main/java/p/None.java']);
  });

  it('the examples the round trips use are valid messages', async () => {
    for (const doc of Object.values(DOCS)) {
      const { valid } = await modelsOf(doc);
      for (const [model, example] of doc.examples) expect(valid(model, example), `${doc.name}: ${model}`).toBe(true);
    }
  });

  describe('Java: javac against Jackson, and a round trip through it', () => {
    const ROUND_TRIP = `package herald.roundtrip;

import com.fasterxml.jackson.databind.*;
import java.nio.file.*;

/** Reads each (class, file) pair's JSON into the class and writes it back, one line each. */
public class RoundTrip {
  public static void main(String[] args) throws Exception {
    ObjectMapper mapper = new ObjectMapper().findAndRegisterModules()
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE);
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < args.length; i += 2) {
      Object value = mapper.readValue(Files.readAllBytes(Paths.get(args[i + 1])), Class.forName(args[i]));
      out.append(mapper.writeValueAsString(value)).append('\\n');
    }
    System.out.print(out);
  }
}
`;
    for (const doc of [DOCS.orders!, DOCS.edge!, DOCS.quoted!]) {
      it(`${doc.name}: compiles, and valid messages round-trip with their field names`, async (ctx) => {
        const found = jars();
        if ('reason' in found) return skipWith(ctx, `Java round trip: ${found.reason}`);
        const files = await generate('java', doc);
        const dir = writeTree({ ...files, 'src/main/java/herald/roundtrip/RoundTrip.java': ROUND_TRIP });
        const sources = Object.keys(files).concat('src/main/java/herald/roundtrip/RoundTrip.java');
        run('javac', ['-Xlint:none', '-d', 'classes', '-cp', found.classpath, ...sources], { cwd: dir });
        const pkg = /^package ([\w.]+);/m.exec(Object.values(files)[0]!)![1]!;
        const args = doc.examples.flatMap(([model, example], i) => {
          writeFileSync(join(dir, `example${i}.json`), JSON.stringify(example));
          return [`${pkg}.${model}`, `example${i}.json`];
        });
        const lines = run('java', ['-cp', `classes:${found.classpath}`, 'herald.roundtrip.RoundTrip', ...args], { cwd: dir }).trim().split('\n');
        expect(lines.map((l) => JSON.parse(l))).toEqual(doc.examples.map(([, example]) => example));
      });
    }
  });

  describe('Python: pydantic v2 validates and dumps by alias', () => {
    const noPydantic = () => tool('python3', ['-c', 'import pydantic, sys; sys.exit(0 if pydantic.VERSION.startswith("2.") else 1)']);
    const SCRIPT = `import importlib, json, sys
sys.path.insert(0, sys.argv[1])
module = importlib.import_module(sys.argv[2])
out = []
for name, example in json.load(sys.stdin):
    value = getattr(module, name).model_validate(example)
    out.append(value.model_dump(mode="json", by_alias=True, exclude_unset=True))
print(json.dumps(out))
`;
    for (const doc of [DOCS.orders!, DOCS.edge!, DOCS.quoted!]) {
      it(`${doc.name}: imports, validates a valid message, and dumps it as it came`, async (ctx) => {
        const missing = noPydantic();
        if (missing) return skipWith(ctx, `Python round trip: pydantic v2 is not importable (${missing})`);
        const files = await generate('python', doc);
        const dir = writeTree({ ...files, 'roundtrip.py': SCRIPT });
        const module = dirname(Object.keys(files)[0]!).replace(/\//g, '.');
        const out = run('python3', ['roundtrip.py', dir, module], { cwd: dir, input: JSON.stringify(doc.examples) });
        expect(JSON.parse(out)).toEqual(doc.examples.map(([, example]) => example));
        // An invalid message is refused: the models validate, they do not only carry data.
        const [model, example] = doc.examples[0] as [string, Record<string, unknown>];
        const broken = { ...example, [Object.keys(example)[0]!]: { not: 'a string' } };
        const r = spawnSync('python3', ['roundtrip.py', dir, module], { cwd: dir, input: JSON.stringify([[model, broken]]), encoding: 'utf8' });
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain('ValidationError');
      });
    }
  });

  describe('Go: go build, and a round trip through encoding/json', () => {
    for (const doc of [DOCS.orders!, DOCS.edge!]) {
      it(`${doc.name}: builds, and valid messages round-trip with their field names`, async (ctx) => {
        const missing = tool('go', ['version']);
        if (missing) return skipWith(ctx, `Go round trip: no Go toolchain (${missing}); \`apt-get install -y golang-go\` provides one`);
        const files = await generate('go', doc);
        const pkg = /^package (\w+)$/m.exec(Object.values(files)[0]!)![1]!;
        const tree: Record<string, string> = { 'go.mod': 'module heraldtest\n\ngo 1.19\n' };
        for (const [path, content] of Object.entries(files)) tree[`${pkg}/${path}`] = content;
        const factories = [...new Set(doc.examples.map(([m]) => m))].map((m) => `\t\t${JSON.stringify(m)}: func() any { return new(${pkg}.${m}) },`);
        tree['cmd/roundtrip/main.go'] = `package main

import (
\t"encoding/json"
\t"os"

\t"heraldtest/${pkg}"
)

// Reads [[model, example], ...] from stdin, decodes each into its struct and encodes it again.
func main() {
\tmodels := map[string]func() any{
${factories.join('\n')}
\t}
\tvar pairs [][2]json.RawMessage
\tif err := json.NewDecoder(os.Stdin).Decode(&pairs); err != nil {
\t\tpanic(err)
\t}
\tout := []json.RawMessage{}
\tfor _, pair := range pairs {
\t\tvar name string
\t\tif err := json.Unmarshal(pair[0], &name); err != nil {
\t\t\tpanic(err)
\t\t}
\t\tvalue := models[name]()
\t\tif err := json.Unmarshal(pair[1], value); err != nil {
\t\t\tpanic(err)
\t\t}
\t\traw, err := json.Marshal(value)
\t\tif err != nil {
\t\t\tpanic(err)
\t\t}
\t\tout = append(out, raw)
\t}
\tif err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
\t\tpanic(err)
\t}
}
`;
        const dir = writeTree(tree);
        const env = { ...process.env, GOFLAGS: '-mod=mod', GOPROXY: 'off', GOTOOLCHAIN: 'local', ...(process.env.HOME || process.env.GOCACHE ? {} : { GOCACHE: join(ROOT, '.cache/go-build') }) };
        run('go', ['vet', `./${pkg}`], { cwd: dir, env });
        run('go', ['build', '-o', 'roundtrip', './cmd/roundtrip'], { cwd: dir, env });
        const out = run(join(dir, 'roundtrip'), [], { cwd: dir, input: JSON.stringify(doc.examples) });
        expect(JSON.parse(out)).toEqual(doc.examples.map(([, example]) => example));
      });
    }
  });

  describe('C#, Rust and Kotlin: committed snapshots', () => {
    const cases: Array<[ModelinaLanguage, Doc]> = [];
    for (const lang of ['csharp', 'rust', 'kotlin'] as const) for (const doc of [DOCS.orders!, DOCS.edge!]) cases.push([lang, doc]);
    cases.push(['csharp', DOCS.quoted!], ['kotlin', DOCS.quoted!]);
    for (const [lang, doc] of cases) {
      it(`${lang}: ${doc.name}`, async () => {
        const files = await generate(lang, doc);
        const { set } = await modelsOf(doc);
        const all = Object.values(files).join('\n');
        for (const wire of wireNames(set)) expect(all, wire).toContain(ANNOTATION[lang](wire));
        const text = Object.entries(files)
          .map(([path, content]) => `==== ${path}\n${content}`)
          .join('\n');
        await expect(text).toMatchFileSnapshot(`./__snapshots__/modelina/${doc.name}.${lang}.txt`);
      });
    }
  });

  describe('the corpus (../shared/corpus): every document, every language', () => {
    const CORPUS = resolve(ROOT, '../shared/corpus');
    const documents = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? documents(join(dir, e.name)) : /\.(ya?ml|json)$/.test(e.name) ? [join(dir, e.name)] : []))
        .sort();
    /** What a language may refuse, and says why: nothing else may fail. */
    const REFUSALS = [
      /^rust: the enum \w+ has values that are not strings/,
      /^rust: the union \w+ is discriminated by/,
      /^go: encoding\/json cannot name the field/,
      /^\w+: .*(Modelina named a model|two different models would be rendered as)/,
    ];
    const generated = new Map<ModelinaLanguage, Record<string, string>>();

    it('generates, with every wire name annotated, or refuses with a stated reason', async (ctx) => {
      if (!existsSync(CORPUS)) return skipWith(ctx, `corpus: ${CORPUS} is absent`);
      const refused: string[] = [];
      let count = 0;
      for (const [i, file] of documents(CORPUS).entries()) {
        let set: ModelSet;
        try {
          const { document, contract } = await ingest(readFileSync(file, 'utf8'), file.endsWith('.json') ? 'json' : 'yaml');
          set = nameModels(document, contract);
        } catch {
          continue; // Not a document Herald takes: `herald register` says why.
        }
        count++;
        for (const lang of ['java', 'python', 'go', 'csharp', 'rust', 'kotlin'] as const) {
          let files: Record<string, string>;
          try {
            files = await modelinaModels(lang, set, { packageName: `corpus.d${i}` });
          } catch (e) {
            const message = (e as Error).message;
            expect(REFUSALS.some((r) => r.test(message)), `${file}: ${message}`).toBe(true);
            refused.push(`${lang} ${file.slice(CORPUS.length + 1)}: ${message.split(';')[0]}`);
            continue;
          }
          const all = Object.values(files).join('\n');
          expect(all, `${lang} ${file}`).not.toMatch(/AnonymousSchema|anonymSchema|AnonymSchema/);
          for (const wire of wireNames(set)) expect(all, `${lang} ${file}: ${wire}`).toContain(ANNOTATION[lang](wire));
          // Java and Python files are under the document's own package already; Go's go in its folder.
          const placed = lang === 'go' ? Object.fromEntries(Object.entries(files).map(([p, c]) => [`d${i}/${p}`, c])) : files;
          generated.set(lang, { ...generated.get(lang), ...placed });
        }
      }
      expect(count).toBeGreaterThan(0);
      if (refused.length > 0) console.info(`corpus: ${count} documents; refused:\n  ${refused.join('\n  ')}`);
    });

    it('Java compiles against Jackson, Python imports, Go vets: every generated document at once', async (ctx) => {
      if (!existsSync(CORPUS)) return skipWith(ctx, `corpus: ${CORPUS} is absent`);
      if (generated.size === 0) return skipWith(ctx, 'corpus: nothing was generated (the test before this one did not run)');
      const found = jars();
      if ('reason' in found) console.warn(`skipped Java: ${found.reason}`);
      else {
        const dir = writeTree(generated.get('java')!);
        run('javac', ['-Xlint:none', '-d', 'classes', '-cp', found.classpath, ...Object.keys(generated.get('java')!)], { cwd: dir });
      }
      const noPython = tool('python3', ['-c', 'import pydantic, sys; sys.exit(0 if pydantic.VERSION.startswith("2.") else 1)']);
      if (noPython) console.warn(`skipped Python: ${noPython}`);
      else {
        const modules = Object.keys(generated.get('python')!).map((p) => dirname(p).replace(/\//g, '.'));
        const dir = writeTree(generated.get('python')!);
        run('python3', ['-c', `import importlib\nfor m in ${JSON.stringify(modules)}: importlib.import_module(m)`], { cwd: dir });
      }
      const noGo = tool('go', ['version']);
      if (noGo) console.warn(`skipped Go: ${noGo}`);
      else if (generated.has('go')) {
        const dir = writeTree({ ...generated.get('go')!, 'go.mod': 'module heraldcorpus\n\ngo 1.19\n' });
        run('go', ['vet', './...'], { cwd: dir, env: { ...process.env, GOFLAGS: '-mod=mod', GOPROXY: 'off', GOTOOLCHAIN: 'local' } });
      }
    });
  });
});
