/**
 * The semantic rules of the AsyncAPI parser's 2.x core ruleset, with the parser's rule ids
 * (parser/src/ruleset/v2). They run on the resolved document unless noted. Where a parser
 * rule skips input of an unexpected shape, so does its counterpart here: the structural
 * check reports such input, and a rule must not reject what the parser accepts.
 */
import type { Diagnostic } from '../errors.js';
import { checkAgainst } from './examples.js';
import { derefIn } from './refs.js';
import type { Deref } from './schema.js';
import { appendPointer, isObject } from './pointer.js';
import { select, selectAll, type Step } from './select.js';
import { checkPayloadSchema } from './payload-schema.js';
import { duplicateTags, missingAndRedundant, urlVariables } from './rules-common.js';

type Doc = Record<string, unknown>;
const OPS = ['publish', 'subscribe'] as const;

export function rulesV2(version: string, resolved: Doc, unresolved: Doc): Diagnostic[] {
  const deref = derefIn(unresolved);
  return [
    ...security(resolved, unresolved, [['servers', '*', 'security', '*']], 'Server', 'asyncapi2-server-security'),
    ...serverVariables(resolved),
    ...channelParameters(resolved),
    ...channelServers(resolved),
    ...channelQueryOrFragment(resolved),
    ...uniqueIds(resolved, 'operationId'),
    ...security(resolved, unresolved, [['channels', '*', OPS, 'security', '*']], 'Operation', 'asyncapi2-operation-security'),
    ...messageExamples(resolved, deref),
    ...uniqueIds(resolved, 'messageId'),
    ...tagsUniqueness(resolved),
    ...payloadSchemas(version, resolved),
    ...schemaDefaultsAndExamples(resolved, deref),
    ...customFormatExamples(resolved, deref),
  ];
}

function security(resolved: Doc, unresolved: Doc, paths: Step[][], objectType: string, rule: string): Diagnostic[] {
  // The parser reads the schemes from the unresolved document: a scheme that is itself a
  // $ref counts as defined, but its scopes are not checked.
  const components = isObject(unresolved.components) ? unresolved.components : {};
  const schemes = isObject(components.securitySchemes) ? components.securitySchemes : {};
  const out: Diagnostic[] = [];
  for (const { pointer, value } of selectAll(resolved, paths)) {
    if (!isObject(value) || !Object.values(value).every((v) => Array.isArray(v) && v.every((s) => typeof s === 'string'))) continue;
    for (const [name, scopes] of Object.entries(value as Record<string, string[]>)) {
      if (!Object.prototype.hasOwnProperty.call(schemes, name)) {
        out.push({ rule, pointer: appendPointer(pointer, name), message: `${objectType} must not reference an undefined security scheme.` });
      }
      const scheme = schemes[name];
      if (isObject(scheme) && scheme.type === 'oauth2') {
        const available = oauthScopes(isObject(scheme.flows) ? scheme.flows : {});
        scopes.forEach((scope, i) => {
          if (!available.includes(scope)) {
            out.push({ rule, pointer: appendPointer(pointer, name, i), message: `Non-existing security scope for the specified security scheme. Available: [${available.join(', ')}]` });
          }
        });
      }
    }
  }
  return out;
}

function oauthScopes(flows: Record<string, unknown>): string[] {
  const scopes = new Set<string>();
  for (const key of ['implicit', 'password', 'clientCredentials', 'authorizationCode']) {
    const flow = flows[key];
    if (isObject(flow) && isObject(flow.scopes)) Object.keys(flow.scopes).forEach((s) => scopes.add(s));
  }
  return [...scopes];
}

function serverVariables(doc: Doc): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const { pointer, value } of selectAll(doc, [['servers', '*'], ['components', 'servers', '*']])) {
    if (!isObject(value) || typeof value.url !== 'string' || !isObject(value.variables)) continue;
    const vars = urlVariables(value.url);
    if (vars.length === 0) continue;
    const { missing, redundant } = missingAndRedundant(vars, value.variables);
    if (missing.length) out.push({ rule: 'asyncapi2-server-variables', pointer: appendPointer(pointer, 'variables'), message: `Not all server's variables are described with "variables" object. Missed: ${missing.join(', ')}.` });
    for (const v of redundant) out.push({ rule: 'asyncapi2-server-variables', pointer: appendPointer(pointer, 'variables', v), message: `Server's "variables" object has redundant defined "${v}" url variable.` });
  }
  return out;
}

