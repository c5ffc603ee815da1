/**
 * Contract-level comparison: channels, operations, messages, their schemas (through
 * schemas.ts), content types, correlation ids, Kafka and AMQP bindings and replies.
 * Every change carries a scope (channel, message, operation) so AUTO can tell whether the
 * application sends or receives what changed.
 */
import { canonicalJson } from '../contracts/canonical.js';
import type { Bindings, Channel, Contract, JsonSchema, Message, Operation } from '../contracts/model.js';
import { appendPointer, isObject } from '../contracts/pointer.js';
import { resolvePointer } from '../contracts/refs.js';
import { BOTH, type Change, type Direction, type Policy, type Scope } from './types.js';
import { change, dirs, q } from './change.js';
import type { Kind } from './kinds.js';
import { Budget, unlimited } from './budget.js';
import { nodeAt } from './node.js';
import { Comparer } from './schemas.js';
import { byId, channelsOf, component, matchContracts, matchMessages, operationsOf, type Matching } from './match.js';

/** A version as the engine needs it: the document (for schema places) and its model. */
export interface ContractVersion {
  document: unknown;
  contract: Contract;
}

/** What one comparison of two versions shares: its budget, and one comparer for schemas in the documents. */
interface Session {
  policy: Policy;
  budget: Budget;
  inDocuments: Comparer;
  matching: Matching;
  /**
   * Reply messages that moved onto (`+id`) or off (`-id`) their reply channel, by channel:
   * their content is compared with the reply, so the channel's MESSAGE_ADDED or _REMOVED for
   * them says nothing.
   */
  moved: Set<string>;
}

export function compareContracts(old: ContractVersion, neu: ContractVersion, policy: Policy, budget: Budget = unlimited(), matching = matchContracts(old.contract, neu.contract)): Change[] {
  const session: Session = { policy, budget, inDocuments: new Comparer(policy, old.document, neu.document, budget), matching, moved: new Set() };
  const onChannels = channels(old, neu, session);
  const onOperations = operations(old, neu, session);
  const moved = (c: Change) =>
    (c.kind === 'MESSAGE_ADDED' && session.moved.has(`${c.scope?.channel}\u0000+${c.scope?.message}`)) || (c.kind === 'MESSAGE_REMOVED' && session.moved.has(`${c.scope?.channel}\u0000-${c.scope?.message}`));
  return [...onChannels.filter((c) => !moved(c)), ...onOperations];
}

const scoped = (changes: Change[], scope: Scope) => changes.map((c) => ({ ...c, scope: { ...scope, ...c.scope } }));

function channels(old: ContractVersion, neu: ContractVersion, session: Session): Change[] {
  const out: Change[] = [];
  const b = channelsOf(neu.contract);
  const matched = new Set<string>();
  for (const x of old.contract.channels) {
    const y = b.get(session.matching.channels.get(x.id) ?? '');
    if (!y) {
      out.push({ ...change('CHANNEL_REMOVED', BOTH, x.pointer, '/channels', `Channel ${q(x.id)} was removed, and its counterparts lose it`), scope: { channel: x.id } });
      continue;
    }
    matched.add(y.id);
    const scope = { channel: y.id };
    if (x.id !== y.id) out.push({ ...change('CHANNEL_RENAMED', [], x.pointer, y.pointer, `Channel ${q(x.id)} is now ${q(y.id)}, at the same address ${q(y.address)}`), scope });
    if (x.address !== y.address) {
      out.push({ ...change('CHANNEL_ADDRESS_CHANGED', BOTH, appendPointer(x.pointer, 'address'), appendPointer(y.pointer, 'address'), `Channel ${q(x.id)} moved from ${q(x.address)} to ${q(y.address)}`), scope });
    }
    session.budget.scope = scope;
    out.push(...scoped(parameters(old, neu, x, y, session), scope));
    out.push(...scoped(channelBindings(x, y), scope));
    out.push(...scoped(bindingSchemas(CHANNEL_BINDING_SCHEMAS, x, y, session), scope));
    out.push(...messages(old, neu, x.messages, y.messages, session.matching.messages.get(x.id), session, scope, `channel ${q(y.id)}`, [x.pointer, y.pointer]));
  }
  for (const y of neu.contract.channels) {
    if (!matched.has(y.id)) out.push({ ...change('CHANNEL_ADDED', [], '/channels', y.pointer, `Channel ${q(y.id)} was added`), scope: { channel: y.id } });
  }
  return out;
}

