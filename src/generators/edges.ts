/**
 * Bodies as exact JSON text, at the edges of the standards (RFC 8259 JSON, RFC 7493 I-JSON): one
 * table of edge classes, each row generated from the body schema (where a string, a free-form
 * object or an unknown member may go) and judged by the requirement its contract row names
 * (docs/contract.md, "Edges of the wire"). A case is a plain valid body with one slot holding the
 * edge, written into the JSON text as is; the same body with a plain value in that slot is its
 * control (one factor at a time). Rows that are judged elsewhere or cannot be sent say so.
 */
import fc from 'fast-check';
import { isJsonObject, type JsonObject } from '../json.ts';
import { type RequirementId, statusesOf } from '../requirements.ts';

/** What the coverage of a row reads of a case (a Case has it; named here so that case.ts may import this file). */
interface CaseShape {
  property: string;
  id: { kind: string };
  key: { kind: string };
  invalid?: { keyword: string };
  updatesTarget: boolean;
  edge?: { row: string };
  specialUuid?: string;
}

import { assignedValue } from './assigned.ts';
import { BODY_SIZES, LENGTH_STRINGS, LIST_COUNTS, padTo, utf8Length } from './lengths.ts';
import { LOOKALIKES } from './lookalikes.ts';
import { allowedTypes } from './values.ts';

/** A place in the body where an edge can go, found from the schema. */
interface Slot {
  /** The top-level property holding it. */
  field: string;
  /** JSON pointer of the value (or member) in the body. */
  pointer: string;
  /** Where in the body the slot's value sits (keys and indices from the root). */
  path: (string | number)[];
  /** What the slot holds: a string value, a member name, or any JSON value. */
  holds: 'string' | 'key' | 'value';
  /** Builds the body with `inner` in the slot (a member name when holds is 'key'). */
  body(inner: unknown): Record<string, unknown>;
}

/** What the schema offers the edge generators. */
export interface EdgeSchema {
  properties: Record<string, JsonObject>;
  /** Properties a body may carry with a new value (updatable, not a reference, sendable). */
  usable: (name: string) => boolean;
  /** Unknown members are allowed (additionalProperties is not false). */
  allowsUnknown: boolean;
  /**
   * The asset's own fields (not body properties) by name, each with its value before the run where
   * the target showed one (undefined where not): what a mass assignment would overwrite.
   */
  own: Readonly<Record<string, unknown>>;
}

export interface EdgeCase {
  row: string;
  /** The exact text sent. */
  text: string;
  /** The control: the same body with a plain value in the slot (valid, sent first). */
  control: Record<string, unknown>;
  /** What the checks compare a 200 with (absent: nothing of the body; a field left out is judged by this row only). */
  sent?: Record<string, unknown>;
  /** Malformed text: what breaks it (the case is then an invalid body). */
  malformed?: string;
  description: string;
  /** Where the edge sits, for the rows that judge the stored value there. */
  path?: (string | number)[];
  /** A number whose decimal text must be kept as sent (compared as decimal text). */
  numberText?: string;
  /** Duplicate members: the values one of which may be stored. */
  candidates?: unknown[];
  /** The answer may be as large as the body (size row): the cap for this case's responses. */
  maxResponseBytes?: number;
  /** Members named like the asset's own fields, with the values sent: none may be stored. */
  assigned?: Record<string, unknown>;
  /** The values those fields had before, where known: sent back if a server took the ones sent. */
  ownBefore?: Record<string, unknown>;
  /** The requirement that judges the case's status, when not the row's. */
  statusBy?: RequirementId;
  /** The body names no known property (a 200 must change no known field). */
  unknownOnly?: boolean;
}

export interface EdgeRow {
  id: string;
  /** Where the rule comes from. */
  standard: string;
  title: string;
  /** The requirement that judges it. */
  requirement: RequirementId;
  /**
   * The statuses its cases may get: those of its requirement (read from the catalogue), or none
   * where the requirement does not judge the row's status (no list of statuses for it).
   */
  allowed: readonly number[];
  /** The case generator, or null with the reason it is not generated here. */
  arbitrary: ((schema: EdgeSchema) => fc.Arbitrary<EdgeCase[]> | null) | null;
  /** Where it is generated or judged when not by the `edges` property, or why not at all. */
  elsewhere?: string;
  /** For a row generated elsewhere: whether an exchange (its case, the status received) exercised it. */
  covers?(c: CaseShape, status: number | null): boolean;
}

