import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON lines on stdout; HERALD_LOG_LEVEL=silent turns logging off (tests do). */
export function createLogger(level = 'info'): Logger {
  return pino({ level, base: { service: 'herald' }, timestamp: pino.stdTimeFunctions.isoTime });
}
