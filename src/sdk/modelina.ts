/**
 * Models in Java, Python, Go, C#, Rust and Kotlin, rendered by Modelina from Herald's
 * ModelSet: the names are the ones `nameModels` decided, never Modelina's.
 *
 * Modelina's own inputs are not used. Its AsyncAPI input types every AsyncAPI 3.1 document
 * as `any` and renames inline schemas `AnonymousSchema_N`; its JSON Schema input numbers
 * them too and lets two equal titles overwrite each other. Here each model's schema is
 * copied into one object graph in which `#/$defs/<Name>` is the model object itself, every
 * schema carries its name in `x-modelgen-inferred-name` (titles are dropped: Modelina
 * would prefer them), and that graph is turned into Modelina's meta model directly. An
 * enum, union or merged object written inline gets its parent's name plus its path, the
 * rule `nameModels` uses (`OrderCancelledPayloadReason`). Whatever Modelina still wants to
 * name itself, or two models it would render under one name, is an error, never a file.
 *
 * Property names follow each language's conventions, and each carries its wire name in the
 * language's serialization annotation, written as an escaped string literal: Jackson
 * `@JsonProperty` (Java, Kotlin), pydantic `Field(alias=...)` with `populate_by_name`
 * (Python), `json:"..."` tags (Go), `[JsonPropertyName]` (C#), `#[serde(rename = ...)]`
 * (Rust). Enums serialize to their JSON values. No `additionalProperties` map is added to
 * an object that does not declare one; a closed object (`additionalProperties: false`)
 * rejects unknown fields where the library can say so (pydantic, serde), and an open one
 * ignores them (Jackson) or keeps them (pydantic).
 */
import type {
  ConstrainedEnumModel,
  ConstrainedEnumValueModel,
  ConstrainedMetaModel,
  ConstrainedObjectPropertyModel,
  InputMetaModel,
  MetaModel,
  OutputModel,
} from '@asyncapi/modelina';
import type { ModelSet } from './names.js';
import { pascal, trimEnds } from './names.js';

export type ModelinaLanguage = 'java' | 'python' | 'go' | 'csharp' | 'rust' | 'kotlin';

export const MODELINA_LANGUAGES: readonly ModelinaLanguage[] = ['java', 'python', 'go', 'csharp', 'rust', 'kotlin'];

export interface ModelinaOptions {
  /** `com.example.orders`, `@herald/orders`, ...: each language derives its package, namespace or crate from it. */
  packageName: string;
  /**
   * Receives one line per name that had to change: an inline enum or union whose derived name
   * was taken, or a model whose name the language reserves (`None` in Python, `String` in Java).
   */
  collisions?: string[];
}

type Modelina = typeof import('@asyncapi/modelina');
let loading: Promise<Modelina> | undefined;
/** Modelina (with the AsyncAPI parser it loads) takes a while to import: only when asked. */
const load = (): Promise<Modelina> => (loading ??= import('@asyncapi/modelina'));

/**
 * The models of `set` in `lang`: relative file path -> content, sorted by path. The same set
 * gives the same bytes.
 */