/** The row an exchange exercised, if any (the report's coverage counts them). */
export function edgeRowOf(c: CaseShape, status: number | null): string | null {
  return c.edge?.row ?? EDGE_ROWS.find((r) => r.covers?.(c, status))?.id ?? null;
}

const MARK = '\u0000edge\u0000';
const MARK_TEXT = JSON.stringify(MARK);

/** The body's JSON text with the slot's marker replaced by `raw` (exact text). */
const withRaw = (body: Record<string, unknown>, raw: string): string => JSON.stringify(body).replace(MARK_TEXT, raw);

const isString = (s: JsonObject): boolean => allowedTypes(s).length === 1 && allowedTypes(s)[0] === 'string';
const isStringArray = (s: JsonObject): boolean =>
  allowedTypes(s).length === 1 &&
  allowedTypes(s)[0] === 'array' &&
  typeof s['items'] === 'object' &&
  isString(s['items'] as JsonObject);
/** A free-form object: any members with any values (user_metadata). */
const isFreeObject = (s: JsonObject): boolean =>
  allowedTypes(s).length === 1 &&
  allowedTypes(s)[0] === 'object' &&
  s['properties'] === undefined &&
  s['additionalProperties'] !== false &&
  (typeof s['additionalProperties'] !== 'object' || Object.keys(s['additionalProperties'] as object).length === 0);

/** Nests `inner` under `depth` objects of one member "d" (depth 0: inner itself). */
function nest(inner: unknown, depth: number): unknown {
  let v = inner;
  for (let i = 0; i < depth; i++) v = { d: v };
  return v;
}

/** The string slots: string properties, items of string arrays, and a free object's member values. */
function stringSlots(schema: EdgeSchema): Slot[] {
  const out: Slot[] = [];
  for (const [field, s] of Object.entries(schema.properties)) {
    if (!schema.usable(field)) continue;
    const plain = typeof s['minLength'] === 'number' && s['minLength'] > 0 ? 'a' : '';
    if (isString(s) && s['format'] === undefined && s['pattern'] === undefined)
      out.push({ field, pointer: `/${field}`, path: [field], holds: 'string', body: (v) => ({ [field]: v }) });
    if (isStringArray(s))
      out.push({
        field,
        pointer: `/${field}/1`,
        path: [field, 1],
        holds: 'string',
        body: (v) => ({ [field]: [`${plain}x`, v] }),
      });
  }
  return [
    ...out,
    ...valueSlots(schema, 1)
      .filter((x) => x.field !== '' && x.holds !== 'key')
      .slice(0, 1),
    ...keySlots(schema),
  ];
}

/** Member-name slots of free objects. */
function keySlots(schema: EdgeSchema): Slot[] {
  return Object.entries(schema.properties)
    .filter(([field, s]) => schema.usable(field) && isFreeObject(s))
    .map(([field]) => ({
      field,
      pointer: `/${field}`,
      path: [field],
      holds: 'key' as const,
      body: (k: unknown) => ({ [field]: { [String(k)]: 1 } }),
    }));
}

/** Value slots: a free object's member at depth 0..maxDepth, an array item in it, an unknown member. */
function valueSlots(schema: EdgeSchema, maxDepth: number): Slot[] {
  const out: Slot[] = [];
  for (const [field, s] of Object.entries(schema.properties)) {
    if (!schema.usable(field) || !isFreeObject(s)) continue;
    for (let depth = 0; depth <= maxDepth; depth++) {
      const path = [field, ...Array.from({ length: depth }, () => 'd'), 'v'];
      // the slot is the last member of its object, so a trailing comma after it is one
      out.push({
        field,
        pointer: `/${path.join('/')}`,
        path,
        holds: 'value',
        body: (v) => ({ [field]: nest({ k: 1, v }, depth) }),
      });
    }
    out.push({
      field,
      pointer: `/${field}/list/1`,
      path: [field, 'list', 1],
      holds: 'value',
      body: (v) => ({ [field]: { list: [1, v] } }),
    });
  }
  const known = knownString(schema);
  if (schema.allowsUnknown && known)
    out.push({
      field: '',
      pointer: '/x-edge',
      path: ['x-edge'],
      holds: 'value',
      body: (v) => ({ [known]: 'edge control', 'x-edge': v }),
    });
  return out;
}

