/** Settings from the environment: a crafted value is refused in one line, never quietly changed. */
import { describe, expect, it } from 'vitest';
import { cacheLimits, gatewayConfig, loadConfig } from '../src/config.js';

describe('timer settings', () => {
  it.each(['HERALD_PROVISION_TIMEOUT_MS', 'HERALD_PUBLISH_TIMEOUT_MS', 'HERALD_GATEWAY_REFRESH_MS'])('%s refuses what no timer can wait (Node would fire it after 1 ms), and what is not an integer', (name) => {
    for (const raw of ['1e20', '2147483648', 'abc', '1.5', '-1']) expect(() => gatewayConfig({ [name]: raw }), raw).toThrow(new RegExp(`^${name} must be an integer from \\d+ to 2147483647, not "${raw.replace('.', '\\.')}"\\.$`));
    expect(gatewayConfig({ [name]: '2147483647' })).toBeDefined();
  });

  it('HERALD_PROVISION_TIMEOUT_MS reaches the gateway options', () => {
    expect(gatewayConfig({ HERALD_PROVISION_TIMEOUT_MS: '1500' }).provisionTimeoutMs).toBe(1500);
    expect(gatewayConfig({}).provisionTimeoutMs).toBe(30_000);
  });
});

describe('the read cache settings', () => {
  it('have bounds by entries and bytes and a recheck interval, each refused in one line when crafted', () => {
    expect(cacheLimits({})).toEqual({ maxEntries: 20_000, maxBytes: 256 * 1024 * 1024, recheckMs: 5000 });
    expect(cacheLimits({ HERALD_CACHE_MAX_ENTRIES: '10', HERALD_CACHE_MAX_BYTES: '4096', HERALD_CACHE_RECHECK_MS: '250' })).toEqual({ maxEntries: 10, maxBytes: 4096, recheckMs: 250 });
    expect(() => cacheLimits({ HERALD_CACHE_MAX_ENTRIES: '0' })).toThrow(/^HERALD_CACHE_MAX_ENTRIES must be an integer from 1 to/);
    expect(() => cacheLimits({ HERALD_CACHE_MAX_BYTES: '512' })).toThrow(/^HERALD_CACHE_MAX_BYTES must be an integer from 1024 to/);
    // A recheck interval no timer can wait, or one so short that it would ping the database without rest.
    expect(() => cacheLimits({ HERALD_CACHE_RECHECK_MS: '2147483648' })).toThrow(/^HERALD_CACHE_RECHECK_MS must be an integer from 100 to 2147483647/);
    expect(() => cacheLimits({ HERALD_CACHE_RECHECK_MS: '10' })).toThrow(/^HERALD_CACHE_RECHECK_MS must be an integer from 100 to 2147483647/);
  });
});

describe('HERALD_NPM_SCOPE', () => {
  it('is an npm scope, @herald by default; anything npm would not take as a scope is refused in one line', () => {
    expect(loadConfig({}, {}).npmScope).toBe('@herald');
    expect(loadConfig({}, { HERALD_NPM_SCOPE: '@acme-events' }).npmScope).toBe('@acme-events');
    for (const raw of ['acme', '@Acme', '@acme/x', '@', '@../x', '@acme evil']) {
      expect(() => loadConfig({}, { HERALD_NPM_SCOPE: raw }), raw).toThrow(/^HERALD_NPM_SCOPE must be an npm scope such as @herald \(lowercase\), not ".*"\.$/);
    }
  });
});
