/**
 * `herald check`: a candidate against earlier versions, for CI. Offline against files
 * (oldest first), or against a registry's versions. Exit 0 compatible, 1 incompatible,
 * 2 unusable input.
 */
import { renderText, type ReportSources, type Source } from '../compat/report.js';
import { MODES, POLICIES, type Mode, type Policy } from '../compat/types.js';
import type { Verdict } from '../compat/verdict.js';
import { InlineAnalyzer } from '../analysis/analyzer.js';
import { loadConfig } from '../config.js';
import { setPatternDialect } from '../contracts/regex.js';
import { parseText, type TextLimits } from '../contracts/text.js';
import { DEFAULT_REGISTRY, RegistryClient } from './client.js';
import { load, type Loaded } from './load.js';
import { CliError, EXIT } from './errors.js';

export interface CheckOptions {
  against: string[];
  mode?: string;
  policy?: string;
  format: 'text' | 'json';
  registry?: string;
  contract?: string;
  token?: string;
  /** The folder local `$ref` files must stay inside, for every file read; default: each file's folder. */
  root?: string;
}

function source(loaded: Loaded, limits: TextLimits): Source {
  // Positions point into the file as given; a bundled file's text is not the file's.
  if (loaded.prepared.bundled) return { label: loaded.file };
  const parsed = parseText(loaded.prepared.text, loaded.prepared.format, limits);
  return { label: loaded.file, locate: (p) => parsed.locate(p) };
}

function option<T extends string>(value: string | undefined, allowed: readonly T[], name: string, upper: boolean): T | undefined {
  if (value === undefined) return undefined;
  const v = upper ? value.toUpperCase() : value;
  if (!allowed.includes(v as T)) throw new CliError(`--${name} must be one of ${allowed.join(', ')}, not "${value}"`, EXIT.usage);
  return v as T;
}

export async function runCheck(file: string, opts: CheckOptions): Promise<number> {
  const mode = option<Mode>(opts.mode, MODES, 'mode', true);
  const policy = option<Policy>(opts.policy, POLICIES, 'policy', false);
  if (opts.contract && opts.against.length) throw new CliError('give either --against files or --contract (with --registry), not both', EXIT.usage);
  if (!opts.contract && !opts.against.length) throw new CliError('nothing to check against: give --against OLD (oldest first) or --contract NAME --registry URL', EXIT.usage);
  // The same limits and work budget as the server's (HERALD_* settings).
  const config = loadConfig();
  setPatternDialect(config.patternDialect);
  const analyzer = new InlineAnalyzer({ ingest: config.limits, check: config.compat });
  const candidate = await load(analyzer, file, opts.root);
  let verdict: Verdict;
  let sources: ReportSources;
  if (opts.contract) {
    const client = new RegistryClient({ registry: opts.registry ?? DEFAULT_REGISTRY, token: opts.token });
    const query = new URLSearchParams({ ...(mode ? { mode } : {}), ...(policy ? { policy } : {}) });
    const contentType = candidate.prepared.format === 'json' ? 'application/json' : 'application/yaml';
    try {
      verdict = (await client.request<Verdict>('POST', `v1/contracts/${encodeURIComponent(opts.contract)}/compatibility?${query}`, { text: candidate.prepared.text, contentType })).data;
    } catch (err) {
      // The registry's verdict on the input is "unusable input" here, not "incompatible".
      if (err instanceof CliError && err.exitCode === EXIT.rejected) throw new CliError(err.message, EXIT.usage);
      throw err;
    }
    sources = {
      candidate: source(candidate, config.limits),
      earlier: (against) => ({ label: against ? `registered version ${against} of ${opts.contract}` : `the registered versions of ${opts.contract}` }),
    };
  } else {
    const earlier = [];
    for (const f of opts.against) earlier.push(await load(analyzer, f, opts.root));
    verdict = await analyzer.check(
      { document: candidate.doc.document, contract: candidate.doc.contract, fingerprint: candidate.doc.fingerprint },
      earlier.map((e, i) => ({ document: e.doc.document, contract: e.doc.contract, fingerprint: e.doc.fingerprint, version: i + 1 })),
      mode ?? 'AUTO',
      policy ?? 'lenient',
    );
    const olds = earlier.map((e) => source(e, config.limits));
    sources = { candidate: source(candidate, config.limits), earlier: (against) => (against ? olds[against - 1]! : olds.at(-1)!) };
  }
  if (opts.format === 'json') {
    const out = {
      compatible: verdict.compatible,
      mode: verdict.mode,
      policy: verdict.policy,
      changes: verdict.changes.map((c) => ({
        kind: c.kind,
        breaks: c.breaks,
        oldPath: c.oldPath,
        newPath: c.newPath,
        message: c.message,
        breaking: c.breaking,
        ...(c.occurrences ? { occurrences: c.occurrences } : {}),
        ...('example' in c ? { example: c.example } : {}),
        ...(c.fix ? { fix: c.fix } : {}),
        ...(c.against !== undefined && opts.against.length ? { against: opts.against[c.against - 1] } : c.against !== undefined ? { against: c.against } : {}),
      })),
      advice: verdict.advice,
      ...(verdict.truncated ? { truncated: verdict.truncated } : {}),
    };
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  } else {
    process.stdout.write(renderText(verdict, sources));
  }
  return verdict.compatible ? EXIT.ok : EXIT.rejected;
}
