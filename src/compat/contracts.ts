/**
 * Contract-level comparison: channels, operations, messages, their schemas (through
 * schemas.ts), content types, correlation ids, Kafka and AMQP bindings and replies.
 * Every change carries a scope (channel, message, operation) so AUTO can tell whether the
 * application sends or receives what changed.
 */
import { canonicalJson } from '../contracts/canonical.js';
import type { Channel, Contract, JsonSchema, Message, Operation } from '../contracts/model.js';
import { appendPointer, isObject } from '../contracts/pointer.js';
import { resolvePointer } from '../contracts/refs.js';
import { BOTH, type Change, type Direction, type Policy, type Scope } from './types.js';
import { change, dirs, q } from './change.js';
import type { Kind } from './kinds.js';
import { Budget, unlimited } from './budget.js';
import { nodeAt } from './node.js';
import { Comparer } from './schemas.js';

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
}

export function compareContracts(old: ContractVersion, neu: ContractVersion, policy: Policy, budget: Budget = unlimited()): Change[] {
  const session: Session = { policy, budget, inDocuments: new Comparer(policy, old.document, neu.document, budget) };
  return [...channels(old, neu, session), ...operations(old.contract, neu.contract)];
}

const scoped = (changes: Change[], scope: Scope) => changes.map((c) => ({ ...c, scope: { ...scope, ...c.scope } }));

const byId = <T extends { id: string }>(list: T[]) => new Map(list.map((x) => [x.id, x]));

