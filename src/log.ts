import { pino, type Logger } from 'pino';

export type { Logger };

/** How long a log line may wait in the buffer before it is written. */
const FLUSH_MS = 250;

/**
 * JSON lines on stdout; HERALD_LOG_LEVEL=silent turns logging off (tests do). Lines are
 * buffered (pino's asynchronous destination: written once 8 KiB have gathered, or within
 * FLUSH_MS, and at exit), so a request does not wait for a write to stdout: a write per
 * request line cost a cached read about a tenth of its time. A stdout that does not keep up
 * drops lines past 32 MiB rather than growing memory without bound.
 */
export function createLogger(level = 'info'): Logger {
  const options = { level, base: { service: 'herald' }, timestamp: isoTime };
  if (level === 'silent') return pino(options);
  const logger = pino(options, pino.destination({ dest: 1, sync: false, minLength: 8192, maxLength: 32 * 1024 * 1024 }));
  setInterval(() => logger.flush(), FLUSH_MS).unref();
  return logger;
}

let lastMs = -1;
let lastTime = '';
/** pino's ISO timestamp, formatted once per millisecond however many lines share it. */
function isoTime(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastTime = `,"time":"${new Date(now).toISOString()}"`;
  }
  return lastTime;
}
