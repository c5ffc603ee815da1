/**
 * A TCP proxy in front of PostgreSQL that can silence LISTEN connections: it recognises a
 * connection by the LISTEN it sends, and while `silenceListeners` is on it forwards nothing
 * from the server on those connections. The connection stays open and notifications just
 * stop, as on a half-open TCP connection: the failure a LISTEN client cannot see by itself.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface PgProxy {
  /** The same database URL, through the proxy. */
  url: string;
  silenceListeners: boolean;
  /** LISTEN connections seen so far. */
  listeners(): number;
  close(): Promise<void>;
}

export async function startPgProxy(databaseUrl: string): Promise<PgProxy> {
  const target = new URL(databaseUrl);
  const sockets = new Set<net.Socket>();
  let listening = 0;
  const proxy: PgProxy = {
    url: '',
    silenceListeners: false,
    listeners: () => listening,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    sockets.add(client).add(upstream);
    let listener = false;
    client.on('data', (chunk) => {
      if (!listener && /listen\s+"?herald_changes/i.test(chunk.toString('latin1'))) {
        listener = true;
        listening++;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!(listener && proxy.silenceListeners)) client.write(chunk);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  proxy.url = url.toString();
  return proxy;
}
