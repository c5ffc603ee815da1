/**
 * Hostile documents, each the smallest member of a family that once stalled Herald:
 * used by the hardening tests (small sizes that still show the fix) and by the benchmark
 * (the sizes that were reported). Every function returns an AsyncAPI 3.0 document as YAML
 * text whose one message's payload carries the shape; `variant` changes a leaf, so that
 * two variants differ and a comparison has to walk the whole shape.
 */
import { stringify } from 'yaml';

type Obj = Record<string, unknown>;

function document(payload: unknown, schemas: Obj = {}): string {
  return stringify(
    {
      asyncapi: '3.0.0',
      info: { title: 'Hostile', version: '1.0.0' },
      channels: { events: { address: 'events', messages: { Event: { $ref: '#/components/messages/Event' } } } },
      operations: { receiveEvent: { action: 'receive', channel: { $ref: '#/channels/events' }, messages: [{ $ref: '#/channels/events/messages/Event' }] } },
      components: { messages: { Event: { payload } }, ...(Object.keys(schemas).length ? { schemas } : {}) },
    },
    { aliasDuplicateObjects: false, lineWidth: 0 },
  );
}

/** `anyOf` of `branches` objects, nested `depth` levels; leaves are bounded strings. */
export function nestedAnyOf(branches: number, depth: number, variant = 0): string {
  const level = (d: number): Obj =>
    d === 0
      ? { type: 'string', maxLength: 10 + variant }
      : { anyOf: Array.from({ length: branches }, (_, i) => ({ type: 'object', required: [`k${d}_${i}`], properties: { [`k${d}_${i}`]: level(d - 1) } })) };
  return document(level(depth));
}

/** A property whose `enum` has `size` values; `variant` > 0 drops the first `variant` values and adds as many. */
export function largeEnum(size: number, variant = 0): string {
  const values = Array.from({ length: size }, (_, i) => `value-${i + variant}`);
  return document({ type: 'object', properties: { code: { type: 'string', enum: values } } });
}

/** Schemas L0..L{levels}, each with `fan` properties referring to the next: fan^levels paths to the leaf. */
export function refFanOut(fan: number, levels: number, variant = 0): string {
  const schemas: Obj = {};
  for (let l = 0; l < levels; l++) {
    schemas[`L${l}`] = { type: 'object', properties: Object.fromEntries(Array.from({ length: fan }, (_, i) => [`p${i}`, { $ref: `#/components/schemas/L${l + 1}` }])) };
  }
  schemas[`L${levels}`] = { type: 'string', maxLength: 5 + variant };
  return document({ $ref: '#/components/schemas/L0' }, schemas);
}

/** `count` types, each referring to the next `links` types (cyclically), each with one leaf field. */
export function mutuallyRecursive(count: number, links: number, variant = 0): string {
  const schemas: Obj = {};
  for (let i = 0; i < count; i++) {
    const properties: Obj = { name: { type: 'string', maxLength: 20 + (i === 0 ? variant : 0) } };
    for (let j = 1; j <= links; j++) properties[`next${j}`] = { $ref: `#/components/schemas/T${(i + j) % count}` };
    schemas[`T${i}`] = { type: 'object', properties };
  }
  return document({ $ref: '#/components/schemas/T0' }, schemas);
}

/** A payload whose string property must match `pattern` (e.g. the catastrophic `^(a+)+$`). */
export function patternPayload(pattern: string, example?: string): string {
  const payload: Obj = { type: 'object', properties: { s: { type: 'string', pattern } } };
  return stringify({
    asyncapi: '2.6.0',
    info: { title: 'Hostile', version: '1.0.0' },
    channels: {
      events: {
        subscribe: { message: { name: 'Event', payload, ...(example === undefined ? {} : { examples: [{ payload: { s: example } }] }) } },
      },
    },
  });
}
