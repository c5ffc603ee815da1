/**
 * The analysis pool: worker threads (piscina) that parse, validate and compare documents,
 * so that no request, however crafted, holds up another. Each task has a deadline; a
 * worker that passes it, or runs out of its heap, is replaced, and the request gets a 422
 * naming the limit. A full queue answers 503, to be retried.
 */
import { fileURLToPath } from 'node:url';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { Mode, Policy } from '../compat/types.js';
import type { Earlier, Verdict } from '../compat/verdict.js';
import type { IngestedDocument } from '../contracts/ingest.js';
import type { PatternDialect } from '../contracts/regex.js';
import type { Contract } from '../contracts/model.js';
import type { SourceFormat } from '../contracts/text.js';
import { HeraldError } from '../errors.js';
import type { Analyzer, AnalyzerLimits, Fingerprinted } from './analyzer.js';
import type { SdkOptions } from '../sdk/generate.js';
import { unwrap, type CheckInput, type IngestInput, type ModelInput, type Outcome, type SdkArchive, type SdkInput } from './tasks.js';

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

  async check(candidate: Fingerprinted, earlier: Array<Fingerprinted & Pick<Earlier, 'version'>>, mode: Mode, policy: Policy): Promise<Verdict> {
    // First by fingerprint alone: the thread usually parsed the candidate and holds the
    // earlier versions from the previous check. A thread that does not is sent them whole.
    const ref = (v: Fingerprinted) => ({ fingerprint: v.fingerprint });
    const light: CheckInput = { candidate: ref(candidate), earlier: earlier.map((e) => ({ ...ref(e), version: e.version })), mode, policy, limits: this.limits.check };
    const outcome = await this.attempt<CheckInput, Verdict>('check', light);
    if (outcome.ok || !('missing' in outcome)) return unwrap(outcome);
    const whole = (v: Fingerprinted) => ({ fingerprint: v.fingerprint, document: v.document, contract: v.contract });
    return this.run<CheckInput, Verdict>('check', { ...light, candidate: whole(candidate), earlier: earlier.map((e) => ({ ...whole(e), version: e.version })) });
  }

  async model(document: Record<string, unknown>): Promise<Contract> {
    return this.run<ModelInput, Contract>('model', { document, maxRefNodes: this.limits.ingest.maxRefNodes });
  }

  async sdk(document: Record<string, unknown>, options: SdkOptions): Promise<SdkArchive> {
    // The tarball crosses the thread boundary as a Uint8Array; the store wants a Buffer.
    const archive = await this.run<SdkInput, SdkArchive>('sdk', { document, options, maxRefNodes: this.limits.ingest.maxRefNodes });
    return { ...archive, tarball: Buffer.from(archive.tarball.buffer, archive.tarball.byteOffset, archive.tarball.byteLength) };
  }

  private async run<I, O>(name: string, input: I): Promise<O> {
    return unwrap(await this.attempt<I, O>(name, input));
  }

  /**
   * Runs a task with a deadline that counts from when a thread starts it: time spent
   * waiting in the queue, or while a new thread compiles the AsyncAPI schemas, is not
   * the document's doing.
   */
  private async attempt<I, O>(name: string, input: I): Promise<Outcome<O>> {
    const { port1, port2 } = new MessageChannel();
    const stop = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    port1.once('message', () => (timer = setTimeout(() => stop.abort(), this.settings.timeoutMs)));
    try {
      return (await this.pool.run({ ...input, started: port2 }, { name, signal: stop.signal, transferList: [port2] })) as Outcome<O>;
    } catch (err) {
      throw this.failure(err);
    } finally {
      clearTimeout(timer);
      port1.close();
    }
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