/** Where a schema is: in the document, or (merged from traits, or synthesized) on its own. */
interface Placed {
  loc: { doc: unknown; ptr: string };
  /** For a schema on its own: the document pointer its paths are shown under. */
  standalone?: string;
}

function locate(version: ContractVersion, pointer: string | undefined, schema: JsonSchema | undefined, base: string): Placed | undefined {
  if (schema === undefined) return undefined;
  if (pointer !== undefined && resolvePointer(version.document, pointer) !== undefined) return { loc: { doc: version.document, ptr: pointer } };
  return { loc: { doc: schema, ptr: '' }, standalone: base };
}

function schemaChanges(old: Placed, neu: Placed, session: Session): Change[] {
  const rebase = (path: string, placed: Placed) => (placed.standalone === undefined ? path : placed.standalone + path);
  const inDocuments = old.standalone === undefined && neu.standalone === undefined;
  const comparer = inDocuments ? session.inDocuments : new Comparer(session.policy, old.loc.doc, neu.loc.doc, session.budget);
  const changes = comparer.node(nodeAt(old.loc), nodeAt(neu.loc), old.loc.ptr, neu.loc.ptr);
  return inDocuments ? changes : changes.map((c) => ({ ...c, oldPath: rebase(c.oldPath, old), newPath: rebase(c.newPath, neu) }));
}

function parameters(old: ContractVersion, neu: ContractVersion, x: Channel, y: Channel, session: Session): Change[] {
  const out: Change[] = [];
  const b = new Map(y.parameters.map((p) => [p.name, p]));
  for (const p of x.parameters) {
    const r = b.get(p.name);
    if (!r) continue; // a parameter follows its placeholder: the address change says it all
    // 2.x parameters hold a schema; 3.x ones are described by enum and default, a synthesized schema.
    const schemaOf = (version: ContractVersion, pointer: string) => {
      const written = resolvePointer(version.document, pointer);
      return isObject(written) && 'schema' in written ? appendPointer(pointer, 'schema') : undefined;
    };
    const lo = locate(old, schemaOf(old, p.pointer), p.schema, p.pointer);
    const ln = locate(neu, schemaOf(neu, r.pointer), r.schema, r.pointer);
    if (lo && ln) out.push(...schemaChanges(lo, ln, session));
  }
  return out;
}

/**
 * The messages of one place (a channel, or the off-channel messages of a reply), paired
 * by `pairs` (old id -> new id): each pair compared, the rest removed or added.
 */
function messages(old: ContractVersion, neu: ContractVersion, a: Message[], b: Message[], pairs: Map<string, string> | undefined, session: Session, place: Scope, where: string, [oldAt, newAt]: [string, string]): Change[] {
  const out: Change[] = [];
  const byNew = byId(b);
  const matched = new Set<string>();
  for (const m of a) {
    const r = byNew.get(pairs?.get(m.id) ?? '');
    if (!r) {
      out.push({ ...change('MESSAGE_REMOVED', ['BACKWARD'], m.pointer, newAt, `Message ${q(m.id)} was removed from ${where}`), scope: { ...place, message: m.id } });
      continue;
    }
    matched.add(r.id);
    const scope = { ...place, message: r.id };
    if (m.id !== r.id) out.push({ ...change('MESSAGE_RENAMED', [], m.pointer, r.pointer, `Message ${q(m.id)} of ${where} is now ${q(r.id)} (the same message, by its ${sameBy(m, r)}); publishers that name it use the new id`), scope });
    session.budget.scope = scope;
    out.push(...scoped(message(old, neu, m, r, session), scope));
  }
  for (const r of b) {
    if (!matched.has(r.id)) out.push({ ...change('MESSAGE_ADDED', ['FORWARD'], oldAt, r.pointer, `Message ${q(r.id)} was added to ${where}: new data there`), scope: { ...place, message: r.id } });
  }
  return out;
}

