/**
 * Valid values for a JSON Schema (as the loader produced it), biased to the edges. Used for every
 * part of a request body: the generator knows types, formats, lengths, enums, items and
 * properties, so another revision of the spec needs no code change.
 */
import fc from 'fast-check';
import { isJsonObject, type JsonObject } from '../json.ts';
import { edgeKey, edgeString } from './strings.ts';

const JSON_TYPES = ['null', 'boolean', 'integer', 'number', 'string', 'array', 'object'] as const;
export type JsonType = (typeof JSON_TYPES)[number];

/** The JSON types a schema allows (all of them when it does not say). */
export function allowedTypes(schema: JsonObject): JsonType[] {
  const t = schema['type'];
  const listed = (Array.isArray(t) ? t : typeof t === 'string' ? [t] : []).filter((x): x is JsonType =>
    (JSON_TYPES as readonly string[]).includes(x as string),
  );
  if (listed.length === 0) {
    if (isJsonObject(schema['properties']) || schema['additionalProperties'] !== undefined) return ['object'];
    if (schema['items'] !== undefined) return ['array'];
    return [...JSON_TYPES];
  }
  // "number" admits integers.
  return listed.includes('number') && !listed.includes('integer') ? [...listed, 'integer'] : listed;
}

/**
 * A double that a JSON text carries as itself: never an integer beyond 2^53 written as digits (from
 * 2^53 to 1e21 JSON.stringify writes such a double as an integer, which the contract lets a server
 * refuse: docs/contract.md, "Edges of the wire"; the edges property sends those on purpose).
 */
export function jsonDouble(constraints: fc.DoubleConstraints = {}): fc.Arbitrary<number> {
  return fc
    .double({ ...constraints, noNaN: true, noDefaultInfinity: true })
    .filter((d) => !(Number.isInteger(d) && Math.abs(d) > 2 ** 53 && Math.abs(d) < 1e21));
}

/** Any JSON value, nested to `maxDepth`, with edge strings and keys; sometimes very deep. */
export function anyJson(maxDepth = 3): fc.Arbitrary<unknown> {
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true, maxDepth },
      fc.constant(null),
      fc.boolean(),
      fc.integer(),
      jsonDouble(),
      edgeString({ maxLength: 60 }),
      fc.array(tie('value'), { maxLength: 5 }),
      fc.dictionary(edgeKey(), tie('value'), { maxKeys: 5 }),
    ),
  }));
  return value;
}

/** A value nested `depth` levels deep, in objects or arrays: parsers and databases meet their limits here. */
function deeplyNested(): fc.Arbitrary<unknown> {
  return fc.tuple(fc.integer({ min: 16, max: 64 }), fc.boolean(), anyJson(1)).map(([depth, arrays, leaf]) => {
    let v: unknown = leaf;
    for (let i = 0; i < depth; i++) v = arrays && i % 2 === 1 ? [v] : { [`level${depth - i}`]: v };
    return v;
  });
}

function stringArb(schema: JsonObject, short: boolean): fc.Arbitrary<string> {
  const format = schema['format'];
  const minLength = typeof schema['minLength'] === 'number' ? schema['minLength'] : undefined;
  const maxLength = typeof schema['maxLength'] === 'number' ? schema['maxLength'] : undefined;
  if (format === 'uuid') return fc.uuid();
  if (format === 'date-time')
    return fc
      .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2999-12-31T23:59:59Z'), noInvalidDate: true })
      .map((d) => d.toISOString());
  if (format === 'date')
    return fc
      .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2999-12-31T23:59:59Z'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
  if (format === 'email') return fc.emailAddress();
  if (format === 'uri' || format === 'url') return fc.webUrl();
  if (typeof schema['pattern'] === 'string') return fc.stringMatching(new RegExp(schema['pattern'] as string));
  // Inside a long list, strings stay short: a list of 300 strings of 5,000 code points tests
  // nothing more than either alone, and costs megabytes.
  return edgeString({
    minLength,
    maxLength: short && maxLength === undefined && (minLength ?? 0) <= 40 ? 40 : maxLength,
  });
}

function numberArb(schema: JsonObject, integer: boolean): fc.Arbitrary<number> {
  const min =
    typeof schema['minimum'] === 'number'
      ? schema['minimum']
      : typeof schema['exclusiveMinimum'] === 'number'
        ? schema['exclusiveMinimum'] + (integer ? 1 : Number.EPSILON)
        : undefined;
  const max =
    typeof schema['maximum'] === 'number'
      ? schema['maximum']
      : typeof schema['exclusiveMaximum'] === 'number'
        ? schema['exclusiveMaximum'] - (integer ? 1 : Number.EPSILON)
        : undefined;
  if (integer)
    return fc.integer({
      min: min === undefined ? Number.MIN_SAFE_INTEGER : Math.ceil(min),
      max: max === undefined ? Number.MAX_SAFE_INTEGER : Math.floor(max),
    });
  return jsonDouble({ ...(min === undefined ? {} : { min }), ...(max === undefined ? {} : { max }) });
}

