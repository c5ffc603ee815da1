/**
 * Schema pairs with their expected verdicts: [BACKWARD, FORWARD] under strict and under
 * lenient ('ok' or 'break'). `confluent` names the Confluent Schema Registry difference type
 * a case stands for, where one maps onto Herald's semantics.
 */
import type { Kind } from '../../src/compat/kinds.js';

export type V = 'ok' | 'break';
type S = Record<string, unknown> | boolean;

export interface Case {
  name: string;
  old: S;
  new: S;
  strict: [V, V];
  /** Defaults to `strict`. */
  lenient?: [V, V];
  /** A kind at least one change must have. */
  kind?: Kind;
  confluent?: string;
  /** Not also checked wrapped in a required property (root-level references). */
  noWrap?: boolean;
}

const OK: [V, V] = ['ok', 'ok'];
const B: [V, V] = ['break', 'ok'];
const F: [V, V] = ['ok', 'break'];
const BF: [V, V] = ['break', 'break'];

const str = { type: 'string' };
const int = { type: 'integer' };
const num = { type: 'number' };
const obj = (properties: Record<string, S>, extra: Record<string, unknown> = {}) => ({ type: 'object', properties, ...extra });
const arr = (extra: Record<string, unknown>) => ({ type: 'array', ...extra });

/** ADDED, REMOVED, INCREASED, DECREASED of one bound keyword. */
function bounds(keyword: string, base: Record<string, unknown>, low: number, high: number, lower: boolean, prefix: string): Case[] {
  const tighter = lower ? [low, high] : [high, low];
  return [
    { name: `${keyword} added`, old: base, new: { ...base, [keyword]: low }, strict: B, kind: `${prefix}_ADDED` as Kind, confluent: `${prefix}_ADDED` },
    { name: `${keyword} removed`, old: { ...base, [keyword]: low }, new: base, strict: F, kind: `${prefix}_REMOVED` as Kind, confluent: `${prefix}_REMOVED` },
    { name: `${keyword} ${lower ? 'increased' : 'decreased'}`, old: { ...base, [keyword]: tighter[0] }, new: { ...base, [keyword]: tighter[1] }, strict: B, kind: `${prefix}_${lower ? 'INCREASED' : 'DECREASED'}` as Kind, confluent: `${prefix}_${lower ? 'INCREASED' : 'DECREASED'}` },
    { name: `${keyword} ${lower ? 'decreased' : 'increased'}`, old: { ...base, [keyword]: tighter[1] }, new: { ...base, [keyword]: tighter[0] }, strict: F, kind: `${prefix}_${lower ? 'DECREASED' : 'INCREASED'}` as Kind, confluent: `${prefix}_${lower ? 'DECREASED' : 'INCREASED'}` },
  ];
}

