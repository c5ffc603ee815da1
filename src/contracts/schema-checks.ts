/**
 * What the structural check cannot see: whether each schema the gateway will run (message
 * payloads and headers, Kafka keys, channel parameters) can run at all. A schema that does
 * not compile, or that refers to itself without descending into the message (`$ref: '#'`),
 * would fail every message at runtime; it is refused at registration instead, with the
 * place it is written.
 */
import type { Diagnostic } from '../errors.js';
import type { Contract, JsonSchema } from './model.js';
import { isJsonSchemaFormat } from './payload-schema.js';
import { appendPointer, isObject } from './pointer.js';
import { checkPatterns } from './regex.js';
import { internalTarget, isSchemaPlace, resolvePointer } from './refs.js';
import { runtimeValidator } from './validator.js';

interface Runnable {
  schema: JsonSchema;
  /** Where the schema is written in the document. */
  pointer: string;
}

/** Every schema of the contract that the gateway validates messages with. */
function runnables(contract: Contract): Runnable[] {
  const out: Runnable[] = [];
  for (const channel of contract.channels) {
    for (const p of channel.parameters) out.push({ schema: p.schema, pointer: appendPointer(p.pointer, 'schema') });
    for (const m of channel.messages) {
      if (m.payload !== undefined && isJsonSchemaFormat(m.schemaFormat)) out.push({ schema: m.payload, pointer: m.payloadPointer ?? appendPointer(m.pointer, 'payload') });
      if (m.headers !== undefined) out.push({ schema: m.headers, pointer: m.headersPointer ?? appendPointer(m.pointer, 'headers') });
      const key = m.bindings.kafka?.key;
      if (isObject(key) || typeof key === 'boolean') out.push({ schema: key as JsonSchema, pointer: appendPointer(m.pointer, 'bindings', 'kafka', 'key') });
    }
  }
  return out;
}

export function checkRunnableSchemas(contract: Contract): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const { schema, pointer } of runnables(contract)) {
    // A message used on several channels is checked once.
    if (seen.has(pointer)) continue;
    seen.add(pointer);
    const loop = inPlaceLoop(schema);
    if (loop !== undefined) {
      out.push({
        rule: 'schema-unbounded-recursion',
        pointer,
        message: `The schema refers to itself at ${loop || '/'} without descending into the message, so validating any message would never end; a recursive schema must recur through properties or items.`,
      });
      continue;
    }
    const validate = runtimeValidator(schema);
    if (validate instanceof Error) out.push({ rule: 'schema-compile', pointer, message: `The schema cannot be compiled: ${validate.message}` });
  }
  return out;
}

/** Keywords that apply a subschema to the same value, not to a part of it. */
const IN_PLACE = ['not', 'if', 'then', 'else'];
const IN_PLACE_LISTS = ['allOf', 'anyOf', 'oneOf'];

/**
 * A path (inside the self-contained schema) where a chain of references and in-place
 * keywords comes back to a schema it started from, or undefined when there is none.
 * Iterative, so that a deep schema cannot overflow the stack here.
 */
function inPlaceLoop(root: JsonSchema): string | undefined {
  const state = new Map<object, 'open' | 'done'>();
  type Frame = { node: object; ptr: string; next: Array<{ node: unknown; ptr: string }> };
  const frames: Frame[] = [];
  const enter = (node: unknown, ptr: string): string | undefined => {
    if (!isObject(node)) return undefined;
    const s = state.get(node);
    if (s === 'open') return ptr;
    if (s === 'done') return undefined;
    state.set(node, 'open');
    frames.push({ node, ptr, next: successors(root, node, ptr) });
    return undefined;
  };
  const first = enter(root, '');
  if (first !== undefined) return first;
  while (frames.length > 0) {
    const top = frames[frames.length - 1]!;
    const step = top.next.pop();
    if (!step) {
      state.set(top.node, 'done');
      frames.pop();
      continue;
    }
    const loop = enter(step.node, step.ptr);
    if (loop !== undefined) return loop;
  }
  return undefined;
}

function successors(root: JsonSchema, node: Record<string, unknown>, ptr: string): Array<{ node: unknown; ptr: string }> {
  const out: Array<{ node: unknown; ptr: string }> = [];
  for (const ref of ['$ref', '$dynamicRef', '$recursiveRef']) {
    const value = node[ref];
    if (typeof value !== 'string') continue;
    const target = ref === '$ref' ? internalTarget(value) : '';
    if (target !== undefined && (target === '' || target.startsWith('/'))) out.push({ node: resolvePointer(root, target), ptr: appendPointer(ptr, ref) });
  }
  for (const k of IN_PLACE) if (Object.hasOwn(node, k)) out.push({ node: node[k], ptr: appendPointer(ptr, k) });
  for (const k of IN_PLACE_LISTS) {
    const list = node[k];
    if (Array.isArray(list)) list.forEach((item, i) => out.push({ node: item, ptr: appendPointer(ptr, k, i) }));
  }
  const dependent = node.dependentSchemas;
  if (isObject(dependent)) for (const [name, s] of Object.entries(dependent)) out.push({ node: s, ptr: appendPointer(ptr, 'dependentSchemas', name) });
  return out;
}

/**
 * Patterns Herald cannot run (regex.ts), wherever a schema is written in the document:
 * refused with the pointer of the pattern itself.
 */
export function checkDocumentPatterns(document: unknown): Diagnostic[] {
  const out: Diagnostic[] = [];
  const stack: Array<{ node: unknown; path: string[]; pointer: string }> = [{ node: document, path: [], pointer: '' }];
  while (stack.length > 0) {
    const { node, path, pointer } = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (isSchemaPlace(path)) {
      out.push(...checkPatterns(node, pointer));
      continue;
    }
    for (const [key, child] of Object.entries(node)) stack.push({ node: child, path: [...path, key], pointer: appendPointer(pointer, key) });
  }
  return out;
}
