/**
 * One error family for the whole project. Modules throw `HeraldError` with a code;
 * the HTTP layer (http/problem.ts) and the CLI map codes to statuses and exit codes
 * in one place each, so no module needs to know how it is served.
 */

/** A finding about a document: what is wrong, where (JSON pointer, line), and which rule. */
export interface Diagnostic {
  /** Stable rule id, e.g. `asyncapi-document-resolved` or `external-ref`. */
  rule: string;
  message: string;
  /** JSON pointer into the submitted document ('' is the root). */
  pointer: string;
  /** 1-based, when the position is known. */
  line?: number;
  column?: number;
}

export const ERROR_CODES = {
  'bad-request': 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  'not-acceptable': 406,
  conflict: 409,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  'invalid-document': 422,
  'limit-exceeded': 422,
  'outcome-unknown': 502,
  unavailable: 503,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class HeraldError extends Error {
  override readonly name = 'HeraldError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra problem members, e.g. `{ errors: Diagnostic[] }`. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export class InvalidDocumentError extends HeraldError {
  constructor(
    readonly diagnostics: Diagnostic[],
    message = summarize(diagnostics),
    code: 'invalid-document' | 'limit-exceeded' = 'invalid-document',
  ) {
    super(code, message, { errors: diagnostics });
  }
}

function summarize(diagnostics: Diagnostic[]): string {
  const first = diagnostics[0];
  if (!first) return 'The document is not a valid AsyncAPI document.';
  const where = first.pointer === '' ? '' : ` at ${first.pointer}`;
  const more = diagnostics.length > 1 ? ` (and ${diagnostics.length - 1} more)` : '';
  return `The document is not a valid AsyncAPI document: ${first.message}${where}${more}.`;
}

export const notFound = (what: string) => new HeraldError('not-found', what);
