import type { Logger } from 'pino';
import type { Principal } from '../registry/tokens.js';

/** Variables the middleware sets on each request's context. */
export interface AppEnv {
  Variables: {
    requestId: string;
    log: Logger;
    principal: Principal;
  };
}
