/**
 * A validated document -> the normalized `Contract`: operations get a direction, traits are
 * applied, AsyncAPI 2.x and 3.x are unified, schemas become self-contained.
 *
 * This reads the document Herald resolved while validating it, rather than running the
 * AsyncAPI parser again (that would cost more than all the rest of a registration). The
 * parser stays the reference: test/contracts/model.test.ts compares this model with the
 * parser's model of every document in the corpus.
 */
import { canonicalJson, shapeOf } from './canonical.js';
import type { Action, Bindings, Channel, Contract, JsonSchema, Message, Operation, Parameter, Server } from './model.js';
import { isJsonSchemaFormat } from './payload-schema.js';
import { appendPointer, isObject, setOwn } from './pointer.js';
import { derefIn, internalTarget, literalPointer, resolveDocument, resolvePointer } from './refs.js';
import { selfContained } from './schema.js';

type Obj = Record<string, unknown>;

/** `document` as written, and `resolved` with its internal references replaced (validate.ts). */
/** The model of a stored (normalized) document: what the registry and a remote gateway both build. */
export function modelOfDocument(document: Obj, maxRefNodes: number): Contract {
  return toContract(document, resolveDocument(document, maxRefNodes) as Obj);
}

export function toContract(document: Obj, resolved: Obj): Contract {
  const deref = derefIn(document);
  const ctx: Ctx = { document, resolved, bundle: (schema) => selfContained(schema, deref), anonymous: 0 };
  const info = isObject(resolved.info) ? resolved.info : {};
  const base = { asyncapi: String(resolved.asyncapi), title: String(info.title ?? ''), version: String(info.version ?? '') };
  return String(resolved.asyncapi).startsWith('2.') ? { ...base, ...fromV2(ctx) } : { ...base, ...fromV3(ctx) };
}

interface Ctx {
  document: Obj;
  resolved: Obj;
  bundle: (schema: unknown) => JsonSchema;
  /** Counter for 2.x messages with neither messageId, name nor component key. */
  anonymous: number;
}

type Parts = Pick<Contract, 'servers' | 'channels' | 'operations'>;

// ---- AsyncAPI 3.x -------------------------------------------------------------------

function fromV3(ctx: Ctx): Parts {
  const { resolved } = ctx;
  const servers = entries(resolved.servers).map(([id, s]) => server(ctx, id, s, String(s.host ?? '')));
  const channels: Channel[] = entries(resolved.channels).map(([id, ch]) => {
    const raw = written(ctx, ['channels', id]);
    const pointer = at(ctx, appendPointer('/channels', id));
    return {
      id,
      pointer,
      address: typeof ch.address === 'string' ? ch.address : null,
      servers: (Array.isArray(raw.servers) ? raw.servers : []).map((s) => refName(s, '/servers/')).filter((s): s is string => s !== undefined),
      parameters: entries(ch.parameters).map(([name, p]): Parameter => {
        // 3.x parameters are strings described by enum, default and examples; as a schema:
        const schema = clean({ type: 'string', description: p.description, enum: p.enum, default: p.default, examples: p.examples });
        return { name, pointer: at(ctx, appendPointer(pointer, 'parameters', name)), schema, ...opt('location', p.location), ...opt('description', p.description) };
      }),
      messages: entries(ch.messages).map(([mid, m]) => message(ctx, mid, traitsV3(m), at(ctx, appendPointer(pointer, 'messages', mid)))),
      bindings: bindings(ctx, ch.bindings),
      extensions: extensions(ch),
    };
  });
  const operations: Operation[] = entries(resolved.operations).map(([id, op0]) => {
    const op = traitsV3(op0);
    const raw = written(ctx, ['operations', id]);
    const channel = channelId(ctx, raw.channel, op.channel, channels);
    const listed = Array.isArray(raw.messages) ? raw.messages.map((m) => refName(m, '/messages/')).filter((m): m is string => m !== undefined) : undefined;
    const reply = isObject(op.reply) ? op.reply : undefined;
    const rawReply = isObject(raw.reply) ? (follow(ctx, raw.reply) as Obj) : {};
    return {
      id,
      pointer: at(ctx, appendPointer('/operations', id)),
      action: op.action === 'send' ? 'send' : 'receive',
      channel,
      // No list means every message of the channel.
      messages: listed ?? channels.find((c) => c.id === channel)?.messages.map((m) => m.id) ?? [],
      ...(reply
        ? {
            reply: {
              ...(rawReply.channel !== undefined ? { channel: channelId(ctx, rawReply.channel, reply.channel, channels) } : {}),
              ...(isObject(reply.address) && typeof reply.address.location === 'string' ? { addressLocation: reply.address.location } : {}),
              ...replyMessages(ctx, rawReply, reply, channels.find((c) => c.id === (rawReply.channel !== undefined ? channelId(ctx, rawReply.channel, reply.channel, channels) : undefined)), at(ctx, appendPointer('/operations', id, 'reply'))),
            },
          }
        : {}),
      bindings: bindings(ctx, op.bindings),
    };
  });
  return { servers, channels, operations };
}

