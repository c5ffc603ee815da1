/**
 * The `herald` command. Exit codes: 0 ok, 1 rejected (the registry said no), 2 usage or
 * connection error. Every error is one line on stderr.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { loadConfig } from '../config.js';
import { HeraldError } from '../errors.js';
import { startGatewayServer, startRelayProcess, startServer } from '../server.js';
import { prepareDocument } from './bundle.js';
import { runCheck } from './check.js';
import type { GenerateOptions } from './generate.js';
import { DEFAULT_REGISTRY, RegistryClient } from './client.js';
import { CliError, EXIT } from './errors.js';

const ROOT_HELP = 'folder that local $ref files must stay inside (default: the folder of the document)';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number (0-65535)');
  return n;
}

function positive(value: string): number {
  if (!/^[1-9]\d*$/.test(value)) throw new InvalidArgumentError('must be a positive version number');
  return Number(value);
}

interface RegistryOpts {
  registry: string;
  token?: string;
}

const registryOptions = (cmd: Command) =>
  cmd
    .addOption(new Option('--registry <url>', 'registry URL').env('HERALD_REGISTRY').default(DEFAULT_REGISTRY))
    .addOption(new Option('--token <token>', 'bearer token').env('HERALD_TOKEN'));

const client = (o: RegistryOpts) => new RegistryClient({ registry: o.registry, token: o.token });
const out = (value: unknown): void => {
  process.stdout.write((typeof value === 'string' ? value : JSON.stringify(value, null, 2)) + '\n');
};
const enc = encodeURIComponent;

export function buildProgram(): Command {
  const program = new Command('herald')
    .description('Herald: a schema-first contract registry for AsyncAPI')
    .showSuggestionAfterError()
    .exitOverride();

  program
    .command('serve')
    .description('run the registry (embedded storage unless DATABASE_URL is set)')
    .option('--host <host>', 'interface to listen on (non-loopback needs HERALD_ADMIN_TOKEN)')
    .option('--port <port>', 'port to listen on', port)
    .option('--data-dir <dir>', 'embedded storage directory (default ./.herald)')
    .action(async (o: { host?: string; port?: number; dataDir?: string }) => {
      const config = loadConfig({ host: o.host, port: o.port, dataDir: o.dataDir });
      const server = await startServer(config);
      await untilSignal(server.shutdown);
    });

  registryOptions(
    program
      .command('register')
      .description('register FILE as a new version of a contract (local $ref files are bundled first)')
      .argument('<file>', 'AsyncAPI document, YAML or JSON')
      .requiredOption('--contract <name>', 'contract name')
      .option('--json', 'print the registry answer as JSON')
      .option('--root <dir>', ROOT_HELP),
  ).action(async (file: string, o: RegistryOpts & { contract: string; json?: boolean; root?: string }) => {
    // Throws a one-line CliError (exit 2) for unreadable files and for $refs leaving the root.
    const doc = await prepareDocument(file, { root: o.root });
    const contentType = doc.format === 'json' ? 'application/json' : 'application/yaml';
    try {
      const res = await client(o).request<{ contract: string; version: number; fingerprint: string }>('POST', `v1/contracts/${enc(o.contract)}/versions`, { text: doc.text, contentType });
      const v = res.data;
      if (o.json) out(v);
      else if (res.status === 201) out(`${v.contract}: registered version ${v.version} (fingerprint ${v.fingerprint.slice(0, 12)})`);
      else out(`${v.contract}: unchanged, identical to version ${v.version}`);
    } catch (err) {
      throw located(err, file, doc.bundled);
    }
  });

  program
    .command('check')
    .description('check NEW for compatibility against earlier versions: files (oldest first), or a registry contract')
    .argument('<new>', 'the candidate AsyncAPI document')
    .option('--against <old>', 'an earlier version, oldest first; repeat for several', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--mode <mode>', 'NONE, BACKWARD[_TRANSITIVE], FORWARD[_TRANSITIVE], FULL[_TRANSITIVE], AUTO[_TRANSITIVE] (default AUTO; with --contract, the contract\'s setting)')
    .option('--policy <policy>', 'strict or lenient (default lenient; with --contract, the contract\'s setting)')
    .addOption(new Option('--format <format>', 'report format').choices(['text', 'json']).default('text'))
    .option('--contract <name>', 'check against this contract\'s registered versions instead of files')
    .addOption(new Option('--registry <url>', 'registry URL, with --contract').env('HERALD_REGISTRY'))
    .addOption(new Option('--token <token>', 'bearer token, with --contract').env('HERALD_TOKEN'))
    .option('--root <dir>', 'folder that local $ref files of NEW and every OLD must stay inside (default: each file\'s folder)')
    .action(async (file: string, o: { against: string[]; mode?: string; policy?: string; format: 'text' | 'json'; contract?: string; registry?: string; token?: string; root?: string }) => {
      process.exitCode = await runCheck(file, o);
    });

  program
    .command('generate')
    .description('generate an SDK (TypeScript: models, validators; other languages: models) from FILE or a registered contract')
    .argument('[file]', 'AsyncAPI document, YAML or JSON (or use --contract)')
    .requiredOption('--out <dir>', 'folder to write the SDK to')
    .option('--lang <lang>', 'typescript, java, python, go, csharp, rust or kotlin', 'typescript')
    .option('--package <name>', 'package name (default: @herald/<contract> for TypeScript)')
    .option('--check', 'write nothing; exit 1 when --out differs from what would be generated, listing the files')
    .option('--contract <name>', 'generate from this registered contract instead of a file')
    .option('--version <n>', 'with --contract: the version (default latest)')
    .addOption(new Option('--registry <url>', 'registry URL, with --contract').env('HERALD_REGISTRY'))
    .addOption(new Option('--token <token>', 'bearer token, with --contract').env('HERALD_TOKEN'))
    .option('--root <dir>', ROOT_HELP)
    .action(async (file: string | undefined, o: GenerateOptions) => {
      // Loaded on use: the renderers are large, and other commands should not pay for them.
      const { runGenerate } = await import('./generate.js');
      process.exitCode = await runGenerate(file, o);
    });

  registryOptions(
    program
      .command('get')
      .description('print a contract version (default: latest) as JSON, or its document')
      .argument('<contract>', 'contract name')
      .argument('[version]', 'version number or "latest"', 'latest')
      .option('--document', 'print the document as registered')
      .addOption(new Option('--as <format>', 'convert the document').choices(['yaml', 'json'])),
  ).action(async (contract: string, version: string, o: RegistryOpts & { document?: boolean; as?: 'yaml' | 'json' }) => {
    const base = `v1/contracts/${enc(contract)}/versions/${enc(version)}`;
    if (o.document || o.as) {
      const accept = o.as === 'json' ? 'application/json' : o.as === 'yaml' ? 'application/yaml' : '*/*';
      const res = await client(o).request<string>('GET', `${base}/document`, undefined, accept);
      process.stdout.write(res.text.endsWith('\n') ? res.text : res.text + '\n');
    } else {
      out((await client(o).request('GET', base)).data);
    }
  });

  registryOptions(
    program
      .command('list')
      .description('list contracts, or the versions of one contract')
      .argument('[contract]', 'list the versions of this contract')
      .option('--prefix <prefix>', 'only contracts whose name starts with this')
      .option('--json', 'print JSON'),
  ).action(async (contract: string | undefined, o: RegistryOpts & { prefix?: string; json?: boolean }) => {
    if (contract) {
      const { versions } = (await client(o).request<{ versions: Array<{ version: number; infoVersion: string; createdAt: string; registeredBy: string }> }>('GET', `v1/contracts/${enc(contract)}/versions`)).data;
      if (o.json) return out(versions);
      return out(versions.map((v) => `${v.version}\t${v.infoVersion}\t${v.createdAt}\t${v.registeredBy}`).join('\n') || '(no versions)');
    }
    const contracts: Array<{ name: string; latestVersion: number | null; versionCount: number }> = [];
    for (let after: string | null = ''; after !== null; ) {
      const query = new URLSearchParams({ limit: '1000', ...(o.prefix ? { prefix: o.prefix } : {}), ...(after ? { after } : {}) });
      const page: { contracts: typeof contracts; next: string | null } = (await client(o).request<{ contracts: typeof contracts; next: string | null }>('GET', `v1/contracts?${query}`)).data;
      contracts.push(...page.contracts);
      after = page.next;
    }
    if (o.json) return out(contracts);
    out(contracts.map((c) => `${c.name}\tlatest ${c.latestVersion ?? '-'}\t${c.versionCount} version${c.versionCount === 1 ? '' : 's'}`).join('\n') || '(no contracts)');
  });

  registryOptions(
    program
      .command('delete')
      .description('soft-delete a contract or one version; --permanent removes what was soft-deleted')
      .argument('<contract>', 'contract name')
      .argument('[version]', 'version number', positive)
      .option('--permanent', 'remove for good (after a soft delete)'),
  ).action(async (contract: string, version: number | undefined, o: RegistryOpts & { permanent?: boolean }) => {
    const path = `v1/contracts/${enc(contract)}${version ? `/versions/${version}` : ''}${o.permanent ? '?permanent=true' : ''}`;
    await client(o).request('DELETE', path);
    out(`${contract}${version ? ` version ${version}` : ''}: ${o.permanent ? 'permanently deleted' : 'deleted (soft; --permanent removes it for good)'}`);
  });

  registryOptions(
    program
      .command('provision')
      .description('create the topics, exchanges and queues a contract needs, each with its DLQ (idempotent)')
      .requiredOption('--contract <name>', 'contract name')
      .option('--version <n>', 'this version instead of the latest', positive)
      .option('--json', 'print the registry answer as JSON'),
  ).action(async (o: RegistryOpts & { contract: string; version?: number; json?: boolean }) => {
    type Report = { version: number; results: { kind: string; name: string; status: string; detail?: string }[]; skipped: { channel: string; name: string; reason: string }[] };
    const report = (await client(o).request<Report>('POST', `v1/contracts/${enc(o.contract)}/provision${o.version ? `?version=${o.version}` : ''}`)).data;
    if (o.json) return out(report);
    const lines = report.results.map((r) => `${r.status}\t${r.kind}\t${r.name}${r.detail ? `\t(${r.detail})` : ''}`);
    lines.push(...report.skipped.map((k) => `skipped\t${k.channel}\t${k.name}\t(${k.reason})`));
    out(`${o.contract} version ${report.version}:\n${lines.join('\n')}`);
    if (report.results.some((r) => r.status === 'conflict')) process.exitCode = EXIT.rejected;
  });

  program
    .command('gateway')
    .description('run the gateway alone, reading contracts from a registry (brokers from HERALD_KAFKA_BROKERS, HERALD_AMQP_URL)')
    .addOption(new Option('--registry <url>', 'registry URL').env('HERALD_REGISTRY').makeOptionMandatory())
    .addOption(new Option('--token <token>', 'bearer token for the registry').env('HERALD_TOKEN'))
    .option('--host <host>', 'interface to listen on (non-loopback needs HERALD_ADMIN_TOKEN)')
    .option('--port <port>', 'port to listen on', port)
    .action(async (o: { registry: string; token?: string; host?: string; port?: number }) => {
      const config = loadConfig({ host: o.host, port: o.port });
      const server = await startGatewayServer(config, o.registry, o.token);
      await untilSignal(server.shutdown);
    });

  program
    .command('relay')
    .description('consume a raw topic or queue, validate each message, route it to the channel\'s destination or DLQ (at least once)')
    .requiredOption('--contract <name>', 'contract name')
    .requiredOption('--channel <id>', 'channel id')
    .requiredOption('--from <source>', 'kafka:TOPIC or amqp:QUEUE', source)
    .option('--version <n>', 'validate against this version instead of the latest', positive)
    .option('--group <id>', 'Kafka consumer group (default herald-relay-CONTRACT-CHANNEL)')
    .addOption(new Option('--registry <url>', 'registry URL').env('HERALD_REGISTRY').default(DEFAULT_REGISTRY))
    .addOption(new Option('--token <token>', 'bearer token').env('HERALD_TOKEN'))
    .action(async (o: { contract: string; channel: string; from: { broker: 'kafka' | 'rabbitmq'; name: string }; version?: number; group?: string; registry: string; token?: string }) => {
      const config = loadConfig();
      const relay = await startRelayProcess(config, {
        contract: o.contract,
        channel: o.channel,
        ...(o.version ? { version: o.version } : {}),
        from: o.from,
        group: o.group ?? `herald-relay-${o.contract}-${o.channel}`,
        registry: o.registry,
        ...(o.token ? { token: o.token } : {}),
      });
      await untilSignal(relay.stop);
    });

  return program;
}

