/**
 * The models an SDK declares, and their names. Every language's generator reads this one
 * decision, so a model is called the same in TypeScript, Java and Python.
 *
 * A model is a message's payload or headers, every component schema they use, and every
 * object schema written inline inside them. Names are readable and stable under edits
 * elsewhere in the document, never counters:
 *   1. a component key: `components.schemas.Money` -> `Money`;
 *   2. a message's payload or headers: its name (else id) + `Payload` / `Headers`;
 *   3. an inline object: its parent's name + its path (`OrderPlacedPayloadLinesItem`).
 * Two places that want one name: the place whose pointer sorts first keeps it; the other
 * gets its channel (for a message) or its parent (for an inline schema) in front, then a
 * number as a last resort, and the collision is reported.
 *
 * Each model's schema refers to the other models as `{$ref: '#/$defs/<Name>'}`, so that a
 * renderer never names anything itself.
 */
import type { Contract, JsonSchema, Message } from '../contracts/model.js';
import { appendPointer, isObject, setOwn } from '../contracts/pointer.js';
import { internalTarget, resolvePointer } from '../contracts/refs.js';

export interface Model {
  name: string;
  /** Where it is written in the document, when it is written in one place. */
  pointer?: string;
  /** JSON Schema; other models appear as `{$ref: '#/$defs/<Name>'}`. */
  schema: JsonSchema;
}

export interface MessageModels {
  channel: string;
  message: Message;
  payload?: string;
  headers?: string;
}

export interface ModelSet {
  models: Model[];
  messages: MessageModels[];
  /** One line per name that two places wanted: who kept it, and what the other got. */
  collisions: string[];
}

/** `text` without the characters of `chars` at either end (a loop: an expression like `/x+$/` is quadratic on a long run). */
export function trimEnds(text: string, chars: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && chars.includes(text[start]!)) start++;
  while (end > start && chars.includes(text[end - 1]!)) end--;
  return text.slice(start, end);
}

