/** The compatibility engine's vocabulary. Pure data; no I/O anywhere in compat/. */
import type { Kind } from './kinds.js';

/** BACKWARD: the new version accepts what the old accepted. FORWARD: the old accepts what the new accepts. */
export type Direction = 'BACKWARD' | 'FORWARD';
export const BOTH: readonly Direction[] = ['BACKWARD', 'FORWARD'];

/**
 * strict: an open object admits any undeclared property with any value (set semantics).
 * lenient: data carries only the properties its writer's schema declares, wherever that
 * schema is open; closed objects, maps and patternProperties keep set semantics.
 */
export type Policy = 'strict' | 'lenient';
export const POLICIES = ['strict', 'lenient'] as const;

export const MODES = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
  'AUTO',
  'AUTO_TRANSITIVE',
] as const;
export type Mode = (typeof MODES)[number];

/** What a change is about, so AUTO can tell whether the application sends or receives it. */
export interface Scope {
  channel?: string;
  /** A message id within `channel` (or, with `reply`, within the reply of `operation`). */
  message?: string;
  operation?: string;
  /** The message is one the reply of `operation` carries: it flows opposite to the operation. */
  reply?: boolean;
  /** The change is in this protocol's binding of the channel, operation or message (e.g. `ws`, `http`). */
  binding?: string;
}

export interface Change {
  kind: Kind;
  /** The directions in which this change loses messages; empty when it loses none. */
  breaks: Direction[];
  /** JSON pointers into the old and the new document (or schema). */
  oldPath: string;
  newPath: string;
  /** What changed and why it matters. */
  message: string;
  scope?: Scope;
  /** How many paths lead to this change, when more than one (a schema shared through `$ref`). */
  occurrences?: number;
  /** A message (or part of one) that shows the change, e.g. an instance two oneOf alternatives both accept. */
  example?: unknown;
  /** How to avoid the change, when there is a plain way, e.g. "make `type` required in each alternative". */
  fix?: string;
}