export async function modelinaModels(lang: ModelinaLanguage, set: ModelSet, options: ModelinaOptions): Promise<Record<string, string>> {
  const m = await load();
  const collisions: string[] = [];
  const named = nameSchemas(set, collisions);
  const input = metaModels(m, named);
  const reserved = RESERVED[lang];
  const modelName = ({ modelName }: { modelName: string }): string => {
    if (!reserved.has(modelName)) return modelName;
    let name = `${modelName}Model`;
    for (let i = 2; named.assigned.has(name); i++) name = `${modelName}Model${i}`;
    const line = `${modelName}: reserved in ${lang}; rendered as ${name}`;
    if (!collisions.includes(line)) collisions.push(line);
    return name;
  };
  let files: Array<[string, string]>;
  switch (lang) {
    case 'java':
      files = await java(m, input, named, modelName, options.packageName);
      break;
    case 'kotlin':
      files = await kotlin(m, input, named, modelName, options.packageName);
      break;
    case 'python':
      files = await python(m, input, named, modelName, options.packageName);
      break;
    case 'go':
      files = await go(m, input, named, modelName, options.packageName);
      break;
    case 'csharp':
      files = await csharp(m, input, named, modelName, options.packageName);
      break;
    case 'rust':
      files = await rust(m, input, named, modelName, options.packageName);
      break;
    default:
      throw new Error(`unknown language ${String(lang)}`);
  }
  options.collisions?.push(...collisions);
  const out: Record<string, string> = {};
  for (const [path, content] of files.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (Object.hasOwn(out, path)) throw new Error(`${lang}: two models would be written to ${path}`);
    out[path] = content.endsWith('\n') ? content : `${content}\n`;
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Schemas with their names, as one object graph

interface NamedSchemas {
  /** Herald's model name -> its schema object in the graph. */
  models: Map<string, Record<string, unknown>>;
  /** Every name given to a schema that Modelina may render on its own: Herald's, and the derived ones claimed. */
  assigned: Set<string>;
  /** Every name given to any schema (a plain string may still become an enum: a discriminator does). */
  given: Set<string>;
}

const INFERRED = 'x-modelgen-inferred-name';
/** Keywords whose value is one schema, and the name part each adds (as in names.ts). */
const ONE: Record<string, string> = { items: 'Item', additionalProperties: 'Value', contains: 'Item', not: 'Not', if: 'If', then: 'Then', else: 'Else', propertyNames: 'Key', additionalItems: 'Item' };
const LISTS: Record<string, string> = { oneOf: 'Option', anyOf: 'Option', allOf: 'Part', prefixItems: 'Item', items: 'Item' };
const MAPS: Record<string, string> = { properties: '', patternProperties: 'Pattern', dependencies: 'Dependency' };
/** Dropped: Modelina names a schema by its title or $id before the name given here. */
const DROPPED = new Set(['title', '$id', '$schema', '$defs', 'definitions', '$anchor', '$comment', INFERRED]);
/** Values copied as they are: data, not schemas. */
const DATA = new Set(['enum', 'const', 'default', 'examples', 'example', 'required']);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether Modelina may render this schema as a model of its own (enum, union, object...). */
function structural(s: Record<string, unknown>): boolean {
  for (const k of ['enum', 'const', 'oneOf', 'anyOf', 'allOf', 'properties', 'patternProperties', 'not', 'if']) if (s[k] !== undefined) return true;
  if (isRecord(s.additionalProperties) || Array.isArray(s.items)) return true;
  return Array.isArray(s.type) && s.type.filter((t) => t !== 'null').length > 1;
}

function nameSchemas(set: ModelSet, collisions: string[]): NamedSchemas {
  const models = new Map<string, Record<string, unknown>>();
  for (const model of set.models) models.set(model.name, {});
  const assigned = new Set(models.keys());
  const given = new Set(models.keys());
  const claim = (want: string, owner: string): string => {
    if (!assigned.has(want)) {
      assigned.add(want);
      return want;
    }
    let name = `${want}2`;
    for (let i = 3; assigned.has(name); i++) name = `${want}${i}`;
    assigned.add(name);
    collisions.push(`${want}: taken; an inline schema of ${owner} is ${name}`);
    return name;
  };
  const copy = (node: unknown, owner: string, path: string): unknown => {
    if (!isRecord(node)) return typeof node === 'boolean' ? node : {};
    if (typeof node.$ref === 'string') {
      const ref = /^#\/\$defs\/(.+)$/.exec(node.$ref);
      const target = ref ? models.get(decodeURIComponent(ref[1]!)) : undefined;
      if (target === undefined) throw new Error(`${owner}: unresolved reference ${node.$ref}`);
      return target;
    }
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(node)) {
      if (DROPPED.has(key) || key === '$ref') continue;
      if (DATA.has(key)) out[key] = structuredClone(v); // Modelina may change what it is given: never the ModelSet.
      else if (Object.hasOwn(LISTS, key) && Array.isArray(v)) out[key] = v.map((s, i) => copy(s, owner, `${path}${LISTS[key]}${i + 1}`));
      else if (Object.hasOwn(ONE, key) && (isRecord(v) || typeof v === 'boolean')) out[key] = copy(v, owner, path + ONE[key]);
      else if (Object.hasOwn(MAPS, key) && isRecord(v)) {
        const map: Record<string, unknown> = {};
        for (const [name, s] of Object.entries(v)) {
          const child = Array.isArray(s) ? structuredClone(s) : copy(s, owner, `${path}${MAPS[key]}${pascal(name)}`);
          Object.defineProperty(map, name, { value: child, enumerable: true, writable: true, configurable: true });
        }
        out[key] = map;
      } else out[key] = structuredClone(v);
    }
    // `nullable: true` (AsyncAPI 2 and OpenAPI schemas): Modelina reads null only from `type`.
    if (out.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
    if (path !== '') {
      const name = structural(out) ? claim(owner + path, owner) : owner + path;
      given.add(name);
      out[INFERRED] = name;
    }
    return out;
  };
  const targets = new Set<unknown>(models.values());
  for (const model of set.models) {
    const target = models.get(model.name)!;
    const body = copy(model.schema, model.name, '');
    // A model that is only another model refers to it; a boolean schema stays `{}` (any value).
    if (targets.has(body)) target.allOf = [body];
    else if (isRecord(body)) Object.assign(target, body);
    target[INFERRED] = model.name;
  }
  return { models, assigned, given };
}

/** Modelina's meta models of every Herald model, interpreted once (so shared models stay shared). */
function metaModels(m: Modelina, named: NamedSchemas): InputMetaModel {
  const root = { type: 'object', [INFERRED]: '__HeraldModels', properties: Object.fromEntries(named.models) };
  const schema = m.AsyncapiV2Schema.toSchema(root);
  const meta = m.JsonSchemaInputProcessor.convertSchemaToMetaModel(schema, {
    // No `additionalProperties` map on an object that does not declare one.
    jsonSchema: { ignoreAdditionalProperties: true, ignoreAdditionalItems: true },
  } as never) as unknown as { properties: Record<string, { property: MetaModel }> };
  const input = new m.InputMetaModel();
  for (const name of named.models.keys()) input.models[name] = meta.properties[name]!.property;
  return input;
}

/** Modelina's suffixes for the parts of a multi-type union (`X_string`): readable, derived from a given name. */
const PART = /_(enum|object|dictionary|tuple|array|string|float|integer|boolean)$/;

/**
 * The models the generator would render, checked: every one has a name Herald gave, and no
 * two different schemas share one (Modelina would keep the last, silently).
 */
function split(m: Modelina, lang: string, generator: { splitMetaModel(model: MetaModel): MetaModel[] }, input: InputMetaModel, named: NamedSchemas): InputMetaModel {
  const byName = new Map<string, MetaModel>();
  const problems: string[] = [];
  for (const model of Object.values(input.models)) {
    for (const part of generator.splitMetaModel(model)) {
      const known = named.given.has(part.name) || named.given.has(part.name.replace(PART, ''));
      if (!known) problems.push(`Modelina named a model "${part.name}" itself`);
      const seen = byName.get(part.name);
      if (seen !== undefined && seen !== part && seen.originalInput !== part.originalInput) problems.push(`two different models would be rendered as "${part.name}"`);
      byName.set(part.name, part);
    }
  }
  if (problems.length > 0) throw new Error(`${lang}: ${[...new Set(problems)].sort().join('; ')}`);
  // Splitting replaced nested models by references in place: the generator gets every part.
  const out = new m.InputMetaModel();
  out.originalInput = input.originalInput;
  for (const name of [...byName.keys()].sort()) out.models[name] = byName.get(name)!;
  return out;
}

// ---------------------------------------------------------------------------------------
// String literals and identifiers

/** A double-quoted string literal with C-like escapes; `unicode` writes one escaped code unit or code point. */
function literal(s: string, unicode: (code: number) => string, extra: Record<string, string> = {}): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (Object.hasOwn(extra, ch)) out += extra[ch];
    else if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029 || (code >= 0xd800 && code <= 0xdfff)) out += unicode(code);
    else out += ch;
  }
  return `${out}"`;
}
const hex4 = (code: number) => `\\u${code.toString(16).padStart(4, '0')}`;
const noLoneSurrogate = (lang: string) => (code: number) => {
  if (code >= 0xd800 && code <= 0xdfff) throw new Error(`${lang} cannot write a lone surrogate in a string`);
  return lang === 'Rust' ? `\\u{${code.toString(16)}}` : hex4(code);
};
/** Java and C# (`\u` escapes are resolved before lexing in Java, which is harmless for these code points). */
export const javaString = (s: string) => literal(s, hex4);
export const csharpString = javaString;
export const pythonString = (s: string) => literal(s, hex4);
export const kotlinString = (s: string) => literal(s, hex4, { $: '\\$' });
export const rustString = (s: string) => literal(s, noLoneSurrogate('Rust'));
export const goString = (s: string) => literal(s, noLoneSurrogate('Go'));