function arrayArb(schema: JsonObject, depth: number, short: boolean): fc.Arbitrary<unknown[]> {
  const items = isJsonObject(schema['items']) ? valueFor(schema['items'], depth + 1, short) : anyJson(2);
  const shortItems = isJsonObject(schema['items']) ? valueFor(schema['items'], depth + 1, true) : anyJson(1);
  const minLength = typeof schema['minItems'] === 'number' ? schema['minItems'] : 0;
  const maxLength = typeof schema['maxItems'] === 'number' ? schema['maxItems'] : undefined;
  if (schema['uniqueItems'] === true)
    return fc.uniqueArray(items, { minLength, maxLength: maxLength ?? 20, selector: (v) => JSON.stringify(v) });
  const cap = (n: number): number => Math.max(minLength, Math.min(maxLength ?? n, n));
  // Duplicates: some items repeated (picked by index, so that both lists shrink).
  const withDuplicates = fc
    .tuple(
      fc.array(items, { minLength: 1, maxLength: Math.max(1, cap(4)) }),
      fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
    )
    .map(([xs, picks]) => [...xs, ...picks.map((i) => xs[i % xs.length])])
    .filter((xs) => xs.length >= minLength && xs.length <= (maxLength ?? Number.POSITIVE_INFINITY));
  return fc.oneof(
    { withCrossShrink: true },
    { weight: 4, arbitrary: fc.array(items, { minLength, maxLength: cap(8) }) },
    { weight: 2, arbitrary: withDuplicates },
    // long lists (of short items)
    ...(short ? [] : [{ weight: 1, arbitrary: fc.array(shortItems, { minLength: cap(100), maxLength: cap(300) }) }]),
  );
}

function objectArb(schema: JsonObject, depth: number, short: boolean): fc.Arbitrary<Record<string, unknown>> {
  const props = isJsonObject(schema['properties']) ? schema['properties'] : {};
  const required = Array.isArray(schema['required']) ? (schema['required'] as string[]) : [];
  const names = Object.keys(props);
  const additional = schema['additionalProperties'];
  const known = fc.record(
    Object.fromEntries(names.map((n) => [n, valueFor(isJsonObject(props[n]) ? props[n] : {}, depth + 1, short)])),
    { requiredKeys: required.filter((r) => names.includes(r)) },
  );
  if (additional === false) return known;
  const extraValue = isJsonObject(additional) ? valueFor(additional, depth + 1) : anyJson(Math.max(1, 3 - depth));
  const extraKey = edgeKey().filter((k) => !names.includes(k));
  const extras: fc.Arbitrary<Record<string, unknown>> =
    names.length === 0 && !isJsonObject(additional) && !short
      ? fc.oneof(
          { withCrossShrink: true },
          { weight: 5, arbitrary: fc.dictionary(extraKey, extraValue, { maxKeys: 6 }) },
          { weight: 1, arbitrary: fc.dictionary(extraKey, deeplyNested(), { minKeys: 1, maxKeys: 2 }) },
          {
            weight: 1,
            arbitrary: fc.dictionary(fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 8 }), fc.integer(), {
              minKeys: 50,
              maxKeys: 120,
            }),
          },
        )
      : fc.dictionary(extraKey, extraValue, { maxKeys: 3 });
  return fc
    .tuple(known, extras)
    .map(([k, e]) => Object.assign(Object.create(null) as Record<string, unknown>, e, k))
    .map((o) => ({ ...o }));
}

/** A valid value of `schema`; `short`: no very long strings, lists or objects, no deep nesting. */
export function valueFor(schema: JsonObject, depth = 0, short = false): fc.Arbitrary<unknown> {
  if (Array.isArray(schema['enum']) && schema['enum'].length > 0)
    return fc.constantFrom(...(schema['enum'] as unknown[]));
  if ('const' in schema) return fc.constant(schema['const']);
  const alternatives = (schema['anyOf'] ?? schema['oneOf']) as unknown;
  if (Array.isArray(alternatives) && alternatives.length > 0)
    return fc.oneof(...alternatives.filter(isJsonObject).map((s) => valueFor(s, depth, short)));
  const byType: Record<JsonType, () => fc.Arbitrary<unknown>> = {
    null: () => fc.constant(null),
    boolean: () => fc.boolean(),
    integer: () => numberArb(schema, true),
    number: () => numberArb(schema, false),
    string: () => stringArb(schema, short),
    array: () => arrayArb(schema, depth, short),
    object: () => objectArb(schema, depth, short),
  };
  const arbs = allowedTypes(schema).map((type) => byType[type]());
  return arbs.length === 1 ? (arbs[0] as fc.Arbitrary<unknown>) : fc.oneof(...arbs);
}

/** A value of one of the JSON types NOT allowed by `schema` (for "type" mutations). */
export function wrongTypeValue(schema: JsonObject): fc.Arbitrary<{ value: unknown; type: JsonType }> | null {
  const allowed = allowedTypes(schema);
  const others = JSON_TYPES.filter((t) => !allowed.includes(t) && !(t === 'integer' && allowed.includes('number')));
  if (others.length === 0) return null;
  const sample: Record<JsonType, fc.Arbitrary<unknown>> = {
    null: fc.constant(null),
    boolean: fc.boolean(),
    integer: fc.integer(),
    number: jsonDouble().filter((n) => !Number.isInteger(n)),
    string: edgeString({ maxLength: 20 }),
    array: fc.array(anyJson(1), { maxLength: 3 }),
    object: fc.dictionary(edgeKey(), anyJson(1), { maxKeys: 3 }),
  };
  // "number" without "integer" in the allowed list still admits integers: drop integer then.
  const candidates = others.filter((t) => !(t === 'integer' && allowed.includes('number')));
  return fc.constantFrom(...candidates).chain((type) => sample[type].map((value) => ({ value, type })));
}
