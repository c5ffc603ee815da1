/** `herald serve` (the built dist/) in a child process on a free port, with throwaway embedded storage. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export async function startHerald(env: NodeJS.ProcessEnv = {}): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'herald-bench-'));
  const child = spawn(process.execPath, ['bin/herald.js', 'serve', '--port', '0', '--data-dir', dataDir], {
    env: { ...process.env, HERALD_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk;
      const match = /"url":"([^"]+)"[^\n]*"msg":"Herald is listening"/.exec(buffer);
      if (match) {
        child.stdout.removeAllListeners('data');
        child.stdout.resume();
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`herald serve exited with ${code}`)));
  });
  return {
    url,
    pid: child.pid!,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
