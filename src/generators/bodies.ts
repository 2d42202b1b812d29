/**
 * Request bodies derived from the request body schema:
 * - valid bodies: every non-empty combination of the known properties, plus unknown extras;
 * - invalid bodies: one mutation of a valid body, labelled with the keyword and JSON pointer it
 *   violates (the property re-validates it with ajv before blaming a server);
 * - raw bodies: malformed JSON bytes, an empty body, JSON that is not an object.
 */
import fc from 'fast-check';
import { escapePointer } from '../contract/load.ts';
import { isJsonObject, type JsonObject } from '../json.ts';
import { edgeKey, edgeString } from './strings.ts';
import { allowedTypes, anyJson, jsonDouble, valueFor, wrongTypeValue } from './values.ts';

/**
 * What is sent: a value (serialised with JSON.stringify) or exact text; `sent`, for exact text, is
 * what a 200 is compared with (absent: the text parsed, when it is JSON).
 */
export type Body = { kind: 'json'; value: unknown } | { kind: 'raw'; text: string; sent?: Record<string, unknown> };

/** What an invalid body violates: a JSON Schema keyword at a pointer, or JSON syntax itself. */
export interface SchemaBreak {
  keyword: string;
  pointer: string;
  /** e.g. "type at /name (string became null)". */
  description: string;
}

export interface LabelledBody {
  body: Body;
  /** Present on invalid bodies only. */
  invalid?: SchemaBreak;
}

function properties(schema: JsonObject): Record<string, JsonObject> {
  const out: Record<string, JsonObject> = {};
  const props = schema['properties'];
  if (isJsonObject(props)) for (const [k, v] of Object.entries(props)) if (isJsonObject(v)) out[k] = v;
  return out;
}

function requiredOf(schema: JsonObject): string[] {
  return Array.isArray(schema['required'])
    ? (schema['required'] as unknown[]).filter((x): x is string => typeof x === 'string')
    : [];
}

/** Keys that no property of the schema names: "extra unknown properties". */
function unknownKey(schema: JsonObject): fc.Arbitrary<string> {
  const known = Object.keys(properties(schema));
  return fc
    .oneof(fc.constantFrom('x', 'unknown_field', 'x-extra', 'Name', 'NAME'), edgeKey())
    .filter((k) => !known.includes(k));
}

export interface ValidBodyOptions {
  /** Which known properties may appear (default: all). */
  include?: (name: string, schema: JsonObject) => boolean;
  /** Properties of which at least one must appear (default: any of the included). */
  atLeastOneOf?: (name: string, schema: JsonObject) => boolean;
  /** Whether unknown extra properties may be added (when the schema allows them). */
  extras?: boolean;
}

/** A schema-valid body object made of a non-empty subset of the known properties. */
export function validBody(schema: JsonObject, options: ValidBodyOptions = {}): fc.Arbitrary<Record<string, unknown>> {
  const props = properties(schema);
  const required = requiredOf(schema);
  const names = Object.keys(props).filter(
    (n) => required.includes(n) || (options.include?.(n, props[n] as JsonObject) ?? true),
  );
  const must = options.atLeastOneOf ? names.filter((n) => options.atLeastOneOf?.(n, props[n] as JsonObject)) : names;
  if (must.length === 0) throw new Error('validBody: no property can be chosen');
  const allowsExtras = schema['additionalProperties'] !== false && (options.extras ?? true);
  // Each property present or not with even odds, so that every combination comes up and a
  // shrink can drop properties one by one (an option shrinks to "absent").
  const parts = names.map((n) =>
    required.includes(n)
      ? valueFor(props[n] as JsonObject)
      : fc.option(valueFor(props[n] as JsonObject), { nil: ABSENT, freq: 2 }),
  );
  const extras = allowsExtras
    ? fc.option(fc.dictionary(unknownKey(schema), anyJson(2), { minKeys: 1, maxKeys: 3 }), { nil: null, freq: 4 })
    : fc.constant(null);
  return fc
    .tuple(fc.tuple(...parts), extras)
    .map(([values, extra]) => {
      const body: Record<string, unknown> = { ...(extra ?? {}) };
      names.forEach((n, i) => {
        if (values[i] !== ABSENT) body[n] = values[i];
      });
      return body;
    })
    .filter((body) => must.some((n) => Object.hasOwn(body, n)));
}