function channels(old: ContractVersion, neu: ContractVersion, session: Session): Change[] {
  const out: Change[] = [];
  const a = byId(old.contract.channels);
  const b = byId(neu.contract.channels);
  for (const [id, x] of a) {
    const y = b.get(id);
    if (!y) {
      out.push({ ...change('CHANNEL_REMOVED', BOTH, x.pointer, '/channels', `Channel ${q(id)} was removed, and its counterparts lose it`), scope: { channel: id } });
      continue;
    }
    if (x.address !== y.address) {
      out.push({ ...change('CHANNEL_ADDRESS_CHANGED', BOTH, appendPointer(x.pointer, 'address'), appendPointer(y.pointer, 'address'), `Channel ${q(id)} moved from ${q(x.address)} to ${q(y.address)}`), scope: { channel: id } });
    }
    session.budget.scope = { channel: id };
    out.push(...scoped(parameters(old, neu, x, y, session), { channel: id }));
    out.push(...scoped(channelBindings(x, y), { channel: id }));
    out.push(...messages(old, neu, x, y, session));
  }
  for (const [id, y] of b) {
    if (!a.has(id)) out.push({ ...change('CHANNEL_ADDED', [], '/channels', y.pointer, `Channel ${q(id)} was added`), scope: { channel: id } });
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

function messages(old: ContractVersion, neu: ContractVersion, x: Channel, y: Channel, session: Session): Change[] {
  const out: Change[] = [];
  const a = byId(x.messages);
  const b = byId(y.messages);
  for (const [id, m] of a) {
    const r = b.get(id);
    const scope = { channel: x.id, message: id };
    if (!r) out.push({ ...change('MESSAGE_REMOVED', ['BACKWARD'], m.pointer, y.pointer, `Message ${q(id)} was removed from channel ${q(x.id)}`), scope });
    else {
      session.budget.scope = scope;
      out.push(...scoped(message(old, neu, m, r, session), scope));
    }
  }
  for (const [id, r] of b) {
    if (!a.has(id)) out.push({ ...change('MESSAGE_ADDED', ['FORWARD'], x.pointer, r.pointer, `Message ${q(id)} was added to channel ${q(y.id)}: new data there`), scope: { channel: y.id, message: id } });
  }
  return out;
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
  const ka = m.bindings.kafka?.key as JsonSchema | undefined;
  const kb = r.bindings.kafka?.key as JsonSchema | undefined;
  const keyBase = (x: Message) => appendPointer(x.pointer, 'bindings', 'kafka', 'key');
  if (ka !== undefined && kb !== undefined) out.push(...schemaChanges({ loc: { doc: ka, ptr: '' }, standalone: keyBase(m) }, { loc: { doc: kb, ptr: '' }, standalone: keyBase(r) }, session));
  else if (ka !== undefined) out.push(change('SCHEMA_REMOVED', ['FORWARD'], keyBase(m), r.pointer, 'The Kafka key schema was removed'));
  else if (kb !== undefined) out.push(change('SCHEMA_ADDED', ['BACKWARD'], m.pointer, keyBase(r), 'A Kafka key schema was added'));
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

function operations(a: Contract, b: Contract): Change[] {
  const out: Change[] = [];
  const x = byId(a.operations);
  const y = byId(b.operations);
  for (const [id, op] of x) {
    const other = y.get(id);
    const scope = { operation: id, channel: op.channel };
    if (!other) {
      out.push({ ...change('OPERATION_REMOVED', BOTH, op.pointer, '/operations', `Operation ${q(id)} was removed, and its counterparts lose it`), scope });
      continue;
    }
    if (op.action !== other.action) out.push({ ...change('OPERATION_ACTION_CHANGED', BOTH, appendPointer(op.pointer, 'action'), appendPointer(other.pointer, 'action'), `Operation ${q(id)} went from ${op.action} to ${other.action}`), scope });
    if (op.channel !== other.channel) {
      out.push({ ...change('OPERATION_CHANNEL_CHANGED', BOTH, appendPointer(op.pointer, 'channel'), appendPointer(other.pointer, 'channel'), `Operation ${q(id)} moved from channel ${q(op.channel)} to ${q(other.channel)}`), scope });
      continue;
    }
    out.push(...operationMessages(op, other, op.messages, other.messages, op.channel, 'OPERATION_MESSAGE_ADDED', 'OPERATION_MESSAGE_REMOVED', 'messages'));
    out.push(...reply(op, other));
  }
  for (const [id, op] of y) {
    if (!x.has(id)) out.push({ ...change('OPERATION_ADDED', [], '/operations', op.pointer, `Operation ${q(id)} was added`), scope: { operation: id, channel: op.channel } });
  }
  return out;
}

/** A message an operation (or its reply) handles, added or removed: new data, or data gone. */
function operationMessages(op: Operation, other: Operation, before: string[], after: string[], channel: string, added: Kind, removed: Kind, where: string): Change[] {
  const out: Change[] = [];
  const gone: Direction[] = ['BACKWARD'];
  const fresh: Direction[] = ['FORWARD'];
  for (const m of before.filter((m) => !after.includes(m))) {
    out.push({ ...change(removed, gone, appendPointer(op.pointer, where), appendPointer(other.pointer, where), `Operation ${q(op.id)} no longer handles ${q(m)}`), scope: { operation: op.id, channel, message: m } });
  }
  for (const m of after.filter((m) => !before.includes(m))) {
    out.push({ ...change(added, fresh, appendPointer(op.pointer, where), appendPointer(other.pointer, where), `Operation ${q(op.id)} now handles ${q(m)}`), scope: { operation: op.id, channel, message: m } });
  }
  return out;
}

function reply(op: Operation, other: Operation): Change[] {
  const a = op.reply;
  const b = other.reply;
  const scope = { operation: op.id, channel: op.channel };
  const path = (o: Operation) => appendPointer(o.pointer, 'reply');
  if (!a && !b) return [];
  if (!a) return [{ ...change('REPLY_ADDED', [], op.pointer, path(other), `Operation ${q(op.id)} now has a reply`), scope }];
  if (!b) return [{ ...change('REPLY_REMOVED', BOTH, path(op), other.pointer, `Operation ${q(op.id)} no longer has a reply`), scope }];
  const out: Change[] = [];
  if (a.channel !== b.channel) out.push({ ...change('REPLY_CHANNEL_CHANGED', BOTH, path(op), path(other), `The reply of ${q(op.id)} moved from channel ${q(a.channel ?? null)} to ${q(b.channel ?? null)}`), scope });
  if (a.addressLocation !== b.addressLocation) {
    out.push({ ...change('REPLY_ADDRESS_CHANGED', BOTH, path(op), path(other), `The reply address of ${q(op.id)} went from ${q(a.addressLocation ?? null)} to ${q(b.addressLocation ?? null)}`), scope });
  }
  if (a.channel === b.channel && b.channel) {
    out.push(...operationMessages(op, other, a.messages, b.messages, b.channel, 'REPLY_MESSAGE_ADDED', 'REPLY_MESSAGE_REMOVED', 'reply'));
  }
  return out;
}