/**
 * A reply's messages: ids of its channel's messages where the reference leads to one of
 * them, else the message itself, kept in `offChannel`: under its component key, its name,
 * or its place in the list when written inline; each place once, each id unique.
 */
function replyMessages(ctx: Ctx, raw: Obj, reply: Obj, channel: Channel | undefined, replyPointer: string): Pick<NonNullable<Operation['reply']>, 'messages' | 'offChannel'> {
  const messages: string[] = [];
  const offChannel: Message[] = [];
  const written = Array.isArray(raw.messages) ? raw.messages : [];
  const resolvedList = Array.isArray(reply.messages) ? reply.messages : [];
  // Looked up by maps: a crafted reply may list many thousands of messages.
  const channelByPointer = new Map<string, string>();
  const channelByPath = new Map<string, string>();
  for (const m of channel?.messages ?? []) {
    // The first message written at a place names it, as a search in list order would.
    if (!channelByPointer.has(m.pointer)) channelByPointer.set(m.pointer, m.id);
    channelByPath.set(appendPointer(channel!.pointer, 'messages', m.id), m.id);
  }
  const offByPointer = new Map<string, string>();
  const ids = new Set<string>();
  written.forEach((ref, i) => {
    const target = isObject(ref) && typeof ref.$ref === 'string' ? internalTarget(ref.$ref) : undefined;
    const pointer = at(ctx, target ?? appendPointer(replyPointer, 'messages', i));
    const known = channelByPointer.get(pointer) ?? (target !== undefined ? channelByPath.get(target) : undefined) ?? offByPointer.get(pointer);
    if (known !== undefined) return void messages.push(known);
    const resolved = resolvedList[i];
    if (!isObject(resolved)) return;
    const base = refName(ref, '/messages/') ?? (typeof resolved.name === 'string' && resolved.name !== '' ? resolved.name : `reply-message-${i}`);
    let id = base;
    for (let n = 2; ids.has(id); n++) id = `${base}#${n}`;
    ids.add(id);
    offByPointer.set(pointer, id);
    offChannel.push(message(ctx, id, traitsV3(resolved), pointer));
    messages.push(id);
  });
  return { messages, ...(offChannel.length > 0 ? { offChannel } : {}) };
}

/** 3.x traits: applied first, then the object itself, each a JSON merge patch. */
function traitsV3(value: Obj): Obj {
  if (!Array.isArray(value.traits)) return value;
  let out: Obj = {};
  for (const layer of [...value.traits, value]) {
    if (!isObject(layer)) continue;
    for (const [key, v] of Object.entries(layer)) out = { ...out, [key]: mergePatch(own(out, key), v) };
  }
  return out;
}

// ---- AsyncAPI 2.x -------------------------------------------------------------------

function fromV2(ctx: Ctx): Parts {
  const { resolved } = ctx;
  const servers = entries(resolved.servers).map(([id, s]) => server(ctx, id, s, String(s.url ?? '')));
  const channels: Channel[] = [];
  const operations: Operation[] = [];
  for (const [address, ch] of entries(resolved.channels)) {
    const pointer = at(ctx, appendPointer('/channels', address));
    const messages: Message[] = [];
    const channelOps: Array<{ kind: string; op: Obj; ids: string[]; pointer: string }> = [];
    for (const kind of ['publish', 'subscribe']) {
      if (!isObject(ch[kind])) continue;
      const op = traitsV2(ch[kind] as Obj);
      const opPointer = at(ctx, appendPointer(pointer, kind));
      const rawOp = written(ctx, ['channels', address, kind]);
      const ids: string[] = [];
      const list = isObject(op.message) ? (Array.isArray(op.message.oneOf) ? op.message.oneOf : [op.message]) : [];
      const messagePointer = at(ctx, appendPointer(opPointer, 'message'));
      const oneOf = isObject(rawOp.message) && Array.isArray((follow(ctx, rawOp.message) as Obj).oneOf);
      const rawList = isObject(rawOp.message) ? (oneOf ? ((follow(ctx, rawOp.message) as Obj).oneOf as unknown[]) : [rawOp.message]) : [];
      list.forEach((m0, i) => {
        if (!isObject(m0)) return;
        const m = traitsV2(m0);
        const id = messageIdV2(ctx, m, rawList[i]);
        const mPointer = oneOf ? at(ctx, appendPointer(messagePointer, 'oneOf', i)) : messagePointer;
        ids.push(addMessage(messages, message(ctx, id, m, mPointer)));
      });
      channelOps.push({ kind, op, ids, pointer: opPointer });
    }
    channels.push({
      id: address,
      pointer,
      address,
      servers: Array.isArray(ch.servers) ? ch.servers.filter((s): s is string => typeof s === 'string') : [],
      parameters: entries(ch.parameters).map(([name, p]): Parameter => ({
        name,
        pointer: at(ctx, appendPointer(pointer, 'parameters', name)),
        schema: ctx.bundle(p.schema ?? {}),
        ...opt('location', p.location),
        ...opt('description', p.description),
      })),
      messages,
      bindings: bindings(ctx, ch.bindings),
      extensions: extensions(ch),
    });
    for (const { kind, op, ids, pointer: opPointer } of channelOps) {
      // 2.x describes operations from the client's side: subscribe means this application sends.
      const action: Action = kind === 'subscribe' ? 'send' : 'receive';
      operations.push({
        id: typeof op.operationId === 'string' ? op.operationId : `${address}/${kind}`,
        pointer: opPointer,
        action,
        channel: address,
        messages: [...new Set(ids)],
        bindings: bindings(ctx, op.bindings),
      });
    }
  }
  return { servers, channels, operations: uniqueIds(operations) };
}