/** An identifier in PascalCase from any text: `order-placed` -> `OrderPlaced`, `2fa` -> `_2fa`. */
export function pascal(text: string): string {
  // Accents dropped rather than the letters they sit on: `Überweisung` -> `Uberweisung`.
  const words = text.normalize('NFKD').replace(/\p{M}/gu, '').split(/[^A-Za-z0-9]+/).filter(Boolean);
  const name = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  if (name === '') return 'Model';
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

/** Keywords whose value is a schema, or a list or map of schemas, and the name part each adds. */
const ONE: Record<string, string> = { items: 'Item', additionalProperties: 'Value', contains: 'Item', not: 'Not', if: 'If', then: 'Then', else: 'Else', propertyNames: 'Key', additionalItems: 'Item' };
const LISTS: Record<string, string> = { oneOf: 'Option', anyOf: 'Option', allOf: 'Part', prefixItems: 'Item', items: 'Item' };
const MAPS: Record<string, string> = { properties: '', patternProperties: 'Pattern', dependentSchemas: 'When', dependencies: 'When' };

/** Whether a schema becomes a model of its own when written inline: an object with properties. */
const isObjectModel = (s: Record<string, unknown>) => isObject(s.properties) && Object.keys(s.properties).length > 0;

/** A place schemas are read from: the document (with its pointers), or a schema on its own. */
interface Source {
  root: unknown;
  /** `#/components/schemas/X` (or a `$defs` entry of a schema on its own) -> X. */
  componentOf(pointer: string): string | undefined;
}

export function nameModels(document: unknown, contract: Contract): ModelSet {
  const models = new Map<string, Model>();
  /** Where each model is written ("source id + pointer"), to its name. */
  const byPlace = new Map<string, string>();
  const collisions: string[] = [];
  const wanted = new Map<string, string>(); // name -> place that has it

  const docSource: Source = {
    root: document,
    componentOf: (p) => {
      const m = /^\/components\/schemas\/([^/]+)$/.exec(p);
      return m ? m[1]!.replace(/~1/g, '/').replace(/~0/g, '~') : undefined;
    },
  };
  const sourceIds = new Map<Source, number>([[docSource, 0]]);

  /** The name a place gets: what it wants, unless another place has it already. */
  const claim = (want: string, place: string, qualifier: string): string => {
    const holder = wanted.get(want);
    if (holder === undefined || holder === place) {
      wanted.set(want, place);
      return want;
    }
    let name = pascal(qualifier) + want;
    for (let i = 2; wanted.has(name); i++) name = `${pascal(qualifier)}${want}${i}`;
    wanted.set(name, place);
    collisions.push(`${want}: kept by ${holder}; ${place} is ${name}`);
    return name;
  };

  /**
   * The model of the schema at `pointer` (references followed), named `want` unless it is a
   * component; returns its name. Nested objects become models of their own.
   */
  const visit = (source: Source, pointer: string, want: string, qualifier: string): string => {
    const written = resolvePointer(source.root, pointer);
    // A reference Herald cannot follow stays as written.
    const { node, pointer: at } = follow(source.root, written, pointer) ?? { node: written, pointer };
    const place = `${sourceIds.get(source)}:${at}`;
    const known = byPlace.get(place);
    if (known !== undefined) return known;
    const component = source.componentOf(at);
    const name = claim(component !== undefined ? pascal(component) : want, at, component !== undefined ? 'Schema' : qualifier);
    byPlace.set(place, name);
    // Claimed before its body: a recursive schema refers to its own name.
    models.set(name, { name, ...(sourceIds.get(source) === 0 ? { pointer: at } : {}), schema: true });
    models.get(name)!.schema = body(source, node, at, name);
    return name;
  };

  /** Places being copied inline: met again inside themselves, they must become models. */
  const copying = new Set<string>();

  /** A copy of a schema with each nested model replaced by a reference to it. */
  const body = (source: Source, node: unknown, at: string, owner: string): JsonSchema => {
    const inner = (child: unknown, ptr: string, path: string): unknown => {
      const f = follow(source.root, child, ptr);
      // A boolean schema, or a reference Herald cannot follow: as written.
      if (f === undefined || !isObject(f.node)) return f?.node ?? child;
      const place = `${sourceIds.get(source)}:${f.pointer}`;
      const component = f.viaRef ? source.componentOf(f.pointer) : undefined;
      if (component !== undefined || isObjectModel(f.node) || byPlace.has(place) || copying.has(place)) {
        return { $ref: `#/$defs/${visit(source, f.pointer, owner + path, owner)}` };
      }
      copying.add(place);
      try {
        return copy(f.node, f.pointer, path);
      } finally {
        copying.delete(place);
      }
    };
    const copy = (value: Record<string, unknown>, ptr: string, path: string): Record<string, unknown> => {
      const out: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(value)) {
        if (key === '$defs' || key === 'definitions') continue;
        if (Object.hasOwn(ONE, key) && (isObject(v) || typeof v === 'boolean')) setOwn(out, key, inner(v, appendPointer(ptr, key), path + ONE[key]));
        else if (Object.hasOwn(LISTS, key) && Array.isArray(v)) setOwn(out, key, v.map((s, i) => inner(s, appendPointer(ptr, key, i), `${path}${LISTS[key]}${i + 1}`)));
        else if (Object.hasOwn(MAPS, key) && isObject(v)) {
          const map: Record<string, unknown> = {};
          // `dependencies` also maps names to lists of names: those are not schemas.
          for (const [name, s] of Object.entries(v)) setOwn(map, name, Array.isArray(s) ? s : inner(s, appendPointer(ptr, key, name), `${path}${MAPS[key]}${pascal(name)}`));
          setOwn(out, key, map);
        } else setOwn(out, key, v);
      }
      return out;
    };
    if (!isObject(node)) return typeof node === 'boolean' ? node : {};
    return copy(node, at, '');
  };

  const messages: MessageModels[] = [];
  const standalone = (schema: JsonSchema): Source => {
    const s: Source = {
      root: schema,
      componentOf: (p) => {
        const m = /^\/\$defs\/([^/]+)$/.exec(p);
        return m ? decodeURIComponent(m[1]!).replace(/~1/g, '/').replace(/~0/g, '~') : undefined;
      },
    };
    sourceIds.set(s, sourceIds.size);
    return s;
  };
  for (const channel of contract.channels) {
    for (const m of channel.messages) {
      const base = pascal(m.name ?? m.id);
      const entry: MessageModels = { channel: channel.id, message: m };
      for (const part of ['payload', 'headers'] as const) {
        const schema = m[part];
        if (schema === undefined || (part === 'payload' && m.schemaFormat !== undefined)) continue;
        const pointer = part === 'payload' ? m.payloadPointer : m.headersPointer;
        const want = `${base}${part === 'payload' ? 'Payload' : 'Headers'}`;
        entry[part] = pointer !== undefined && resolvePointer(document, pointer) !== undefined ? visit(docSource, pointer, want, channel.id) : visit(standalone(schema), '', want, channel.id);
      }
      messages.push(entry);
    }
  }
  const ordered = [...models.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { models: ordered, messages, collisions };
}

/** A schema value with its references followed: the object, where it is written, and whether a reference led there. */
function follow(root: unknown, value: unknown, pointer: string): { node: unknown; pointer: string; viaRef: boolean } | undefined {
  let node = value;
  let at = pointer;
  let viaRef = false;
  for (let hops = 0; isObject(node) && typeof node.$ref === 'string'; hops++) {
    const target = internalTarget(node.$ref);
    if (target === undefined || hops > 64) return undefined;
    at = target;
    viaRef = true;
    node = resolvePointer(root, target);
  }
  return { node, pointer: at, viaRef };
}
