/**
 * Prometheus metrics (prom-client), one registry per Herald process so tests and embedded
 * uses do not collide on the global one.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BrokerKind } from '../brokers/broker.js';

/** routed, dead_lettered, or why the gateway answered without placing the message. */
export type Outcome = 'routed' | 'dead_lettered' | 'rejected' | 'failed' | 'unknown';

export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly messages: Counter<'contract' | 'channel' | 'outcome'>;
  private readonly durations: Histogram<'broker' | 'outcome'>;

  constructor(brokers: () => { kind: BrokerKind; connected(): boolean }[]) {
    collectDefaultMetrics({ register: this.registry });
    this.messages = new Counter({
      name: 'herald_gateway_messages_total',
      help: 'Messages the gateway handled, by contract, channel and outcome (routed, dead_lettered, rejected, failed, unknown).',
      labelNames: ['contract', 'channel', 'outcome'],
      registers: [this.registry],
    });
    this.durations = new Histogram({
      name: 'herald_gateway_publish_duration_seconds',
      help: 'From receiving a message to the broker acknowledging it (or its dead letter), by broker and outcome.',
      labelNames: ['broker', 'outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    new Gauge({
      name: 'herald_broker_connected',
      help: '1 while the gateway holds a working connection to the broker, else 0.',
      labelNames: ['broker'],
      registers: [this.registry],
      collect() {
        for (const b of brokers()) this.set({ broker: b.kind }, b.connected() ? 1 : 0);
      },
    });
  }

  count(contract: string, channel: string, outcome: Outcome, n: number): void {
    this.messages.inc({ contract, channel, outcome }, n);
  }

  /** This process's message counts for one contract, by channel and outcome (for the docs' gateway panel). */
  async outcomes(contract: string): Promise<Map<string, Partial<Record<Outcome, number>>>> {
    const out = new Map<string, Partial<Record<Outcome, number>>>();
    for (const { labels, value } of (await this.messages.get()).values) {
      if (labels.contract !== contract || typeof labels.channel !== 'string') continue;
      const counts = out.get(labels.channel) ?? {};
      counts[labels.outcome as Outcome] = (counts[labels.outcome as Outcome] ?? 0) + value;
      out.set(labels.channel, counts);
    }
    return out;
  }

  latency(broker: BrokerKind, outcome: Outcome, seconds: number): void {
    this.durations.observe({ broker, outcome }, seconds);
  }
}