/** A JSON value as a literal of the language: strings escaped, numbers, booleans and null as written. */
const pythonValue = (v: unknown): string =>
  typeof v === 'string' ? pythonString(v) : v === null ? 'None' : typeof v === 'boolean' ? (v ? 'True' : 'False') : typeof v === 'number' ? String(v) : `__import__("json").loads(${pythonString(JSON.stringify(v))})`;

/** What Go's encoding/json accepts as a tag name (else it silently uses the Go field name). */
const GO_TAG = /^[\p{L}\p{Nd}!#$%&()*+\-./:;<=>?@[\]^_{|}~ ]+$/u;

/** Package parts from `com.example.orders` or `@herald/orders`: lower-case identifiers. */
function packageParts(packageName: string): string[] {
  const parts = packageName
    .split(/[./\\]+/)
    .map((p) => trimEnds(p.replace(/^@/, '').toLowerCase().replace(/[^a-z0-9_]+/g, '_'), '_'))
    .filter((p) => p !== '')
    .map((p) => (/^[0-9]/.test(p) ? `_${p}` : p));
  return parts.length > 0 ? parts : ['herald', 'models'];
}
const JAVA_KEYWORDS = new Set(
  'abstract assert boolean break byte case catch char class const continue default do double else enum extends final finally float for goto if implements import instanceof int interface long native new package private protected public return short static strictfp super switch synchronized this throw throws transient try void volatile while true false null var record yield sealed permits fun val object in is as typealias when'.split(' '),
);
const jvmPackage = (packageName: string) => packageParts(packageName).map((p) => (JAVA_KEYWORDS.has(p) ? `${p}_` : p));

const GO_KEYWORDS = new Set('break case chan const continue default defer else fallthrough for func go goto if import interface map package range return select struct switch type var'.split(' '));
/** A Go package name: the last part, lower case letters and digits (`herald/orders` -> `orders`). */
function goPackage(packageName: string): string {
  let name = packageParts(packageName).at(-1)!.replace(/_/g, '');
  if (name === '' || /^[0-9]/.test(name)) name = `p${name}`;
  return GO_KEYWORDS.has(name) ? `${name}models` : name;
}

/** Readable identifiers from wire names: `x-trace-id` -> `xTraceId` / `x_trace_id`, not `xMinusTraceMinusId`. */
const readable = (value: string) =>
  value
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/[^A-Za-z0-9_]+/g, ' ')
    .trim();

