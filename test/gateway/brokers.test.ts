/** `npm run brokers:up` is idempotent: with both brokers up (the global setup saw to it), it starts nothing. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { portOpen } from '../../scripts/brokers.js';

it('brokers:up leaves running brokers alone and says so', async () => {
  const { stdout } = await promisify(execFile)('npm', ['run', '--silent', 'brokers:up']);
  expect(stdout).toBe('Kafka 3.9.1 on 127.0.0.1:9092: already running\nRabbitMQ on 127.0.0.1:5672: already running\n');
  expect(await portOpen(9092)).toBe(true);
  expect(await portOpen(5672)).toBe(true);
});
