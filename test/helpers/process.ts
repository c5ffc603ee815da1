/** Runs the built `herald` command as a child process, the way users and CI run it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const BIN = path.resolve('bin/herald.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  dataDir: string;
  /** Parsed JSON log lines so far. */
  logs: Array<Record<string, unknown>>;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Removes the data directory (after stop). */
  cleanup(): void;
}

export async function startServerProcess(options: { env?: NodeJS.ProcessEnv; dataDir?: string; args?: string[] } = {}): Promise<ServerProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'herald-test-'));
  const p = await startProcess(['serve', '--port', '0', '--data-dir', dataDir, ...(options.args ?? [])], { DATABASE_URL: '', ...options.env });
  return {
    ...p,
    dataDir,
    cleanup() {
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type LongRunning = Omit<ServerProcess, 'dataDir' | 'cleanup'>;

/**
 * A long-running `herald` command (serve, gateway, relay), ready once it logs `ready`
 * ("Herald is listening" by default); `url` is the URL it listens on, if it does.
 */
export async function startProcess(args: string[], env: NodeJS.ProcessEnv = {}, ready = 'Herald is listening'): Promise<LongRunning> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, HERALD_LOG_LEVEL: 'info', ...env } });
  const logs: Array<Record<string, unknown>> = [];
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk) => {
      buffer += chunk;
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          logs.push(entry);
          if (entry.msg === ready) resolve(String(entry.url ?? ''));
        } catch {
          // not a log line
        }
      }
    });
    void exited.then((code) => reject(new Error(`herald ${args[0]} exited with ${code}: ${stderr}`)));
  });
  return {
    url,
    child,
    logs,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      // A process that does not exit is a bug to see, not a test timeout to guess at.
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await exited;
      clearTimeout(timer);
      if (child.signalCode === 'SIGKILL' && signal !== 'SIGKILL') {
        throw new Error(`herald ${args[0]} did not exit within 20 s of ${signal}; last log lines: ${JSON.stringify(logs.slice(-5))}; stderr: ${stderr.slice(-2000)}`);
      }
      return code;
    },
  };
}
