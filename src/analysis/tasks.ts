/**
 * The work a caller's document can make expensive — parsing, validating, building the
 * model, comparing versions — as plain functions of plain data, so that they can run in a
 * worker thread (pool.ts) or in the calling thread (inline.ts) alike. Errors travel as
 * data: a thread boundary keeps an Error's message but not its class or fields.
 */
import { Budget, TooComplexError } from '../compat/budget.js';
import type { ContractVersion } from '../compat/contracts.js';
import type { Mode, Policy } from '../compat/types.js';
import { checkCompatibility, type Earlier, type Verdict } from '../compat/verdict.js';
import { ingest, type IngestedDocument, type IngestLimits } from '../contracts/ingest.js';
import type { Contract } from '../contracts/model.js';
import { modelOfDocument } from '../contracts/normalize.js';
import type { SourceFormat } from '../contracts/text.js';
import { packArchive, type Archive } from '../sdk/archive.js';
import { generateSdk, type SdkOptions } from '../sdk/generate.js';
import { ERROR_CODES, HeraldError, InvalidDocumentError, type Diagnostic, type ErrorCode } from '../errors.js';

/** The compatibility engine's budget and report size (config.ts CompatLimits). */
export interface CheckLimits {
  maxSteps: number;
  maxMs: number;
  maxChanges: number;
}

export interface IngestInput {
  text: string;
  format: SourceFormat;
  limits: IngestLimits;
}

/**
 * A version named by its fingerprint; its document and model may be left out when the
 * thread that runs the check is likely to have them (it parsed it, or was sent it before).
 */
export interface VersionRef {
  fingerprint: string;
  document?: unknown;
  contract?: Contract;
}

export interface CheckInput {
  candidate: VersionRef;
  earlier: Array<VersionRef & { version?: number }>;
  mode: Mode;
  policy: Policy;
  limits: CheckLimits;
}

export interface ModelInput {
  document: Record<string, unknown>;
  maxRefNodes: number;
}

export interface SdkInput {
  /** A stored (already validated) document. */
  document: Record<string, unknown>;
  options: SdkOptions;
  maxRefNodes: number;
}

/** A generated SDK packed as an archive, and its package.json when it is an npm package. */
export interface SdkArchive extends Archive {
  manifest?: Record<string, unknown>;
}

export type Outcome<T> =
  | { ok: true; value: T }
  | { ok: false; error: { code: ErrorCode; message: string; details: Record<string, unknown> } }
  /** A check named versions this thread does not hold: send them again, whole. */
  | { ok: false; missing: string[] };

/**
 * Versions this thread has parsed or been sent, by fingerprint: immutable, so a check that
 * names them needs not carry their documents across the thread boundary again.
 */
const known = new Map<string, ContractVersion>();
const KNOWN_MAX = 200;

function remember(fingerprint: string, version: ContractVersion): void {
  known.delete(fingerprint);
  if (known.size >= KNOWN_MAX) known.delete(known.keys().next().value!);
  known.set(fingerprint, version);
}

export async function ingestTask(input: IngestInput): Promise<Outcome<IngestedDocument>> {
  return settle(async () => {
    const doc = await ingest(input.text, input.format, input.limits);
    remember(doc.fingerprint, { document: doc.document, contract: doc.contract });
    return doc;
  });
}

export async function checkTask(input: CheckInput): Promise<Outcome<Verdict>> {
  const resolve = (ref: VersionRef): ContractVersion | undefined => {
    if (ref.document !== undefined && ref.contract !== undefined) remember(ref.fingerprint, { document: ref.document, contract: ref.contract });
    return known.get(ref.fingerprint);
  };
  const candidate = resolve(input.candidate);
  const earlier = input.earlier.map((e) => ({ ...resolve(e), version: e.version }));
  const missing = [input.candidate, ...input.earlier].filter((r) => !known.has(r.fingerprint)).map((r) => r.fingerprint);
  if (missing.length > 0 || !candidate) return { ok: false, missing };
  return settle(() => {
    const budget = new Budget({ maxSteps: input.limits.maxSteps, maxMs: input.limits.maxMs, now: () => performance.now() });
    try {
      return checkCompatibility(candidate, earlier as Earlier[], input.mode, input.policy, { budget, maxChanges: input.limits.maxChanges });
    } catch (err) {
      // Schemas nested (through references) deeper than the stack: judged as too complex.
      if (err instanceof RangeError) throw new TooComplexError('depth', { oldPath: '', newPath: '', ...budget.scope }, input.limits);
      throw err;
    }
  });
}

export async function modelTask(input: ModelInput): Promise<Outcome<Contract>> {
  return settle(() => modelOfDocument(input.document, input.maxRefNodes));
}

export async function sdkTask(input: SdkInput): Promise<Outcome<SdkArchive>> {
  return settle(async () => {
    const contract = modelOfDocument(input.document, input.maxRefNodes);
    let sdk;
    try {
      sdk = await generateSdk(input.document, contract, input.options);
    } catch (err) {
      // What a language cannot say (modelina.ts refuses rather than write a wrong model).
      throw new HeraldError('invalid-document', `Herald cannot generate a ${input.options.lang} SDK of this version: ${(err as Error).message}`);
    }
    const manifest = sdk.files['package.json'] !== undefined ? (JSON.parse(sdk.files['package.json']) as Record<string, unknown>) : undefined;
    return { ...(await packArchive(sdk.files)), ...(manifest ? { manifest } : {}) };
  });
}

async function settle<T>(work: () => T | Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (err) {
    if (err instanceof HeraldError) return { ok: false, error: { code: err.code, message: err.message, details: err.details } };
    throw err;
  }
}

/** The value of an outcome, or its error rebuilt as the HeraldError it was. */
export function unwrap<T>(outcome: Outcome<T>): T {
  if (outcome.ok) return outcome.value;
  if ('missing' in outcome) throw new Error(`versions not sent: ${outcome.missing.join(', ')}`);
  const { code, message, details } = outcome.error;
  if ((code === 'invalid-document' || code === 'limit-exceeded') && Array.isArray(details.errors)) {
    return throwing(new InvalidDocumentError(details.errors as Diagnostic[], message, code));
  }
  return throwing(new HeraldError(Object.hasOwn(ERROR_CODES, code) ? code : 'internal', message, details));
}

const throwing = (err: Error): never => {
  throw err;
};
