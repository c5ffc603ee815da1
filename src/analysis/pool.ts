/**
 * The analysis pool: worker threads (piscina) that parse, validate and compare documents,
 * so that no request, however crafted, holds up another. Each task has a deadline; a
 * worker that passes it, or runs out of its heap, is replaced, and the request gets a 422
 * naming the limit. A full queue answers 503, to be retried.
 */
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { ContractVersion } from '../compat/contracts.js';
import type { Mode, Policy } from '../compat/types.js';
import type { Earlier, Verdict } from '../compat/verdict.js';
import type { IngestedDocument } from '../contracts/ingest.js';
import type { PatternDialect } from '../contracts/regex.js';
import type { Contract } from '../contracts/model.js';
import type { SourceFormat } from '../contracts/text.js';
import { HeraldError } from '../errors.js';
import type { Analyzer, AnalyzerLimits } from './analyzer.js';
import { unwrap, type CheckInput, type IngestInput, type ModelInput, type Outcome } from './tasks.js';

export interface PoolSettings {
  threads: number;
  patternDialect: PatternDialect;
  maxQueue: number;
  maxHeapMb: number;
  timeoutMs: number;
}

// From source (tests), the worker needs a TypeScript loader; built, it is plain JavaScript.
const fromSource = import.meta.url.endsWith('.ts');
const WORKER = fileURLToPath(new URL(fromSource ? './worker-ts.mjs' : './worker.js', import.meta.url));

export class WorkerAnalyzer implements Analyzer {
  private readonly pool: Piscina;

  constructor(
    private readonly limits: AnalyzerLimits,
    private readonly settings: PoolSettings,
  ) {
    this.pool = new Piscina({
      filename: WORKER,
      minThreads: settings.threads,
      maxThreads: settings.threads,
      maxQueue: settings.maxQueue,
      // Threads stay up: a new one pays for compiling the AsyncAPI schemas again.
      idleTimeout: Number.POSITIVE_INFINITY,
      resourceLimits: { maxOldGenerationSizeMb: settings.maxHeapMb },
      workerData: { patternDialect: settings.patternDialect },
    });
  }

  async ingest(text: string, format: SourceFormat): Promise<IngestedDocument> {
    return this.run<IngestInput, IngestedDocument>('ingest', { text, format, limits: this.limits.ingest });
  }

  async check(candidate: ContractVersion, earlier: Earlier[], mode: Mode, policy: Policy): Promise<Verdict> {
    return this.run<CheckInput, Verdict>('check', { candidate, earlier, mode, policy, limits: this.limits.check });
  }

  async model(document: Record<string, unknown>): Promise<Contract> {
    return this.run<ModelInput, Contract>('model', { document, maxRefNodes: this.limits.ingest.maxRefNodes });
  }

  private async run<I, O>(name: string, input: I): Promise<O> {
    let outcome: Outcome<O>;
    try {
      outcome = (await this.pool.run(input, { name, signal: AbortSignal.timeout(this.settings.timeoutMs) })) as Outcome<O>;
    } catch (err) {
      throw this.failure(err);
    }
    return unwrap(outcome);
  }

  /** What a task that did not finish means for the caller. */
  private failure(err: unknown): Error {
    const e = err as { name?: string; code?: string; message?: string };
    if (e.name === 'AbortError') {
      return new HeraldError(
        'limit-exceeded',
        `Too complex to process: the work on this document took longer than ${this.settings.timeoutMs} ms (HERALD_WORKER_TIMEOUT_MS) and was stopped.`,
        { limit: 'HERALD_WORKER_TIMEOUT_MS' },
      );
    }
    if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') {
      return new HeraldError(
        'limit-exceeded',
        `Too large to process: the work on this document needed more than ${this.settings.maxHeapMb} MiB (HERALD_WORKER_HEAP_MB) and was stopped.`,
        { limit: 'HERALD_WORKER_HEAP_MB' },
      );
    }
    if (e.message === 'Task queue is at limit') {
      return new HeraldError('unavailable', `Herald is busy: ${this.settings.maxQueue} documents are waiting to be processed (HERALD_WORKER_QUEUE). Retry shortly.`, { retryAfter: 2 });
    }
    return err as Error;
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