/** What two messages with different ids were matched by, for the report. */
function sameBy(m: Message, r: Message): string {
  if (m.name !== undefined && m.name === r.name) return `name ${q(m.name)}`;
  const key = component(m);
  if (key !== undefined && key === component(r)) return `component ${m.pointer}`;
  return 'place: the only message there in its direction';
}

function message(old: ContractVersion, neu: ContractVersion, m: Message, r: Message, session: Session): Change[] {
  const out: Change[] = [];
  for (const part of ['payload', 'headers'] as const) {
    const pointerKey = part === 'payload' ? 'payloadPointer' : 'headersPointer';
    const oBase = m[pointerKey] ?? appendPointer(m.pointer, part);
    const nBase = r[pointerKey] ?? appendPointer(r.pointer, part);
    const lo = locate(old, m[pointerKey], m[part], oBase);
    const ln = locate(neu, r[pointerKey], r[part], nBase);
    if (part === 'payload' && (m.schemaFormat || r.schemaFormat)) {
      if (m.schemaFormat !== r.schemaFormat) out.push(change('SCHEMA_FORMAT_CHANGED', BOTH, oBase, nBase, `The payload went from ${m.schemaFormat ?? 'JSON Schema'} to ${r.schemaFormat ?? 'JSON Schema'}`));
      else if (canonicalJson(m.payload ?? null) !== canonicalJson(r.payload ?? null)) out.push(change('NON_JSON_SCHEMA_CHANGED', BOTH, oBase, nBase, `The ${m.schemaFormat} payload changed, and Herald compares JSON Schema only`));
      continue;
    }
    if (lo && ln) out.push(...schemaChanges(lo, ln, session));
    else if (lo) out.push(change('SCHEMA_REMOVED', ['FORWARD'], oBase, r.pointer, `The ${part} schema was removed: any ${part} is accepted now`));
    else if (ln) out.push(change('SCHEMA_ADDED', ['BACKWARD'], m.pointer, nBase, `A ${part} schema was added where any ${part} was accepted`));
  }
  if ((m.contentType ?? null) !== (r.contentType ?? null)) {
    out.push(change('CONTENT_TYPE_CHANGED', BOTH, appendPointer(m.pointer, 'contentType'), appendPointer(r.pointer, 'contentType'), `The content type went from ${q(m.contentType ?? null)} to ${q(r.contentType ?? null)}`));
  }
  const ca = m.correlationId?.location;
  const cb = r.correlationId?.location;
  if (ca !== cb) {
    const kind: Kind = !ca ? 'CORRELATION_ID_ADDED' : !cb ? 'CORRELATION_ID_REMOVED' : 'CORRELATION_ID_CHANGED';
    // Readers on the new version look for the id where old writers may not put it, and the other way round.
    out.push(change(kind, dirs(!!cb, !!ca), appendPointer(m.pointer, 'correlationId'), appendPointer(r.pointer, 'correlationId'), `The correlation id went from ${q(ca ?? null)} to ${q(cb ?? null)}`));
  }
  out.push(...bindingSchemas(MESSAGE_BINDING_SCHEMAS, m, r, session));
  return out;
}

/**
 * Binding fields that hold a schema of what a client sends: compared like payloads. The
 * WebSocket handshake's query and headers are written by the connecting client (judged as
 * received by the application); HTTP query parameters follow their operation's action;
 * message-level ones follow the message.
 */
const CHANNEL_BINDING_SCHEMAS: Array<[protocol: string, field: string, what: string]> = [
  ['ws', 'query', 'WebSocket handshake query'],
  ['ws', 'headers', 'WebSocket handshake headers'],
];
const OPERATION_BINDING_SCHEMAS: Array<[string, string, string]> = [['http', 'query', 'HTTP query']];
const MESSAGE_BINDING_SCHEMAS: Array<[string, string, string]> = [
  ['kafka', 'key', 'Kafka key'],
  ['http', 'headers', 'HTTP headers'],
  ['mqtt', 'correlationData', 'MQTT correlation data'],
  ['anypointmq', 'headers', 'Anypoint MQ headers'],
];

