/**
 * A worker thread of the analysis pool (pool.ts): the tasks, by name. Each thread keeps its
 * own caches of compiled validators and spec schemas.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { setPatternDialect, type PatternDialect } from '../contracts/regex.js';
import { warmUp } from '../contracts/structure.js';
import { checkTask, ingestTask, modelTask, sdkTask, type CheckInput, type IngestInput, type ModelInput, type SdkInput } from './tasks.js';

/** Each task says when it starts (pool.ts counts its deadline from then). */
type Started<T> = T & { started?: MessagePort };

function begin(port: MessagePort | undefined): void {
  port?.postMessage('started');
  port?.close();
}

export const ingest = ({ started, ...input }: Started<IngestInput>) => (begin(started), ingestTask(input));
export const check = ({ started, ...input }: Started<CheckInput>) => (begin(started), checkTask(input));
export const model = ({ started, ...input }: Started<ModelInput>) => (begin(started), modelTask(input));
export const sdk = ({ started, ...input }: Started<SdkInput>) => (begin(started), sdkTask(input));

setPatternDialect((workerData as { patternDialect: PatternDialect }).patternDialect);
// Compiling the AsyncAPI schemas takes a moment; pay it before the first document does.
warmUp(['2.6.0', '3.0.0']);
