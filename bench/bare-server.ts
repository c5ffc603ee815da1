/**
 * The bare baseline of the read benchmarks, in its own process as Herald is: a Hono route per
 * path answering fixed bytes from memory (and 304 for its ETag), nothing else. Its routes come
 * as JSON in argv[2]'s file; it prints its URL.
 */
import { readFileSync } from 'node:fs';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const routes = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Record<string, { body: string; type: string; etag: string }>;
const app = new Hono();
for (const [path, { body, type, etag }] of Object.entries(routes)) {
  // Encoded once, as Herald keeps its answers: a string would be encoded on every write.
  const bytes = new Uint8Array(Buffer.from(body));
  app.get(path, (c) => (c.req.header('If-None-Match') === etag ? c.body(null, 304, { ETag: etag }) : c.body(bytes, 200, { 'Content-Type': type, ETag: etag })));
}
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => console.log(`http://127.0.0.1:${info.port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
