/**
 * SDK packages served by Herald (issue 11 item 5), against the built server (`herald serve`,
 * embedded storage): serving slack-rtm's npm package cold (generated, packed and stored on the
 * first request) and cached, against a bare Hono route serving the same tarball from memory;
 * and `npm install` of the package from Herald against `npm install` of the same tarball
 * from a local file. Same run, same machine.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { startHerald } from './herald-process.js';
import { interleaved, measure, ms, table } from './stats.js';

const SLACK = '../shared/corpus/asyncapi-spec-examples/v3/slack-rtm-asyncapi.yml';

export async function benchPackages(runs: number): Promise<string> {
  const [label, file] = existsSync(SLACK) ? ['v3/slack-rtm-asyncapi.yml', SLACK] : ['specs/orders.yaml (corpus absent)', 'specs/orders.yaml'];
  const text = readFileSync(file, 'utf8');
  const herald = await startHerald();
  const dir = mkdtempSync(path.join(tmpdir(), 'herald-bench-npm-'));
  try {
    const cold = Math.max(5, Math.floor(runs / 3));
    for (let i = 0; i < cold + 1; i++) {
      const res = await fetch(`${herald.url}/v1/contracts/pkg-${i}/versions`, { method: 'POST', body: text, headers: { 'content-type': 'application/yaml' } });
      if (res.status !== 201) throw new Error(`registration answered ${res.status}`);
    }
    const get = async (url: string, accept = '*/*') => {
      const res = await fetch(url, { headers: { accept } });
      if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
      return Buffer.from(await res.arrayBuffer());
    };
    const abbreviated = 'application/vnd.npm.install-v1+json';
    // Cold: a contract's first packument request builds its package.
    const coldStats = await measure((i) => get(`${herald.url}/npm/@herald%2fpkg-${i < 0 ? cold : i}`, abbreviated), { runs: cold, warmup: 1 });
    const tarballUrl = `${herald.url}/npm/@herald/pkg-0/-/pkg-0-1.0.0.tgz`;
    const tarball = await get(tarballUrl);
    // A bare Hono route serving the same bytes from memory.
    const bare = new Hono().get('/t.tgz', (c) => c.body(new Uint8Array(tarball), 200, { 'Content-Type': 'application/octet-stream' }));
    const bareServer = serve({ fetch: bare.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((r) => bareServer.once('listening', r));
    const bareUrl = `http://127.0.0.1:${(bareServer.address() as { port: number }).port}/t.tgz`;
    // Herald's own request pipeline (ids, log line, access, ETag) on its lightest route, to show what the store adds.
    const [cachedTarball, bareTarball, healthz] = await interleaved([() => get(tarballUrl), () => get(bareUrl), () => get(`${herald.url}/healthz`)], runs, 5);
    const [cachedPackument] = await interleaved([() => get(`${herald.url}/npm/@herald%2fpkg-0`, abbreviated)], runs, 5);
    bareServer.close();

    // npm install: from Herald (a fresh cache each time) against the same tarball from a file.
    writeFileSync(path.join(dir, 'pkg-0-1.0.0.tgz'), tarball);
    const userconfig = path.join(dir, 'empty-npmrc');
    writeFileSync(userconfig, '');
    const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_'))), npm_config_userconfig: userconfig };
    const install = async (i: number, spec: string, kind: string) => {
      const root = path.join(dir, `${kind}-${i}`);
      rmSync(root, { recursive: true, force: true });
      mkdirSync(root, { recursive: true });
      writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: `p${kind}`, version: '0.0.0', private: true }));
      writeFileSync(path.join(root, '.npmrc'), `@herald:registry=${herald.url}/npm/\n`);
      const code = await new Promise<number | null>((resolve) => {
        const child = spawn('npm', ['install', spec, '--cache', path.join(root, '.cache'), '--no-audit', '--no-fund', '--no-update-notifier', '--ignore-scripts'], { cwd: root, env, stdio: 'ignore' });
        child.on('close', resolve);
      });
      if (code !== 0) throw new Error(`npm install ${spec} exited ${code}`);
    };
    const installs = Math.max(5, Math.floor(runs / 3));
    const [fromHerald, fromFile] = await interleaved([(i) => install(i, '@herald/pkg-0@^1', 'herald'), (i) => install(i, path.join(dir, 'pkg-0-1.0.0.tgz'), 'file')], installs, 1);

    return [
      `## SDK packages from Herald's npm registry (${label}, tarball ${tarball.length.toLocaleString('en')} bytes)\n`,
      '- Herald: the built server (`herald serve`, embedded PGlite, one worker), Node\'s fetch, one request at a time. Cold: the first packument request of a newly registered contract, which generates, packs and stores its package in a worker (one contract per run). Cached: the same requests again.',
      '- Bare Hono: the same tarball bytes from memory on @hono/node-server in the bench process.',
      '- npm install: npm 11 into an empty project with a fresh cache each time, `@herald/pkg-0@^1` from Herald against `npm install ./pkg-0-1.0.0.tgz` of the very same file, taking turns.\n',
      table([
        { what: `packument, cold (${cold} contracts)`, 'p50': ms(coldStats.p50), 'p99': ms(coldStats.p99), baseline: '', ratio: '' },
        { what: 'packument, cached (abbreviated)', 'p50': ms(cachedPackument!.p50), 'p99': ms(cachedPackument!.p99), baseline: '', ratio: '' },
        { what: 'tarball, cached', 'p50': ms(cachedTarball!.p50), 'p99': ms(cachedTarball!.p99), baseline: `bare Hono ${ms(bareTarball!.p50)}`, ratio: (cachedTarball!.p50 / bareTarball!.p50).toFixed(2) },
        { what: 'Herald GET /healthz (its pipeline alone)', 'p50': ms(healthz!.p50), 'p99': ms(healthz!.p99), baseline: '', ratio: '' },
        { what: `npm install (${installs} each)`, 'p50': ms(fromHerald!.p50), 'p99': ms(fromHerald!.p99), baseline: `local .tgz ${ms(fromFile!.p50)}`, ratio: (fromHerald!.p50 / fromFile!.p50).toFixed(2) },
      ]),
      '',
    ].join('\n');
  } finally {
    await herald.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