/** The first string field a body may set: the known field beside an unknown member. */
const knownString = (schema: EdgeSchema): string | undefined =>
  Object.keys(schema.properties).find((f) => schema.usable(f) && isString(schema.properties[f] as JsonObject));

/** Every place a string is kept: the string slots and the stored value slots deeper down. */
const textSlots = (schema: EdgeSchema): Slot[] => {
  const strings = stringSlots(schema);
  return [...strings, ...storedSlots(schema, 2).filter((s) => !strings.some((t) => t.pointer === s.pointer))];
};

/** Value slots whose value the asset keeps (not an unknown member): a read can show it. */
const storedSlots = (schema: EdgeSchema, maxDepth: number): Slot[] =>
  valueSlots(schema, maxDepth).filter((s) => s.field !== '');

/** A case: the slot filled with the raw text, its control filled with `plain`. */
function inSlot(
  row: string,
  slot: Slot,
  raw: string,
  what: string,
  plain: unknown,
  extra: Partial<EdgeCase> = {},
): EdgeCase {
  const control = slot.body(slot.holds === 'key' ? 'k' : plain);
  const text = withRaw(slot.body(MARK), raw);
  // By default a 200 is compared with the body less the slot's field (the row judges the slot).
  const rest = Object.fromEntries(Object.entries(control).filter(([k]) => k !== slot.field && k !== 'x-edge'));
  return { row, text, control, sent: rest, description: `${what} at ${slot.pointer}`, path: slot.path, ...extra };
}

const pick = <T>(xs: readonly T[]): fc.Arbitrary<T> => fc.constantFrom(...xs);

/**
 * Every form of a row once per run, the places spread: form i in slot (offset + i), the offset at
 * random. A row with as many forms as slots fills every slot in every run; one with fewer fills
 * that many different slots (a fault of one place is met by some form whenever it can be).
 */
function eachForm<F>(
  slots: readonly Slot[],
  forms: readonly F[],
  build: (slot: Slot, form: F) => EdgeCase,
): fc.Arbitrary<EdgeCase[]> | null {
  if (slots.length === 0) return null;
  return fc
    .nat({ max: slots.length - 1 })
    .map((offset) => forms.map((form, i) => build(slots[(offset + i) % slots.length] as Slot, form)));
}

/** JSON.parse of exact text (these texts are valid JSON): what JavaScript reads. */
const read = (text: string): Record<string, unknown> => JSON.parse(text) as Record<string, unknown>;

const SURROGATES = ['"a\\ud800b"', '"\\udc00"', '"x\\udbff"', '"\\udfff\\ud800"'];
const ESCAPES = [
  '"\\"\\\\\\/\\b\\f\\n\\r\\t"',
  '"\\u0041\\u00e9\\u20AC\\u20ac"',
  '"\\uD83D\\uDE00 and \\ud83d\\ude00"',
  '"nul\\u0000and\\u001f"',
  '"\\u2028\\u2029\\ufeff"',
];
const NUMBER_FORMS = [
  '-0',
  '1E2',
  '1e-7',
  '0.1000000000000000055511151231257827',
  '1.0',
  '-0.0',
  '5e-324',
  '1.7976931348623157e308',
];
const OUT_OF_RANGE = ['1e400', '-1e400', '1E+309'];
const BIG_INTEGERS = ['9007199254740993', '-9007199254740993', '12345678901234567890'];
const MALFORMED: readonly [raw: string, what: string][] = [
  ['NaN', 'NaN'],
  ['Infinity', 'Infinity'],
  ['-Infinity', '-Infinity'],
  ['1,', 'a trailing comma'],
  ['/* comment */ 1', 'a block comment'],
  ['// comment\n1', 'a line comment'],
  ["'single'", 'single quotes'],
  ['+1', 'a plus sign'],
  ['01', 'a leading zero'],
  ['.5', 'a bare fraction'],
  ['0x10', 'a hexadecimal number'],
  ['"\\x41"', 'an escape JSON does not have'],
  ['"tab\there"', 'a raw control character in a string'],
  ['undefined', 'undefined'],
];

/** A string edge kept exactly (compared by the after-200 requirements, every code unit). */
const kept =
  (row: string, what: string, plain: unknown) =>
  (slot: Slot, raw: string): EdgeCase => {
    const c = inSlot(row, slot, raw, `${what} ${raw}`, plain);
    return { ...c, sent: read(c.text) };
  };