/**
 * 2.x operation ids as they must be to name one operation each: a default id
 * (`<address>/<kind>`) may equal an `operationId` written elsewhere; the later one is `id#2`.
 */
export function uniqueIds<T extends { id: string }>(list: T[]): T[] {
  const seen = new Set<string>();
  return list.map((x) => {
    let id = x.id;
    for (let n = 2; seen.has(id); n++) id = `${x.id}#${n}`;
    seen.add(id);
    return id === x.id ? x : { ...x, id };
  });
}

/** 2.x traits: each trait's fields, as JSON merge patches, override the object's own. */
function traitsV2(value: Obj): Obj {
  if (!Array.isArray(value.traits)) return value;
  const out: Obj = { ...value };
  for (const trait of value.traits) {
    if (!isObject(trait)) continue;
    for (const [key, v] of Object.entries(trait)) setOwn(out, key, mergePatch(own(out, key), v));
  }
  return out;
}

function messageIdV2(ctx: Ctx, m: Obj, raw: unknown): string {
  for (const candidate of [m.messageId, m.name, refName(raw, '/components/messages/')]) {
    if (typeof candidate === 'string' && candidate !== '') return candidate;
  }
  // The parser's name for these, so both name the same message alike.
  return `<anonymous-message-${++ctx.anonymous}>`;
}

/**
 * Adds a message to a channel's list, once (2.x lists a message used by both operations
 * twice); distinct messages that share an id are told apart as `id#2`, `id#3`, ...
 */
function addMessage(list: Message[], m: Message): string {
  const same = list.filter((o) => o.id === m.id || o.id.startsWith(`${m.id}#`));
  const key = canonicalJson(m);
  const existing = same.find((o) => canonicalJson({ ...o, id: m.id }) === key);
  if (existing) return existing.id;
  const id = same.length === 0 ? m.id : `${m.id}#${same.length + 1}`;
  list.push({ ...m, id });
  return id;
}

// ---- shared -------------------------------------------------------------------------

function message(ctx: Ctx, id: string, m: Obj, pointer: string): Message {
  const v2 = String(ctx.resolved.asyncapi).startsWith('2.');
  // 2.x: `schemaFormat` on the message; 3.x: a multi-format payload `{ schemaFormat, schema }`.
  let payload = m.payload;
  let payloadPointer = schemaSource(ctx, pointer, 'payload');
  let format = v2 && typeof m.schemaFormat === 'string' ? m.schemaFormat : undefined;
  if (!v2 && isObject(payload) && typeof payload.schemaFormat === 'string' && 'schema' in payload) {
    format = payload.schemaFormat;
    payload = payload.schema;
    payloadPointer = payloadPointer === undefined ? undefined : appendPointer(payloadPointer, 'schema');
  }
  let headers = m.headers;
  let headersPointer = schemaSource(ctx, pointer, 'headers');
  if (!v2 && isObject(headers) && typeof headers.schemaFormat === 'string' && 'schema' in headers) {
    headers = headers.schema;
    headersPointer = headersPointer === undefined ? undefined : appendPointer(headersPointer, 'schema');
  }
  const contentType = m.contentType ?? ctx.resolved.defaultContentType;
  const correlation = isObject(m.correlationId) ? m.correlationId : undefined;
  return {
    id,
    pointer,
    ...(payload !== undefined && payloadPointer !== undefined ? { payloadPointer } : {}),
    ...(headers !== undefined && headersPointer !== undefined ? { headersPointer } : {}),
    ...opt('name', m.name),
    ...opt('title', m.title),
    ...opt('contentType', contentType),
    ...(format !== undefined && !isJsonSchemaFormat(format) ? { schemaFormat: format } : {}),
    ...(payload !== undefined ? { payload: ctx.bundle(payload) } : {}),
    ...(headers !== undefined ? { headers: ctx.bundle(headers) } : {}),
    ...(correlation && typeof correlation.location === 'string'
      ? { correlationId: { location: correlation.location, ...opt('description', correlation.description) } }
      : {}),
    bindings: bindings(ctx, m.bindings),
  };
}

