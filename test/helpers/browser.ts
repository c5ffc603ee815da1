/**
 * A real browser for the docs tests: Debian's chromium, driven by playwright-core. When it is
 * missing, the set-up tries `apt-get install -y chromium` once (bounded); when that fails too,
 * `browserMissing` says why, and the browser tests skip with that reason.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

function found(): string | undefined {
  return CANDIDATES.find((p) => existsSync(p));
}

function install(): string | undefined {
  try {
    execFileSync('apt-get', ['install', '-y', '-q', 'chromium'], { stdio: 'ignore', timeout: 300_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  } catch {
    return undefined;
  }
  return found();
}

export const chromiumPath: string | undefined = found() ?? install();
export const browserMissing = chromiumPath ? undefined : `chromium not found at ${CANDIDATES.join(' or ')}, and "apt-get install -y chromium" failed: the real-browser docs tests skip`;
