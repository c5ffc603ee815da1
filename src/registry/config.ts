/**
 * Compatibility settings, per contract and global. The compatibility engine reads them;
 * until a contract or the registry sets them, the defaults are AUTO and lenient.
 */
import { HeraldError, notFound } from '../errors.js';
import type { Store } from '../store/store.js';
import { assertContractName } from './names.js';

import { MODES as COMPATIBILITY_MODES, POLICIES, type Mode as CompatibilityMode, type Policy } from '../compat/types.js';
import type { StoreReader } from '../store/store.js';

export { COMPATIBILITY_MODES, POLICIES, type CompatibilityMode, type Policy };

export interface CompatibilityConfig {
  compatibility: CompatibilityMode;
  policy: Policy;
}

export const DEFAULT_CONFIG: CompatibilityConfig = { compatibility: 'AUTO', policy: 'lenient' };
const GLOBAL = '*';

export interface ConfigView extends CompatibilityConfig {
  /** Where the settings come from: the contract's own, the registry's global ones, or the defaults. */
  source: 'contract' | 'global' | 'default';
}

/** The settings that apply to a contract, read through any store reader (a transaction too). */
export async function effectiveConfig(reader: Pick<StoreReader, 'getConfigs'>, name: string): Promise<ConfigView> {
  const rows = await reader.getConfigs([name, GLOBAL]);
  const own = rows.get(name);
  if (own) return { ...(own as CompatibilityConfig), source: 'contract' };
  const global = rows.get(GLOBAL);
  return global ? { ...(global as CompatibilityConfig), source: 'global' } : { ...DEFAULT_CONFIG, source: 'default' };
}

export function parseMode(value: string | undefined): CompatibilityMode | undefined {
  if (value === undefined || value === '') return undefined;
  const upper = value.toUpperCase();
  if (!COMPATIBILITY_MODES.includes(upper as CompatibilityMode)) throw new HeraldError('bad-request', `"${value}" is not a compatibility mode; use one of ${COMPATIBILITY_MODES.join(', ')}.`);
  return upper as CompatibilityMode;
}

export function parsePolicy(value: string | undefined): Policy | undefined {
  if (value === undefined || value === '') return undefined;
  if (!POLICIES.includes(value as Policy)) throw new HeraldError('bad-request', `"${value}" is not a policy; use strict or lenient.`);
  return value as Policy;
}

export class ConfigService {
  constructor(private readonly store: Store) {}

  async getGlobal(): Promise<ConfigView> {
    const row = await this.store.getConfig(GLOBAL);
    return row ? { ...(row as CompatibilityConfig), source: 'global' } : { ...DEFAULT_CONFIG, source: 'default' };
  }

  /** The settings that apply to a contract. */
  async effective(name: string): Promise<ConfigView> {
    assertContractName(name);
    return effectiveConfig(this.store, name);
  }

  async putGlobal(body: unknown): Promise<ConfigView> {
    const next = merge((await this.getGlobal()), parseBody(body));
    await this.store.transaction((tx) => tx.putConfig(GLOBAL, next));
    return { ...next, source: 'global' };
  }

  async putContract(name: string, body: unknown): Promise<ConfigView> {
    assertContractName(name);
    const next = merge(await this.effective(name), parseBody(body));
    await this.store.transaction((tx) => tx.putConfig(name, next));
    return { ...next, source: 'contract' };
  }

  /** Back to the defaults. */
  async deleteGlobal(): Promise<ConfigView> {
    await this.store.transaction((tx) => tx.deleteConfig(GLOBAL));
    return { ...DEFAULT_CONFIG, source: 'default' };
  }

  /** Removes a contract's own settings; the global ones apply again. */
  async deleteContract(name: string): Promise<ConfigView> {
    assertContractName(name);
    const removed = await this.store.transaction((tx) => tx.deleteConfig(name));
    if (!removed) throw notFound(`Contract "${name}" has no settings of its own.`);
    return this.getGlobal();
  }
}

function merge(current: CompatibilityConfig, patch: Partial<CompatibilityConfig>): CompatibilityConfig {
  return { compatibility: patch.compatibility ?? current.compatibility, policy: patch.policy ?? current.policy };
}

function parseBody(body: unknown): Partial<CompatibilityConfig> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new HeraldError('bad-request', 'Expected a JSON object such as {"compatibility": "BACKWARD", "policy": "lenient"}.');
  }
  const { compatibility, policy, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new HeraldError('bad-request', `Unknown field${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}. Allowed: compatibility, policy.`);
  if (compatibility === undefined && policy === undefined) throw new HeraldError('bad-request', 'Give "compatibility", "policy" or both.');
  if (compatibility !== undefined && !COMPATIBILITY_MODES.includes(compatibility as CompatibilityMode)) {
    throw new HeraldError('bad-request', `"compatibility" must be one of ${COMPATIBILITY_MODES.join(', ')}.`);
  }
  if (policy !== undefined && !POLICIES.includes(policy as Policy)) throw new HeraldError('bad-request', `"policy" must be one of ${POLICIES.join(', ')}.`);
  return { ...(compatibility !== undefined ? { compatibility: compatibility as CompatibilityMode } : {}), ...(policy !== undefined ? { policy: policy as Policy } : {}) };
}