function server(ctx: Ctx, id: string, s: Obj, host: string): Server {
  return {
    id,
    protocol: String(s.protocol ?? ''),
    ...opt('protocolVersion', s.protocolVersion),
    host,
    ...opt('pathname', s.pathname),
    bindings: bindings(ctx, s.bindings),
  };
}

/** Binding objects as plain JSON; schemas inside them (a Kafka key) made self-contained. */
function bindings(ctx: Ctx, value: unknown): Bindings {
  const out: Bindings = {};
  for (const [protocol, binding] of entries(value)) setOwn(out, protocol, ctx.bundle(binding) as Obj);
  return out;
}

const extensions = (o: Obj) => Object.fromEntries(Object.entries(o).filter(([k]) => k.startsWith('x-')));

/** The literal pointer of a path (see literalPointer); the path itself if it leads nowhere. */
function at(ctx: Ctx, pointer: string): string {
  return literalPointer(ctx.document, pointer) ?? pointer;
}

/**
 * Where a message's `payload` or `headers` is written: in the message, or in the one trait
 * that sets it. Undefined when traits and message both set it (it is then a merge).
 */
function schemaSource(ctx: Ctx, messagePointer: string, key: string): string | undefined {
  const written = resolvePointer(ctx.document, messagePointer);
  if (!isObject(written)) return undefined;
  const sources: string[] = [];
  if (key in written) sources.push(appendPointer(messagePointer, key));
  if (Array.isArray(written.traits)) {
    written.traits.forEach((_, i) => {
      const trait = at(ctx, appendPointer(messagePointer, 'traits', i));
      const value = resolvePointer(ctx.document, trait);
      if (isObject(value) && key in value) sources.push(appendPointer(trait, key));
    });
  }
  return sources.length === 1 ? at(ctx, sources[0]!) : undefined;
}

/** The object at a path of the document as written, following a reference at its end. */
function written(ctx: Ctx, path: string[]): Obj {
  let node: unknown = ctx.document;
  for (const key of path) node = isObject(node) ? follow(ctx, node[key]) : undefined;
  return isObject(node) ? node : {};
}

function follow(ctx: Ctx, node: unknown): unknown {
  for (let hops = 0; hops < 32 && isObject(node) && typeof node.$ref === 'string'; hops++) {
    const target = internalTarget(node.$ref);
    if (target === undefined) break;
    node = resolvePointer(ctx.document, target);
  }
  return node;
}

/** The name a reference ends with after `marker`, e.g. `#/channels/a~1b` -> `a/b`. */
function refName(node: unknown, marker: string): string | undefined {
  if (!isObject(node) || typeof node.$ref !== 'string') return undefined;
  const target = internalTarget(node.$ref) ?? '';
  const at = target.lastIndexOf(marker);
  if (at < 0) return undefined;
  const rest = target.slice(at + marker.length);
  return rest.includes('/') ? undefined : rest.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** An operation's channel id: from its reference, else the root channel it equals. */
function channelId(ctx: Ctx, raw: unknown, resolvedChannel: unknown, channels: Channel[]): string {
  const named = refName(raw, '/channels/');
  if (named !== undefined && isObject(raw) && String(raw.$ref).startsWith('#/channels/')) return named;
  // By content digests, computed once per object: a channel may be large, and many operations may name it.
  const key = shapeOf(resolvedChannel ?? null).hash;
  const match = entries(ctx.resolved.channels).find(([, c]) => shapeOf(c).hash === key);
  return match?.[0] ?? named ?? channels[0]?.id ?? '';
}

/** A property the object itself has; never one it inherits (`constructor`, `toString`, ...). */
const own = (o: Obj, key: string): unknown => (Object.hasOwn(o, key) ? o[key] : undefined);

/** RFC 7386 JSON merge patch, as the parser applies traits. */
export function mergePatch(origin: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const result: Obj = isObject(origin) ? { ...origin } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else setOwn(result, key, mergePatch(own(result, key), value));
  }
  return result;
}

function entries(value: unknown): Array<[string, Obj]> {
  return isObject(value) ? (Object.entries(value).filter(([k, v]) => !k.startsWith('x-') && isObject(v)) as Array<[string, Obj]>) : [];
}

const opt = <K extends string>(key: K, value: unknown): { [P in K]?: string } => (typeof value === 'string' ? ({ [key]: value } as { [P in K]: string }) : {});

function clean(o: Obj): Obj {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