/** Names a language uses itself (its keywords in PascalCase, and the types generated code refers to). */
const RESERVED: Record<ModelinaLanguage, Set<string>> = {
  java: new Set('String Object Integer Long Boolean Double Float Number Character Byte Short Void Class Enum Record Override Deprecated Map List UUID OffsetDateTime LocalDate LocalTime Duration JsonProperty JsonInclude JsonValue JsonCreator JsonIgnoreProperties JsonAnySetter JsonAnyGetter JsonSubTypes JsonTypeInfo'.split(' ')),
  kotlin: new Set('String Any Int Long Boolean Double Float Number Char Byte Short Unit Nothing Array List Map Set Enum JsonProperty JsonInclude JsonValue JsonIgnoreProperties'.split(' ')),
  python: new Set('None True False Annotated Any Dict List Optional Union Literal Tuple Enum BaseModel ConfigDict Field'.split(' ')),
  go: new Set<string>(),
  csharp: new Set('System String Object Guid DateTimeOffset JsonConverter JsonSerializer JsonElement JsonException'.split(' ')),
  rust: new Set('Self Box Vec Option String HashMap Value'.split(' ')),
};

type ModelNameConstraint = (args: { modelName: string }) => string;

/** Open: no `additionalProperties` keyword (or `true`). Closed: `false`. Declared: a schema, rendered as a map. */
const openness = (model: ConstrainedMetaModel): 'open' | 'closed' | 'declared' => {
  const s: unknown = model.originalInput;
  if (!isRecord(s) || s.additionalProperties === undefined || s.additionalProperties === true) return 'open';
  return s.additionalProperties === false ? 'closed' : 'declared';
};

const isUnwrapped = (m: Modelina, p: ConstrainedObjectPropertyModel) => p.property instanceof m.ConstrainedDictionaryModel && p.property.serializationType === 'unwrap';
const allStrings = (e: ConstrainedEnumModel) => e.values.every((v) => typeof v.originalInput === 'string');

/** A string enum value as a literal; other values as Modelina writes them. */
function enumValue(string: (s: string) => string, fallback: (ctx: never) => unknown) {
  return (ctx: { enumValue: unknown }) => (typeof ctx.enumValue === 'string' ? string(ctx.enumValue) : fallback(ctx as never));
}

/** A string, number or boolean constant as a literal; a constant enum value as Modelina writes it. */
function constant(m: Modelina, string: (s: string) => string, fallback: (ctx: never) => unknown) {
  return (ctx: { constrainedMetaModel: ConstrainedMetaModel }) => {
    const model = ctx.constrainedMetaModel;
    const value: unknown = model.options.const?.originalInput;
    if (typeof value === 'string' && model instanceof m.ConstrainedStringModel) return string(value);
    if ((typeof value === 'number' && (model instanceof m.ConstrainedFloatModel || model instanceof m.ConstrainedIntegerModel)) || (typeof value === 'boolean' && model instanceof m.ConstrainedBooleanModel)) return String(value);
    return fallback(ctx as never);
  };
}

