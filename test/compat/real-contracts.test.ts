/**
 * Shapes real contracts take that a registry must judge right: replies that list messages
 * by component, binding schemas that constrain what clients send, 2.6 -> 3.0 migrations
 * made by the official converter, and polymorphic hierarchies as Java generators emit them.
 * The fixtures are in test/fixtures/compat/, each written for one pattern.
 */
import { readFileSync } from 'node:fs';
import { convert } from '@asyncapi/converter';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { compareSchemas } from '../../src/compat/schemas.js';
import { checkCompatibility, type Verdict } from '../../src/compat/verdict.js';
import type { Mode } from '../../src/compat/types.js';
import { ingest } from '../../src/contracts/ingest.js';
import { runtimeValidator } from '../../src/contracts/validator.js';
import { mutate, schemaArb, type Schema } from '../helpers/schema-gen.js';

const fixture = (name: string) => readFileSync(`test/fixtures/compat/${name}`, 'utf8');
const load = async (text: string) => {
  const { document, contract } = await ingest(text, 'yaml');
  return { document, contract };
};
async function check(oldText: string, newText: string, mode: Mode = 'AUTO'): Promise<Verdict> {
  return checkCompatibility(await load(newText), [await load(oldText)], mode, 'strict');
}
/** A YAML fixture with one edit applied to its data. */
const edited = (text: string, edit: (doc: any) => void) => {
  const doc = parse(text);
  edit(doc);
  return stringify(doc);
};
const summary = (v: Verdict) => v.changes.map((c) => `${c.kind}${c.breaking ? '!' : ''} ${c.newPath}`);

describe('every message a contract can carry is compared', () => {
  it('a reply that lists its message by component (with a reply channel, and with a dynamic address)', async () => {
    const v = await check(fixture('reply-components-v1.yaml'), fixture('reply-components-v2.yaml'));
    expect(v.compatible).toBe(false);
    expect(summary(v)).toEqual([
      'TYPE_CHANGED! /components/messages/QuoteAnswered/payload/properties/id/type',
      'TYPE_CHANGED! /components/messages/QuoteUpdated/payload/properties/items/type',
    ]);
    // The application sends the request, so it receives the reply: checked BACKWARD.
    expect(v.changes.map((c) => [c.scope, c.checked])).toEqual([
      [{ operation: 'requestQuote', channel: 'quoteAnswers', reply: true, message: 'QuoteAnswered' }, ['BACKWARD']],
      [{ operation: 'watchQuote', reply: true, message: 'QuoteUpdated' }, ['BACKWARD']],
    ]);
  });

  it('a reply message the application sends is checked FORWARD: a new optional field breaks nothing', async () => {
    const flip = (t: string) => t.replace(/action: send/g, 'action: receive');
    const before = flip(fixture('reply-components-v1.yaml'));
    const after = edited(before, (d) => {
      d.components.messages.QuoteAnswered.payload.properties.currency = { type: 'string' };
    });
    const strict = await check(before, after);
    expect(strict.compatible).toBe(true);
    expect(strict.changes.map((c) => [c.kind, c.checked])).toEqual([['PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL', ['FORWARD']]]);
  });

  it('a reply message added or removed is said once, as a reply change', async () => {
    const before = fixture('reply-components-v1.yaml');
    const after = edited(before, (d) => {
      d.operations.watchQuote.reply.messages.push({ $ref: '#/components/messages/QuoteAnswered' });
    });
    const v = await check(before, after);
    expect(summary(v)).toEqual(['REPLY_MESSAGE_ADDED /operations/watchQuote/reply']);
    expect(summary(await check(after, before))).toEqual(['REPLY_MESSAGE_REMOVED! /operations/watchQuote/reply']);
  });

  it('the WebSocket handshake: a new required query parameter breaks, a replaced enum value breaks, a dropped requirement does not', async () => {
    const base = fixture('bindings-v1.yaml');
    const required = await check(base, edited(base, (d) => (d.channels.ticker.bindings.ws.query.required = ['symbols'])));
    expect(summary(required)).toEqual(['REQUIRED_ATTRIBUTE_ADDED! /channels/ticker/bindings/ws/query/required']);
    expect(required.changes[0]!.scope).toEqual({ channel: 'ticker', binding: 'ws' });
    expect(required.changes[0]!.checked).toEqual(['BACKWARD']);
    const replaced = await check(base, edited(base, (d) => (d.channels.ticker.bindings.ws.query.properties.depth.enum = [10, 50])));
    expect(replaced.compatible).toBe(false);
    expect(summary(replaced)).toEqual(['ENUM_ARRAY_CHANGED! /channels/ticker/bindings/ws/query/properties/depth/enum']);
    const headers = await check(base, edited(base, (d) => (d.channels.ticker.bindings.ws.headers.properties.Authorization = { type: 'string', pattern: '^Bearer ' })));
    expect(summary(headers)).toEqual(['PATTERN_ADDED! /channels/ticker/bindings/ws/headers/properties/Authorization/pattern']);
    const relaxed = await check(edited(base, (d) => (d.channels.ticker.bindings.ws.query.required = ['symbols'])), base);
    expect(relaxed.compatible).toBe(true);
  });

  it('HTTP query parameters follow their operation: required on a received request breaks, on a sent one it does not', async () => {
    const base = fixture('bindings-v1.yaml');
    const v = await check(
      base,
      edited(base, (d) => {
        d.operations.receiveAlert.bindings.http.query.required = ['source'];
        d.operations.sendAlert.bindings.http.query.required = ['source'];
      }),
    );
    expect(v.changes.map((c) => [c.scope?.operation, c.kind, c.breaking])).toEqual([
      ['receiveAlert', 'REQUIRED_ATTRIBUTE_ADDED', true],
      ['sendAlert', 'REQUIRED_ATTRIBUTE_ADDED', false],
    ]);
  });
});

