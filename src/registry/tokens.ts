/**
 * API tokens. The admin token comes from HERALD_ADMIN_TOKEN; admins create named tokens
 * with a scope. Secrets are random 256-bit values, so a plain sha-256 is a safe way to
 * store them (no password stretching needed) and lets a lookup be one indexed query.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { HeraldError, notFound } from '../errors.js';
import type { Store, TokenRow } from '../store/store.js';
import type { ReadCache } from './read-cache.js';
import { TOKEN_NAME } from './names.js';

export const SCOPES = ['read', 'write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export interface Principal {
  name: string;
  scope: Scope;
}

export interface TokenView {
  name: string;
  scope: Scope;
  createdBy: string;
  createdAt: string;
}

const RANK: Record<Scope, number> = { read: 0, write: 1, admin: 2 };
export const allows = (have: Scope, need: Scope) => RANK[have] >= RANK[need];

const TOKEN_KEY = 't:';
const hash = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** HERALD_ADMIN_TOKEN alone: what the standalone gateway, which has no token store, accepts. */
export class AdminToken {
  private readonly adminHash: Buffer | undefined;

  constructor(adminToken: string | undefined) {
    this.adminHash = adminToken ? Buffer.from(hash(adminToken), 'hex') : undefined;
  }

  /** Whether access control is on (an admin token is configured). */
  get enabled(): boolean {
    return this.adminHash !== undefined;
  }

  async authenticate(secret: string): Promise<Principal | undefined> {
    const match = this.adminHash !== undefined && timingSafeEqual(this.adminHash, Buffer.from(hash(secret), 'hex'));
    return match ? { name: 'admin', scope: 'admin' } : undefined;
  }
}

export class TokenService {
  private readonly admin: AdminToken;

  constructor(
    private readonly store: Store,
    adminToken: string | undefined,
    /** Known tokens by hash, so that an authenticated read needs no storage; dropped when any token is deleted. */
    private readonly cache?: ReadCache,
  ) {
    this.admin = new AdminToken(adminToken);
  }

  get enabled(): boolean {
    return this.admin.enabled;
  }

  /** The principal a bearer secret stands for, or undefined for an unknown secret. */
  async authenticate(secret: string): Promise<Principal | undefined> {
    const admin = await this.admin.authenticate(secret);
    if (admin) return admin;
    const key = hash(secret);
    const find = async (): Promise<Principal | undefined> => {
      const row = await this.store.findTokenByHash(key);
      return row ? { name: row.name, scope: row.scope } : undefined;
    };
    return this.cache ? this.cache.mutable(`${TOKEN_KEY}${key}`, find, () => 256) : find();
  }

  async create(body: unknown, createdBy: string): Promise<TokenView & { token: string }> {
    if (!this.enabled) throw disabled();
    const { name, scope } = parseBody(body);
    const secret = `hrld_${randomBytes(32).toString('base64url')}`;
    const row = await this.store.transaction((tx) => tx.insertToken({ name, scope, secretHash: hash(secret), createdBy }));
    if (!row) throw new HeraldError('conflict', `A token named "${name}" exists; delete it first to replace it.`);
    return { ...view(row), token: secret };
  }

  async list(): Promise<TokenView[]> {
    if (!this.enabled) throw disabled();
    return (await this.store.listTokens()).map(view);
  }

  async delete(name: string): Promise<void> {
    if (!this.enabled) throw disabled();
    const removed = await this.store.transaction(async (tx) => {
      const gone = await tx.deleteToken(name);
      if (gone) await tx.notifyChange({ tokens: true });
      return gone;
    });
    if (!removed) throw notFound(`No token named "${name}".`);
    this.changed();
  }

  /** After a token is deleted, here or (by notification) in another process: no cached token outlives it. */
  changed(): void {
    this.cache?.invalidatePrefix(TOKEN_KEY);
  }
}

function view(row: TokenRow): TokenView {
  return { name: row.name, scope: row.scope, createdBy: row.createdBy, createdAt: row.createdAt.toISOString() };
}

// Creating tokens while access control is off would let anyone on this host mint tokens
// that become valid the moment an admin token is configured.
const disabled = () =>
  new HeraldError('conflict', 'Access control is off: tokens can only be managed when Herald runs with HERALD_ADMIN_TOKEN set.');

function parseBody(body: unknown): { name: string; scope: Scope } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new HeraldError('bad-request', 'Expected a JSON object such as {"name": "ci", "scope": "write"}.');
  const { name, scope, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new HeraldError('bad-request', `Unknown field${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}. Allowed: name, scope.`);
  if (typeof name !== 'string' || !TOKEN_NAME.test(name) || name === 'admin' || name === 'anonymous') {
    throw new HeraldError('bad-request', '"name" must be 1-64 characters of a-z, 0-9, ".", "_" and "-" (not "admin" or "anonymous").');
  }
  if (!SCOPES.includes(scope as Scope)) throw new HeraldError('bad-request', `"scope" must be one of ${SCOPES.join(', ')}.`);
  return { name, scope: scope as Scope };
}
