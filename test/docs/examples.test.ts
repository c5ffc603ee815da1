/**
 * The docs' generated examples (src/docs/schema.ts): for every message of specs/ and of the
 * corpus that the gateway validates, the example generated from its payload and headers
 * schemas passes the gateway's own validator, so the docs never show a message the gateway
 * would dead-letter.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ingest } from '../../src/contracts/ingest.js';
import { runtimeValidator } from '../../src/contracts/validator.js';
import { rules, validExample } from '../../src/docs/schema.js';
import { corpusFiles, corpusPath, corpusPresent, isFragment, isMultiFile } from '../helpers/corpus.js';

describe('generated examples', () => {
  it('exist and are accepted by the gateway\'s validator, for every JSON Schema message of specs/ and the corpus', async () => {
    const docs = [...['orders', 'payments', 'notifications'].map((s) => ({ name: `specs/${s}.yaml`, text: readFileSync(`specs/${s}.yaml`, 'utf8') })), ...corpusFiles().filter((f) => !isFragment(f) && !isMultiFile(f)).map((f) => ({ name: f, text: readFileSync(corpusPath(f), 'utf8') }))];
    const refused: string[] = [];
    const missing: string[] = [];
    let checked = 0;
    for (const d of docs) {
      const { contract } = await ingest(d.text, d.name.endsWith('.json') ? 'json' : 'yaml').catch(() => ({ contract: undefined }));
      for (const m of contract?.channels.flatMap((c) => c.messages) ?? []) {
        if (m.schemaFormat && !/json/i.test(m.schemaFormat)) continue;
        for (const part of ['payload', 'headers'] as const) {
          const schema = m[part];
          if (schema === undefined) continue;
          const validate = runtimeValidator(schema);
          if (validate instanceof Error) continue;
          checked++;
          const example = validExample(schema);
          if (example === undefined) missing.push(`${d.name} ${m.id} ${part}`);
          else if (!validate(example)) refused.push(`${d.name} ${m.id} ${part}: ${JSON.stringify(validate.errors?.[0])}`);
        }
      }
    }
    expect(checked).toBeGreaterThan(20);
    expect(refused).toEqual([]);
    // Each message gets one, but for a oneOf of two open objects that both accept every
    // object without their properties' wrong types: the page then shows none rather than a
    // wrong one (the compatibility engine flags such a oneOf as ambiguous, too).
    expect(missing).toEqual(corpusPresent ? ['v2.6/oneof.yml testMessages payload', 'v3/oneof-asyncapi.yml testMessages payload'] : []);
  });

  it('rules in words', () => {
    expect(rules({ type: 'string', minLength: 1, maxLength: 64, pattern: '^a$' })).toEqual(['1 to 64 characters', 'matches ^a$']);
    expect(rules({ enum: ['a', 'b'] })).toEqual(['one of: a, b']);
    expect(rules({ type: 'integer', minimum: 0, maximum: 10, multipleOf: 2 })).toEqual(['from 0 to 10', 'a multiple of 2']);
    expect(rules({ type: 'object', additionalProperties: false })).toEqual(['no other properties']);
  });

  // A crafted schema must not make the docs build a huge example: each of these gets none, at once.
  it.each([
    ['a billion items', { type: 'array', minItems: 1_000_000_000, items: { type: 'string' } }],
    ['a billion characters', { type: 'string', minLength: 1_000_000_000 }],
    ['a counted repetition of a billion', { type: 'string', pattern: '^a{1000000000}$' }],
    ['nested counts that multiply', { type: 'string', pattern: '^((((a{30}){30}){30}){30})$' }],
    ['open repetition nested deep', { type: 'string', pattern: `^${'('.repeat(40)}a*${')*'.repeat(40)}$` }],
    ['a wide tree of required properties, eight levels deep', wide(8)],
  ])('gives no example for %s', (_what, schema) => {
    expect(validExample(schema)).toBeUndefined();
  });

  it('still gives one for small counted patterns and a narrow tree', () => {
    expect(validExample({ type: 'string', pattern: '^[A-Z]{3}-\\d{2,4}-x{5,}$' })).toMatch(/^[A-Z]{3}-\d{2,4}-x{5,}$/);
    expect(validExample(wide(2))).toEqual({ a: { a: {}, b: {}, c: {} }, b: { a: {}, b: {}, c: {} }, c: { a: {}, b: {}, c: {} } });
  });
});

/** An object with three required object properties, `levels` deep (by $ref, as documents write it): 3^levels values. */
function wide(levels: number): Record<string, unknown> {
  const $defs: Record<string, unknown> = { L0: { type: 'object' } };
  for (let i = 1; i <= levels; i++) {
    const ref = { $ref: `#/$defs/L${i - 1}` };
    $defs[`L${i}`] = { type: 'object', required: ['a', 'b', 'c'], properties: { a: ref, b: ref, c: ref } };
  }
  return { $defs, $ref: `#/$defs/L${levels}` };
}