describe('messages are matched across versions by identity, not by key', () => {
  const v26 = fixture('migration-2.6.yaml');
  const v30 = convert(v26, '3.0.0') as string;

  it('the official converter renames message and operation keys', () => {
    const doc = parse(v30);
    expect(Object.keys(doc.channels['accounts/closed'].messages)).toEqual(['subscribe.message']);
    expect(Object.keys(doc.channels['accounts/commands'].messages)).toEqual(['publish.message.0', 'publish.message.1']);
  });

  it.each(['AUTO', 'FULL'] as const)('a 2.6 document and its 3.0 conversion are compatible under %s, renames reported as renames', async (mode) => {
    const v = await check(v26, v30, mode);
    expect(v.compatible, summary(v).join('\n')).toBe(true);
    expect(v.changes.every((c) => !c.breaking && c.breaks.length === 0)).toBe(true);
    const renamed = v.changes.filter((c) => c.kind === 'MESSAGE_RENAMED').map((c) => c.message);
    expect(renamed).toHaveLength(4);
    expect(renamed.join('\n')).toContain('"accountClosed" of channel "accounts/closed" is now "subscribe.message" (the same message, by its name "accountClosed")');
    expect(renamed.join('\n')).toContain('by its component /components/messages/AuditEntry');
    expect(v.changes.filter((c) => c.kind === 'OPERATION_RENAMED')).toHaveLength(3);
    expect(v.changes.some((c) => c.kind === 'MESSAGE_REMOVED' || c.kind === 'MESSAGE_ADDED' || c.kind === 'OPERATION_REMOVED')).toBe(false);
  });

  it('a real change in the migrated payload is still found, at its place', async () => {
    const changed = edited(v30, (d) => (d.components.messages.AccountClosed.payload.properties.reason.enum = ['customer', 'fraud']));
    const v = await check(v26, changed, 'FULL');
    expect(v.compatible).toBe(false);
    expect(v.changes.filter((c) => c.breaking).map((c) => [c.kind, c.newPath, c.scope?.message])).toEqual([
      ['ENUM_ARRAY_NARROWED', '/components/messages/AccountClosed/payload/properties/reason/enum', 'subscribe.message'],
    ]);
  });

  it('the only message left on a channel in its direction is the same message', async () => {
    const before = fixture('reply-components-v1.yaml');
    const after = before.replace(/QuoteRequested/g, 'QuoteAsked').replace("sku: { type: string }", 'sku: { type: integer }');
    const v = await check(before, after);
    expect(summary(v)).toEqual([
      'MESSAGE_RENAMED /components/messages/QuoteAsked',
      'TYPE_CHANGED! /components/messages/QuoteAsked/payload/properties/sku/type',
    ]);
    expect(v.changes[0]!.message).toContain('the only message there in its direction');
  });
});