function channelParameters(doc: Doc): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [address, channel] of entries(doc.channels)) {
    if (!isObject(channel) || !isObject(channel.parameters)) continue;
    const params = urlVariables(address);
    if (params.length === 0) continue;
    const pointer = appendPointer('/channels', address);
    const { missing, redundant } = missingAndRedundant(params, channel.parameters);
    if (missing.length) out.push({ rule: 'asyncapi2-channel-parameters', pointer: appendPointer(pointer, 'parameters'), message: `Not all channel's parameters are described with "parameters" object. Missed: ${missing.join(', ')}.` });
    for (const p of redundant) out.push({ rule: 'asyncapi2-channel-parameters', pointer: appendPointer(pointer, 'parameters', p), message: `Channel's "parameters" object has redundant defined "${p}" parameter.` });
  }
  return out;
}

function channelServers(doc: Doc): Diagnostic[] {
  if (doc.servers !== undefined && !isObject(doc.servers)) return [];
  if (!isObject(doc.channels)) return [];
  const channels = Object.entries(doc.channels);
  const shapeOk = channels.every(
    ([, c]) => isObject(c) && (c.servers === undefined || (Array.isArray(c.servers) && c.servers.every((s) => typeof s === 'string'))),
  );
  if (!shapeOk) return [];
  const names = Object.keys(doc.servers ?? {});
  const out: Diagnostic[] = [];
  for (const [address, channel] of channels) {
    ((channel as Doc).servers as string[] | undefined)?.forEach((name, i) => {
      if (!names.includes(name)) out.push({ rule: 'asyncapi2-channel-servers', pointer: appendPointer('/channels', address, 'servers', i), message: 'Channel contains server that are not defined on the "servers" object.' });
    });
  }
  return out;
}