function source(value: string): { broker: 'kafka' | 'rabbitmq'; name: string } {
  const m = /^(kafka|amqp):(.+)$/.exec(value);
  if (!m) throw new InvalidArgumentError('must be kafka:TOPIC or amqp:QUEUE');
  return { broker: m[1] === 'kafka' ? 'kafka' : 'rabbitmq', name: m[2]! };
}

function untilSignal(stop: () => Promise<void>): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => void stop().then(resolve);
    process.once('SIGTERM', done);
    process.once('SIGINT', done);
  });
}

/** For an invalid document: where the first problem is, as FILE:LINE:COLUMN. */
function located(err: unknown, file: string, bundled: boolean): unknown {
  if (!(err instanceof CliError) || !err.problem?.errors?.length) return err;
  const [first] = err.problem.errors;
  const where = first!.line ? `${file}${bundled ? ' (bundled)' : ''}:${first!.line}:${first!.column ?? 1}` : file;
  const more = err.problem.errors.length > 1 ? ` (and ${err.problem.errors.length - 1} more)` : '';
  const pointer = first!.pointer ? ` at ${first!.pointer}` : '';
  return new CliError(`${where}: ${first!.message}${pointer} [${first!.rule}]${more}`, err.exitCode, err.problem);
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    process.exitCode = undefined;
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has printed help or its own one-line message already.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof CliError) {
      process.stderr.write(`herald: ${err.message}\n`);
      return err.exitCode;
    }
    if (err instanceof HeraldError) {
      process.stderr.write(`herald: ${err.message}\n`);
      return EXIT.usage;
    }
    process.stderr.write(`herald: ${(err as Error).message ?? String(err)}\n`);
    return EXIT.usage;
  }
}
