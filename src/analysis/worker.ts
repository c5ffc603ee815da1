/**
 * A worker thread of the analysis pool (pool.ts): the tasks, by name. Each thread keeps its
 * own caches of compiled validators and spec schemas.
 */
import { workerData } from 'node:worker_threads';
import { setPatternDialect, type PatternDialect } from '../contracts/regex.js';
import { warmUp } from '../contracts/structure.js';

export { checkTask as check, ingestTask as ingest, modelTask as model } from './tasks.js';

setPatternDialect((workerData as { patternDialect: PatternDialect }).patternDialect);
// Compiling the AsyncAPI schemas takes a moment; pay it before the first document does.
warmUp(['2.6.0', '3.0.0']);