function channelQueryOrFragment(doc: Doc): Diagnostic[] {
  return Object.keys(isObject(doc.channels) ? doc.channels : {})
    .filter((address) => /[?#]/.test(address))
    .map((address) => ({ rule: 'asyncapi2-channel-no-query-nor-fragment', pointer: appendPointer('/channels', address), message: 'Channel address should not include query ("?") or fragment ("#") delimiter.' }));
}

/** Operations of the root channels, as the parser lists them: subscribe before publish. */
function* operations(doc: Doc): Generator<{ pointer: string; operation: Doc }> {
  for (const [address, channel] of entries(doc.channels)) {
    if (!isObject(channel)) continue;
    for (const kind of ['subscribe', 'publish']) {
      const operation = channel[kind];
      if (isObject(operation)) yield { pointer: appendPointer('/channels', address, kind), operation };
    }
  }
}

function* messages(doc: Doc): Generator<{ pointer: string; message: Doc }> {
  for (const { pointer, operation } of operations(doc)) {
    const message = operation.message;
    if (!isObject(message)) continue;
    if (Array.isArray(message.oneOf)) {
      for (const [i, m] of message.oneOf.entries()) if (isObject(m)) yield { pointer: appendPointer(pointer, 'message', 'oneOf', i), message: m };
    } else {
      yield { pointer: appendPointer(pointer, 'message'), message };
    }
  }
}

/** The id a trait sets wins over the object's own; the last trait wins among traits. */
function idOf(object: Doc, field: string): { id: string; path: Array<string | number> } | undefined {
  if (Array.isArray(object.traits)) {
    for (let i = object.traits.length - 1; i >= 0; i--) {
      const trait = object.traits[i];
      if (isObject(trait) && typeof trait[field] === 'string') return { id: trait[field] as string, path: ['traits', i, field] };
    }
  }
  return typeof object[field] === 'string' ? { id: object[field] as string, path: [field] } : undefined;
}

function uniqueIds(doc: Doc, field: 'operationId' | 'messageId'): Diagnostic[] {
  if (doc.channels !== undefined && !isObject(doc.channels)) return [];
  if (uniquenessInputInvalid(doc, field)) return [];
  const rule = field === 'operationId' ? 'asyncapi2-operation-operationId-uniqueness' : 'asyncapi2-message-messageId-uniqueness';
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  const items = field === 'operationId'
    ? [...operations(doc)].map((o) => ({ pointer: o.pointer, object: o.operation }))
    : [...messages(doc)].map((m) => ({ pointer: m.pointer, object: m.message }));
  for (const { pointer, object } of items) {
    const found = idOf(object, field);
    if (!found) continue;
    // Like the parser, this counts one component message used by two channels as two ids.
    if (seen.has(found.id)) out.push({ rule, pointer: appendPointer(pointer, ...found.path), message: `"${field}" must be unique across all the ${field === 'operationId' ? 'operations' : 'messages'}.` });
    else seen.add(found.id);
  }
  return out;
}

/**
 * The parser's input schemas for the uniqueness rules describe properties of `channels`
 * named "subscribe" and "publish" (meaning the operations); a channel with such a name
 * and an unexpected shape makes the parser skip the rule for the whole document.
 */
function uniquenessInputInvalid(doc: Doc, field: 'operationId' | 'messageId'): boolean {
  const channels = doc.channels as Doc | undefined;
  if (!channels) return false;
  return ['subscribe', 'publish'].some((name) => {
    const channel = channels[name];
    if (channel === undefined) return false;
    // Any object matches both branches of the messageId rule's `oneOf`, so a "message" key fails it.
    return !isObject(channel) || (field === 'messageId' && channel.message !== undefined);
  });
}

const TAG_PATHS: Step[][] = [
  ['tags'],
  ['channels', '*', OPS, 'tags'],
  ['components', 'channels', '*', OPS, 'tags'],
  ['channels', '*', OPS, 'traits', '*', 'tags'],
  ['components', 'channels', '*', OPS, 'traits', '*', 'tags'],
  ['components', 'operationTraits', '*', 'tags'],
  ['channels', '*', OPS, 'message', 'tags'],
  ['channels', '*', OPS, 'message', 'oneOf', '*', 'tags'],
  ['components', 'channels', '*', OPS, 'message', 'tags'],
  ['components', 'channels', '*', OPS, 'message', 'oneOf', '*', 'tags'],
  ['components', 'messages', '*', 'tags'],
  ['channels', '*', OPS, 'message', 'traits', '*', 'tags'],
  ['channels', '*', OPS, 'message', 'oneOf', '*', 'traits', '*', 'tags'],
  ['components', 'channels', '*', OPS, 'message', 'traits', '*', 'tags'],
  ['components', 'channels', '*', OPS, 'message', 'oneOf', '*', 'traits', '*', 'tags'],
  ['components', 'messages', '*', 'traits', '*', 'tags'],
  ['components', 'messageTraits', '*', 'tags'],
];

function tagsUniqueness(doc: Doc): Diagnostic[] {
  return selectAll(doc, TAG_PATHS).flatMap(({ pointer, value }) => duplicateTags(value, pointer, 'asyncapi2-tags-uniqueness'));
}

type MessageKind = 'message' | 'oneOf' | 'trait';

/** Message objects (and their traits) of one schema-format kind, as the parser's JSONPath filters find them. */
function messageObjects(doc: Doc, withFormat: boolean, kinds: readonly MessageKind[]): Array<{ pointer: string; message: Doc }> {
  const found: Array<{ pointer: string; value: unknown; kind: MessageKind }> = [];
  const add = (items: Array<{ pointer: string; value: unknown }>, kind: MessageKind, base = '') =>
    found.push(...items.map((i) => ({ pointer: base + i.pointer, value: i.value, kind })));
  const messages: Array<{ pointer: string; value: unknown }> = [];
  for (const m of selectAll(doc, [['channels', '*', OPS, 'message'], ['components', 'channels', '*', OPS, 'message']])) {
    messages.push(m);
    add([m], 'message');
    const oneOf = select(m.value, ['oneOf', '*']);
    add(oneOf, 'oneOf', m.pointer);
    messages.push(...oneOf.map((o) => ({ pointer: m.pointer + o.pointer, value: o.value })));
  }
  const components = select(doc, ['components', 'messages', '*']);
  add(components, 'message');
  messages.push(...components);
  for (const m of messages) add(select(m.value, ['traits', '*']), 'trait', m.pointer);
  add(select(doc, ['components', 'messageTraits', '*']), 'trait');
  return dedupe(found)
    .filter((f): f is { pointer: string; value: Doc; kind: MessageKind } => kinds.includes(f.kind) && isObject(f.value) && (f.value.schemaFormat !== undefined) === withFormat)
    .map((f) => ({ pointer: f.pointer, message: f.value }));
}

const ALL: readonly MessageKind[] = ['message', 'oneOf', 'trait'];
const MESSAGES: readonly MessageKind[] = ['message', 'oneOf'];

/** A missing payload accepts anything; missing headers accept any object (parser: serializeSchema). */
function schemaOrDefault(schema: unknown, part: 'payload' | 'headers'): unknown {
  if (!schema && typeof schema !== 'boolean') return part === 'headers' ? { type: 'object' } : {};
  return schema;
}

function messageInputOk(m: Doc): boolean {
  return (m.name === undefined || typeof m.name === 'string') && (m.summary === undefined || typeof m.summary === 'string');
}

function examplesOf(m: Doc): Array<{ index: number; value: Doc }> {
  return Array.isArray(m.examples) ? m.examples.map((value, index) => ({ index, value: value as Doc })) : [];
}

function messageExamples(doc: Doc, deref: Deref): Diagnostic[] {
  const rule = 'asyncapi2-message-examples';
  const out: Diagnostic[] = [];
  for (const { pointer, message } of messageObjects(doc, false, ALL)) {
    if (!messageInputOk(message) || !message.examples) continue;
    const payload = schemaOrDefault(message.payload, 'payload');
    const headers = schemaOrDefault(message.headers, 'headers');
    for (const { index, value } of examplesOf(message)) {
      if (!isObject(value)) continue;
      const at = appendPointer(pointer, 'examples', index);
      if (value.payload !== undefined) out.push(...checkAgainst(payload, value.payload, appendPointer(at, 'payload'), rule, deref));
      if (value.headers !== undefined) out.push(...checkAgainst(headers, value.headers, appendPointer(at, 'headers'), rule, deref));
    }
  }
  return out;
}

function customFormatExamples(doc: Doc, deref: Deref): Diagnostic[] {
  const rule = 'asyncapi2-message-examples-custom-format';
  const out: Diagnostic[] = [];
  for (const { pointer, message } of messageObjects(doc, true, ALL)) {
    if (!messageInputOk(message) || !message.examples || !message.payload) continue;
    for (const { index, value } of examplesOf(message)) {
      if (!isObject(value) || value.payload === undefined) continue;
      out.push(...checkAgainst(message.payload, value.payload, appendPointer(pointer, 'examples', index, 'payload'), rule, deref));
    }
  }
  return out;
}

function payloadSchemas(version: string, doc: Doc): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const { pointer, message } of messageObjects(doc, false, MESSAGES).concat(messageObjects(doc, true, MESSAGES))) {
    if (message.schemaFormat !== undefined && typeof message.schemaFormat !== 'string') continue;
    if (!message.payload) continue;
    out.push(...checkPayloadSchema(version, message.schemaFormat as string | undefined, message.payload, appendPointer(pointer, 'payload')));
  }
  return out;
}