function bindingSchemas(fields: Array<[string, string, string]>, x: { pointer: string; bindings: Bindings }, y: { pointer: string; bindings: Bindings }, session: Session): Change[] {
  const out: Change[] = [];
  for (const [protocol, field, what] of fields) {
    const sa = x.bindings[protocol]?.[field] as JsonSchema | undefined;
    const sb = y.bindings[protocol]?.[field] as JsonSchema | undefined;
    const base = (o: { pointer: string }) => appendPointer(o.pointer, 'bindings', protocol, field);
    let found: Change[] = [];
    if (sa !== undefined && sb !== undefined) found = schemaChanges({ loc: { doc: sa, ptr: '' }, standalone: base(x) }, { loc: { doc: sb, ptr: '' }, standalone: base(y) }, session);
    else if (sa !== undefined) found = [change('SCHEMA_REMOVED', ['FORWARD'], base(x), y.pointer, `The ${what} schema was removed`)];
    else if (sb !== undefined) found = [change('SCHEMA_ADDED', ['BACKWARD'], x.pointer, base(y), `A ${what} schema was added`)];
    out.push(...scoped(found, { binding: protocol }));
  }
  return out;
}

function channelBindings(x: Channel, y: Channel): Change[] {
  const out: Change[] = [];
  const ka = x.bindings.kafka;
  const kb = y.bindings.kafka;
  const at = (c: Channel, ...path: string[]) => appendPointer(c.pointer, 'bindings', ...path);
  if (ka || kb) {
    const topic = (c: Channel) => (typeof c.bindings.kafka?.topic === 'string' ? c.bindings.kafka.topic : c.address);
    // An address change already says the topic moved, unless a binding pins the topic.
    if (topic(x) !== topic(y) && (ka?.topic !== undefined || kb?.topic !== undefined)) {
      out.push(change('KAFKA_TOPIC_CHANGED', BOTH, at(x, 'kafka', 'topic'), at(y, 'kafka', 'topic'), `The Kafka topic went from ${q(topic(x))} to ${q(topic(y))}`));
    }
    const pa = ka?.partitions;
    const pb = kb?.partitions;
    if (typeof pa === 'number' && typeof pb === 'number' && pa !== pb) {
      out.push(
        pb > pa
          ? change('KAFKA_PARTITIONS_INCREASED', [], at(x, 'kafka', 'partitions'), at(y, 'kafka', 'partitions'), `Partitions went from ${pa} to ${pb}; keyed messages keep their order only within a partition from then on`)
          : change('KAFKA_PARTITIONS_DECREASED', BOTH, at(x, 'kafka', 'partitions'), at(y, 'kafka', 'partitions'), `Partitions went from ${pa} to ${pb}, which Kafka cannot do to a topic`),
      );
    }
  }
  const aa = x.bindings.amqp;
  const ab = y.bindings.amqp;
  if (aa && ab) {
    const field = (kind: Kind, path: string[], what: string) => {
      const va = path.reduce<unknown>((o, k) => (isObject(o) ? o[k] : undefined), aa);
      const vb = path.reduce<unknown>((o, k) => (isObject(o) ? o[k] : undefined), ab);
      if (canonicalJson(va ?? null) !== canonicalJson(vb ?? null)) out.push(change(kind, BOTH, at(x, 'amqp', ...path), at(y, 'amqp', ...path), `${what} went from ${q(va ?? null)} to ${q(vb ?? null)}`));
    };
    field('AMQP_BINDING_KIND_CHANGED', ['is'], 'The AMQP binding kind (is)');
    field('AMQP_EXCHANGE_CHANGED', ['exchange', 'name'], 'The exchange');
    field('AMQP_EXCHANGE_TYPE_CHANGED', ['exchange', 'type'], 'The exchange type (RabbitMQ refuses to redeclare an exchange with another type)');
    field('AMQP_EXCHANGE_DURABILITY_CHANGED', ['exchange', 'durable'], 'Exchange durability (RabbitMQ refuses the redeclaration)');
    field('AMQP_EXCHANGE_AUTO_DELETE_CHANGED', ['exchange', 'autoDelete'], 'Exchange auto-delete (RabbitMQ refuses the redeclaration)');
    field('AMQP_QUEUE_CHANGED', ['queue', 'name'], 'The queue');
    field('AMQP_QUEUE_DURABILITY_CHANGED', ['queue', 'durable'], 'Queue durability (RabbitMQ refuses the redeclaration)');
    field('AMQP_QUEUE_EXCLUSIVE_CHANGED', ['queue', 'exclusive'], 'Queue exclusivity (RabbitMQ refuses the redeclaration)');
    field('AMQP_QUEUE_AUTO_DELETE_CHANGED', ['queue', 'autoDelete'], 'Queue auto-delete (RabbitMQ refuses the redeclaration)');
    const vhost = (b: Record<string, unknown>) => (isObject(b.exchange) ? b.exchange.vhost : undefined) ?? (isObject(b.queue) ? b.queue.vhost : undefined) ?? '/';
    if (vhost(aa) !== vhost(ab)) out.push(change('AMQP_VHOST_CHANGED', BOTH, at(x, 'amqp'), at(y, 'amqp'), `The virtual host went from ${q(vhost(aa))} to ${q(vhost(ab))}`));
  } else if (aa || ab) {
    out.push(change('AMQP_BINDING_KIND_CHANGED', BOTH, at(x, 'amqp'), at(y, 'amqp'), `The AMQP binding was ${aa ? 'removed' : 'added'}`));
  }
  return out;
}

