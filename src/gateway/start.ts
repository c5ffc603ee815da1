/** Builds a gateway from Herald's configuration: broker addresses come from there only. */
import type { Logger } from 'pino';
import { RabbitBroker } from '../brokers/amqp.js';
import { KafkaBroker } from '../brokers/kafka.js';
import type { GatewayConfig } from '../config.js';
import { Gateway } from './gateway.js';
import type { ContractSource } from './source.js';

export function createGateway(config: GatewayConfig, source: ContractSource, log: Logger): Gateway {
  const kafka = config.kafkaBrokers ? new KafkaBroker(config.kafkaBrokers, log.child({ broker: 'kafka' })) : undefined;
  const rabbitmq = config.amqpUrl ? new RabbitBroker(config.amqpUrl, log.child({ broker: 'rabbitmq' })) : undefined;
  // Connect in the background: Herald serves (and /readyz says what is down) while a broker is away.
  for (const broker of [kafka, rabbitmq]) broker?.connect().catch((err: unknown) => log.warn({ err }, 'broker connection stopped'));
  return new Gateway(source, { ...(kafka ? { kafka } : {}), ...(rabbitmq ? { rabbitmq } : {}) }, config, log);
}