async function render(m: Modelina, lang: string, generator: { splitMetaModel(model: MetaModel): MetaModel[]; generateCompleteModels(input: InputMetaModel, options: never): Promise<OutputModel[]> }, input: InputMetaModel, named: NamedSchemas, completeOptions: unknown): Promise<OutputModel[]> {
  const out = await generator.generateCompleteModels(split(m, lang, generator, input, named), completeOptions as never);
  return out.filter((o) => o.modelName !== '');
}

// ---------------------------------------------------------------------------------------
// Java: classes with Jackson annotations

async function java(m: Modelina, input: InputMetaModel, named: NamedSchemas, modelName: ModelNameConstraint, packageName: string): Promise<Array<[string, string]>> {
  const pkg = jvmPackage(packageName);
  const jackson = m.JAVA_JACKSON_PRESET;
  const generator = new m.JavaGenerator({
    collectionType: 'List',
    constraints: {
      modelName,
      propertyKey: m.javaDefaultPropertyKeyConstraints({ NO_SPECIAL_CHAR: readable }),
      enumKey: m.javaDefaultEnumKeyConstraints({ NO_SPECIAL_CHAR: readable }),
      enumValue: enumValue(javaString, m.javaDefaultEnumValueConstraints()),
    },
    presets: [
      {
        ...jackson,
        class: {
          ...jackson.class,
          self({ renderer, content, model }) {
            renderer.dependencyManager.addDependency('import com.fasterxml.jackson.annotation.*;');
            // The fields are the wire: getters named after a renamed field must not add properties of their own.
            const annotations = ['@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE, isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE)'];
            // An open object may carry fields the schema does not list: they are valid, and ignored.
            if (openness(model) === 'open') annotations.push('@JsonIgnoreProperties(ignoreUnknown = true)');
            return `${annotations.join('\n')}\n${content}`;
          },
          property({ renderer, property, content, model }) {
            if (model.options.isExtended) return '';
            const blocks: string[] = [];
            if (isUnwrapped(m, property)) blocks.push(renderer.renderAnnotation('JsonAnySetter'));
            else blocks.push(renderer.renderAnnotation('JsonProperty', javaString(property.unconstrainedPropertyName)));
            if (!property.required) blocks.push(renderer.renderAnnotation('JsonInclude', 'JsonInclude.Include.NON_NULL'));
            blocks.push(content);
            return renderer.renderBlock(blocks);
          },
        },
      },
    ],
  });
  const out = await render(m, 'java', generator, input, named, { packageName: pkg.join('.') });
  return out.map((o) => [`src/main/java/${pkg.join('/')}/${o.modelName}.java`, o.result]);
}

// ---------------------------------------------------------------------------------------
// Kotlin: data classes with Jackson annotations