/** The control of a slot: its plain body. */
const plainOf = (slot: Slot): Record<string, unknown> => slot.body(slot.holds === 'key' ? 'k' : 'a');

export const EDGE_ROWS: readonly EdgeRow[] = [
  {
    id: 'lone-surrogate',
    standard: 'RFC 8259 8.2, RFC 7493 2.1',
    title: 'a string with a lone UTF-16 surrogate escape (name, tag, metadata key or value)',
    requirement: 'EDGE-SURROGATE',
    allowed: statusesOf('EDGE-SURROGATE'),
    arbitrary: (schema) => eachForm(stringSlots(schema), SURROGATES, kept('lone-surrogate', 'lone surrogate', 'a')),
  },
  {
    id: 'escapes',
    standard: 'RFC 8259 7',
    title: 'strings written with every escape form (short escapes, \\u in either case, escaped pairs, escaped ASCII)',
    requirement: 'UPD-VALID-200',
    allowed: statusesOf('UPD-VALID-200'),
    arbitrary: (schema) => eachForm(stringSlots(schema), ESCAPES, kept('escapes', 'escapes', 'a')),
  },
  {
    id: 'number-forms',
    standard: 'RFC 8259 6',
    title: 'numbers as written: -0, exponents, long mantissas, the smallest and largest doubles',
    requirement: 'UPD-VALID-200',
    allowed: statusesOf('UPD-VALID-200'),
    arbitrary: (schema) => eachForm(valueSlots(schema, 2), NUMBER_FORMS, kept('number-forms', 'the number', 1)),
  },
  {
    id: 'number-out-of-range',
    standard: 'RFC 8259 6, RFC 7493 2.2',
    title: 'a number outside the double range (1e400)',
    requirement: 'EDGE-NUMBER-RANGE',
    allowed: statusesOf('EDGE-NUMBER-RANGE'),
    arbitrary: (schema) =>
      eachForm(valueSlots(schema, 2), OUT_OF_RANGE, (slot, raw) =>
        inSlot('number-out-of-range', slot, raw, `the number ${raw}`, 1),
      ),
  },
  {
    id: 'big-integer',
    standard: 'RFC 7493 2.2',
    title: 'an integer beyond 2^53, kept as sent (decimal text) or refused',
    requirement: 'EDGE-BIG-INTEGER',
    allowed: statusesOf('EDGE-BIG-INTEGER'),
    arbitrary: (schema) =>
      // only where a value is stored (an unknown member is ignored, so it cannot be read back)
      eachForm(storedSlots(schema, 2), BIG_INTEGERS, (slot, raw) =>
        inSlot('big-integer', slot, raw, `the integer ${raw}`, 1, { numberText: raw }),
      ),
  },
  {
    id: 'duplicate-members',
    standard: 'RFC 8259 4, RFC 7493 2.3',
    title: 'duplicate member names in one object, with string, number, object and array values',
    requirement: 'EDGE-DUPLICATE-MEMBERS',
    allowed: statusesOf('EDGE-DUPLICATE-MEMBERS'),
    arbitrary: duplicates,
  },
  {
    id: 'lookalike-text',
    standard: 'RFC 8259 7, RFC 3339, RFC 3986',
    title:
      'text that looks like a date, a number, a boolean or null, markup, a placeholder, a path, or that a normaliser changes: each group as tags and metadata keys and values at every depth, one text of it as the name',
    requirement: 'UPD-VALID-200',
    allowed: statusesOf('UPD-VALID-200'),
    arbitrary: lookalikes,
  },
  {
    id: 'lengths',
    standard: 'RFC 8259 9',
    title:
      'strings one over the column widths 255 to 65,535 and at each in multi-byte code points, in every place at once; lists of 33, 101 and 1,001 items; bodies just over 16, 64 and 100 KiB and 1 MB',
    requirement: 'UPD-VALID-200',
    allowed: statusesOf('UPD-VALID-200'),
    arbitrary: lengths,
  },
  {
    id: 'mass-assignment',
    standard: 'RFC 9110 9.3.4, OWASP API3:2023',
    title:
      "members named like the asset's own fields (id, asset_hash, size, created_at, an owner...), all of them beside a known field, then alone",
    requirement: 'STATE-OWN-FIELDS',
    allowed: [],
    arbitrary: massAssignment,
  },
  {
    id: 'whitespace',
    standard: 'RFC 8259 2',
    title: 'insignificant whitespace (tabs, CR LF, spaces) between every token',
    requirement: 'UPD-VALID-200',
    allowed: statusesOf('UPD-VALID-200'),
    arbitrary: (schema) =>
      eachForm(stringSlots(schema), ['\t', '\r\n', ' \n\t '], (slot, ws) => {
        const control = plainOf(slot);
        const text = `${ws}${JSON.stringify(control, null, ws).replace(/":/g, `"${ws}:${ws}`)}${ws}`;
        return { row: 'whitespace', text, control, sent: control, description: `whitespace ${JSON.stringify(ws)}` };
      }),
  },
  {
    id: 'malformed-token',
    standard: 'RFC 8259 2, 6, 7',
    title: 'NaN, Infinity, a trailing comma, a comment, single quotes and other non-JSON, at any depth',
    requirement: 'BODY-NOT-OBJECT-400',
    allowed: statusesOf('BODY-NOT-OBJECT-400'),
    arbitrary: (schema) =>
      eachForm(valueSlots(schema, 3), MALFORMED, (slot, [raw, what]) => ({
        ...inSlot('malformed-token', slot, raw, what, 1),
        malformed: `${what} at ${slot.pointer}`,
      })),
  },
  {
    id: 'bom',
    standard: 'RFC 8259 8.1',
    title: 'a byte order mark before the text (a parser may ignore it or refuse it)',
    requirement: 'RESP-NO-5XX',
    allowed: [],
    arbitrary: (schema) =>
      eachForm(stringSlots(schema), ['\ufeff'], (slot, bom) => {
        const control = plainOf(slot);
        return {
          row: 'bom',
          text: `${bom}${JSON.stringify(control)}`,
          control,
          sent: control,
          description: 'a BOM first',
        };
      }),
  },
  {
    id: 'depth',
    standard: 'RFC 8259 9',
    title: 'a free-form object nested 100, 257 and 1,000 levels deep (objects and arrays)',
    requirement: 'EDGE-DEPTH',
    allowed: statusesOf('EDGE-DEPTH'),
    arbitrary: (schema) =>
      eachForm(keySlots(schema), [100, 257, 1000], (slot, depth) => {
        const arrays = depth % 2 === 1;
        const leaf = arrays
          ? `${'['.repeat(depth)}1${']'.repeat(depth)}`
          : `${'{"d":'.repeat(depth)}1${'}'.repeat(depth)}`;
        const deep = { ...slot, body: (v: unknown) => ({ [slot.field]: { deep: v } }) };
        const c = inSlot('depth', deep, leaf, `${depth} levels of ${arrays ? 'arrays' : 'objects'}`, 1);
        // pretty-printed, n levels take about n^2 spaces of indentation: an answer may be megabytes
        return { ...c, sent: read(c.text), maxResponseBytes: 4 * depth * depth + (1 << 20) };
      }),
  },
  {
    id: 'size',
    standard: 'RFC 8259 9',
    title: 'a valid body larger than 1 MiB (1.1 or 2.5 MB)',
    requirement: 'EDGE-SIZE',
    allowed: statusesOf('EDGE-SIZE'),
    arbitrary: (schema) => {
      // A top-level string without a length limit first: the next update replaces it, even on a
      // server that merges objects (a blob merged into user_metadata would stay there for good).
      const strings = stringSlots(schema).filter(
        (s) => s.path.length === 1 && s.holds === 'string' && schema.properties[s.field]?.['maxLength'] === undefined,
      );
      const slots =
        strings.length > 0
          ? strings
          : keySlots(schema).map((s) => ({ ...s, body: (v: unknown) => ({ [s.field]: { blob: v } }) }));
      if (slots.length === 0) return null;
      // one size a run: the costliest row is the one to keep rare
      return fc.tuple(pick(slots), pick([1_100_000, 2_500_000])).map(([slot, size]) => {
        const c = inSlot('size', slot, JSON.stringify('x'.repeat(size)), `${(size / 1e6).toFixed(1)} MB`, 'x');
        return [{ ...c, sent: read(c.text), maxResponseBytes: 3 * size + (1 << 20) }];
      });
    },
  },
  {
    id: 'id-spelling',
    standard: 'RFC 9562 4',
    title: "the asset's id spelled another way (no hyphens, braces, a urn:uuid: prefix)",
    requirement: 'ID-SPELLING',
    allowed: statusesOf('ID-SPELLING'),
    arbitrary: null,
    elsewhere: 'generated by the id-spelling property',
    covers: (c) => c.id.kind === 'spelling',
  },
  {
    id: 'special-uuid',
    standard: 'RFC 9562 4.2, 5.9, 5.10',
    title:
      'a reference id (preview_id) a stack may treat apart: the nil and max uuids, each version 1 to 8, upper case, the asset itself',
    requirement: 'UPD-REFERENCE',
    allowed: statusesOf('UPD-REFERENCE'),
    arbitrary: null,
    elsewhere: 'generated by the reference-update property, one case of each in its plan',
    covers: (c) => c.property === 'reference-update' && c.specialUuid !== undefined,
  },
  {
    id: 'special-path-uuid',
    standard: 'RFC 9562 4.2, 5.9, 5.10',
    title: 'the same uuids as the path id (no asset has them): the nil and max uuids, each version 1 to 8, upper case',
    requirement: 'ID-UNKNOWN-404',
    allowed: statusesOf('ID-UNKNOWN-404'),
    arbitrary: null,
    elsewhere: 'generated by the unknown-id property, one case of each in its plan',
    covers: (c) => c.property === 'unknown-id' && c.specialUuid !== undefined,
  },
  {
    id: 'reference-uuid',
    standard: 'RFC 9562 4',
    title: 'a uuid of any version naming another resource (preview_id): the asset itself, or one that does not exist',
    requirement: 'UPD-REFERENCE',
    allowed: statusesOf('UPD-REFERENCE'),
    arbitrary: null,
    elsewhere: 'generated by the reference-update property (malformed forms by invalid-body)',
    covers: (c) => c.property === 'reference-update',
  },
  {
    id: 'credentials-elsewhere',
    standard: 'RFC 9110 11.6.2, 6.3',
    title:
      "no valid key in the contract's header, a credential elsewhere: Authorization (Bearer, Basic, ApiKey, Token), a query parameter, a cookie, the header repeated or holding a list",
    requirement: 'AUTH-401',
    allowed: statusesOf('AUTH-401'),
    arbitrary: null,
    elsewhere:
      'generated by the auth property, one case of each door in its plan (and now and then in its exploration)',
    covers: (c) => c.key.kind === 'elsewhere',
  },
  {
    id: 'derived-key',
    standard: 'RFC 9110 11',
    title: 'a key made from the valid one (case swapped, cut, extended, the rest changed)',
    requirement: 'AUTH-401',
    allowed: statusesOf('AUTH-401'),
    arbitrary: null,
    elsewhere: 'generated by the auth property (and sequences)',
    covers: (c) => c.key.kind === 'derived',
  },
  {
    id: 'key-spaces',
    standard: 'RFC 9110 5.5',
    title: 'the key with a leading or trailing space',
    requirement: 'AUTH-401',
    allowed: [],
    arbitrary: null,
    elsewhere: 'not generated: a field value has no leading or trailing whitespace, so the server reads the valid key',
  },
  {
    id: 'truncated',
    standard: 'RFC 8259 2',
    title: 'the text cut off anywhere, an empty body, a lone brace',
    requirement: 'BODY-NOT-OBJECT-400',
    allowed: statusesOf('BODY-NOT-OBJECT-400'),
    arbitrary: null,
    elsewhere: 'generated by the malformed-body property',
    covers: (c) => c.property === 'malformed-body' && c.invalid?.keyword === 'json',
  },
  {
    id: 'timestamps',
    standard: 'RFC 3339 5.6',
    title: 'updated_at in every 200: a date-time with a time-zone offset',
    requirement: 'A200-UPDATED-AT',
    allowed: [],
    arbitrary: null,
    elsewhere: 'judged on every 200 body (responses, not requests)',
    covers: (c, status) => c.updatesTarget && status === 200,
  },
];

