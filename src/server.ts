/**
 * `herald serve`: opens storage, builds the app and serves it until SIGTERM or SIGINT,
 * then lets in-flight requests finish, closes storage and exits.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { HeraldConfig } from './config.js';
import { warmUp } from './contracts/structure.js';
import { createApp } from './http/app.js';
import { createLogger, type Logger } from './log.js';
import { ConfigService } from './registry/config.js';
import { Registry } from './registry/registry.js';
import { TokenService } from './registry/tokens.js';
import { openStore } from './store/open.js';
import type { Store } from './store/store.js';

export interface RunningServer {
  url: string;
  store: Store;
  logger: Logger;
  /** Stops accepting connections, waits for in-flight requests (up to the configured timeout), closes storage. */
  shutdown(): Promise<void>;
}

export async function startServer(config: HeraldConfig, logger: Logger = createLogger(config.logLevel)): Promise<RunningServer> {
  const store = await openStore(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir });
  // Compiling the AsyncAPI schemas takes a moment; pay it before the first request does.
  warmUp(['2.6.0', '3.0.0']);
  const tokens = new TokenService(store, config.adminToken);
  const app = createApp({
    store,
    registry: new Registry(store, config.limits),
    config: new ConfigService(store),
    tokens,
    logger,
    maxBodyBytes: config.limits.maxBodyBytes,
    readAuth: config.readAuth,
  });

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
  logger.info({ url, storage: store.driver, access: tokens.enabled ? 'token' : 'open (loopback only)' }, 'Herald is listening');

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
      await store.close();
      logger.info('stopped');
    })());
  return { url, store, logger, shutdown };
}
