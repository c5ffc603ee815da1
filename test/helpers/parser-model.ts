/**
 * The reference for src/contracts/normalize.ts: the same `Contract`, built from the
 * official @asyncapi/parser's model of the document (it applies traits and unifies 2.x and
 * 3.x). Too slow for every registration; right for checking that Herald's model agrees.
 */
import { Parser, type AsyncAPIDocumentInterface, type MessageInterface } from '@asyncapi/parser';
import { InvalidDocumentError } from '../../src/errors.js';
import { canonicalJson } from '../../src/contracts/canonical.js';
import type * as M from '../../src/contracts/model.js';
import type { Action, Bindings, JsonSchema, Server } from '../../src/contracts/model.js';

/** The model without its source pointers, which the parser's model does not know. */
type Unlocated<T> = Omit<T, 'pointer' | 'payloadPointer' | 'headersPointer'>;
type Channel = Omit<Unlocated<M.Channel>, 'parameters' | 'messages'> & { parameters: Parameter[]; messages: Message[] };
type Parameter = Unlocated<M.Parameter>;
type Message = Unlocated<M.Message>;
type Operation = Omit<Unlocated<M.Operation>, 'reply'> & { reply?: Omit<M.Reply, 'offChannel'> & { offChannel?: Message[] } };
export type Contract = Omit<M.Contract, 'channels' | 'operations'> & { channels: Channel[]; operations: Operation[] };
import { uniqueIds as uniqueOperations } from '../../src/contracts/normalize.js';
import { isJsonSchemaFormat } from '../../src/contracts/payload-schema.js';
import { isObject } from '../../src/contracts/pointer.js';
import { internalTarget, resolvePointer } from '../../src/contracts/refs.js';
import { selfContained, type Deref } from '../../src/contracts/schema.js';

/**
 * Never consulted: external references are refused before parsing. Registered so that
 * even a bug there could not make the parser read a file or open a connection.
 */
const noIo = (schema: string) => ({ schema, order: 1, read: () => '{}' });

const parser = new Parser({
  ruleset: { core: false, recommended: false },
  __unstable: { resolver: { cache: false, resolvers: [noIo('file'), noIo('http'), noIo('https')] } },
});

export async function parserContract(document: Record<string, unknown>): Promise<Contract> {
  const { document: parsed, diagnostics } = await parser.parse(JSON.stringify(document), { parseSchemas: false });
  if (!parsed) {
    throw new InvalidDocumentError(
      diagnostics.filter((d) => d.severity === 0).map((d) => ({ rule: String(d.code), message: d.message, pointer: '/' + d.path.join('/') })),
    );
  }
  // Without its core ruleset the parser leaves recursive references as `$ref`s; they point into this document.
  const deref: Deref = (ref: string) => {
    const target = internalTarget(ref);
    return target === undefined ? undefined : resolvePointer(document, target);
  };
  return fromModel(parsed, (schema) => selfContained(schema, deref), document);
}

type Bundle = (schema: unknown) => JsonSchema;

function fromModel(doc: AsyncAPIDocumentInterface, selfContained: Bundle, document: Record<string, unknown>): Contract {
  const v2 = doc.version().startsWith('2.');
  const channels: Channel[] = doc.channels().all().map((ch) => {
    const json = ch.json() as Record<string, unknown>;
    return {
      id: ch.id(),
      address: ch.address() ?? null,
      servers: isObject(json) && (json.servers === undefined || (Array.isArray(json.servers) && json.servers.length === 0)) ? [] : ch.servers().all().map((s) => s.id()),
      parameters: ch.parameters().all().map((p): Parameter => ({
        name: p.id(),
        schema: selfContained(p.schema()?.json() ?? {}),
        ...(p.location() ? { location: p.location()! } : {}),
        ...(p.description() ? { description: p.description()! } : {}),
      })),
      messages: uniqueMessages(ch.messages().all().map((m) => toMessage(m, v2, selfContained))),
      bindings: bindings(json.bindings, selfContained),
      extensions: Object.fromEntries(Object.entries(json).filter(([k]) => k.startsWith('x-') && !k.startsWith('x-parser-'))),
    };
  });
  const operations: Operation[] = uniqueOperations(doc.operations().all().map((op) => {
    const json = op.json() as Record<string, unknown>;
    const channel = op.channels().all()[0];
    const action: Action = op.isSend() ? 'send' : 'receive';
    const v2Kind = action === 'send' ? 'subscribe' : 'publish';
    const reply = v2 ? undefined : op.reply();
    return {
      id: v2 ? (typeof json.operationId === 'string' ? json.operationId : `${channel?.id()}/${v2Kind}`) : op.id()!,
      action,
      channel: channel?.id() ?? '',
      // The parser gives a message shared by two channels (one component) a single id, that of
      // its first use; the operation's own reference says which channel key it means.
      messages: v2 ? uniqueIds(op.messages().all().map((m) => messageId(m, v2))) : messageKeys(isObject(document.operations) && isObject(document.operations[op.id()!]) ? (document.operations[op.id()!] as Record<string, unknown>).messages : undefined, op.messages().all().map((m) => messageId(m, v2))),
      ...(reply
        ? {
            reply: {
              ...(reply.channel() ? { channel: reply.channel()!.id() } : {}),
              ...(reply.address()?.location() ? { addressLocation: reply.address()!.location() } : {}),
              messages: reply.messages().all().map((m) => messageId(m, v2)),
              ...offChannel(reply.messages().all(), reply.channel()?.messages().all() ?? [], selfContained),
            },
          }
        : {}),
      bindings: bindings(json.bindings, selfContained),
    };
  }));
  const servers: Server[] = doc.servers().all().map((s) => {
    const json = s.json() as Record<string, unknown>;
    return {
      id: s.id(),
      protocol: s.protocol(),
      ...(s.protocolVersion() ? { protocolVersion: s.protocolVersion()! } : {}),
      host: v2 ? String(json.url ?? '') : s.host(),
      ...(!v2 && typeof json.pathname === 'string' ? { pathname: json.pathname } : {}),
      bindings: bindings(json.bindings, selfContained),
    };
  });
  return { asyncapi: doc.version(), title: doc.info().title(), version: doc.info().version(), servers, channels, operations };
}

