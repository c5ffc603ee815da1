/**
 * A TCP proxy in front of a real Kafka broker that can lose the broker's answers to produce
 * requests: the broker has written the batch, the client never hears so; and that can cut
 * topic creation off before the broker sees it. It reads just enough of the Kafka protocol for
 * that: each frame is a 4-byte size; a request starts with its API key (0 is Produce, 19 is
 * CreateTopics) and a correlation id, and a response with the correlation id.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface KafkaProxy {
  /**
   * 'pass' forwards everything; 'lose-once' loses the next produce answer (the connection
   * then closes), then passes; 'down' loses every produce answer and refuses connections.
   */
  mode: 'pass' | 'lose-once' | 'down';
  /** Produce answers lost so far. */
  lost: number;
  /** CreateTopics requests still to cut off (the connection closes; the broker never sees them). */
  refuseCreates: number;
  close(): Promise<void>;
}

/** Splits a byte stream into Kafka frames (size prefix included). */
function framer(onFrame: (frame: Buffer) => void): (chunk: Buffer) => void {
  let pending = Buffer.alloc(0);
  return (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
      const size = pending.readInt32BE(0);
      onFrame(pending.subarray(0, 4 + size));
      pending = pending.subarray(4 + size);
    }
  };
}

export async function startKafkaProxy(listenPort: number, brokerPort: number): Promise<KafkaProxy> {
  const sockets = new Set<Socket>();
  const proxy: KafkaProxy = { mode: 'pass', lost: 0, refuseCreates: 0, close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }) };
  const server: Server = createServer((client) => {
    if (proxy.mode === 'down') return client.destroy();
    const broker = createConnection({ host: '127.0.0.1', port: brokerPort });
    sockets.add(client).add(broker);
    const produces = new Set<number>();
    const drop = () => {
      client.destroy();
      broker.destroy();
    };
    client.on('data', framer((frame) => {
      if (frame.readInt16BE(4) === 19 && proxy.refuseCreates > 0) {
        proxy.refuseCreates--;
        return drop();
      }
      if (frame.readInt16BE(4) === 0) produces.add(frame.readInt32BE(8));
      broker.write(frame);
    }));
    broker.on('data', framer((frame) => {
      const correlation = frame.readInt32BE(4);
      if (produces.delete(correlation) && proxy.mode !== 'pass') {
        proxy.lost++;
        if (proxy.mode === 'lose-once') proxy.mode = 'pass';
        return drop();
      }
      client.write(frame);
    }));
    for (const s of [client, broker]) {
      s.on('error', drop);
      s.on('close', () => {
        sockets.delete(s);
        drop();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(listenPort, '127.0.0.1', resolve));
  return proxy;
}