/** One member twice: where (a top-level field, or a member `inner` of it), the two values' text and values. */
interface Twice {
  field: string;
  inner?: string;
  texts: [string, string];
  values: [unknown, unknown];
}

/**
 * The control's value for a member given twice: the first value of a scalar; for object and array
 * values a third of the same type, so that the case changes the asset whatever the server keeps (a
 * server that answers an update changing nothing in its own way is judged elsewhere), and a server
 * that merges an update into what it stored (A200-OBJECT-REPLACED) keeps the third's members beside
 * one value's, not a mix of the two.
 */
const controlValue = (first: unknown): unknown =>
  Array.isArray(first) ? [typeof first[0] === 'string' ? 'third' : 3] : isJsonObject(first) ? { c: 3 } : first;

/**
 * A member twice in one object: a string field at the top level, a member of a free object with
 * numbers, and (a server that merges them makes neither) with object and array values, the free
 * object itself twice and a list field twice.
 */
function duplicates(schema: EdgeSchema): fc.Arbitrary<EdgeCase[]> | null {
  const top = stringSlots(schema).find((s) => s.holds === 'string' && s.path.length === 1);
  const free = keySlots(schema)[0]?.field;
  const list = Object.keys(schema.properties).find(
    (f) => schema.usable(f) && isStringArray(schema.properties[f] as JsonObject),
  );
  const objects = { texts: ['{"a":1}', '{"b":2}'], values: [{ a: 1 }, { b: 2 }] } as const;
  const forms: Twice[] = [
    ...(top ? [{ field: top.field, texts: ['"first"', '"second"'], values: ['first', 'second'] } as Twice] : []),
    ...(free
      ? ([
          { field: free, inner: 'k', texts: ['1', '2'], values: [1, 2] },
          { field: free, texts: [...objects.texts], values: [...objects.values] },
          { field: free, inner: 'k', texts: [...objects.texts], values: [...objects.values] },
          { field: free, inner: 'k', texts: ['[1]', '[2]'], values: [[1], [2]] },
        ] as Twice[])
      : []),
    ...(list ? [{ field: list, texts: ['["first"]', '["second"]'], values: [['first'], ['second']] } as Twice] : []),
  ];
  if (forms.length === 0) return null;
  return fc.constant(
    forms.map(({ field, inner, texts, values }): EdgeCase => {
      const key = inner ?? field;
      const twice = `${JSON.stringify(key)}:${texts[0]},${JSON.stringify(key)}:${texts[1]}`;
      const path = inner ? [field, inner] : [field];
      const kind =
        typeof values[0] === 'object' ? (Array.isArray(values[0]) ? ' (array values)' : ' (object values)') : '';
      const plain = controlValue(values[0]);
      return {
        row: 'duplicate-members',
        text: inner ? `{${JSON.stringify(field)}:{${twice}}}` : `{${twice}}`,
        control: inner ? { [field]: { [inner]: plain } } : { [field]: plain },
        sent: {},
        description: `the member "${key}" twice at /${path.slice(0, -1).join('/')}${kind}`,
        path,
        candidates: [...values],
      };
    }),
  );
}