function schemaDefaultsAndExamples(doc: Doc, deref: Deref): Diagnostic[] {
  const schemas = [
    ...messageObjects(doc, false, ['message']).map((m) => ({ pointer: appendPointer(m.pointer, 'payload'), value: m.message.payload })),
    ...select(doc, ['channels', '*', 'parameters', '*', 'schema']),
    ...select(doc, ['components', 'channels', '*', 'parameters', '*', 'schema']),
    ...select(doc, ['components', 'schemas', '*']),
    ...select(doc, ['components', 'parameters', '*', 'schema']),
    ...select(doc, ['components', 'messageTraits', '*'])
      .filter((t) => isObject(t.value) && t.value.schemaFormat === undefined)
      .map((t) => ({ pointer: appendPointer(t.pointer, 'payload'), value: (t.value as Doc).payload })),
  ];
  const out: Diagnostic[] = [];
  for (const { pointer, value } of dedupe(schemas)) {
    if (!isObject(value)) continue;
    if ('default' in value) {
      out.push(...relevantErrors(value, value.default, appendPointer(pointer, 'default'), 'asyncapi2-schema-default', deref));
    }
    if ('examples' in value) {
      if (!Array.isArray(value.examples)) {
        out.push({ rule: 'asyncapi2-schema-examples', pointer, message: 'Must be an object containing "default" or an "examples" array.' });
        continue;
      }
      value.examples.forEach((example, i) => out.push(...relevantErrors(value, example, appendPointer(pointer, 'examples', i), 'asyncapi2-schema-examples', deref)));
    }
  }
  return out;
}

/** The parser ignores errors for string values here (parser/src/ruleset/v2/functions/schemaValidation.ts). */
function relevantErrors(schema: Doc, value: unknown, pointer: string, rule: string, deref: Deref): Diagnostic[] {
  return typeof value === 'string' ? [] : checkAgainst(schema, value, pointer, rule, deref);
}

function entries(value: unknown): Array<[string, unknown]> {
  return isObject(value) ? Object.entries(value) : [];
}

function dedupe<T extends { pointer: string }>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.filter((i) => (seen.has(i.pointer) ? false : (seen.add(i.pointer), true)));
}
