/**
 * `herald serve`: opens storage, builds the app and serves it until SIGTERM or SIGINT,
 * then lets in-flight requests finish, closes storage and exits.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import type { HeraldConfig } from './config.js';
import { WorkerAnalyzer } from './analysis/pool.js';
import { setPatternDialect } from './contracts/regex.js';
import { setValidatorCacheBytes } from './contracts/validator.js';
import type { BrokerKind } from './brokers/broker.js';
import { startRelay } from './gateway/relay.js';
import { LocalSource, RemoteSource } from './gateway/source.js';
import { createGateway } from './gateway/start.js';
import { createApp, createGatewayApp } from './http/app.js';
import type { AppEnv } from './http/env.js';
import { createLogger, type Logger } from './log.js';
import { ConfigService } from './registry/config.js';
import { PackageService } from './registry/packages.js';
import { ReadCache } from './registry/read-cache.js';
import { Registry } from './registry/registry.js';
import { ChangeListener } from './store/changes.js';
import { AdminToken, TokenService } from './registry/tokens.js';
import { openStore } from './store/open.js';
import type { Store } from './store/store.js';

export interface RunningServer {
  url: string;
  store?: Store;
  logger: Logger;
  /** Stops accepting connections, waits for in-flight requests (up to the configured timeout), closes storage. */
  shutdown(): Promise<void>;
}

export async function startServer(config: HeraldConfig, logger: Logger = createLogger(config.logLevel)): Promise<RunningServer> {
  const store = await openStore(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir });
  // Documents are parsed and compared in worker threads: no request can hold up another.
  validation(config);
  const analyzer = new WorkerAnalyzer({ ingest: config.limits, check: config.compat }, { ...config.workers, patternDialect: config.patternDialect });
  const cache = new ReadCache(config.cache);
  const tokens = new TokenService(store, config.adminToken, cache);
  const registry = new Registry(store, analyzer, cache);
  // Other processes on the same PostgreSQL database tell this one what they changed.
  const changes = config.databaseUrl
    ? new ChangeListener(
        config.databaseUrl,
        {
          change: (change) => ('tokens' in change ? tokens.changed() : registry.changed(change)),
          reset: () => cache.invalidateMutable(),
        },
        config.cache.recheckMs,
        logger,
      )
    : undefined;
  if (changes) {
    await changes.start();
    cache.health = changes;
  }
  const packages = new PackageService(store, registry, analyzer, { scope: config.npmScope });
  const gateway = createGateway(config.gateway, new LocalSource(registry), logger);
  const app = createApp({
    store,
    registry,
    packages,
    config: new ConfigService(store),
    tokens,
    gateway,
    logger,
    maxBodyBytes: config.limits.maxBodyBytes,
    maxBatch: config.gateway.maxBatch,
    readAuth: config.readAuth,
    metricsPublic: config.metricsPublic,
  });
  return listen(app, config, logger, { storage: store.driver, access: tokens.enabled ? 'token' : 'open (loopback only)', brokers: brokersOf(config), workers: config.workers.threads }, store, async () => {
    await gateway.close();
    await changes?.close();
    await analyzer.close();
    await store.close();
  });
}

/** `herald gateway`: the gateway alone, reading contracts from a registry over HTTP. */
export async function startGatewayServer(config: HeraldConfig, registryUrl: string, registryToken: string | undefined, logger: Logger = createLogger(config.logLevel)): Promise<RunningServer> {
  validation(config);
  const gateway = createGateway(config.gateway, remoteSource(config, registryUrl, registryToken), logger);
  const app = createGatewayApp({
    gateway,
    tokens: new AdminToken(config.adminToken),
    logger,
    maxBodyBytes: config.limits.maxBodyBytes,
    maxBatch: config.gateway.maxBatch,
    readAuth: config.readAuth,
    metricsPublic: config.metricsPublic,
  });
  return listen(app, config, logger, { registry: registryUrl, access: config.adminToken ? 'admin token' : 'open (loopback only)', brokers: brokersOf(config) }, undefined, () => gateway.close());
}

/** `herald relay`: consumes a raw topic or queue and routes each message by its contract. */
export async function startRelayProcess(
  config: HeraldConfig,
  options: { contract: string; channel: string; version?: number; from: { broker: BrokerKind; name: string }; group: string; registry: string; token?: string },
  logger: Logger = createLogger(config.logLevel),
): Promise<{ stop(): Promise<void> }> {
  validation(config);
  const gateway = createGateway(config.gateway, remoteSource(config, options.registry, options.token), logger);
  let subscription: Awaited<ReturnType<typeof startRelay>>;
  try {
    subscription = await startRelay(gateway, gateway.broker(options.from.broker), { ...options, from: options.from.name }, logger);
  } catch (err) {
    // Brokers reconnect for ever in the background; stop them so the command can exit.
    await gateway.close();
    throw err;
  }
  logger.info({ contract: options.contract, channel: options.channel, from: `${options.from.broker}:${options.from.name}` }, 'relaying');
  return {
    async stop() {
      await subscription.stop();
      await gateway.close();
    },
  };
}

/** Contracts read from a registry over HTTP, as `herald gateway` and `herald relay` do. */
function remoteSource(config: HeraldConfig, registryUrl: string, token: string | undefined): RemoteSource {
  return new RemoteSource(registryUrl, { ...(token ? { token } : {}), refreshMs: config.gateway.refreshMs, maxRefNodes: config.limits.maxRefNodes, cache: new ReadCache(config.cache) });
}

/** Settings every command that validates shares: the pattern dialect, the validators' byte bound. */
function validation(config: HeraldConfig): void {
  setPatternDialect(config.patternDialect);
  setValidatorCacheBytes(Math.max(1024, Math.floor(config.cache.maxBytes / 4)));
}

function brokersOf(config: HeraldConfig): string[] {
  return [...(config.gateway.kafkaBrokers ? ['kafka'] : []), ...(config.gateway.amqpUrl ? ['rabbitmq'] : [])];
}

async function listen(app: Hono<AppEnv>, config: HeraldConfig, logger: Logger, about: Record<string, unknown>, store: Store | undefined, close: () => Promise<void>): Promise<RunningServer> {
  const server: Server = await new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, () => resolve(s as Server));
    s.once('error', reject);
  });
  // Longer than the idle timeout of common load balancers (60 s), so that they, not Herald,
  // close idle connections: the other order makes a proxy forward a request onto a socket
  // Herald is closing.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  logger.info({ url, ...about }, 'Herald is listening');

  let closing: Promise<void> | undefined;
  const shutdown = () =>
    (closing ??= (async () => {
      logger.info('shutting down: finishing in-flight requests');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          logger.warn('shutdown timeout: closing remaining connections');
          server.closeAllConnections();
        }, config.shutdownTimeoutMs);
        // Keep-alive connections hold close() open once their last response is sent; drop
        // each one as soon as it is idle rather than waiting for its keep-alive timeout.
        const sweep = setInterval(() => server.closeIdleConnections(), 50);
        server.close(() => {
          clearTimeout(timer);
          clearInterval(sweep);
          resolve();
        });
        server.closeIdleConnections();
      });
      await close();
      logger.info('stopped');
    })());
  return { url, ...(store ? { store } : {}), logger, shutdown };
}