function operations(old: ContractVersion, neu: ContractVersion, session: Session): Change[] {
  const out: Change[] = [];
  const { matching } = session;
  const y = operationsOf(neu.contract);
  const matched = new Set<string>();
  for (const op of old.contract.operations) {
    const other = y.get(matching.operations.get(op.id) ?? '');
    if (!other) {
      out.push({ ...change('OPERATION_REMOVED', BOTH, op.pointer, '/operations', `Operation ${q(op.id)} was removed, and its counterparts lose it`), scope: { operation: op.id, channel: matching.channels.get(op.channel) ?? op.channel } });
      continue;
    }
    matched.add(other.id);
    const scope = { operation: other.id, channel: other.channel };
    if (op.id !== other.id) out.push({ ...change('OPERATION_RENAMED', [], op.pointer, other.pointer, `Operation ${q(op.id)} is now ${q(other.id)}, on the same channel with the same action`), scope });
    if (op.action !== other.action) out.push({ ...change('OPERATION_ACTION_CHANGED', BOTH, appendPointer(op.pointer, 'action'), appendPointer(other.pointer, 'action'), `Operation ${q(op.id)} went from ${op.action} to ${other.action}`), scope });
    if (matching.channels.get(op.channel) !== other.channel) {
      out.push({ ...change('OPERATION_CHANNEL_CHANGED', BOTH, appendPointer(op.pointer, 'channel'), appendPointer(other.pointer, 'channel'), `Operation ${q(op.id)} moved from channel ${q(op.channel)} to ${q(other.channel)}`), scope });
      continue;
    }
    session.budget.scope = scope;
    out.push(...scoped(bindingSchemas(OPERATION_BINDING_SCHEMAS, op, other, session), scope));
    const renamed = (ids: string[]) => ids.map((m) => matching.messages.get(op.channel)?.get(m) ?? m);
    out.push(...operationMessages(op, other, renamed(op.messages), other.messages, other.channel, 'OPERATION_MESSAGE_ADDED', 'OPERATION_MESSAGE_REMOVED', 'messages'));
    out.push(...reply(old, neu, op, other, session));
  }
  for (const op of neu.contract.operations) {
    if (!matched.has(op.id)) out.push({ ...change('OPERATION_ADDED', [], '/operations', op.pointer, `Operation ${q(op.id)} was added`), scope: { operation: op.id, channel: op.channel } });
  }
  return out;
}