describe('polymorphic schemas (a base whose oneOf lists subtypes that allOf the base)', () => {
  it('register, validate messages, and compare against itself without a crash', async () => {
    const v1 = await load(fixture('polymorphic-v1.yaml'));
    const payload = v1.contract.channels[0]!.messages[0]!.payload!;
    const validate = runtimeValidator(payload);
    if (validate instanceof Error) throw validate;
    expect(validate({ id: 'c1', kind: 'coupe', doors: 2, seats: 2 })).toBe(true);
    expect(validate({ id: 't1', kind: 'truck', payloadTons: 7 })).toBe(true);
    expect(validate({ id: 'c2', kind: 'coupe', doors: 5 })).toBe(false);
    expect(validate({ kind: 'bike' })).toBe(false);
    expect(validate({ id: 'x', kind: 'boat' })).toBe(false);
    expect(checkCompatibility(v1, [v1], 'FULL', 'strict').changes).toEqual([]);
  });

  it('a change in one subtype is reported once, at its path, whichever type of the hierarchy the message names', async () => {
    const v = await check(fixture('polymorphic-v1.yaml'), fixture('polymorphic-v2.yaml'), 'FULL');
    const doors = '/components/schemas/Coupe/allOf/1/properties/doors/enum';
    expect(summary(v)).toEqual([`ENUM_ARRAY_NARROWED! ${doors}`]);
    const [a, b] = [parse(fixture('polymorphic-v1.yaml')), parse(fixture('polymorphic-v2.yaml'))];
    // Entered through any type, the same one change: a Sedan's owner lists vehicles, Coupes among them.
    for (const type of ['Vehicle', 'Car', 'Coupe', 'Sedan', 'Truck']) {
      const ptr = `/components/schemas/${type}`;
      const changes = compareSchemas({ doc: a, ptr }, { doc: b, ptr }, 'strict');
      expect(changes.map((c) => `${c.kind} ${c.newPath}`), type).toEqual([`ENUM_ARRAY_NARROWED ${doors}`]);
    }
    // Without the owner's list of vehicles, a Sedan cannot be a Coupe: nothing changes for it.
    const [c, d] = [a, b].map((doc) => ({ ...doc, components: { ...doc.components, schemas: { ...doc.components.schemas, Owner: { type: 'object' } } } }));
    expect(compareSchemas({ doc: c, ptr: '/components/schemas/Sedan' }, { doc: d, ptr: '/components/schemas/Sedan' }, 'strict')).toEqual([]);
  });
});