/**
 * The mass-assignment row's cases: every own field at once beside a known field (200), then all of
 * them alone (200 or 400). A value taken is named by the check, whichever it is.
 */
function massAssignment(schema: EdgeSchema): fc.Arbitrary<EdgeCase[]> | null {
  const known = knownString(schema);
  if (!schema.allowsUnknown || !known) return null;
  const fresh = fc.record({ uuid: fc.uuid({ version: 4 }), hex: fc.stringMatching(/^[0-9a-f]{64}$/) });
  return fresh.map((f) => {
    const all = Object.fromEntries(
      Object.entries(schema.own).flatMap(([name, before]) => {
        const value = assignedValue(name, before, f);
        return value === undefined ? [] : [[name, value] as const];
      }),
    );
    const names = Object.keys(all);
    if (names.length === 0) return [];
    const control = { [known]: 'edge control' };
    const ownBefore = Object.fromEntries(
      names.filter((n) => schema.own[n] !== undefined).map((n) => [n, schema.own[n]]),
    );
    const common = { row: 'mass-assignment', control, assigned: all, ownBefore };
    return [
      {
        ...common,
        text: JSON.stringify({ ...control, ...all }),
        sent: control,
        description: `members named like the asset's own fields (${names.join(', ')}) beside ${known}`,
        statusBy: 'UPD-VALID-200',
      },
      {
        ...common,
        text: JSON.stringify(all),
        sent: {},
        description: `only members named like the asset's own fields (${names.join(', ')})`,
        statusBy: 'UPD-UNKNOWN-ONLY',
        unknownOnly: true,
      },
    ];
  });
}

