/**
 * Global setup: the gateway tests run against a real Kafka and a real RabbitMQ. This makes
 * sure both answer (starting them as `npm run brokers:up` does) and stops, afterwards, only
 * what it started.
 */
import { startKafka, startRabbit, stopKafka, stopRabbit } from '../../scripts/brokers.js';

export default async function setup(): Promise<() => Promise<void>> {
  const [kafka, rabbit] = await Promise.all([startKafka(), startRabbit()]);
  return async () => {
    if (kafka) await stopKafka();
    if (rabbit) await stopRabbit();
  };
}