describe('property: a reply message is judged exactly like the same schemas compared on their own', () => {
  const contract = (answer: Schema) =>
    JSON.stringify({
      asyncapi: '3.0.0',
      info: { title: 'Quotes', version: '1.0.0' },
      channels: { asks: { address: 'asks', messages: { Ask: { payload: { type: 'string' } } } } },
      operations: { ask: { action: 'send', channel: { $ref: '#/channels/asks' }, messages: [{ $ref: '#/channels/asks/messages/Ask' }], reply: { address: { location: '$message.header#/replyTo' }, messages: [{ $ref: '#/components/messages/Answer' }] } } },
      components: { messages: { Answer: { payload: answer } } },
    });

  it('for random pairs of related schemas, under FULL and AUTO', async () => {
    let judged = 0;
    await fc.assert(
      fc.asyncProperty(schemaArb, fc.array(fc.tuple(fc.nat(), fc.nat(), schemaArb), { minLength: 1, maxLength: 2 }), async (old, edits) => {
        let neu: Schema = old;
        for (const [choice, pick, replacement] of edits) neu = mutate(neu, choice, pick, replacement);
        fc.pre(typeof runtimeValidator(old) === 'function' && typeof runtimeValidator(neu) === 'function');
        let a, b;
        try {
          [a, b] = [await ingest(contract(old), 'json'), await ingest(contract(neu), 'json')];
        } catch {
          return fc.pre(false); // a schema AsyncAPI does not accept (e.g. an example it checks)
        }
        const alone = compareSchemas({ doc: old, ptr: '' }, { doc: neu, ptr: '' }, 'strict');
        const breaks = (changes: Array<{ breaks: string[] }>, d: string) => changes.some((c) => c.breaks.includes(d));
        const full = checkCompatibility(b, [a], 'FULL', 'strict');
        for (const d of ['BACKWARD', 'FORWARD']) expect(breaks(full.changes, d), d).toBe(breaks(alone, d));
        // The application sends the request, so it receives the answer: AUTO checks BACKWARD only.
        const auto = checkCompatibility(b, [a], 'AUTO', 'strict');
        expect(auto.compatible).toBe(!breaks(alone, 'BACKWARD'));
        for (const c of auto.changes) expect(c.checked).toEqual(['BACKWARD']);
        judged++;
      }),
      { numRuns: Number(process.env.HERALD_PROPERTY_RUNS ?? 1000) / 5, seed: 7 },
    );
    // Not vacuous: nearly every pair makes two registrable contracts.
    expect(judged).toBeGreaterThan(Number(process.env.HERALD_PROPERTY_RUNS ?? 1000) / 5 / 2);
  });
});

describe('a reply message that moves between a component reference and the reply channel', () => {
  const onChannel = (text: string) =>
    edited(text, (d) => {
      d.channels.quoteAnswers.messages = { QuoteAnswered: { $ref: '#/components/messages/QuoteAnswered' } };
      d.operations.requestQuote.reply.messages = [{ $ref: '#/channels/quoteAnswers/messages/QuoteAnswered' }];
    });

  it('is the same message: its changes are found, and the move alone breaks nothing', async () => {
    const before = fixture('reply-components-v1.yaml');
    const changed = await check(before, onChannel(fixture('reply-components-v2.yaml')));
    expect(changed.changes.filter((c) => c.breaking).map((c) => [c.kind, c.newPath])).toContainEqual(['TYPE_CHANGED', '/components/messages/QuoteAnswered/payload/properties/id/type']);
    const moved = await check(before, onChannel(before));
    expect(summary(moved)).toEqual([]);
    // The same for an application that answers requests (its replies are sent: checked FORWARD).
    const flip = (t: string) => t.replace(/action: send/g, 'action: receive');
    expect(summary(await check(flip(before), flip(onChannel(before))))).toEqual([]);
    expect(summary(await check(flip(onChannel(before)), flip(before)))).toEqual([]);
  });
});

describe('operations that 2.x names alike', () => {
  it('a default id equal to another operation\'s operationId: the document compared with itself has no changes', async () => {
    const doc = `asyncapi: 2.6.0
info: {title: t, version: '1'}
channels:
  a:
    subscribe: {message: {payload: {type: string}}}
  b:
    subscribe: {operationId: a/subscribe, message: {payload: {type: integer}}}
`;
    for (const mode of ['FULL', 'AUTO'] as const) expect(summary(await check(doc, doc, mode))).toEqual([]);
  });
});