/** Marks a property left out of a generated body. */
const ABSENT: unique symbol = Symbol('absent');

/** A body with only unknown properties (schema-valid when extras are allowed; "no known field"). */
export function unknownOnlyBody(schema: JsonObject): fc.Arbitrary<Record<string, unknown>> {
  return fc.dictionary(unknownKey(schema), anyJson(2), {
    minKeys: Math.max(1, Number(schema['minProperties'] ?? 1)),
    maxKeys: 3,
  });
}

const FORMAT_BREAKERS: Record<string, fc.Arbitrary<string>> = {
  uuid: fc.oneof(
    fc.constantFrom(
      '',
      'not-a-uuid',
      '00000000-0000-0000-0000-00000000000',
      '00000000000000000000000000000000',
      '{00000000-0000-0000-0000-000000000000}',
      'g0000000-0000-0000-0000-000000000000',
      ' 00000000-0000-0000-0000-000000000000',
    ),
    fc.uuid().map((u) => u.slice(0, -1)),
    fc.uuid().map((u) => u.replace(/-/g, '')),
    fc.uuid().map((u) => `${u}0`),
    edgeString({ maxLength: 40 }),
  ),
  'date-time': fc.oneof(
    fc.constantFrom('', 'yesterday', '2026-13-01T00:00:00Z', '2026-01-01'),
    edgeString({ maxLength: 30 }),
  ),
};

type Broken = { value: unknown; violation: SchemaBreak };

/** A schema break's keyword and pointer, array indices left out (/tags/3 and /tags/0 are one kind): "type at /name". */
export const breakKind = (invalid: { keyword: string; pointer: string }): string =>
  `${invalid.keyword} at ${invalid.pointer.replace(/\/\d+(?=\/|$)/g, '/*') || '/'}`;

const CONSTRAINTS = [
  'type',
  'format',
  'pattern',
  'minLength',
  'maxLength',
  'enum',
  'const',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
  'required',
] as const;

/**
 * Every constraint of a body schema, as "keyword at pointer" (breakKind's form): what the run may
 * break. The report counts the cases that broke each one, so a constraint never tried shows.
 */
export function schemaKeywords(schema: JsonObject, pointer = ''): string[] {
  const out = CONSTRAINTS.filter((k) => schema[k] !== undefined).map((keyword) => breakKind({ keyword, pointer }));
  if (schema['additionalProperties'] === false) out.push(breakKind({ keyword: 'additionalProperties', pointer }));
  for (const [name, sub] of Object.entries(properties(schema)))
    out.push(...schemaKeywords(sub, `${pointer}/${escapePointer(name)}`));
  if (isJsonObject(schema['items'])) out.push(...schemaKeywords(schema['items'], `${pointer}/0`));
  return out;
}
type IsFormat = (format: string, value: string) => boolean;

const broken =
  (keyword: string, description: string) =>
  (value: unknown): Broken => ({
    value,
    violation: { keyword, pointer: '', description },
  });

/** Strings that break a string schema's format, maxLength or minLength. */
function invalidStrings(schema: JsonObject, isFormat: IsFormat): fc.Arbitrary<Broken>[] {
  const out: fc.Arbitrary<Broken>[] = [];
  const format = schema['format'];
  if (typeof format === 'string' && FORMAT_BREAKERS[format]) {
    const breaker = FORMAT_BREAKERS[format] as fc.Arbitrary<string>;
    out.push(breaker.filter((s) => !isFormat(format, s)).map(broken('format', `format (not a ${format})`)));
  }
  const max = schema['maxLength'];
  if (typeof max === 'number') {
    out.push(
      fc
        .integer({ min: max + 1, max: max + 50 })
        .map((n) => broken('maxLength', `maxLength (${n} > ${max})`)('x'.repeat(n))),
    );
  }
  const min = schema['minLength'];
  if (typeof min === 'number' && min > 0) {
    out.push(
      fc.integer({ min: 0, max: min - 1 }).map((n) => broken('minLength', `minLength (${n} < ${min})`)('x'.repeat(n))),
    );
  }
  return out;
}

