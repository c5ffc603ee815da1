/**
 * What the structural check cannot see: whether each schema the gateway will run (message
 * payloads and headers, Kafka keys, channel parameters) can run at all. A schema that does
 * not compile would fail every message at runtime; it is refused at registration instead,
 * with the place it is written. (A schema that comes back to itself in place, as a
 * polymorphic base and its subtypes do, runs: see coinductive.ts.)
 */
import type { Diagnostic } from '../errors.js';
import type { Contract, JsonSchema } from './model.js';
import { isJsonSchemaFormat } from './payload-schema.js';
import { appendPointer, isObject } from './pointer.js';
import { checkPatterns } from './regex.js';
import { isSchemaPlace } from './refs.js';
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
    const validate = runtimeValidator(schema);
    if (validate instanceof Error) out.push({ rule: 'schema-compile', pointer, message: `The schema cannot be compiled: ${validate.message}` });
  }
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