describe('messages the report keeps apart', () => {
  it('two messages removed from one operation are two changes, each named', async () => {
    const base = fixture('migration-2.6.yaml');
    const v = await check(base, edited(base, (d) => (d.channels['accounts/commands'].publish.message = { $ref: '#/components/messages/FreezeAccount' })), 'FULL');
    const removed = v.changes.filter((c) => c.kind === 'MESSAGE_REMOVED');
    expect(removed.map((c) => c.scope?.message)).toEqual(['unfreeze']);
    expect(removed[0]!.occurrences).toBeUndefined();
  });

  it('a message removed and another added, with different names, are not a rename', async () => {
    const doc = (key: string, name: string) => `asyncapi: 3.0.0
info: {title: t, version: '1'}
channels:
  orders:
    address: orders
    messages:
      ${key}: {name: ${name}, payload: {type: object}}
operations:
  publish: {action: send, channel: {$ref: '#/channels/orders'}}
`;
    const v = await check(doc('Placed', 'OrderPlaced'), doc('Cancelled', 'OrderCancelled'), 'FULL');
    expect(v.changes.map((c) => c.kind)).toEqual(expect.arrayContaining(['MESSAGE_REMOVED', 'MESSAGE_ADDED']));
    expect(v.changes.some((c) => c.kind === 'MESSAGE_RENAMED')).toBe(false);
  });
});

describe('reply messages written inline', () => {
  it('are compared, each under its own id even when their references end alike', async () => {
    const doc = (type: string) => `asyncapi: 3.0.0
info: {title: t, version: '1'}
channels:
  asks: {address: asks, messages: {Ask: {payload: {type: string}}}}
operations:
  ask:
    action: send
    channel: {$ref: '#/channels/asks'}
    reply:
      address: {location: '$message.header#/replyTo'}
      messages:
        - {payload: {type: object, required: [id], properties: {id: {type: ${type}}}}}
        - {name: late, payload: {type: string}}
`;
    const { contract } = await load(doc('integer'));
    expect(contract.operations[0]!.reply!.messages).toEqual(['reply-message-0', 'late']);
    const v = await check(doc('integer'), doc('string'), 'FULL');
    expect(summary(v)).toEqual(['TYPE_CHANGED! /operations/ask/reply/messages/0/payload/properties/id/type']);
    expect(v.changes[0]!.scope).toMatchObject({ operation: 'ask', reply: true, message: 'reply-message-0' });
  });
});

describe('crafted binding schemas', () => {
  const ws = (query: string) => `asyncapi: 3.0.0
info: {title: t, version: '1'}
channels:
  c:
    address: /c
    bindings: {ws: {query: ${query}}}
`;

  it('a pattern the linear-time engine cannot run is refused at registration, at its pointer', async () => {
    await expect(load(ws("{type: object, properties: {s: {type: string, pattern: '(a)\\1'}}}"))).rejects.toMatchObject({
      diagnostics: [expect.objectContaining({ rule: 'pattern-unsupported', pointer: '/channels/c/bindings/ws/query/properties/s/pattern' })],
    });
  });

  it('a pattern that backtracks exponentially is judged against a value on RE2 (a backtracking engine would run for hours)', async () => {
    const v = await check(ws("{type: object, properties: {s: {type: string, pattern: '^(a+)+$'}}}"), ws(`{type: object, properties: {s: {enum: ['${'a'.repeat(40)}!']}}}`), 'FULL');
    expect(v.changes.map((c) => c.kind)).toEqual(['TYPE_EXTENDED', 'ENUM_ADDED', 'PATTERN_REMOVED']);
  });

  it('a binding enum of 20,000 values is compared through sets, within the default budget', async () => {
    const values = (from: number) => `[${Array.from({ length: 20_000 }, (_, i) => `v${from + i}`).join(', ')}]`;
    const v = await check(ws(`{type: object, properties: {s: {enum: ${values(0)}}}}`), ws(`{type: object, properties: {s: {enum: ${values(1)}}}}`));
    expect(summary(v)).toEqual(['ENUM_ARRAY_CHANGED! /channels/c/bindings/ws/query/properties/s/enum']);
  });
});