/** A list with one item that breaks the items schema, at any position. */
function invalidItems(schema: JsonObject, items: JsonObject, isFormat: IsFormat): fc.Arbitrary<Broken>[] {
  const itemBreakers = invalidValue(items, isFormat);
  if (itemBreakers.length === 0) return [];
  const list = valueFor({ ...schema, minItems: 0, maxItems: 5, uniqueItems: false }) as fc.Arbitrary<unknown[]>;
  return [
    fc.tuple(list, fc.oneof(...itemBreakers), fc.nat()).map(([xs, bad, at]) => {
      const index = xs.length === 0 ? 0 : at % (xs.length + 1);
      const value = [...xs.slice(0, index), bad.value, ...xs.slice(index)];
      const { violation } = bad;
      return {
        value,
        violation: {
          ...violation,
          pointer: `/${index}${violation.pointer}`,
          description: `item ${index}: ${violation.description}`,
        },
      };
    }),
  ];
}

/** Invalid values for a sub-schema, each labelled; pointers are relative to the value. */
function invalidValue(schema: JsonObject, isFormat: IsFormat): fc.Arbitrary<Broken>[] {
  const out: fc.Arbitrary<Broken>[] = [];
  const types = allowedTypes(schema);
  const wrong = wrongTypeValue(schema);
  if (wrong)
    out.push(wrong.map(({ value, type }) => broken('type', `type (${types.join('|')} became ${type})`)(value)));
  if (types.includes('string')) out.push(...invalidStrings(schema, isFormat));
  if (Array.isArray(schema['enum'])) {
    const allowed = schema['enum'] as unknown[];
    out.push(
      edgeString({ maxLength: 20 })
        .filter((s) => !allowed.includes(s))
        .map(broken('enum', 'enum (a value not listed)')),
    );
  }
  const items = schema['items'];
  if (types.includes('array') && isJsonObject(items)) out.push(...invalidItems(schema, items, isFormat));
  return out;
}

/**
 * One way a body breaks the schema: `whole` generates any of its breaks (a property's type, format,
 * length, ...), `parts` one arbitrary per break (each keyword and pointer on its own).
 */
interface Mutation {
  whole: fc.Arbitrary<LabelledBody>;
  parts: fc.Arbitrary<LabelledBody>[];
}

const single = (arbitrary: fc.Arbitrary<LabelledBody>): Mutation => ({ whole: arbitrary, parts: [arbitrary] });

/**
 * The mutations of a valid body, each labelled with the keyword and pointer it violates. They come
 * from the schema: each property's type, format, length, enum and items; the root's minProperties
 * (the empty object), required properties and additionalProperties: false.
 */
function mutations(schema: JsonObject, isFormat: IsFormat): Mutation[] {
  const out: Mutation[] = [];
  const base = validBody(schema);
  for (const [name, sub] of Object.entries(properties(schema))) {
    const breakers = invalidValue(sub, isFormat);
    if (breakers.length === 0) continue;
    const set = ([body, bad]: [Record<string, unknown>, Broken]): LabelledBody => {
      const pointer = `/${escapePointer(name)}${bad.violation.pointer}`;
      return {
        body: { kind: 'json', value: { ...body, [name]: bad.value } },
        invalid: {
          keyword: bad.violation.keyword,
          pointer,
          description: `${bad.violation.keyword} at ${pointer}: ${bad.violation.description}`,
        },
      };
    };
    out.push({
      whole: fc.tuple(base, fc.oneof(...breakers)).map(set),
      parts: breakers.map((b) => fc.tuple(base, b).map(set)),
    });
  }
  const minProperties = Number(schema['minProperties'] ?? 0);
  if (minProperties >= 1) {
    out.push(
      single(
        fc.constant({
          body: { kind: 'json', value: {} },
          invalid: {
            keyword: 'minProperties',
            pointer: '',
            description: `minProperties at (root): {} has no property (minProperties ${minProperties})`,
          },
        }),
      ),
    );
  }
  for (const name of requiredOf(schema)) {
    out.push(
      single(
        base.map((body) => {
          const copy = { ...body };
          delete copy[name];
          return {
            body: { kind: 'json', value: copy },
            invalid: { keyword: 'required', pointer: '', description: `required at (root): "${name}" left out` },
          };
        }),
      ),
    );
  }
  if (schema['additionalProperties'] === false) {
    out.push(
      single(
        fc.tuple(base, unknownKey(schema), anyJson(1)).map(([body, key, value]) => ({
          body: { kind: 'json', value: { ...body, [key]: value } },
          invalid: {
            keyword: 'additionalProperties',
            pointer: '',
            description: `additionalProperties at (root): unknown "${key}"`,
          },
        })),
      ),
    );
  }
  return out;
}

