/** The names every SDK language uses for its models: readable, stable under edits elsewhere, never silently shared. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ingest } from '../../src/contracts/ingest.js';
import { nameModels, pascal } from '../../src/sdk/names.js';

const named = async (text: string) => {
  const { document, contract } = await ingest(text, 'yaml');
  return nameModels(document, contract);
};
const v3 = (channels: string, components = '') => `asyncapi: 3.0.0
info: {title: t, version: '1'}
channels:
${channels}
${components}`;

describe('model names', () => {
  it('components by key, payloads and headers by message, inline objects by their path', async () => {
    const set = await named(readFileSync('specs/orders.yaml', 'utf8'));
    expect(set.models.map((m) => m.name)).toEqual(['EventHeaders', 'Money', 'OrderCancelledPayload', 'OrderLine', 'OrderPlacedPayload', 'PaymentSettledPayload']);
    expect(set.messages.map((m) => [m.channel, m.message.id, m.payload, m.headers])).toEqual([
      ['orderPlaced', 'OrderPlaced', 'OrderPlacedPayload', 'EventHeaders'],
      ['orderCancelled', 'OrderCancelled', 'OrderCancelledPayload', 'EventHeaders'],
      ['paymentSettled', 'PaymentSettled', 'PaymentSettledPayload', 'EventHeaders'],
    ]);
    const placed = set.models.find((m) => m.name === 'OrderPlacedPayload')!.schema as any;
    expect(placed.properties.lines.items).toEqual({ $ref: '#/$defs/OrderLine' });
    expect(placed.properties.total).toEqual({ $ref: '#/$defs/Money' });
    expect(set.collisions).toEqual([]);
  });

  it('an inline object is named after its parent and path; arrays add Item, maps Value', async () => {
    const set = await named(
      v3(`  c:
    address: c
    messages:
      shipped:
        name: order-shipped
        payload:
          type: object
          properties:
            parcels: {type: array, items: {type: object, properties: {weight: {type: number}}}}
            tags: {type: object, additionalProperties: {type: object, properties: {by: {type: string}}}}
            x-trace-id: {type: object, properties: {id: {type: string}}}`),
    );
    expect(set.models.map((m) => m.name)).toEqual(['OrderShippedPayload', 'OrderShippedPayloadParcelsItem', 'OrderShippedPayloadTagsValue', 'OrderShippedPayloadXTraceId']);
    const root = set.models.find((m) => m.name === 'OrderShippedPayload')!.schema as any;
    // Property names are never renamed: only the model's name is derived from them.
    expect(Object.keys(root.properties)).toEqual(['parcels', 'tags', 'x-trace-id']);
  });

  it('a name two places want: the first place (by pointer) keeps it, the other is qualified, and it is reported', async () => {
    const text = v3(`  a:
    address: a
    messages:
      Created: {payload: {type: object, properties: {x: {type: string}}}}
  b:
    address: b
    messages:
      Created: {payload: {type: object, properties: {y: {type: string}}}}`);
    const set = await named(text);
    expect(set.messages.map((m) => m.payload)).toEqual(['CreatedPayload', 'BCreatedPayload']);
    expect(set.collisions).toEqual(['CreatedPayload: kept by /channels/a/messages/Created/payload; /channels/b/messages/Created/payload is BCreatedPayload']);
  });

  it('adding a message elsewhere renames no existing model, and the same document gives the same set', async () => {
    const base = readFileSync('specs/orders.yaml', 'utf8');
    const before = await named(base);
    const after = await named(base.replace('channels:\n', 'channels:\n  audit:\n    address: audit\n    messages:\n      Audited: {payload: {type: object, properties: {who: {type: object, properties: {id: {type: string}}}}}}\n'));
    expect(after.models.map((m) => m.name)).toEqual(expect.arrayContaining(before.models.map((m) => m.name)));
    for (const m of before.models) expect(after.models.find((x) => x.name === m.name)!.schema).toEqual(m.schema);
    expect(JSON.stringify(await named(base))).toBe(JSON.stringify(before));
  });

  it('recursive schemas name themselves once: through a component, and through an inline array that returns to itself', async () => {
    const set = await named(
      v3(
        `  c:
    address: c
    messages:
      m:
        payload:
          type: object
          properties:
            node: {$ref: '#/components/schemas/Node'}
            forest: {type: array, items: {$ref: '#/channels/c/messages/m/payload/properties/forest'}}`,
        `components:
  schemas:
    Node: {type: object, properties: {children: {type: array, items: {$ref: '#/components/schemas/Node'}}}}`,
      ),
    );
    expect(set.models.map((m) => m.name)).toEqual(['MPayload', 'MPayloadForestItem', 'Node']);
    expect((set.models.find((m) => m.name === 'Node')!.schema as any).properties.children.items).toEqual({ $ref: '#/$defs/Node' });
  });

  it('schemas in tuples and dependent schemas are models too, components among them by key', async () => {
    const set = await named(
      v3(
        `  c:
    address: c
    messages:
      m:
        payload:
          type: object
          properties:
            pair: {type: array, items: [{$ref: '#/components/schemas/Money'}, {type: string}]}
          dependencies:
            card: {properties: {cvc: {type: object, properties: {digits: {type: string}}}}}
            iban: [bic]`,
        `components:
  schemas:
    Money: {type: object, properties: {units: {type: integer}}}`,
      ),
    );
    expect(set.models.map((m) => m.name)).toEqual(['MPayload', 'MPayloadWhenCard', 'MPayloadWhenCardCvc', 'Money']);
    const root = set.models.find((m) => m.name === 'MPayload')!.schema as any;
    expect(root.properties.pair.items).toEqual([{ $ref: '#/$defs/Money' }, { type: 'string' }]);
    expect(root.dependencies.iban).toEqual(['bic']);
  });

  it('identifiers from any text', () => {
    expect(['order-placed', 'user/signedup', '2fa', '', 'Money', 'a b__c', 'Überweisung', 'café-créé'].map(pascal)).toEqual(['OrderPlaced', 'UserSignedup', '_2fa', 'Model', 'Money', 'ABC', 'Uberweisung', 'CafeCree']);
  });
});