export const CASES: Case[] = [
  // ---- types
  { name: 'same type', old: str, new: str, strict: OK },
  { name: 'integer to number', old: int, new: num, strict: F, kind: 'TYPE_EXTENDED', confluent: 'TYPE_EXTENDED' },
  { name: 'number to integer', old: num, new: int, strict: B, kind: 'TYPE_NARROWED', confluent: 'TYPE_NARROWED' },
  { name: 'string to integer', old: str, new: int, strict: BF, kind: 'TYPE_CHANGED', confluent: 'TYPE_CHANGED' },
  { name: 'null allowed', old: str, new: { type: ['string', 'null'] }, strict: F, kind: 'NULL_ALLOWED' },
  { name: 'null disallowed', old: { type: ['string', 'null'] }, new: str, strict: B, kind: 'NULL_DISALLOWED' },
  { name: 'type array extended', old: { type: ['string', 'integer'] }, new: { type: ['string', 'integer', 'boolean'] }, strict: F, kind: 'TYPE_EXTENDED' },
  { name: 'type array narrowed', old: { type: ['string', 'integer', 'boolean'] }, new: { type: ['string', 'integer'] }, strict: B, kind: 'TYPE_NARROWED' },
  { name: 'type added to an untyped schema', old: {}, new: str, strict: B, kind: 'TYPE_NARROWED' },
  { name: 'type removed', old: str, new: {}, strict: F, kind: 'TYPE_EXTENDED' },
  { name: 'schema becomes false', old: str, new: false, strict: B, kind: 'FALSE_SCHEMA_ADDED' },
  { name: 'false schema opened', old: false, new: str, strict: F, kind: 'FALSE_SCHEMA_REMOVED' },
  { name: 'true and {} are the same', old: true, new: {}, strict: OK },
  { name: 'title, description and $id changed', old: { ...str, title: 'a', description: 'a', $comment: 'x' }, new: { ...str, title: 'b', description: 'b', $comment: 'y' }, strict: OK, confluent: 'DESCRIPTION_CHANGED' },
  { name: 'title changed', old: { ...str, title: 'Amount' }, new: { ...str, title: 'Total' }, strict: OK, confluent: 'TITLE_CHANGED' },
  { name: '$id changed', old: { ...str, $id: 'urn:a' }, new: { ...str, $id: 'urn:b' }, strict: OK, confluent: 'ID_CHANGED', noWrap: true },
  { name: 'default changed', old: { ...str, default: 'a' }, new: { ...str, default: 'b' }, strict: OK, kind: 'DEFAULT_CHANGED', confluent: 'DEFAULT_CHANGED' },
  { name: 'integer bounds rewritten equivalently', old: { ...int, minimum: 1 }, new: { ...int, exclusiveMinimum: 0 }, strict: OK },
  // ---- enum and const
  { name: 'enum extended', old: { enum: ['a', 'b'] }, new: { enum: ['a', 'b', 'c'] }, strict: F, kind: 'ENUM_ARRAY_EXTENDED', confluent: 'ENUM_ARRAY_EXTENDED' },
  { name: 'enum narrowed', old: { enum: ['a', 'b', 'c'] }, new: { enum: ['a', 'b'] }, strict: B, kind: 'ENUM_ARRAY_NARROWED', confluent: 'ENUM_ARRAY_NARROWED' },
  { name: 'enum changed', old: { enum: ['a', 'b'] }, new: { enum: ['a', 'c'] }, strict: BF, kind: 'ENUM_ARRAY_CHANGED', confluent: 'ENUM_ARRAY_CHANGED' },
  { name: 'enum reordered', old: { enum: ['a', 'b'] }, new: { enum: ['b', 'a'] }, strict: OK },
  { name: 'enum added', old: str, new: { ...str, enum: ['a'] }, strict: B, kind: 'ENUM_ADDED' },
  { name: 'enum removed', old: { ...str, enum: ['a'] }, new: str, strict: F, kind: 'ENUM_REMOVED' },
  { name: 'const changed', old: { const: 'a' }, new: { const: 'b' }, strict: BF, kind: 'CONST_CHANGED' },
  { name: 'const added', old: str, new: { const: 'a' }, strict: B, kind: 'CONST_ADDED' },
  { name: 'const removed', old: { const: 'a' }, new: str, strict: F, kind: 'CONST_REMOVED' },
  { name: 'const to enum containing it', old: { const: 'a' }, new: { enum: ['a', 'b'] }, strict: F },
  { name: 'enum values all pass the new keywords', old: { enum: ['a'] }, new: { ...str, maxLength: 3 }, strict: F },
  { name: 'enum of integers to a bounded integer', old: { enum: [1, 2] }, new: { ...int, minimum: 1 }, strict: F },
  { name: 'enum with a value the new type rejects', old: { enum: ['a', 1] }, new: str, strict: BF },
  { name: 'boolean to its enum', old: { type: 'boolean' }, new: { enum: [true, false] }, strict: OK },
  { name: 'null to const null', old: { type: 'null' }, new: { const: null }, strict: OK },
  { name: 'enum value removed that the old type rejected anyway', old: { ...str, enum: ['a', 1] }, new: { ...str, enum: ['a'] }, strict: OK },
  // ---- strings
  ...bounds('minLength', str, 2, 3, true, 'MIN_LENGTH'),
  ...bounds('maxLength', str, 5, 6, false, 'MAX_LENGTH'),
  { name: 'pattern added', old: str, new: { ...str, pattern: '^[A-Z]{3}$' }, strict: B, kind: 'PATTERN_ADDED', confluent: 'PATTERN_ADDED' },
  { name: 'pattern removed', old: { ...str, pattern: '^[A-Z]{3}$' }, new: str, strict: F, kind: 'PATTERN_REMOVED', confluent: 'PATTERN_REMOVED' },
  { name: 'pattern changed (containment not decided)', old: { ...str, pattern: '^[A-Z]{3}$' }, new: { ...str, pattern: '^[A-Z]{2,3}$' }, strict: BF, kind: 'PATTERN_CHANGED', confluent: 'PATTERN_CHANGED' },
  { name: 'same pattern', old: { ...str, pattern: '^a' }, new: { ...str, pattern: '^a' }, strict: OK },
  { name: 'format added', old: str, new: { ...str, format: 'uuid' }, strict: B, kind: 'FORMAT_ADDED' },
  { name: 'format removed', old: { ...str, format: 'uuid' }, new: str, strict: F, kind: 'FORMAT_REMOVED' },
  { name: 'format changed', old: { ...str, format: 'uuid' }, new: { ...str, format: 'email' }, strict: BF, kind: 'FORMAT_CHANGED' },
  { name: 'unasserted format added', old: str, new: { ...str, format: 'currency-code' }, strict: OK },
  { name: 'string format on a number', old: num, new: { ...num, format: 'email' }, strict: OK },
  // ---- numbers
  ...bounds('minimum', num, 0, 1, true, 'MINIMUM'),
  ...bounds('maximum', num, 100, 200, false, 'MAXIMUM'),
  ...bounds('exclusiveMinimum', num, 0, 5, true, 'EXCLUSIVE_MINIMUM'),
  ...bounds('exclusiveMaximum', num, 100, 200, false, 'EXCLUSIVE_MAXIMUM'),
  { name: 'minimum made exclusive', old: { ...num, minimum: 1 }, new: { ...num, exclusiveMinimum: 1 }, strict: B },
  { name: 'multipleOf added', old: num, new: { ...num, multipleOf: 5 }, strict: B, kind: 'MULTIPLE_OF_ADDED', confluent: 'MULTIPLE_OF_ADDED' },
  { name: 'multipleOf removed', old: { ...num, multipleOf: 5 }, new: num, strict: F, kind: 'MULTIPLE_OF_REMOVED', confluent: 'MULTIPLE_OF_REMOVED' },
  { name: 'multipleOf expanded', old: { ...num, multipleOf: 5 }, new: { ...num, multipleOf: 10 }, strict: B, kind: 'MULTIPLE_OF_EXPANDED', confluent: 'MULTIPLE_OF_EXPANDED' },
  { name: 'multipleOf reduced', old: { ...num, multipleOf: 10 }, new: { ...num, multipleOf: 5 }, strict: F, kind: 'MULTIPLE_OF_REDUCED', confluent: 'MULTIPLE_OF_REDUCED' },
  { name: 'multipleOf changed', old: { ...num, multipleOf: 4 }, new: { ...num, multipleOf: 6 }, strict: BF, kind: 'MULTIPLE_OF_CHANGED', confluent: 'MULTIPLE_OF_CHANGED' },
  { name: 'multipleOf 0.5 added to integers', old: int, new: { ...int, multipleOf: 0.5 }, strict: OK },
  { name: 'bounds on a string schema do nothing', old: str, new: { ...str, minimum: 5 }, strict: OK },
  // ---- arrays
  ...bounds('minItems', arr({}), 1, 2, true, 'MIN_ITEMS'),
  ...bounds('maxItems', arr({}), 10, 20, false, 'MAX_ITEMS'),
  { name: 'uniqueItems added', old: arr({}), new: arr({ uniqueItems: true }), strict: B, kind: 'UNIQUE_ITEMS_ADDED', confluent: 'UNIQUE_ITEMS_ADDED' },
  { name: 'uniqueItems removed', old: arr({ uniqueItems: true }), new: arr({}), strict: F, kind: 'UNIQUE_ITEMS_REMOVED', confluent: 'UNIQUE_ITEMS_REMOVED' },
  { name: 'items added', old: arr({}), new: arr({ items: str }), strict: B, kind: 'ITEMS_ADDED' },
  { name: 'items removed', old: arr({ items: str }), new: arr({}), strict: F, kind: 'ITEMS_REMOVED' },
  { name: 'items type changed', old: arr({ items: str }), new: arr({ items: int }), strict: BF, kind: 'TYPE_CHANGED' },
  { name: 'items made nullable', old: arr({ items: str }), new: arr({ items: { type: ['string', 'null'] } }), strict: F, kind: 'NULL_ALLOWED' },
  { name: 'tuple item added to open tuple', old: arr({ items: [str] }), new: arr({ items: [str, num] }), strict: B, kind: 'ITEM_ADDED_TO_OPEN_CONTENT_MODEL', confluent: 'ITEM_ADDED_TO_OPEN_CONTENT_MODEL' },
  { name: 'tuple item with empty schema added', old: arr({ items: [str] }), new: arr({ items: [str, {}] }), strict: OK, confluent: 'ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL' },
  { name: 'tuple item removed from open tuple', old: arr({ items: [str, num] }), new: arr({ items: [str] }), strict: F, kind: 'ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL', confluent: 'ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL' },
  { name: 'tuple item added to closed tuple', old: arr({ items: [str], additionalItems: false }), new: arr({ items: [str, num], additionalItems: false }), strict: F, kind: 'ITEM_ADDED_TO_CLOSED_CONTENT_MODEL', confluent: 'ITEM_ADDED_TO_CLOSED_CONTENT_MODEL' },
  { name: 'tuple item removed from closed tuple', old: arr({ items: [str, num], additionalItems: false }), new: arr({ items: [str], additionalItems: false }), strict: B, kind: 'ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL', confluent: 'ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL' },
  { name: 'false tuple item removed from closed tuple', old: arr({ items: [str, false], additionalItems: false }), new: arr({ items: [str], additionalItems: false }), strict: OK, confluent: 'ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL' },
  { name: 'tuple item added within additionalItems', old: arr({ items: [str], additionalItems: str }), new: arr({ items: [str, { ...str, maxLength: 3 }], additionalItems: str }), strict: B, kind: 'ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL', confluent: 'ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' },
  { name: 'tuple item added beyond additionalItems', old: arr({ items: [str], additionalItems: str }), new: arr({ items: [str, int], additionalItems: str }), strict: BF, kind: 'ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL', confluent: 'ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' },
  { name: 'tuple item removed within additionalItems', old: arr({ items: [str, { ...str, maxLength: 3 }], additionalItems: str }), new: arr({ items: [str], additionalItems: str }), strict: F, kind: 'ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL', confluent: 'ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' },
  { name: 'tuple item removed beyond additionalItems', old: arr({ items: [str, int], additionalItems: str }), new: arr({ items: [str], additionalItems: str }), strict: BF, kind: 'ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL', confluent: 'ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' },
  { name: 'additionalItems closed', old: arr({ items: [str] }), new: arr({ items: [str], additionalItems: false }), strict: B, kind: 'ADDITIONAL_ITEMS_REMOVED', confluent: 'ADDITIONAL_ITEMS_REMOVED' },
  { name: 'additionalItems opened', old: arr({ items: [str], additionalItems: false }), new: arr({ items: [str] }), strict: F, kind: 'ADDITIONAL_ITEMS_ADDED', confluent: 'ADDITIONAL_ITEMS_ADDED' },
  { name: 'additionalItems narrowed', old: arr({ items: [str] }), new: arr({ items: [str], additionalItems: str }), strict: B, kind: 'ADDITIONAL_ITEMS_NARROWED', confluent: 'ADDITIONAL_ITEMS_NARROWED' },
  { name: 'additionalItems extended', old: arr({ items: [str], additionalItems: str }), new: arr({ items: [str] }), strict: F, kind: 'ADDITIONAL_ITEMS_EXTENDED', confluent: 'ADDITIONAL_ITEMS_EXTENDED' },
  { name: 'additionalItems schema narrowed', old: arr({ items: [str], additionalItems: str }), new: arr({ items: [str], additionalItems: { ...str, maxLength: 2 } }), strict: B, kind: 'MAX_LENGTH_ADDED' },
  { name: 'tuple position narrowed', old: arr({ items: [str, num] }), new: arr({ items: [str, int] }), strict: B, kind: 'TYPE_NARROWED' },
  { name: 'tuple unreachable position removed', old: arr({ items: [str, num], maxItems: 1 }), new: arr({ items: [str], additionalItems: false, maxItems: 1 }), strict: OK },
  { name: '2020-12 prefixItems position added', old: { $schema: 'https://json-schema.org/draft/2020-12/schema', ...arr({ prefixItems: [str] }) }, new: { $schema: 'https://json-schema.org/draft/2020-12/schema', ...arr({ prefixItems: [str, int] }) }, strict: B, kind: 'ITEM_ADDED_TO_OPEN_CONTENT_MODEL', noWrap: true },
  { name: '2020-12 items after prefixItems narrowed', old: { $schema: 'https://json-schema.org/draft/2020-12/schema', ...arr({ prefixItems: [str] }) }, new: { $schema: 'https://json-schema.org/draft/2020-12/schema', ...arr({ prefixItems: [str], items: false }) }, strict: B, kind: 'ADDITIONAL_ITEMS_REMOVED', noWrap: true },
  { name: 'contains added', old: arr({}), new: arr({ contains: { const: 'admin' } }), strict: B, kind: 'CONTAINS_ADDED' },
  { name: 'contains removed', old: arr({ contains: { const: 'admin' } }), new: arr({}), strict: F, kind: 'CONTAINS_REMOVED' },
  { name: 'contains widened', old: arr({ contains: { const: 'admin' } }), new: arr({ contains: str }), strict: F },
  { name: 'contains narrowed', old: arr({ contains: str }), new: arr({ contains: { const: 'admin' } }), strict: B },
  // ---- objects: open content model
  { name: 'optional property added to open object', old: obj({ a: str }), new: obj({ a: str, b: int }), strict: B, lenient: OK, kind: 'PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL', confluent: 'PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL' },
  { name: 'optional property with empty schema added to open object', old: obj({ a: str }), new: obj({ a: str, b: {} }), strict: OK, confluent: 'PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL' },
  { name: 'required property added', old: obj({ a: str }), new: obj({ a: str, b: int }, { required: ['b'] }), strict: B, kind: 'REQUIRED_PROPERTY_ADDED', confluent: 'REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL' },
  { name: 'required property with default added (the validator ignores defaults)', old: obj({ a: str }), new: obj({ a: str, b: { ...int, default: 0 } }, { required: ['b'] }), strict: B, kind: 'REQUIRED_PROPERTY_ADDED', confluent: 'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL' },
  { name: 'required property with default added to closed object', old: obj({ a: str }, { additionalProperties: false }), new: obj({ a: str, b: { ...int, default: 0 } }, { required: ['b'], additionalProperties: false }), strict: BF, kind: 'REQUIRED_PROPERTY_ADDED' },
  { name: 'optional property removed from open object', old: obj({ a: str, b: int }), new: obj({ a: str }), strict: F, lenient: OK, kind: 'PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL', confluent: 'PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL' },
  { name: 'required property removed from open object', old: obj({ a: str, b: int }, { required: ['b'] }), new: obj({ a: str }), strict: F, lenient: F, kind: 'PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL' },
  { name: 'property with empty schema removed from open object', old: obj({ a: str, b: {} }), new: obj({ a: str }), strict: OK },
  { name: 'property type changed', old: obj({ a: str }), new: obj({ a: int }), strict: BF, kind: 'TYPE_CHANGED' },
  { name: 'property narrowed', old: obj({ a: str }), new: obj({ a: { ...str, maxLength: 3 } }), strict: B, kind: 'MAX_LENGTH_ADDED' },
  { name: 'property widened', old: obj({ a: int }), new: obj({ a: num }), strict: F, kind: 'TYPE_EXTENDED' },
  { name: 'property became required', old: obj({ a: str }), new: obj({ a: str }, { required: ['a'] }), strict: B, kind: 'REQUIRED_ATTRIBUTE_ADDED', confluent: 'REQUIRED_ATTRIBUTE_ADDED' },
  { name: 'property with default became required', old: obj({ a: { ...str, default: 'x' } }), new: obj({ a: { ...str, default: 'x' } }, { required: ['a'] }), strict: B, kind: 'REQUIRED_ATTRIBUTE_ADDED', confluent: 'REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED' },
  { name: 'property no longer required', old: obj({ a: str }, { required: ['a'] }), new: obj({ a: str }), strict: F, kind: 'REQUIRED_ATTRIBUTE_REMOVED', confluent: 'REQUIRED_ATTRIBUTE_REMOVED' },
  { name: 'undescribed name became required', old: obj({ a: str }), new: obj({ a: str }, { required: ['b'] }), strict: B, kind: 'REQUIRED_ATTRIBUTE_ADDED' },
  { name: 'properties reordered', old: obj({ a: str, b: int }), new: obj({ b: int, a: str }), strict: OK },
  // ---- objects: closed content model
  { name: 'optional property added to closed object', old: obj({ a: str }, { additionalProperties: false }), new: obj({ a: str, b: int }, { additionalProperties: false }), strict: F, kind: 'PROPERTY_ADDED_TO_CLOSED_CONTENT_MODEL', confluent: 'OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL' },
  { name: 'required property added to closed object', old: obj({ a: str }, { additionalProperties: false }), new: obj({ a: str, b: int }, { required: ['b'], additionalProperties: false }), strict: BF, kind: 'REQUIRED_PROPERTY_ADDED' },
  { name: 'property removed from closed object', old: obj({ a: str, b: int }, { additionalProperties: false }), new: obj({ a: str }, { additionalProperties: false }), strict: B, kind: 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL', confluent: 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL' },
  { name: 'false property removed from closed object', old: obj({ a: str, b: false }, { additionalProperties: false }), new: obj({ a: str }, { additionalProperties: false }), strict: OK, confluent: 'PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL' },
  { name: 'property narrowed in closed object', old: obj({ a: num }, { additionalProperties: false }), new: obj({ a: int }, { additionalProperties: false }), strict: B, kind: 'TYPE_NARROWED' },
  // ---- objects: partially open content model (maps, patterns)
  { name: 'property added within additionalProperties', old: obj({ a: str }, { additionalProperties: str }), new: obj({ a: str, c: { ...str, maxLength: 3 } }, { additionalProperties: str }), strict: B, kind: 'PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL', confluent: 'PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' },
  { name: 'property added as additionalProperties allowed it', old: obj({ a: str }, { additionalProperties: str }), new: obj({ a: str, c: str }, { additionalProperties: str }), strict: OK, kind: 'PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' },
  { name: 'property added beyond additionalProperties', old: obj({ a: str }, { additionalProperties: str }), new: obj({ a: str, c: int }, { additionalProperties: str }), strict: BF, kind: 'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL', confluent: 'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' },
  { name: 'property removed within additionalProperties', old: obj({ a: str, c: str }, { additionalProperties: str }), new: obj({ a: str }, { additionalProperties: str }), strict: OK, kind: 'PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL', confluent: 'PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' },
  { name: 'property removed beyond additionalProperties', old: obj({ a: str, c: int }, { additionalProperties: str }), new: obj({ a: str }, { additionalProperties: str }), strict: BF, kind: 'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL', confluent: 'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' },
  { name: 'property added within patternProperties', old: obj({}, { patternProperties: { '^x-': str } }), new: obj({ 'x-a': str }, { patternProperties: { '^x-': str } }), strict: OK },
  { name: 'property added beyond patternProperties', old: obj({}, { patternProperties: { '^x-': str } }), new: obj({ 'x-a': int }, { patternProperties: { '^x-': str } }), strict: BF },
  { name: 'open object closed', old: obj({ a: str }), new: obj({ a: str }, { additionalProperties: false }), strict: B, lenient: OK, kind: 'ADDITIONAL_PROPERTIES_REMOVED', confluent: 'ADDITIONAL_PROPERTIES_REMOVED' },
  { name: 'closed object opened', old: obj({ a: str }, { additionalProperties: false }), new: obj({ a: str }), strict: F, lenient: OK, kind: 'ADDITIONAL_PROPERTIES_ADDED', confluent: 'ADDITIONAL_PROPERTIES_ADDED' },
  { name: 'open object becomes a map', old: obj({ a: str }), new: obj({ a: str }, { additionalProperties: str }), strict: B, lenient: OK, kind: 'ADDITIONAL_PROPERTIES_NARROWED', confluent: 'ADDITIONAL_PROPERTIES_NARROWED' },
  { name: 'map becomes open', old: obj({ a: str }, { additionalProperties: str }), new: obj({ a: str }), strict: F, lenient: OK, kind: 'ADDITIONAL_PROPERTIES_EXTENDED', confluent: 'ADDITIONAL_PROPERTIES_EXTENDED' },
  { name: 'map value type changed', old: obj({}, { additionalProperties: str }), new: obj({}, { additionalProperties: int }), strict: BF, kind: 'TYPE_CHANGED' },
  { name: 'map values narrowed', old: obj({}, { additionalProperties: str }), new: obj({}, { additionalProperties: { ...str, maxLength: 3 } }), strict: B, kind: 'MAX_LENGTH_ADDED' },
  { name: 'closed object becomes a map', old: obj({ a: str }, { additionalProperties: false }), new: obj({ a: str }, { additionalProperties: str }), strict: F, kind: 'ADDITIONAL_PROPERTIES_EXTENDED' },
  { name: 'map becomes closed', old: obj({ a: str }, { additionalProperties: str }), new: obj({ a: str }, { additionalProperties: false }), strict: B, kind: 'ADDITIONAL_PROPERTIES_NARROWED' },
  { name: 'pattern property added to open object', old: obj({ a: str }), new: obj({ a: str }, { patternProperties: { '^x-': str } }), strict: B, lenient: OK, kind: 'PATTERN_PROPERTY_ADDED' },
  { name: 'pattern property removed from object', old: obj({ a: str }, { patternProperties: { '^x-': str } }), new: obj({ a: str }), strict: F, lenient: OK, kind: 'PATTERN_PROPERTY_REMOVED' },
  { name: 'pattern property schema changed', old: obj({}, { patternProperties: { '^x-': str } }), new: obj({}, { patternProperties: { '^x-': int } }), strict: BF, kind: 'TYPE_CHANGED' },
  { name: 'pattern property added to closed object', old: obj({ a: str }, { additionalProperties: false }), new: obj({ a: str }, { additionalProperties: false, patternProperties: { '^x-': str } }), strict: F, kind: 'PATTERN_PROPERTY_ADDED' },
  { name: 'property names constrained on a map', old: obj({}, { additionalProperties: int }), new: obj({}, { additionalProperties: int, propertyNames: { pattern: '^[a-z]+$' } }), strict: B, kind: 'PROPERTY_NAMES_ADDED' },
  { name: 'property names no longer constrained', old: obj({}, { additionalProperties: int, propertyNames: { pattern: '^[a-z]+$' } }), new: obj({}, { additionalProperties: int }), strict: F, kind: 'PROPERTY_NAMES_REMOVED' },
  { name: 'property names narrowed', old: obj({}, { propertyNames: { maxLength: 5 } }), new: obj({}, { propertyNames: { maxLength: 3 } }), strict: B, kind: 'MAX_LENGTH_DECREASED' },
  ...bounds('minProperties', obj({}), 1, 2, true, 'MIN_PROPERTIES'),
  ...bounds('maxProperties', obj({}), 10, 20, false, 'MAX_PROPERTIES'),
  // ---- objects: dependencies
  { name: 'dependency added', old: obj({ card: str, cvc: str }), new: obj({ card: str, cvc: str }, { dependentRequired: { card: ['cvc'] } }), strict: B, kind: 'DEPENDENCY_ARRAY_ADDED', confluent: 'DEPENDENCY_ARRAY_ADDED' },
  { name: 'dependency removed', old: obj({ card: str, cvc: str }, { dependencies: { card: ['cvc'] } }), new: obj({ card: str, cvc: str }), strict: F, kind: 'DEPENDENCY_ARRAY_REMOVED', confluent: 'DEPENDENCY_ARRAY_REMOVED' },
  { name: 'dependency extended', old: obj({}, { dependentRequired: { card: ['cvc'] } }), new: obj({}, { dependentRequired: { card: ['cvc', 'expiry'] } }), strict: B, kind: 'DEPENDENCY_ARRAY_EXTENDED', confluent: 'DEPENDENCY_ARRAY_EXTENDED' },
  { name: 'dependency narrowed', old: obj({}, { dependentRequired: { card: ['cvc', 'expiry'] } }), new: obj({}, { dependentRequired: { card: ['cvc'] } }), strict: F, kind: 'DEPENDENCY_ARRAY_NARROWED', confluent: 'DEPENDENCY_ARRAY_NARROWED' },
  { name: 'dependency changed', old: obj({}, { dependentRequired: { card: ['cvc'] } }), new: obj({}, { dependentRequired: { card: ['expiry'] } }), strict: BF, kind: 'DEPENDENCY_ARRAY_CHANGED', confluent: 'DEPENDENCY_ARRAY_CHANGED' },
  { name: 'dependent schema added', old: obj({ card: str }), new: obj({ card: str }, { dependentSchemas: { card: { required: ['cvc'] } } }), strict: B, kind: 'DEPENDENCY_SCHEMA_ADDED', confluent: 'DEPENDENCY_SCHEMA_ADDED' },
  { name: 'dependent schema removed', old: obj({ card: str }, { dependencies: { card: { required: ['cvc'] } } }), new: obj({ card: str }), strict: F, kind: 'DEPENDENCY_SCHEMA_REMOVED', confluent: 'DEPENDENCY_SCHEMA_REMOVED' },
  { name: 'dependent schema narrowed', old: obj({}, { dependentSchemas: { card: { required: ['cvc'] } } }), new: obj({}, { dependentSchemas: { card: { required: ['cvc', 'expiry'] } } }), strict: B, kind: 'REQUIRED_ATTRIBUTE_ADDED' },
  // ---- nested objects
  { name: 'nested property added to open object', old: obj({ customer: obj({ id: str }) }), new: obj({ customer: obj({ id: str, tier: str }) }), strict: B, lenient: OK, kind: 'PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL' },
  { name: 'nested required property added', old: obj({ customer: obj({ id: str }) }), new: obj({ customer: obj({ id: str, tier: str }, { required: ['tier'] }) }), strict: B, kind: 'REQUIRED_PROPERTY_ADDED' },
  { name: 'array of objects gains an optional property', old: arr({ items: obj({ sku: str }) }), new: arr({ items: obj({ sku: str, note: str }) }), strict: B, lenient: OK, kind: 'PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL' },
  // ---- combinations
  { name: 'anyOf alternative added', old: { anyOf: [str, int] }, new: { anyOf: [str, int, { type: 'boolean' }] }, strict: F, kind: 'SUM_TYPE_EXTENDED', confluent: 'SUM_TYPE_EXTENDED' },
  { name: 'anyOf alternative removed', old: { anyOf: [str, int, { type: 'boolean' }] }, new: { anyOf: [str, int] }, strict: B, kind: 'SUM_TYPE_NARROWED', confluent: 'SUM_TYPE_NARROWED' },
  { name: 'anyOf reordered', old: { anyOf: [str, int] }, new: { anyOf: [int, str] }, strict: OK },
  { name: 'schema turned into anyOf with it and another', old: str, new: { anyOf: [str, int] }, strict: F, kind: 'SUM_TYPE_EXTENDED' },
  { name: 'anyOf reduced to one of its alternatives', old: { anyOf: [str, int] }, new: str, strict: B, kind: 'SUM_TYPE_NARROWED' },
  { name: 'anyOf alternative narrowed', old: { anyOf: [str, int] }, new: { anyOf: [{ ...str, maxLength: 3 }, int] }, strict: B, kind: 'MAX_LENGTH_ADDED', confluent: 'COMBINED_TYPE_SUBSCHEMAS_CHANGED' },
  { name: 'keywords beside anyOf fold into the alternatives', old: { type: 'object', required: ['id'], anyOf: [obj({ a: str }), obj({ b: str })] }, new: { anyOf: [obj({ a: str }, { required: ['id'] }), obj({ b: str }, { required: ['id'] })] }, strict: OK },
  { name: 'oneOf disjoint alternative added', old: { oneOf: [str, int] }, new: { oneOf: [str, int, { type: 'boolean' }] }, strict: F, kind: 'SUM_TYPE_EXTENDED' },
  { name: 'oneOf overlapping alternative added', old: { oneOf: [str] }, new: { oneOf: [str, { maxLength: 3 }] }, strict: BF, kind: 'ONE_OF_OVERLAP_POSSIBLE' },
  { name: 'oneOf alternative removed', old: { oneOf: [str, int] }, new: { oneOf: [str] }, strict: B, kind: 'SUM_TYPE_NARROWED' },
  { name: 'oneOf to anyOf over disjoint alternatives', old: { oneOf: [str, int] }, new: { anyOf: [str, int] }, strict: OK, kind: 'COMBINED_TYPE_EXTENDED', confluent: 'COMBINED_TYPE_EXTENDED' },
  { name: 'oneOf to anyOf over overlapping alternatives', old: { oneOf: [str, { maxLength: 3 }] }, new: { anyOf: [str, { maxLength: 3 }] }, strict: F, kind: 'COMBINED_TYPE_CHANGED', confluent: 'COMBINED_TYPE_CHANGED' },
  { name: 'anyOf to oneOf over overlapping alternatives', old: { anyOf: [str, { maxLength: 3 }] }, new: { oneOf: [str, { maxLength: 3 }] }, strict: B, kind: 'ONE_OF_OVERLAP_POSSIBLE' },
  { name: 'anyOf to oneOf over disjoint alternatives', old: { anyOf: [str, int] }, new: { oneOf: [str, int] }, strict: OK },
  {
    name: 'oneOf with a discriminator gains a variant',
    old: { oneOf: [obj({ type: { const: 'card' }, last4: str }, { required: ['type'] }), obj({ type: { const: 'sepa' }, iban: str }, { required: ['type'] })] },
    new: { oneOf: [obj({ type: { const: 'card' }, last4: str }, { required: ['type'] }), obj({ type: { const: 'sepa' }, iban: str }, { required: ['type'] }), obj({ type: { const: 'paypal' }, email: str }, { required: ['type'] })] },
    strict: F,
    kind: 'SUM_TYPE_EXTENDED',
  },
  { name: 'allOf member added', old: { allOf: [obj({ a: str })] }, new: { allOf: [obj({ a: str }), { required: ['a'] }] }, strict: B, kind: 'REQUIRED_ATTRIBUTE_ADDED', confluent: 'PRODUCT_TYPE_EXTENDED' },
  { name: 'allOf member removed', old: { allOf: [obj({ a: str }), { required: ['a'] }] }, new: { allOf: [obj({ a: str })] }, strict: F, kind: 'REQUIRED_ATTRIBUTE_REMOVED', confluent: 'PRODUCT_TYPE_NARROWED' },
  { name: 'allOf composition equals the flat object', old: { allOf: [obj({ a: str }), obj({ b: int }, { required: ['b'] })] }, new: obj({ a: str, b: int }, { required: ['b'] }), strict: OK },
  { name: 'allOf with a closed member', old: { allOf: [obj({ a: str }, { additionalProperties: false })] }, new: { allOf: [obj({ a: str }, { additionalProperties: false }), obj({ b: str })] }, strict: OK },
  { name: 'not added', old: str, new: { ...str, not: { const: 'x' } }, strict: B, kind: 'NOT_ADDED' },
  { name: 'not removed', old: { ...str, not: { const: 'x' } }, new: str, strict: F, kind: 'NOT_REMOVED' },
  { name: 'not changed (containment not decided)', old: { ...str, not: { const: 'x' } }, new: { ...str, not: { const: 'y' } }, strict: BF, kind: 'NOT_CHANGED', confluent: 'NOT_TYPE_NARROWED' },
  { name: 'not widened (containment not decided)', old: { not: { const: 'x' } }, new: { not: { enum: ['x', 'y'] } }, strict: BF, kind: 'NOT_CHANGED', confluent: 'NOT_TYPE_EXTENDED' },
  { name: 'same not', old: { not: str }, new: { not: str }, strict: OK },
  { name: 'conditional added', old: obj({ kind: str }), new: obj({ kind: str }, { if: obj({ kind: { const: 'card' } }), then: { required: ['last4'] } }), strict: B, kind: 'CONDITIONAL_ADDED' },
  { name: 'conditional removed', old: obj({ kind: str }, { if: obj({ kind: { const: 'card' } }), then: { required: ['last4'] } }), new: obj({ kind: str }), strict: F, kind: 'CONDITIONAL_REMOVED' },
  { name: 'conditional changed (containment not decided)', old: { if: { const: 1 }, then: { minimum: 0 } }, new: { if: { const: 1 }, then: { minimum: -1 } }, strict: BF, kind: 'CONDITIONAL_CHANGED' },
  { name: 'same conditional', old: { if: { const: 1 }, then: { minimum: 0 } }, new: { if: { const: 1 }, then: { minimum: 0 } }, strict: OK },
  { name: 'unevaluatedProperties changed (not compared)', old: { ...obj({ a: str }), unevaluatedProperties: false }, new: { ...obj({ a: str }), unevaluatedProperties: true }, strict: BF, kind: 'UNDECIDED_KEYWORD_CHANGED' },
  // ---- references
  { name: 'inline schema moved behind a $ref', old: obj({ a: str }), new: { ...obj({ a: { $ref: '#/definitions/s' } }), definitions: { s: str } }, strict: OK, noWrap: true },
  { name: '$ref target changed', old: { ...obj({ a: { $ref: '#/definitions/s' } }), definitions: { s: str, i: int } }, new: { ...obj({ a: { $ref: '#/definitions/i' } }), definitions: { s: str, i: int } }, strict: BF, kind: 'TYPE_CHANGED', noWrap: true },
  { name: 'recursive schema unchanged', old: { $ref: '#/$defs/node', $defs: { node: obj({ next: { $ref: '#/$defs/node' } }) } }, new: { $ref: '#/$defs/node', $defs: { node: obj({ next: { $ref: '#/$defs/node' } }) } }, strict: OK, noWrap: true },
  { name: 'recursive schema changed deep down', old: { $ref: '#/$defs/node', $defs: { node: obj({ v: str, next: { $ref: '#/$defs/node' } }) } }, new: { $ref: '#/$defs/node', $defs: { node: obj({ v: int, next: { $ref: '#/$defs/node' } }) } }, strict: BF, kind: 'TYPE_CHANGED', noWrap: true },
  { name: 'recursive schema gains an optional property', old: { $ref: '#/$defs/node', $defs: { node: obj({ next: { $ref: '#/$defs/node' } }) } }, new: { $ref: '#/$defs/node', $defs: { node: obj({ label: str, next: { $ref: '#/$defs/node' } }) } }, strict: B, lenient: OK, noWrap: true },
  { name: 'mutually recursive schemas', old: { $ref: '#/$defs/a', $defs: { a: obj({ b: { $ref: '#/$defs/b' } }), b: obj({ a: { $ref: '#/$defs/a' }, n: int }) } }, new: { $ref: '#/$defs/a', $defs: { a: obj({ b: { $ref: '#/$defs/b' } }), b: obj({ a: { $ref: '#/$defs/a' }, n: num }) } }, strict: F, kind: 'TYPE_EXTENDED', noWrap: true },
];

/** The same case one level down, inside a required property of an unchanged object. */
export function wrapped(c: Case): Case {
  const wrap = (s: S) => ({ type: 'object', properties: { inner: s }, required: ['inner'] });
  return { ...c, name: `${c.name} (nested)`, old: wrap(c.old), new: wrap(c.new), confluent: undefined };
}