/** One mutation of a valid body (any of them), labelled with the keyword and pointer it violates. */
export function invalidBody(schema: JsonObject, isFormat: IsFormat): fc.Arbitrary<LabelledBody> {
  return fc.oneof(...mutations(schema, isFormat).map((m) => m.whole));
}

/** Every break of the schema on its own (one arbitrary per keyword and pointer): what a plan sends one of each. */
export function invalidBodyBreaks(schema: JsonObject, isFormat: IsFormat): fc.Arbitrary<LabelledBody>[] {
  return mutations(schema, isFormat).flatMap((m) => m.parts);
}

export type RawKind = 'malformed' | 'empty' | 'not-object';

/** Malformed JSON text, an empty body, or JSON that is not an object. */
export function rawBody(schema: JsonObject): fc.Arbitrary<LabelledBody & { rawKind: RawKind }> {
  return fc.oneof(...rawKinds(schema));
}

/** The kinds of raw body (malformed JSON, empty, not an object), weighted: a plan sends one of each. */
export function rawKinds(
  schema: JsonObject,
): { weight: number; arbitrary: fc.Arbitrary<LabelledBody & { rawKind: RawKind }> }[] {
  const text = validBody(schema, { extras: false }).map((b) => JSON.stringify(b));
  const malformed = fc.oneof(
    // any proper prefix of an object's JSON text is not JSON
    text.chain((t) =>
      fc.integer({ min: 1, max: Math.max(1, t.length - 1) }).map((k) => ({ text: t.slice(0, k), how: 'truncated' })),
    ),
    text.map((t) => ({ text: `${t.slice(0, -1)},}`, how: 'trailing comma' })),
    text.map((t) => ({ text: t.replace(/"([^"\\]*)":/, '$1:'), how: 'unquoted key' })),
    text.map((t) => ({ text: t.replace(/"/g, "'"), how: 'single quotes' })),
    fc.constantFrom(
      { text: '{', how: 'lone brace' },
      { text: '{"name": }', how: 'missing value' },
      { text: '{"name": undefined}', how: 'undefined' },
      { text: '{"name": NaN}', how: 'NaN' },
      { text: 'name=x', how: 'form encoding' },
      { text: '<asset><name>x</name></asset>', how: 'XML' },
      { text: '\u0000', how: 'a NUL byte' },
    ),
  );
  const notObject = fc.oneof(
    fc.constantFrom<unknown>(null, true, false, 0, -1, 1.5, '', 'name', [], [{}]),
    edgeString({ maxLength: 20 }),
    fc.array(anyJson(1), { maxLength: 4 }),
    jsonDouble(),
  );
  return [
    {
      weight: 3,
      arbitrary: malformed.map(({ text: t, how }) => ({
        rawKind: 'malformed' as const,
        body: { kind: 'raw' as const, text: t },
        invalid: { keyword: 'json', pointer: '', description: `malformed JSON (${how})` },
      })),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom('', ' ', '\r\n').map((t) => ({
        rawKind: 'empty' as const,
        body: { kind: 'raw' as const, text: t },
        invalid: { keyword: 'json', pointer: '', description: t === '' ? 'empty body' : 'whitespace-only body' },
      })),
    },
    {
      weight: 2,
      arbitrary: notObject.map((value) => ({
        rawKind: 'not-object' as const,
        body: { kind: 'json' as const, value },
        invalid: {
          keyword: 'type',
          pointer: '',
          description: `type at (root): ${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value} instead of an object`,
        },
      })),
    },
  ];
}
