/**
 * What a schema node admits, as the comparison asks it over and over: its JSON types, its
 * finite values (an `enum`, a `const`, or only null and booleans), and whether it accepts
 * a value. Answers are kept per node for the length of one check, and enums are answered
 * through sets: a check of a 50,000-value enum against another takes linear time, where
 * running the validator (which scans the enum) on every value took quadratic.
 */
import { canonicalJson } from '../contracts/canonical.js';
import { runtimeValidator } from '../contracts/validator.js';
import type { Budget } from './budget.js';
import { asSchema, finish, kw, withKw, type SchemaNode } from './node.js';

export const NULL = 1, BOOLEAN = 2, OBJECT = 4, ARRAY = 8, STRING = 16, INTEGER = 32, FRACTION = 64;
export const NUMBER = INTEGER | FRACTION;
const ALL = 127;
const TYPE_BITS: Record<string, number> = { null: NULL, boolean: BOOLEAN, object: OBJECT, array: ARRAY, string: STRING, integer: INTEGER, number: NUMBER };

function typeBits(value: unknown): number {
  const list = Array.isArray(value) ? value : [value];
  return list.reduce((bits: number, t) => bits | (typeof t === 'string' && Object.hasOwn(TYPE_BITS, t) ? TYPE_BITS[t]! : 0), 0);
}

/** Types the `type` keywords allow. */
export function declared(node: SchemaNode): number {
  return withKw(node, 'type').reduce((bits, { value }) => bits & typeBits(value), ALL);
}

function valueBits(v: unknown): number {
  if (v === null) return NULL;
  if (Array.isArray(v)) return ARRAY;
  if (typeof v === 'number') return Number.isInteger(v) ? INTEGER : FRACTION;
  if (typeof v === 'string') return STRING;
  if (typeof v === 'boolean') return BOOLEAN;
  return typeof v === 'object' ? OBJECT : 0;
}

/** Compiling a validator costs about this many comparison steps. */
const COMPILE_STEPS = 50;
/** Checking one value against a compiled validator. */
const VALUES_PER_STEP = 16;

interface Facts {
  finite?: unknown[] | undefined;
  finiteKnown?: boolean;
  /** Canonical JSON of each enum/const the node's parts impose: a value must be in all. */
  sets?: Array<Set<string>>;
  /** The node's other keywords, compiled; null when they cannot be compiled (nothing passes at runtime). */
  rest?: ((value: unknown) => boolean) | null;
}

/** Per-check answers about nodes, keyed by document and node. */
export class NodeFacts {
  private readonly byDoc = new Map<unknown, Map<string, Facts>>();

  constructor(private readonly budget: Budget) {}

  private of(node: SchemaNode): Facts {
    let docFacts = this.byDoc.get(node.doc);
    if (!docFacts) this.byDoc.set(node.doc, (docFacts = new Map()));
    let facts = docFacts.get(node.key);
    if (!facts) docFacts.set(node.key, (facts = {}));
    return facts;
  }

  /** Types the node can hold at all: declared, and narrowed by finite values. */
  admitted(node: SchemaNode): number {
    const values = this.finiteValues(node);
    return values === undefined ? declared(node) : declared(node) & values.reduce((bits: number, v) => bits | valueBits(v), 0);
  }

  /** The values a node admits when it has an `enum` or `const`; undefined when it admits infinitely many. */
  finiteValues(node: SchemaNode): unknown[] | undefined {
    const facts = this.of(node);
    if (facts.finiteKnown) return facts.finite;
    const source = node.parts.find((p) => kw(p, 'const') !== undefined || Array.isArray(kw(p, 'enum')));
    let candidates: unknown[] | undefined;
    if (source) candidates = kw(source, 'const') !== undefined ? [kw(source, 'const')] : (kw(source, 'enum') as unknown[]);
    // Types with few values are finite too: null and booleans.
    else if ((declared(node) & ~(NULL | BOOLEAN)) === 0) candidates = [null, true, false];
    facts.finite = candidates?.filter((v) => this.accepts(node, v));
    facts.finiteKnown = true;
    return facts.finite;
  }

  /** Whether Herald's runtime validator accepts the value. */
  accepts(node: SchemaNode, value: unknown): boolean {
    const facts = this.of(node);
    if (facts.rest === undefined) this.prepare(node, facts);
    if (facts.rest === null) return false; // a schema the validator cannot compile accepts nothing at runtime
    this.budget.spend(1 / VALUES_PER_STEP, node.parts[0]?.ptr ?? '', '');
    if (facts.sets!.length > 0) {
      const key = canonicalJson(value);
      if (!facts.sets!.every((s) => s.has(key))) return false;
    }
    return facts.rest!(value);
  }

  /** Splits the node into its enums (as sets) and the rest (compiled once). */
  private prepare(node: SchemaNode, facts: Facts): void {
    this.budget.spend(COMPILE_STEPS, node.parts[0]?.ptr ?? '', '');
    const sets: Array<Set<string>> = [];
    for (const part of node.parts) {
      const c = kw(part, 'const');
      const e = kw(part, 'enum');
      if (c !== undefined) sets.push(new Set([canonicalJson(c)]));
      // A malformed enum is left to the validator, which rejects the schema.
      if (Array.isArray(e)) sets.push(new Set(e.map((v) => canonicalJson(v))));
    }
    const rest = finish(
      node.doc,
      node.parts.map((p) => (Array.isArray(kw(p, 'enum')) || kw(p, 'const') !== undefined ? { ...p, omit: new Set([...(p.omit ?? []), 'enum', 'const']) } : p)),
      node.never,
      node.unresolved,
    );
    const validate = runtimeValidator(asSchema(rest));
    facts.sets = sets;
    facts.rest = typeof validate === 'function' ? (value) => validate(value) === true : null;
  }
}
