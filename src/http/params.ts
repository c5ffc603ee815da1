/**
 * What a request says in its path and query, parsed in one place: an access rule and the
 * handler it guards read a flag with the very same function, so they cannot disagree.
 * Whatever reaches storage is checked here first: numbers against PostgreSQL's `integer`,
 * text against the characters a name can hold (PostgreSQL refuses NUL in text outright).
 */
import type { Context } from 'hono';
import { HeraldError, notFound } from '../errors.js';
import { TOKEN_NAME } from '../registry/names.js';
import type { VersionSelector } from '../registry/registry.js';
import type { AppEnv } from './env.js';

/** The largest PostgreSQL `integer`: ids and version numbers are stored as one, so none is larger. */
export const MAX_STORED_INT = 2_147_483_647;

/** `?name`, `?name=` and `?name=true` are true; absent and `?name=false` are false. */
export function flag(value: string | undefined, name: string): boolean {
  if (value === undefined || value === 'false') return false;
  if (value === 'true' || value === '') return true;
  throw new HeraldError('bad-request', `?${name}= takes true or false, not "${value}".`);
}

export const deleted = (c: Context<AppEnv>) => flag(c.req.query('deleted'), 'deleted');

/** Whether a delete removes for good: it decides the scope the request needs, as well as what the handler does. */
export const permanent = (c: Context<AppEnv>) => flag(c.req.query('permanent'), 'permanent');

/**
 * A positive integer as written in a URL (digits, no sign, no leading zero). One beyond
 * what storage holds names nothing that exists: 404, not a query that fails.
 */
function storedInt(raw: string, what: string, wrong: string): number {
  if (!/^[1-9]\d*$/.test(raw)) throw new HeraldError('bad-request', wrong);
  const n = Number(raw);
  if (n > MAX_STORED_INT) throw notFound(`There is no ${what} ${raw.length > 24 ? raw.slice(0, 24) + '…' : raw}: ${what}s go up to ${MAX_STORED_INT}.`);
  return n;
}

/** A version in a path: its number, or `latest`. */
export function selector(raw: string): VersionSelector {
  if (raw === 'latest') return 'latest';
  return storedInt(raw, 'version', `"${clip(raw)}" is not a version: use a positive number or "latest".`);
}

/** `?version=` of publish and provision. */
export function versionNumber(raw: string): number {
  return storedInt(raw, 'version', `version must be a positive integer, not "${clip(raw)}".`);
}

export function schemaId(raw: string): number {
  return storedInt(raw, 'schema id', `"${clip(raw)}" is not a schema id: ids are positive integers.`);
}

export function intParam(raw: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new HeraldError('bad-request', `?${name}= must be an integer from ${min} to ${max}, not "${clip(raw)}".`);
  return n;
}

/** Characters a contract name may hold (registry/names.ts), and no more of them than a name has. */
const NAME_TEXT = /^[a-z0-9._-]{0,128}$/;

/**
 * `?prefix=` and `?after=` of the contract list: only what can be (part of) a contract name.
 * Anything else can match no contract, and NUL would make storage fail: 400 rather than a query.
 */
export function nameText(raw: string | undefined, name: string): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!NAME_TEXT.test(raw)) {
    throw new HeraldError('bad-request', `?${name}= can hold only what a contract name holds: up to 128 characters of a-z, 0-9, ".", "_" and "-".`);
  }
  return raw;
}

/** A token name in a path; one no token can have is not looked up. */
export function tokenName(raw: string): string {
  if (!TOKEN_NAME.test(raw)) throw notFound(`No token named "${clip(raw)}".`);
  return raw;
}

/** Values echoed into a message stay short, whatever a caller sends. */
const clip = (raw: string) => (raw.length > 64 ? raw.slice(0, 64) + '…' : raw);