/** Two bodies' members merged, objects member by member (the slots of one field share its object). */
function merged(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const mine = out[k];
    out[k] = isJsonObject(mine) && isJsonObject(v) ? merged(mine, v) : v;
  }
  return out;
}

/** The raw text in every one of the slots at once, and the control: the same body with plain values. */
function inEvery(slots: readonly Slot[], raw: string): { text: string; control: Record<string, unknown> } {
  const fill = (value: string, key: string): Record<string, unknown> =>
    slots.map((s) => s.body(s.holds === 'key' ? key : value)).reduce(merged, {});
  return { text: JSON.stringify(fill(MARK, MARK)).replaceAll(MARK_TEXT, raw), control: fill('a', 'k') };
}

/** A case of the lengths row, kept exactly; a large one is put back to a plain value after a 200. */
function long(c: Omit<EdgeCase, 'row' | 'sent'>): EdgeCase {
  const large = c.text.length > 16 * 1024 ? { maxResponseBytes: 4 * c.text.length + (1 << 20) } : {};
  return { row: 'lengths', ...c, sent: read(c.text), ...large };
}

/**
 * Each string width in every place a string is kept at once (as many places as a body under 1 MB
 * holds, the top-level string first); list sizes in a list field; whole bodies over parser limits.
 */
function lengths(schema: EdgeSchema): fc.Arbitrary<EdgeCase[]> | null {
  const slots = textSlots(schema);
  if (slots.length === 0) return null;
  const strings = LENGTH_STRINGS.map(({ text, what }) => {
    const raw = JSON.stringify(text);
    const places = slots.slice(0, Math.max(1, Math.floor(900_000 / utf8Length(raw))));
    return long({ ...inEvery(places, raw), description: `${what} in ${places.map((p) => p.pointer).join(', ')}` });
  });
  const list = Object.keys(schema.properties).find(
    (f) => schema.usable(f) && isStringArray(schema.properties[f] as JsonObject),
  );
  const counts = list
    ? LIST_COUNTS.map((n) =>
        long({
          text: JSON.stringify({ [list]: Array.from({ length: n }, (_, i) => `t${i}`) }),
          control: { [list]: ['t0'] },
          description: `${n} items in /${list}`,
        }),
      )
    : [];
  const top = slots.find(
    (s) => s.path.length === 1 && s.holds === 'string' && schema.properties[s.field]?.['maxLength'] === undefined,
  );
  const bodies = top
    ? BODY_SIZES.map((bytes) =>
        long({
          text: padTo(bytes, (pad) => JSON.stringify(top.body(pad))),
          control: plainOf(top),
          description: `a body of ${bytes} bytes`,
        }),
      )
    : [];
  return fc.constant([...strings, ...counts, ...bodies]);
}

