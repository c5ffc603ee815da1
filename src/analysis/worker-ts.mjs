// Runs worker.ts from source (tests, `tsx`): Node 20 workers do not inherit a TypeScript
// loader, so this registers one first. The built package runs worker.js directly.
import { register } from 'tsx/esm/api';

register();
const tasks = await import('./worker.ts');
export const { check, ingest, model } = tasks;