async function kotlin(m: Modelina, input: InputMetaModel, named: NamedSchemas, modelName: ModelNameConstraint, packageName: string): Promise<Array<[string, string]>> {
  const pkg = jvmPackage(packageName);
  const imports = 'com.fasterxml.jackson.annotation.*';
  const generator = new m.KotlinGenerator({
    constraints: {
      modelName,
      propertyKey: m.kotlinDefaultPropertyKeyConstraints({ NO_SPECIAL_CHAR: readable }),
      enumKey: m.kotlinDefaultEnumKeyConstraints({ NO_SPECIAL_CHAR: readable }),
      enumValue: enumValue(kotlinString, m.kotlinDefaultEnumValueConstraints()),
    },
    presets: [
      {
        class: {
          self({ renderer, content, model }) {
            renderer.dependencyManager.addDependency(imports);
            return openness(model) === 'open' ? `@JsonIgnoreProperties(ignoreUnknown = true)\n${content}` : content;
          },
          property({ property, content }) {
            // Nullable and required: a value that may be null but must be sent.
            if (property.required && property.property.options.isNullable === true) content = content.replace(/^(val \S+: .*?)\??,$/, '$1?,');
            const wire = kotlinString(property.unconstrainedPropertyName);
            const annotations = isUnwrapped(m, property) ? ['@get:JsonAnyGetter', '@JsonAnySetter'] : [`@param:JsonProperty(${wire})`, `@get:JsonProperty(${wire})`];
            if (!property.required) annotations.push('@get:JsonInclude(JsonInclude.Include.NON_NULL)');
            return `${annotations.join(' ')}\n${content}`;
          },
        },
        enum: {
          self({ renderer, content }) {
            renderer.dependencyManager.addDependency(imports);
            // Jackson reads and writes the enum by this value.
            return content.replace(/^(enum class \w+\()val value: /m, '$1@get:JsonValue val value: ');
          },
        },
      },
    ],
  });
  const out = await render(m, 'kotlin', generator, input, named, { packageName: pkg.join('.') });
  return out.map((o) => [`src/main/kotlin/${pkg.join('/')}/${o.modelName}.kt`, o.result]);
}

// ---------------------------------------------------------------------------------------
// Python: one module of pydantic v2 models

async function python(m: Modelina, input: InputMetaModel, named: NamedSchemas, modelName: ModelNameConstraint, packageName: string): Promise<Array<[string, string]>> {
  const pkg = packageParts(packageName);
  const generator = new m.PythonGenerator({
    constraints: {
      modelName,
      propertyKey: m.pythonDefaultPropertyKeyConstraints({ NO_SPECIAL_CHAR: readable }),
      enumKey: m.pythonDefaultEnumKeyConstraints({ NO_SPECIAL_CHAR: readable }),
      enumValue: enumValue(pythonString, m.pythonDefaultEnumValueConstraints()),
    },
    presets: [
      m.PYTHON_PYDANTIC_PRESET,
      {
        class: {
          self({ content, model }) {
            const extra = { open: ", extra='allow'", closed: ", extra='forbid'", declared: '' }[openness(model)];
            return content.replace(/^(class \w+\(BaseModel\):)[ \t]*\n/m, `$1\n  model_config = ConfigDict(populate_by_name=True${extra})\n`);
          },
          property({ property, model, renderer }) {
            const constant: unknown = property.property.options.const?.originalInput;
            // A constant is its literal type; anything else is the type Modelina chose.
            let type = constant !== undefined && (constant === null || typeof constant !== 'object') ? `Literal[${pythonValue(constant)}]` : property.property.type;
            const optional = !property.required || property.property.options.isNullable === true;
            if (optional) type = `Optional[${type}]`;
            const args: string[] = [];
            const description: unknown = isRecord(property.property.originalInput) ? property.property.originalInput.description : undefined;
            if (typeof description === 'string') args.push(`description=${pythonString(description)}`);
            if (!property.required) args.push('default=None');
            if (isUnwrapped(m, property)) args.push('exclude=True');
            else args.push(`alias=${pythonString(property.unconstrainedPropertyName)}`);
            type = renderer.renderPropertyType({ modelType: model.type, propertyType: type });
            return `${property.propertyName}: ${type} = Field(${args.join(', ')})`;
          },
        },
      },
    ],
  });
  const out = (await generator.generate(split(m, 'python', generator, input, named))).filter((o) => o.modelName !== '');
  const isEnum = (o: OutputModel) => o.model instanceof m.ConstrainedEnumModel;
  const ordered = [...out].sort((a, b) => Number(isEnum(b)) - Number(isEnum(a)) || (a.modelName < b.modelName ? -1 : a.modelName > b.modelName ? 1 : 0));
  const classes = ordered.filter((o) => !isEnum(o)).map((o) => o.modelName);
  const module = [
    '"""Models generated by Herald through Modelina. Do not edit."""',
    'from __future__ import annotations',
    '',
    'from enum import Enum',
    'from typing import Annotated, Any, Dict, List, Literal, Optional, Tuple, Union',
    '',
    'from pydantic import BaseModel, ConfigDict, Field, model_serializer, model_validator',
    '',
    `__all__ = [${ordered.map((o) => pythonString(o.modelName)).join(', ')}]`,
    '',
    ...ordered.map((o) => `\n${o.result.trim()}\n`),
    '',
    ...classes.map((c) => `${c}.model_rebuild()`),
  ].join('\n');
  return [[`${pkg.join('/')}/__init__.py`, module]];
}

// ---------------------------------------------------------------------------------------
// Go: structs with encoding/json tags

async function go(m: Modelina, input: InputMetaModel, named: NamedSchemas, modelName: ModelNameConstraint, packageName: string): Promise<Array<[string, string]>> {
  const pkg = goPackage(packageName);
  const generator = new m.GoGenerator({
    constraints: {
      modelName,
      propertyKey: m.goDefaultPropertyKeyConstraints({ NO_SPECIAL_CHAR: readable }),
      enumKey: m.goDefaultEnumKeyConstraints({ NO_SPECIAL_CHAR: readable }),
    },
    presets: [
      {
        struct: {
          field({ content, field, model }) {
            if (isUnwrapped(m, field)) return `${content} \`json:"-"\` // fields the schema does not list: not (un)marshalled by encoding/json`;
            const wire = field.unconstrainedPropertyName;
            if (!GO_TAG.test(wire)) throw new Error(`go: encoding/json cannot name the field ${JSON.stringify(wire)} of ${model.name} in a tag`);
            // An optional or nullable number, string or boolean is a pointer: its zero value is still sent, and null is nil.
            const type = field.property.type;
            const scalar = !/^[*[]|^map\[|^any$|^interface/.test(type) && !(field.property instanceof m.ConstrainedReferenceModel);
            const pointer = scalar && (!field.required || field.property.options.isNullable === true);
            return `${pointer ? `${field.propertyName} *${type}` : content} \`json:"${wire}${field.required ? '' : ',omitempty'}"\``;
          },
        },
        union: {
          // Modelina's Go unions (an interface, or a struct embedding each type) do not (un)marshal: any JSON value.
          self({ model }) {
            return `// ${model.name} is one of: ${model.union.map((u) => u.name).join(', ')}; encoding/json reads it as generic JSON.\ntype ${model.name} = any`;
          },
        },
        enum: {
          self({ model }) {
            const values = model.values.map((v) => JSON.stringify(v.originalInput)).join(', ');
            if (!allStrings(model)) return `// ${model.name} is one of these JSON values: ${values.replace(/\n/g, ' ')}.\ntype ${model.name} = any`;
            const items = model.values.map((v: ConstrainedEnumValueModel) => `  ${v.key} ${model.name} = ${goString(v.originalInput as string)}`);
            return `// ${model.name} is one of these JSON values: ${values.replace(/\n/g, ' ')}.\ntype ${model.name} string\n\nconst (\n${items.join('\n')}\n)`;
          },
        },
      },
    ],
  });
  const out = await render(m, 'go', generator, input, named, { packageName: pkg });
  return out.map((o) => [`${m.FormatHelpers.toSnakeCase(o.modelName)}.go`, `// Code generated by Herald through Modelina. DO NOT EDIT.\n${o.result}`]);
}

// ---------------------------------------------------------------------------------------
// C#: classes with System.Text.Json attributes

async function csharp(m: Modelina, input: InputMetaModel, named: NamedSchemas, modelName: ModelNameConstraint, packageName: string): Promise<Array<[string, string]>> {
  const namespace = packageParts(packageName).map((p) => pascal(p)).join('.');
  const generator = new m.CSharpGenerator({
    autoImplementedProperties: true,
    handleNullable: true,
    constraints: {
      modelName,
      propertyKey: m.csharpDefaultPropertyKeyConstraints({ NO_SPECIAL_CHAR: readable }),
      enumKey: m.csharpDefaultEnumKeyConstraints({ NO_SPECIAL_CHAR: readable }),
      enumValue: enumValue(csharpString, m.csharpDefaultEnumValueConstraints()),
      // C#'s own constant constraint is not exported; Java's is the same one but for how it writes strings.
      constant: constant(m, csharpString, m.javaDefaultConstantConstraints()),
    },
    presets: [
      {
        class: {
          self({ renderer, content }) {
            renderer.dependencyManager.addDependency('using System.Text.Json.Serialization;');
            return content;
          },
          property({ property, content }) {
            // Modelina writes a constant as `public const T X { get; } = v;`, which C# refuses: a get-only property.
            content = content.replace(/^public const /, 'public ');
            // Nullable and required: the type admits null, and no `= null!` claims otherwise.
            if (property.required && property.property.options.isNullable === true) content = content.replace(/^public (\S+?)\?? /, 'public $1? ').replace(/ = null!;$/, '');
            const attributes = isUnwrapped(m, property) ? ['[JsonExtensionData]'] : [`[JsonPropertyName(${csharpString(property.unconstrainedPropertyName)})]`];
            if (!property.required) attributes.push('[JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]');
            return `${attributes.join('\n')}\n${content}`;
          },
        },
        enum: {
          self({ renderer, content, model }) {
            renderer.dependencyManager.addDependency('using System.Text.Json;');
            renderer.dependencyManager.addDependency('using System.Text.Json.Serialization;');
            return `${content.replace(new RegExp(`^public enum ${model.name}\\b`, 'm'), `[JsonConverter(typeof(${model.name}JsonConverter))]\npublic enum ${model.name}`)}\n\n${csharpEnumConverter(model)}`;
          },
        },
      },
    ],
  });
  const out = await render(m, 'csharp', generator, input, named, { namespace });
  return out.map((o) => [`${o.modelName}.cs`, `// <auto-generated>Generated by Herald through Modelina.</auto-generated>\n${o.result}`]);
}

/** A System.Text.Json converter that reads and writes an enum by its JSON value. */
function csharpEnumConverter(model: ConstrainedEnumModel): string {
  const name = model.name;
  const test = (v: unknown): string => {
    if (typeof v === 'string') return `element.ValueKind == JsonValueKind.String && element.GetString() == ${csharpString(v)}`;
    if (typeof v === 'number') return `element.ValueKind == JsonValueKind.Number && element.GetDecimal() == ${v}m`;
    if (typeof v === 'boolean') return `element.ValueKind == JsonValueKind.${v ? 'True' : 'False'}`;
    if (v === null) return 'element.ValueKind == JsonValueKind.Null';
    return `element.GetRawText() == ${csharpString(JSON.stringify(v))}`;
  };
  const reads = model.values.map((v) => `    if (${test(v.originalInput)}) return ${name}.${v.key};`);
  const writes = model.values.map((v) => `      case ${name}.${v.key}: writer.WriteRawValue(${csharpString(JSON.stringify(v.originalInput))}); return;`);
  return `public sealed class ${name}JsonConverter : JsonConverter<${name}>
{
  public override ${name} Read(ref Utf8JsonReader reader, System.Type typeToConvert, JsonSerializerOptions options)
  {
    using var document = JsonDocument.ParseValue(ref reader);
    var element = document.RootElement;
${reads.join('\n')}
    throw new JsonException("not a value of ${name}: " + element.GetRawText());
  }

  public override void Write(Utf8JsonWriter writer, ${name} value, JsonSerializerOptions options)
  {
    switch (value)
    {
${writes.join('\n')}
    }
    throw new JsonException("not a value of ${name}");
  }
}`;
}

// ---------------------------------------------------------------------------------------
// Rust: a crate of serde structs and enums

async function rust(m: Modelina, input: InputMetaModel, named: NamedSchemas, modelName: ModelNameConstraint, packageName: string): Promise<Array<[string, string]>> {
  const crate = packageParts(packageName).join('_');
  const generator = new m.RustGenerator({
    constraints: {
      modelName,
      propertyKey: m.rustDefaultPropertyKeyConstraints({ NO_SPECIAL_CHAR: readable }),
      enumKey: m.rustDefaultEnumKeyConstraints({ NO_SPECIAL_CHAR: readable }),
    },
    presets: [
      {
        struct: {
          structMacro({ content, model }) {
            return openness(model) === 'closed' ? `${content}\n#[serde(deny_unknown_fields)]` : content;
          },
          field({ field, content }) {
            // Nullable and required: Option, sent as null.
            return field.required && field.property.options.isNullable === true ? content.replace(/^(pub \S+: )(.*),$/, '$1Option<$2>,') : content;
          },
          fieldMacro({ field }) {
            if (isUnwrapped(m, field)) return '#[serde(flatten)]';
            const args = [`rename = ${rustString(field.unconstrainedPropertyName)}`];
            if (!field.required) args.push('default', 'skip_serializing_if = "Option::is_none"');
            return `#[serde(${args.join(', ')})]`;
          },
        },
        union: {
          self({ content, model }) {
            const tag = model.options.discriminator?.discriminator;
            if (tag === undefined) return content;
            throw new Error(`rust: the union ${model.name} is discriminated by ${JSON.stringify(tag)}; serde's internally tagged enum would take that field from variants that require it`);
          },
        },
        enum: {
          self({ content, model }) {
            if (allStrings(model)) return content;
            throw new Error(`rust: the enum ${model.name} has values that are not strings (${model.values.map((v) => JSON.stringify(v.originalInput)).join(', ')}); serde cannot rename variants to them`);
          },
          itemMacro({ item }) {
            return `#[serde(rename = ${rustString(String(item.originalInput))})]`;
          },
        },
      },
    ],
  });
  const out = await render(m, 'rust', generator, input, named, {});
  const modules = out.map((o) => [m.FormatHelpers.toSnakeCase(o.modelName), o] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const lib = ['//! Models generated by Herald through Modelina. Do not edit.', '#[macro_use]', 'extern crate serde;', ...modules.flatMap(([mod]) => ['', `pub mod ${mod};`, `pub use self::${mod}::*;`])].join('\n');
  const manifest = ['[package]', `name = ${rustString(crate)}`, 'version = "0.1.0"', 'edition = "2021"', '', '[dependencies]', 'serde = { version = "1", features = ["derive"] }', 'serde_json = "1"'].join('\n');
  return [['Cargo.toml', manifest], ['src/lib.rs', lib], ...modules.map(([mod, o]): [string, string] => [`src/${mod}.rs`, o.result])];
}
