/**
 * Property test: for random pairs of related schemas, generate instances valid under one
 * and check them with the runtime validator under the other. Whenever the engine says a
 * direction is compatible, no instance may contradict it. The share of "breaking" verdicts
 * for which no counterexample turns up estimates the false-breaking rate (printed).
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { compareSchemas } from '../../src/compat/schemas.js';
import type { Policy } from '../../src/compat/types.js';
import { runtimeValidator } from '../../src/contracts/validator.js';
import { instances, mutate, polymorphicArb, schemaArb, type Schema } from '../helpers/schema-gen.js';

const valid = (schema: Schema, value: unknown) => {
  const v = runtimeValidator(schema);
  return typeof v === 'function' && v(value) === true;
};

/** Deterministic random numbers for instance generation, seeded per property run. */
function rngOf(seed: number) {
  let s = seed >>> 0 || 1;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

const stats = { verdicts: 0, compatible: 0, breaking: 0, breakingWithCounterexample: 0, vacuous: 0 };
/** Kinds behind "breaking" verdicts that no generated instance confirmed. */
const unconfirmed = new Map<string, number>();

const RUNS = Number(process.env.HERALD_PROPERTY_RUNS ?? 1000);

describe.each<Policy>(['strict', 'lenient'])('the engine is sound under %s', (policy) => {
  it('no instance contradicts a "compatible" verdict', () => sound(schemaArb, policy, RUNS));
  // Coinductive on both sides: the engine and the validator meet the base again and assume it.
  it('nor for polymorphic hierarchies (a base whose oneOf lists subtypes that allOf it)', () => sound(polymorphicArb, policy, Math.ceil(RUNS / 4)));
});

function sound(arb: fc.Arbitrary<Schema>, policy: Policy, numRuns: number) {
    fc.assert(
      fc.property(arb, fc.array(fc.tuple(fc.nat(), fc.nat(), schemaArb), { minLength: 1, maxLength: 3 }), fc.nat(), (old, edits, seed) => {
        let neu: Schema = old;
        for (const [choice, pick, replacement] of edits) neu = mutate(neu, choice, pick, replacement);
        // Herald only ever compares schemas that passed validation; skip what Ajv cannot compile.
        fc.pre(typeof runtimeValidator(old) === 'function' && typeof runtimeValidator(neu) === 'function');
        const changes = compareSchemas({ doc: old, ptr: '' }, { doc: neu, ptr: '' }, policy);
        const rng = rngOf(seed);
        for (const [writer, reader, direction] of [[old, neu, 'BACKWARD'], [neu, old, 'FORWARD']] as const) {
          const breaks = changes.some((c) => c.breaks.includes(direction));
          const sample = instances(writer, rng, { lenient: policy === 'lenient', count: 40 }).filter((i) => valid(writer, i));
          const counterexample = sample.find((i) => !valid(reader, i));
          stats.verdicts++;
          // A writer that admits nothing (contradictory random keywords) says nothing about false breaks.
          if (sample.length === 0 && breaks) {
            stats.vacuous++;
            continue;
          }
          if (breaks) {
            stats.breaking++;
            if (counterexample !== undefined) stats.breakingWithCounterexample++;
            else {
              for (const c of changes.filter((x) => x.breaks.includes(direction))) unconfirmed.set(c.kind, (unconfirmed.get(c.kind) ?? 0) + 1);
              if (process.env.HERALD_PROPERTY_KIND && changes.some((c) => c.kind === process.env.HERALD_PROPERTY_KIND && c.breaks.includes(direction))) {
                console.info(direction, JSON.stringify(old), '=>', JSON.stringify(neu), changes.map((c) => `${c.kind} [${c.breaks}]`).join(' '));
              }
            }
          } else {
            stats.compatible++;
            if (counterexample !== undefined) {
              expect.fail(`${direction} judged compatible, but ${JSON.stringify(counterexample)} passes ${JSON.stringify(writer)} and fails ${JSON.stringify(reader)}; changes: ${JSON.stringify(changes.map((c) => `${c.kind} [${c.breaks}] ${c.newPath}`))}`);
            }
          }
        }
      }),
      { numRuns, seed: 42 },
    );
}

afterAll(() => {
  const rate = stats.breaking ? 1 - stats.breakingWithCounterexample / stats.breaking : 0;
  console.info(
    `compatibility property test: ${stats.verdicts} verdicts, ${stats.compatible} compatible (none contradicted), ` +
      `${stats.breaking} breaking of which ${stats.breakingWithCounterexample} had a generated counterexample ` +
      `(and ${stats.vacuous} breaking verdicts whose writer admitted no generated instance, not counted); ` +
      `false-breaking rate at most ${(rate * 100).toFixed(1)}%`,
  );
  if (process.env.HERALD_PROPERTY_DETAIL) console.info([...unconfirmed].sort((a, b) => b[1] - a[1]));
});