/**
 * The dictionary of text a stack may rewrite, one case per group (dates, numbers, ...): every text of
 * the group as a tag, as a metadata key and value at depths 0 to 2 and in a list, and one of them (at
 * random) as each string field; against the same body with plain values as the control.
 */
function lookalikes(schema: EdgeSchema): fc.Arbitrary<EdgeCase[]> | null {
  const usable = Object.entries(schema.properties).filter(([f]) => schema.usable(f));
  const strings = usable.filter(([, s]) => isString(s) && s['format'] === undefined && s['pattern'] === undefined);
  const lists = usable.filter(([, s]) => isStringArray(s));
  const objects = usable.filter(([, s]) => isFreeObject(s));
  if (strings.length + lists.length + objects.length === 0) return null;
  const fill = (texts: readonly string[], one: string): Record<string, unknown> => {
    const members = Object.fromEntries(texts.filter((t) => t !== 'd' && t !== 'list').map((t) => [t, t]));
    const nested = { ...members, d: { ...members, d: { ...members } }, list: [...texts] };
    return Object.fromEntries([
      ...strings.map(([f]) => [f, one]),
      ...lists.map(([f]) => [f, ['x', ...texts.filter((t) => t !== 'x')]]),
      ...objects.map(([f]) => [f, nested]),
    ]);
  };
  const control = fill(['a'], 'a');
  return fc.tuple(...LOOKALIKES.map((g) => fc.constantFrom(...g.texts))).map((ones) =>
    LOOKALIKES.map((g, i): EdgeCase => {
      const body = fill(g.texts, ones[i] as string);
      return {
        row: 'lookalike-text',
        text: JSON.stringify(body),
        control,
        sent: body,
        description: `text that looks like ${g.looks} (${g.texts.length} texts) in every place a string is kept`,
      };
    }),
  );
}
