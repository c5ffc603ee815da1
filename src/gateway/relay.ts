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
import type { Route } from './routing.js';

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
  // Fails early, before consuming, for an unknown contract or channel.
  await gateway.route(options.contract, options.channel, options.version);
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
          headers: typedHeaders(route, incoming),
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

/** Broker headers are text; a header the contract types as number, boolean, object or array is read as JSON. */
function typedHeaders(route: Route, incoming: IncomingMessage): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, text] of Object.entries(incoming.headers)) {
    if (OWN.test(name)) continue;
    const types = route.messages.flatMap((m) => m.headerTypes[name] ?? []);
    if (types.length === 0 || types.includes('string')) {
      out[name] = text;
      continue;
    }
    try {
      out[name] = JSON.parse(text);
    } catch {
      out[name] = text;
    }
  }
  return out;
}
