/**
 * Relay mode, for producers that write to a broker directly: consume a raw topic or queue,
 * judge each message against the contract, and route it to the channel's destination or
 * DLQ, at least once: a message counts as consumed (Kafka offset committed, AMQP ack) only
 * after its routed write is acknowledged. The source broker may differ from the destination's.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Broker, IncomingMessage, Subscription } from '../brokers/broker.js';
import { HeraldError } from '../errors.js';
import type { Gateway } from './gateway.js';
import { ParameterError, nestingExceeds, resolveDestination, type MessageError } from './judge.js';
import { dictionary, type Route } from './routing.js';

export interface RelayOptions {
  contract: string;
  channel: string;
  version?: number;
  /** The topic or queue to consume. */
  from: string;
  /** Kafka consumer group (ignored for RabbitMQ). */
  group: string;
}

/** Headers Herald sets itself, and a DLQ's, are not the message's own. */
const OWN = /^(?:content-type|herald\..*)$/i;

export async function startRelay(gateway: Gateway, source: Broker, options: RelayOptions, log: Logger): Promise<Subscription> {
  // Fails early, before consuming, for an unknown contract or channel, or one whose address
  // needs parameters: relayed messages have none, so each must have a usable default.
  const first = await gateway.route(options.contract, options.channel, options.version);
  try {
    resolveDestination(first, {}, gateway.limits);
  } catch (err) {
    if (!(err instanceof ParameterError)) throw err;
    throw new HeraldError('bad-request', `Relay mode cannot route channel "${options.channel}": relayed messages carry no channel parameters, so each needs a default that makes a legal destination. ${err.message}`);
  }
  const stopping = new AbortController();
  const active = new Set<Promise<void>>();
  const subscription = await source.consume(options.from, options.group, (incoming) => {
    const handling = routeOne(incoming).finally(() => active.delete(handling));
    active.add(handling);
    return handling;
  });
  /** Routes one message, retrying until it is routed or the relay stops. */
  async function routeOne(incoming: IncomingMessage): Promise<void> {
    for (let attempt = 1, delay = 200; ; attempt++, delay = Math.min(delay * 2, 5000)) {
      // Unrouted at shutdown: left unconsumed, for the next relay to take.
      if (stopping.signal.aborted) throw new Error('relay stopping');
      try {
        const route = await gateway.route(options.contract, options.channel, options.version);
        await gateway.publish({
          contract: options.contract,
          channel: options.channel,
          ...(options.version !== undefined ? { version: options.version } : {}),
          body: incoming.value,
          ...(incoming.key !== undefined ? { key: incoming.key } : {}),
          ...typedHeaders(route, incoming, gateway.limits.maxDepth),
          parameters: {},
        });
        return;
      } catch (err) {
        // Not consumed until it is routed: retry (the broker is back, or the contract is provisioned).
        const why = err instanceof HeraldError ? err.message : (err as Error).message;
        log.warn({ attempt, retryInMs: delay, from: options.from, err: why }, 'relay could not route a message; retrying');
        // Stopping cuts the wait short.
        await sleep(delay, undefined, { signal: stopping.signal }).catch(() => {});
      }
    }
  }
  return {
    /** Stops consuming and waits for the messages in hand to be routed or given back. */
    async stop() {
      stopping.abort();
      await subscription.stop();
      await Promise.allSettled([...active]);
    },
  };
}

/**
 * Broker headers are text; a header the contract types as number, boolean, object or array is
 * read as JSON, unless it nests deeper than the limit: then it stays text and the message is
 * malformed. Header names are the producer's: `__proto__` or `toString` are ordinary names.
 */
function typedHeaders(route: Route, incoming: IncomingMessage, maxDepth: number): { headers: Record<string, unknown>; malformed?: MessageError } {
  const headers = dictionary<unknown>();
  let malformed: MessageError | undefined;
  for (const [name, text] of Object.entries(incoming.headers)) {
    if (OWN.test(name)) continue;
    headers[name] = text;
    const types = route.messages.flatMap((m) => (Object.hasOwn(m.headerTypes, name) ? m.headerTypes[name]! : []));
    if (types.length === 0 || types.includes('string')) continue;
    if (nestingExceeds(Buffer.from(text), maxDepth)) {
      malformed ??= { in: 'headers', pointer: `/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`, message: `The header nests deeper than ${maxDepth} levels (HERALD_MESSAGE_MAX_DEPTH).` };
      continue;
    }
    try {
      headers[name] = JSON.parse(text);
    } catch {
      // not JSON: the text is judged
    }
  }
  return { headers, ...(malformed ? { malformed } : {}) };
}