/** A message an operation (or its reply) handles, added or removed: new data, or data gone. */
function operationMessages(op: Operation, other: Operation, before: string[], after: string[], channel: string | undefined, added: Kind, removed: Kind, where: string): Change[] {
  const out: Change[] = [];
  const gone: Direction[] = ['BACKWARD'];
  const fresh: Direction[] = ['FORWARD'];
  const scope = (message: string): Scope => ({ operation: other.id, ...(channel !== undefined ? { channel } : {}), message, ...(where === 'reply' ? { reply: true } : {}) });
  for (const m of before.filter((m) => !after.includes(m))) {
    out.push({ ...change(removed, gone, appendPointer(op.pointer, where), appendPointer(other.pointer, where), `Operation ${q(op.id)} no longer handles ${q(m)}`), scope: scope(m) });
  }
  for (const m of after.filter((m) => !before.includes(m))) {
    out.push({ ...change(added, fresh, appendPointer(op.pointer, where), appendPointer(other.pointer, where), `Operation ${q(other.id)} now handles ${q(m)}`), scope: scope(m) });
  }
  return out;
}

function reply(old: ContractVersion, neu: ContractVersion, op: Operation, other: Operation, session: Session): Change[] {
  const a = op.reply;
  const b = other.reply;
  const scope = { operation: other.id, channel: other.channel };
  const path = (o: Operation) => appendPointer(o.pointer, 'reply');
  if (!a && !b) return [];
  if (!a) return [{ ...change('REPLY_ADDED', [], op.pointer, path(other), `Operation ${q(op.id)} now has a reply`), scope }];
  if (!b) return [{ ...change('REPLY_REMOVED', BOTH, path(op), other.pointer, `Operation ${q(op.id)} no longer has a reply`), scope }];
  const { matching } = session;
  const out: Change[] = [];
  const sameChannel = (a.channel === undefined ? undefined : matching.channels.get(a.channel)) === b.channel;
  if (!sameChannel) out.push({ ...change('REPLY_CHANNEL_CHANGED', BOTH, path(op), path(other), `The reply of ${q(op.id)} moved from channel ${q(a.channel ?? null)} to ${q(b.channel ?? null)}`), scope });
  if (a.addressLocation !== b.addressLocation) {
    out.push({ ...change('REPLY_ADDRESS_CHANGED', BOTH, path(op), path(other), `The reply address of ${q(op.id)} went from ${q(a.addressLocation ?? null)} to ${q(b.addressLocation ?? null)}`), scope });
  }
  if (!sameChannel) return out;
  // Every message the reply carries, on its channel or off it, paired across versions: a
  // message may move from a component reference onto the reply channel and stay the same.
  const carried = (version: ContractVersion, r: NonNullable<Operation['reply']>) => {
    const listed = new Set(r.messages);
    const onChannel = r.channel === undefined ? [] : (channelsOf(version.contract).get(r.channel)?.messages ?? []).filter((m) => listed.has(m.id));
    return { all: [...onChannel, ...(r.offChannel ?? [])], onChannel: new Set(onChannel) };
  };
  const ca = carried(old, a);
  const cb = carried(neu, b);
  const pairs = matchMessages(ca.all, cb.all, () => '', () => '');
  const byNew = new Map(cb.all.map((m) => [m.id, m]));
  out.push(...operationMessages(op, other, a.messages.map((m) => pairs.get(m) ?? m), b.messages, b.channel, 'REPLY_MESSAGE_ADDED', 'REPLY_MESSAGE_REMOVED', 'reply'));
  const place: Scope = { operation: other.id, ...(b.channel !== undefined ? { channel: b.channel } : {}), reply: true };
  for (const m of ca.all) {
    const r = byNew.get(pairs.get(m.id) ?? '');
    // Both on the reply channel: compared with the channel's messages.
    if (!r || (ca.onChannel.has(m) && cb.onChannel.has(r))) continue;
    const at = { ...place, message: r.id };
    if (ca.onChannel.has(m) !== cb.onChannel.has(r)) session.moved.add(`${b.channel}\u0000${cb.onChannel.has(r) ? `+${r.id}` : `-${m.id}`}`);
    session.budget.scope = at;
    out.push(...scoped(message(old, neu, m, r, session), at));
  }
  return out;
}