/** A reply's messages that its channel does not carry (the same object, once the parser resolved references). */
function offChannel(listed: MessageInterface[], carried: MessageInterface[], selfContained: Bundle): { offChannel?: Message[] } {
  const off = listed.filter((m) => !carried.some((c) => c.json() === m.json())).map((m) => toMessage(m, false, selfContained));
  return off.length > 0 ? { offChannel: off } : {};
}

/** The message keys an operation's written references name, e.g. `#/channels/a/messages/b` -> `b`. */
function messageKeys(written: unknown, fallback: string[]): string[] {
  if (!Array.isArray(written)) return fallback;
  return written.map((r, i) => (isObject(r) && typeof r.$ref === 'string' ? decodeURIComponent(r.$ref.split('/messages/').pop()!).replace(/~1/g, '/').replace(/~0/g, '~') : fallback[i]!));
}

function messageId(m: MessageInterface, v2: boolean): string {
  if (!v2) return m.id();
  const json = m.json() as Record<string, unknown>;
  for (const candidate of [json.messageId, json.name, json['x-parser-message-name']]) {
    if (typeof candidate === 'string' && candidate !== '') return candidate;
  }
  return m.id();
}

function toMessage(m: MessageInterface, v2: boolean, selfContained: Bundle): Message {
  const json = m.json() as Record<string, unknown>;
  // 2.x: `schemaFormat` on the message; 3.x: a multi-format payload `{ schemaFormat, schema }`.
  let payload: unknown = json.payload;
  let format = v2 ? (json.schemaFormat as string | undefined) : undefined;
  if (!v2 && isObject(payload) && typeof payload.schemaFormat === 'string' && 'schema' in (payload as object)) {
    format = payload.schemaFormat;
    payload = payload.schema;
  }
  let headers: unknown = json.headers;
  if (!v2 && isObject(headers) && typeof headers.schemaFormat === 'string' && 'schema' in headers) headers = headers.schema;
  const correlation = m.correlationId();
  return {
    id: messageId(m, v2),
    ...(m.name() ? { name: m.name()! } : {}),
    ...(m.title() ? { title: m.title()! } : {}),
    ...(m.contentType() ? { contentType: m.contentType()! } : {}),
    ...(format !== undefined && !isJsonSchemaFormat(format) ? { schemaFormat: format } : {}),
    ...(payload !== undefined ? { payload: selfContained(payload) } : {}),
    ...(headers !== undefined ? { headers: selfContained(headers) } : {}),
    ...(correlation?.location()
      ? { correlationId: { location: correlation.location()!, ...(correlation.description() ? { description: correlation.description()! } : {}) } }
      : {}),
    bindings: bindings(json.bindings, selfContained),
  };
}

/** Binding objects as plain JSON; schemas inside them (a Kafka key) made self-contained. */
function bindings(value: unknown, selfContained: Bundle): Bindings {
  if (!isObject(value)) return {};
  const out: Bindings = {};
  for (const [protocol, binding] of Object.entries(value)) {
    if (protocol.startsWith('x-parser-') || !isObject(binding)) continue;
    out[protocol] = selfContained(binding) as Record<string, unknown>;
  }
  return out;
}

/**
 * Messages of one channel, each once (2.x lists a message used by both operations twice);
 * distinct messages that share a name are told apart as `name#2`, `name#3`, ...
 */
function uniqueMessages(messages: Message[]): Message[] {
  const byId = new Map<string, Message[]>();
  for (const m of messages) {
    const same = byId.get(m.id) ?? [];
    if (!same.some((o) => canonicalJson(o) === canonicalJson(m))) same.push(m);
    byId.set(m.id, same);
  }
  return [...byId.values()].flatMap((same) => same.map((m, i) => (i === 0 ? m : { ...m, id: `${m.id}#${i + 1}` })));
}

const uniqueIds = (ids: string[]) => [...new Set(ids)];
