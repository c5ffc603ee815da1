/**
 * Which channel, message and operation of one version is which in the other. Keys are not
 * identity: a 2.6 -> 3.0 migration made with the official converter keeps every message but
 * renames its key (`subscribe.message`), and a 3.x channel key may change while its address
 * stays. Matching by key alone would report such a migration as messages removed and added.
 *
 * Channels pair by id, then by address. Messages of a channel (or of a reply that lists
 * messages its channel does not carry) pair by id (3.x: the key; 2.x: messageId, else name,
 * else component key), then `name`, then the component they are written as, then as the only
 * message left on that channel in that direction when neither names it otherwise. Operations pair by id, then as the only one left on that channel with
 * that action. Each step pairs only what is unambiguous on both sides.
 */
import type { Channel, Contract, Message, Operation } from '../contracts/model.js';
import type { Direction } from './types.js';

export interface Matching {
  /** Old channel id -> new channel id. */
  channels: Map<string, string>;
  /** Per old channel id: old message id -> new message id. */
  messages: Map<string, Map<string, string>>;
  /** Old operation id -> new operation id. */
  operations: Map<string, string>;
}

const key = (channel: string, message: string) => `${channel}\u0000${message}`;

/** For each message of each channel, the directions it flows from the application's point of view. */
export function messageFlows(contract: Contract): Map<string, Set<Direction>> {
  const flows = new Map<string, Set<Direction>>();
  const add = (channel: string, message: string, direction: Direction) => {
    const k = key(channel, message);
    flows.set(k, (flows.get(k) ?? new Set()).add(direction));
  };
  for (const op of contract.operations) {
    // Sending is checked FORWARD (readers are behind); receiving BACKWARD.
    for (const m of op.messages) add(op.channel, m, op.action === 'send' ? 'FORWARD' : 'BACKWARD');
    // A reply flows the other way: an application that sends a request receives the reply.
    if (op.reply?.channel) for (const m of op.reply.messages) add(op.reply.channel, m, op.action === 'send' ? 'BACKWARD' : 'FORWARD');
  }
  return flows;
}

export function matchContracts(old: Contract, neu: Contract): Matching {
  const channels = pair(
    old.channels,
    neu.channels,
    (c) => c.id,
    [(c) => c.address ?? undefined],
  );
  const flowsOld = messageFlows(old);
  const flowsNew = messageFlows(neu);
  const flow = (flows: Map<string, Set<Direction>>, channel: string) => (m: Message) => [...(flows.get(key(channel, m.id)) ?? [])].sort().join('+') || 'none';
  const messages = new Map<string, Map<string, string>>();
  const newChannels = channelsOf(neu);
  const oldChannels = channelsOf(old);
  for (const [a, b] of channels) {
    const x = oldChannels.get(a)!;
    const y = newChannels.get(b)!;
    messages.set(a, matchMessages(x.messages, y.messages, flow(flowsOld, x.id), flow(flowsNew, y.id)));
  }
  const channelOf = (id: string) => channels.get(id) ?? `\u0000${id}`;
  const operations = pair(old.operations, neu.operations, (o) => o.id, [(o) => `${channelOf(o.channel)}\u0000${o.action}`], (o) => `${o.channel}\u0000${o.action}`);
  return { channels, messages, operations };
}

/** Messages of one place in each version; `flow` gives each message's direction there. */
export function matchMessages(a: Message[], b: Message[], flowA: (m: Message) => string, flowB: (m: Message) => string): Map<string, string> {
  const found = pair(a, b, (m) => m.id, [(m) => m.name, component]);
  // The last step: alone in its direction on both sides.
  const leftA = a.filter((m) => !found.has(m.id));
  const taken = new Set(found.values());
  const leftB = b.filter((m) => !taken.has(m.id));
  // A message whose `name` changed is another message (the name often travels as a type header).
  const namesA = new Map(leftA.map((m) => [m.id, m.name]));
  const namesB = new Map(leftB.map((m) => [m.id, m.name]));
  for (const [from, to] of pair(leftA, leftB, () => undefined, [flowA], flowB)) {
    const name = namesA.get(from);
    const other = namesB.get(to);
    if (name === undefined || other === undefined || name === other) found.set(from, to);
  }
  return found;
}

/**
 * Pairs `a` with `b` (by their ids) on equal ids, then on each further key in turn, where
 * a key value is held by exactly one unpaired item on each side. `keyOfNew` reads the last
 * key on the new side when it is computed differently there.
 */
function pair<T extends { id: string }>(
  a: T[],
  b: T[],
  id: (x: T) => string | undefined,
  keys: Array<(x: T) => string | undefined>,
  keyOfNew?: (x: T) => string | undefined,
): Map<string, string> {
  const out = new Map<string, string>();
  const taken = new Set<string>();
  const ids = new Set(b.map(id).filter((x) => x !== undefined));
  for (const x of a) {
    const i = id(x);
    if (i !== undefined && ids.has(i)) {
      out.set(x.id, i);
      taken.add(i);
    }
  }
  keys.forEach((keyOf, step) => {
    const keyB = step === keys.length - 1 && keyOfNew ? keyOfNew : keyOf;
    const unique = <U extends T>(list: U[], k: (x: T) => string | undefined) => {
      const seen = new Map<string, U | null>();
      for (const x of list) {
        const v = k(x);
        if (v !== undefined && v !== '') seen.set(v, seen.has(v) ? null : x);
      }
      return seen;
    };
    const left = unique(a.filter((x) => !out.has(x.id)), keyOf);
    const right = unique(b.filter((x) => !taken.has(x.id)), keyB);
    for (const [v, x] of left) {
      const y = right.get(v);
      if (!x || !y) continue;
      out.set(x.id, y.id);
      taken.add(y.id);
    }
  });
  return out;
}

/** By id: parts of one version, as the comparison looks them up. */
export const byId = <T extends { id: string }>(list: T[]) => new Map<string, T>(list.map((x) => [x.id, x]));

/** A contract's channels and operations by id, built once per contract. */
const indexes = new WeakMap<Contract, { channels: Map<string, Channel>; operations: Map<string, Operation> }>();
function indexOf(contract: Contract) {
  let index = indexes.get(contract);
  if (!index) indexes.set(contract, (index = { channels: byId(contract.channels), operations: byId(contract.operations) }));
  return index;
}
export const channelsOf = (contract: Contract) => indexOf(contract).channels;
export const operationsOf = (contract: Contract) => indexOf(contract).operations;

/** The key under `components.messages` a message is written as (its pointer follows references). */
export function component(m: Message): string | undefined {
  const k = /^\/components\/messages\/([^/]+)$/.exec(m.pointer)?.[1];
  return k?.replace(/~1/g, '/').replace(/~0/g, '~');
}
