import type { Logger } from 'pino';
import type { Principal } from '../registry/tokens.js';
import type { AccessContext } from './access.js';

/** Variables the middleware sets on each request's context. */
export interface AppEnv {
  Variables: {
    requestId: string;
    /** The app's logger; logOf(c) gives one carrying the request id. */
    logger: Logger;
    principal: Principal;
    /** Set by the access guard, read by each route's access declaration. */
    access: AccessContext;
    /** Set by sendTagged (answer.ts): this answer has been checked against If-None-Match already. */
    conditional: boolean;
  };
}
