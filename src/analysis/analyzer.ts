/**
 * Where the registry has documents parsed, validated and compared. A caller's document may
 * be crafted to make that work large; run in worker threads (pool.ts), it cannot hold up
 * other requests, and a limit ends it. Inline, it runs in the calling thread: for the CLI,
 * which serves nobody else, and for tests of the rules themselves.
 */
import type { ContractVersion } from '../compat/contracts.js';
import type { Mode, Policy } from '../compat/types.js';
import type { Earlier, Verdict } from '../compat/verdict.js';
import type { IngestedDocument, IngestLimits } from '../contracts/ingest.js';
import type { Contract } from '../contracts/model.js';
import type { SourceFormat } from '../contracts/text.js';
import type { SdkOptions } from '../sdk/generate.js';
import { checkTask, ingestTask, modelTask, sdkTask, unwrap, type CheckLimits, type SdkArchive } from './tasks.js';

/** A version to compare, with the fingerprint that names it across threads. */
export type Fingerprinted = ContractVersion & { fingerprint: string };

export interface Analyzer {
  ingest(text: string, format: SourceFormat): Promise<IngestedDocument>;
  check(candidate: Fingerprinted, earlier: Array<Fingerprinted & Pick<Earlier, 'version'>>, mode: Mode, policy: Policy): Promise<Verdict>;
  /** The model of a stored (already validated) document. */
  model(document: Record<string, unknown>): Promise<Contract>;
  /** The SDK of a stored document, generated and packed as an archive. */
  sdk(document: Record<string, unknown>, options: SdkOptions): Promise<SdkArchive>;
  close(): Promise<void>;
}

export interface AnalyzerLimits {
  ingest: IngestLimits;
  check: CheckLimits;
}

export class InlineAnalyzer implements Analyzer {
  constructor(private readonly limits: AnalyzerLimits) {}

  async ingest(text: string, format: SourceFormat): Promise<IngestedDocument> {
    return unwrap(await ingestTask({ text, format, limits: this.limits.ingest }));
  }

  async check(candidate: Fingerprinted, earlier: Array<Fingerprinted & Pick<Earlier, 'version'>>, mode: Mode, policy: Policy): Promise<Verdict> {
    return unwrap(await checkTask({ candidate, earlier, mode, policy, limits: this.limits.check }));
  }

  async model(document: Record<string, unknown>): Promise<Contract> {
    return unwrap(await modelTask({ document, maxRefNodes: this.limits.ingest.maxRefNodes }));
  }

  async sdk(document: Record<string, unknown>, options: SdkOptions): Promise<SdkArchive> {
    return unwrap(await sdkTask({ document, options, maxRefNodes: this.limits.ingest.maxRefNodes }));
  }

  async close(): Promise<void> {}
}
