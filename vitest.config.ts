import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Kafka and RabbitMQ for the gateway tests, as `npm run brokers:up` starts them.
    globalSetup: ['test/setup/brokers.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests start servers and databases; keep the 2-core machine responsive.
    maxWorkers: 2,
    env: { HERALD_LOG_LEVEL: 'silent' },
  },
});
