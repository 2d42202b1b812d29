/**
 * The catalogue of requirements, as data. Every verdict the suite gives names one of these, and
 * each cites where it comes from: a JSON pointer into the spec (relative to the operation, or
 * absolute from '#/') or a section of docs/contract.md (the project's reading of the contract),
 * with the words that fix it.
 */

export type Level = 'MUST' | 'SHOULD';

export interface Citation {
  /** 'spec': the OpenAPI document under test; 'contract': docs/contract.md, the project's reading of it. */
  source: 'spec' | 'contract';
  /** spec: JSON pointer below the operation ('responses', 'requestBody/...') or from the root ('#/security'); contract: a heading of docs/contract.md. */
  ref: string;
  quote: string;
}

export interface Requirement {
  id: string;
  level: Level;
  title: string;
  /** Which exchanges it judges, in a few words. */
  scope: string;
  cite: readonly Citation[];
  /**
   * The one factor of the request this requirement is about (the id, or the key). It is judged
   * only when everything else is known to be accepted: the same body, sent to the asset with the
   * valid key (the control), got 200 in the same case (docs/contract.md, "One factor at a time").
   */
  factor?: 'id' | 'key';
  /**
   * Judged on the values earlier answers showed (a sequence's model): a failure on a field whose
   * own requirement already failed earlier in the same counterexample follows from that one, and
   * the report says so (docs/contract.md, "One factor at a time").
   */
  derived?: true;
  /**
   * A stricter form of another requirement about the same field (the exact list, beside the same
   * set): a failure of both on the same exchange and field follows from the other one.
   */
  refines?: string;
  /**
   * The statuses a case judged by this requirement may get (docs/contract.md, "Expected outcomes, by
   * kind of request"): the one place they are written; the cases and the edge table read them here.
   * Absent: the requirement is not judged by the status of its cases.
   */
  statuses?: readonly number[];
  /**
   * About the HTTP connection itself (framing, resets): a target with no connection, an in-process
   * fetch handler, cannot show it, and the report says it was not exercised there.
   */
  connection?: true;
}

const contract = (ref: string, quote: string): Citation => ({ source: 'contract', ref, quote });
const spec = (ref: string, quote: string): Citation => ({ source: 'spec', ref, quote });

const EVERY = 'Every response, whatever the request';
const TABLE = 'Expected outcomes, by kind of request';
const AFTER = 'After a 200';
const WIRE = 'Edges of the wire';

export const REQUIREMENTS = [
  // --- every response -----------------------------------------------------------------------
  {
    id: 'RESP-TIMELY',
    level: 'MUST',
    title: 'A complete response arrives within the timeout',
    scope: 'every request',
    cite: [contract(EVERY, 'status is documented ... Content-Type is application/json and the body parses')],
  },
  {
    id: 'RESP-COMPLETE',
    level: 'MUST',
    title:
      'A response arrives (a handler does not throw), its body within the size cap and in a content coding the request allowed',
    scope: 'every request',
    cite: [
      contract(EVERY, 'A complete response arrives within the timeout, its body within the size cap'),
      contract(
        'Edges of the wire',
        'a response in a content coding the request did not allow: not a complete response',
      ),
    ],
  },
  {
    id: 'RESP-HTTP',
    level: 'MUST',
    title: 'On a connection, the response is well-formed HTTP, not cut off by a reset',
    scope: 'every request sent on a connection',
    cite: [contract(EVERY, 'On a connection, the response is well-formed HTTP, not cut off by a reset')],
    connection: true,
  },
  {
    id: 'RESP-STATUS-DOCUMENTED',
    level: 'MUST',
    title: 'The status is one the spec documents for the operation',
    scope: 'every response',
    cite: [
      spec('responses', 'documented responses of the operation'),
      contract(EVERY, 'status is documented (200, 400, 401, 404, 500)'),
    ],
  },
  {
    id: 'RESP-NO-5XX',
    level: 'MUST',
    title: 'No 5xx, whatever the request',
    scope: 'every response',
    cite: [contract(EVERY, "never 5xx (500 is documented, yet no request of the suite's justifies it)")],
  },
  {
    id: 'RESP-CONTENT-TYPE',
    level: 'MUST',
    title: 'Content-Type is the documented JSON media type (parameters such as charset allowed)',
    scope: 'every response with a body',
    cite: [
      spec('responses', 'content: application/json'),
      contract(EVERY, 'Content-Type is application/json (parameters such as charset allowed)'),
    ],
  },
  {
    id: 'RESP-BODY-JSON',
    level: 'MUST',
    title: 'The body parses as JSON',
    scope: 'every response with a body',
    cite: [contract(EVERY, 'Content-Type is application/json ... and the body parses')],
  },
  {
    id: 'RESP-BODY-SCHEMA',
    level: 'MUST',
    title: 'The body validates against the schema documented for its status (AssetUpdated, ErrorResponse)',
    scope: 'every documented status',
    cite: [
      spec('responses', 'schema: $ref AssetUpdated / ErrorResponse'),
      contract(
        EVERY,
        'the body validates against the schema of that status ... extra properties in responses are allowed',
      ),
    ],
  },

  // --- expected status, by kind of request --------------------------------------------------
  {
    id: 'UPD-VALID-200',
    level: 'MUST',
    statuses: [200],
    title: 'A schema-valid update (any non-empty subset of the properties, unknown extras allowed) gets 200',
    scope: 'valid key, the asset, valid body without a reference id',
    cite: [
      spec('requestBody', 'schema: properties name, tags, mime_type, user_metadata; minProperties 1'),
      contract(
        TABLE,
        'valid key, existing asset, schema-valid body ... 200 MUST; same, body also carries mime_type: 200 MUST',
      ),
      contract(WIRE, 'a string of any length, any number of tags, metadata of any size, in a body under 1 MiB'),
      contract(WIRE, 'text that looks like something else'),
    ],
  },
  {
    id: 'UPD-REFERENCE',
    level: 'MUST',
    statuses: [200, 400, 404],
    title: 'An update carrying a reference id (preview_id, a uuid) gets 200, 400 or 404',
    scope: 'valid key, the asset, valid body with preview_id',
    cite: [
      contract(
        TABLE,
        'same, body carries preview_id (a uuid): 200, 400, 404 MUST; the preview asset may have to exist',
      ),
      contract(WIRE, "preview_id equal to the asset's own id, the nil uuid, the max uuid, or a uuid of any version"),
    ],
  },
  {
    id: 'UPD-UNKNOWN-ONLY',
    level: 'MUST',
    statuses: [200, 400],
    title: 'A body with only unknown properties gets 200 or 400',
    scope: 'valid key, the asset, body of unknown properties',
    cite: [contract(TABLE, 'body with no known property, only unknown ones ({"x":1}): 200, 400 MUST')],
  },
  {
    id: 'UPD-UNKNOWN-ONLY-NO-CHANGE',
    level: 'MUST',
    title: 'If a body with only unknown properties gets 200, no known field changes',
    scope: 'the 200 answers to bodies of unknown properties',
    cite: [contract(TABLE, 'if 200, no known field changes')],
  },
  {
    id: 'BODY-EMPTY-400',
    level: 'MUST',
    statuses: [400],
    title: 'An empty object {} gets 400',
    scope: 'valid key, the asset, {}',
    cite: [
      spec('requestBody/content/application~1json/schema/minProperties', 'minProperties: 1'),
      spec('responses/400', 'Invalid request (no fields provided)'),
      contract(TABLE, '{}: 400 MUST'),
    ],
  },
  {
    id: 'BODY-NOT-OBJECT-400',
    level: 'MUST',
    statuses: [400],
    title: 'Malformed JSON, an empty body, or JSON that is not an object gets 400',
    scope: 'valid key, the asset, such a body',
    cite: [
      spec('requestBody', 'required: true; schema type object'),
      contract(TABLE, 'JSON that is not an object ..., malformed JSON, empty body: 400 MUST'),
    ],
  },
  {
    id: 'BODY-INVALID-400',
    level: 'MUST',
    statuses: [400],
    title: 'A known property of the wrong type or format (null included) gets 400',
    scope: 'valid key, the asset, one schema violation',
    cite: [
      spec('requestBody/content/application~1json/schema/properties', 'property types and formats'),
      contract(
        TABLE,
        'a known property of the wrong type (null included), a non-string tag, a non-uuid preview_id, a non-object user_metadata: 400 MUST',
      ),
    ],
  },
  {
    id: 'AUTH-401',
    level: 'MUST',
    statuses: [401],
    factor: 'key',
    title: 'A missing or wrong API key gets 401 (existing asset, valid body)',
    scope: 'missing or wrong key, the asset, valid body',
    cite: [
      spec('#/security', 'ApiKeyAuth: apiKey in header'),
      spec('responses/401', 'Unauthorized'),
      contract(TABLE, 'missing or wrong X-API-Key, existing asset, valid body: 401 MUST'),
      contract(WIRE, 'a request without the valid X-API-Key that carries credentials elsewhere ...: 401'),
      contract(
        'One factor at a time',
        'judged only when its control, the same body to the asset with the valid key, got 200',
      ),
    ],
  },
  {
    id: 'AUTH-FIRST-401',
    level: 'SHOULD',
    statuses: [401],
    title: 'A missing or wrong API key gets 401 even for an unknown id or an invalid body (no existence oracle)',
    scope: 'missing or wrong key, unknown id or invalid body',
    cite: [contract(TABLE, 'missing or wrong key with an unknown id or an invalid body: 401 SHOULD; auth first')],
  },
  {
    id: 'ID-UNKNOWN-404',
    level: 'MUST',
    statuses: [404],
    factor: 'id',
    title: 'An unknown uuid gets 404 (valid key, valid body)',
    scope: 'valid key, unknown uuid, valid body',
    cite: [
      spec('responses/404', 'Asset not found'),
      contract(TABLE, 'valid key, unknown uuid, valid body: 404 MUST'),
      contract(WIRE, 'the nil uuid, the max uuid, or a uuid of any version ... as the path id: 404'),
      contract(
        'One factor at a time',
        'judged only when its control, the same body to the asset with the valid key, got 200',
      ),
    ],
  },
  {
    id: 'ID-UNKNOWN-INVALID-BODY',
    level: 'MUST',
    statuses: [400, 404],
    title: 'An unknown uuid with an invalid body gets 400 or 404',
    scope: 'valid key, unknown uuid, invalid body',
    cite: [contract(TABLE, 'valid key, unknown uuid, invalid body: 400, 404 MUST; either check may come first')],
  },
  {
    id: 'ID-MALFORMED',
    level: 'MUST',
    statuses: [400, 404],
    title: 'An id that is not a uuid gets 400 or 404 (with an ErrorResponse JSON body)',
    scope: 'valid key, malformed id, valid body',
    cite: [
      spec('parameters', 'id: string, format uuid'),
      contract(TABLE, 'valid key, id that is not a uuid: 400, 404 MUST, with an ErrorResponse JSON body'),
    ],
  },
  {
    id: 'ID-CASE-ALLOWED',
    level: 'MUST',
    statuses: [200, 400, 404],
    factor: 'id',
    title: 'The asset id in upper case gets 200, 400 or 404',
    scope: 'valid key, the id upper-cased, valid body',
    cite: [
      contract(TABLE, 'valid key, the existing id in upper case: 200, 400, 404'),
      contract(
        'One factor at a time',
        'judged only when its control, the same body to the asset with the valid key, got 200',
      ),
    ],
  },
  {
    id: 'ID-CASE-200',
    level: 'SHOULD',
    statuses: [200],
    factor: 'id',
    title: 'The asset id in upper case gets 200 (UUIDs compare case-insensitively)',
    scope: 'valid key, the id upper-cased, valid body',
    cite: [
      contract(TABLE, 'SHOULD 200; UUIDs compare case-insensitively'),
      contract(
        'One factor at a time',
        'judged only when its control, the same body to the asset with the valid key, got 200',
      ),
    ],
  },

  {
    id: 'ID-SPELLING',
    level: 'MUST',
    statuses: [200, 400, 404],
    factor: 'id',
    title: "The asset's id spelled another way (no hyphens, braces, urn:uuid:) gets 200 (the same asset), 400 or 404",
    scope: 'valid key, the id respelled, valid body',
    cite: [
      contract(
        WIRE,
        'the existing id spelled another way that RFC 9562 readers accept (no hyphens, braces, a urn:uuid: prefix): 200 (the same asset), 400 or 404; never another asset, never 5xx',
      ),
      contract(
        'One factor at a time',
        'judged only when its control, the same body to the asset with the valid key, got 200',
      ),
    ],
  },

  // --- what one 200 response can show --------------------------------------------------------
  {
    id: 'A200-ID-ECHO',
    level: 'MUST',
    title: "The 200 body's id is the asset's id (compared case-insensitively)",
    scope: 'every 200 to an update of the asset',
    cite: [
      spec('responses/200', 'AssetUpdated.id: Asset ID'),
      contract(AFTER, "id is the asset's id (compare case-insensitively)"),
    ],
  },
  {
    id: 'A200-UPDATED-AT',
    level: 'MUST',
    title: 'updated_at is an RFC 3339 date-time with a time-zone offset',
    scope: 'every 200 to an update of the asset',
    cite: [
      spec('responses/200', 'AssetUpdated.updated_at: format date-time'),
      contract(AFTER, 'updated_at is an RFC 3339 date-time with a time-zone offset'),
    ],
  },
  {
    id: 'A200-STRING-EXACT',
    level: 'MUST',
    title: 'Each updatable string field sent (name) comes back exactly, every code point (U+0000 included)',
    scope: '200s whose body carries a string field that was sent',
    cite: [
      spec('description', 'Only name, tags, and user_metadata can be updated.'),
      contract(AFTER, 'name exactly (every code point, U+0000 included)'),
    ],
  },
  {
    id: 'A200-ARRAY-SET',
    level: 'MUST',
    title: 'Each updatable array field sent (tags) comes back as the same set (de-duplicating or sorting is allowed)',
    scope: '200s whose body carries an array field that was sent',
    cite: [
      spec('description', 'Only name, tags, and user_metadata can be updated.'),
      contract(AFTER, 'tags as a set by default (a server may de-duplicate or sort)'),
    ],
  },
  {
    id: 'A200-ARRAY-EXACT',
    level: 'SHOULD',
    refines: 'A200-ARRAY-SET',
    title: 'Each updatable array field sent (tags) comes back as the exact list',
    scope: '200s whose body carries an array field that was sent',
    cite: [contract(AFTER, 'the exact list in strict mode')],
  },
  {
    id: 'A200-OBJECT-REPLACED',
    level: 'MUST',
    title:
      'Each updatable object field sent (user_metadata) comes back deep-equal to what was sent: PUT replaces, it does not merge',
    scope: '200s whose body carries an object field that was sent',
    cite: [
      spec('description', 'Only name, tags, and user_metadata can be updated.'),
      contract(AFTER, 'user_metadata deep-equal to what was sent (PUT replaces, it does not merge)'),
    ],
  },
  {
    id: 'A200-IGNORABLE',
    level: 'MUST',
    title:
      'A field the description does not list as updatable (mime_type) comes back as the value sent or the previous one',
    scope: '200s whose body carries such a field that was sent',
    cite: [
      spec('description', 'Only name, tags, and user_metadata can be updated.'),
      contract(AFTER, 'mime_type either the value sent or the previous one'),
      contract(TABLE, 'server may apply it or ignore it'),
    ],
  },

  // --- the edges of the wire: JSON text (edges property) -------------------------------------
  {
    id: 'EDGE-SURROGATE',
    level: 'MUST',
    statuses: [200, 400],
    title: 'A string with a lone surrogate escape gets 200 (kept exactly) or 400',
    scope: 'a lone \\ud800-style escape as a string, a tag, a metadata key or value',
    cite: [
      contract(WIRE, 'a string with a lone UTF-16 surrogate escape ...: 200 with the string kept exactly, or 400'),
    ],
  },
  {
    id: 'EDGE-NUMBER-RANGE',
    level: 'SHOULD',
    statuses: [400],
    title: 'A number outside the double range (1e400) gets 400',
    scope: 'such a number anywhere in the body',
    cite: [contract(WIRE, 'a number outside the double range (1e400, -1e400) anywhere in the body: 400 SHOULD')],
  },
  {
    id: 'EDGE-BIG-INTEGER',
    level: 'SHOULD',
    statuses: [200, 400],
    title: 'An integer beyond 2^53 is kept as sent (its decimal text) or refused with 400',
    scope: 'such an integer in a free-form object: the 200 and the later read',
    cite: [
      contract(
        WIRE,
        'an integer beyond 2^53 in user_metadata: 200 with the number kept as sent (compared as decimal text), or 400',
      ),
    ],
  },
  {
    id: 'EDGE-DUPLICATE-MEMBERS',
    level: 'MUST',
    statuses: [200, 400],
    title: 'Duplicate member names get 400, or 200 with one of the values stored whole',
    scope: 'a member given twice (string, number, object or array values): the 200 and the later read',
    cite: [
      contract(
        WIRE,
        'duplicate member names in one object, with values of any type ...: 400, or 200 with one of the values stored whole (never a mix)',
      ),
    ],
  },
  {
    id: 'EDGE-DEPTH',
    level: 'MUST',
    statuses: [200, 400],
    title: 'A free-form object nested 1,000 levels deep gets 200 (stored exactly) or 400',
    scope: 'nesting of 100, 257 and 1,000 levels',
    cite: [contract(WIRE, 'user_metadata nested 1,000 levels deep (schema-valid): 200 and stored exactly, or 400')],
  },
  {
    id: 'EDGE-SIZE',
    level: 'MUST',
    statuses: [200, 400, 413],
    title: 'A valid body over 1 MiB gets 200, or 400 / 413 (a size limit) with an ErrorResponse body',
    scope: 'bodies of 1.1 and 2.5 MB',
    cite: [contract(WIRE, 'a schema-valid body larger than 1 MiB: 200, or 400 / 413 with an ErrorResponse body')],
  },
  {
    id: 'EDGE-READABLE',
    level: 'MUST',
    title: 'After a 200 to an edge case, the asset stays readable: a GET answers 200 with the asset',
    scope: 'a GET after each 200 of the edges property (what it shows of the change is judged by STATE-PERSISTS)',
    cite: [contract(WIRE, 'after any 200: the asset stays readable: a later GET is 200 and shows the change')],
  },

  // --- what sequences of requests show (stateful and concurrent properties) ----------------
  {
    id: 'STATE-UNSENT-PRESERVED',
    level: 'MUST',
    derived: true,
    title: 'Fields the body did not name keep their values',
    scope: 'reads and 200 bodies after updates',
    cite: [
      spec('description', 'Only name, tags, and user_metadata can be updated.'),
      contract(AFTER, 'fields the body did not name keep their values'),
    ],
  },
  {
    id: 'STATE-REJECTED-NO-CHANGE',
    level: 'MUST',
    title: 'A rejected request (400, 401, 404) changes nothing, not even part of the asset',
    scope: 'reads after rejected requests',
    cite: [
      contract(
        'After a rejected request',
        'After a rejected request (400, 401, 404): nothing about the asset changed. Not even part of it.',
      ),
    ],
  },
  {
    id: 'STATE-PERSISTS',
    level: 'MUST',
    derived: true,
    title: 'An update answered 200 persists: a later read shows it',
    scope: 'reads after updates (GET, or the next 200 without GET); the GET after each 200 of the edges property',
    cite: [
      contract(
        AFTER,
        'the change persists: a later read (GET when the target has it, otherwise the next 200) shows it',
      ),
    ],
  },
  {
    id: 'STATE-IDEMPOTENT',
    level: 'MUST',
    derived: true,
    title: 'Repeating the same request leaves the same state',
    scope: 'repeated requests',
    cite: [contract(AFTER, 'repeating the same request leaves the same state')],
  },
  {
    id: 'STATE-UPDATED-AT-MONOTONIC',
    level: 'MUST',
    title: 'updated_at is never earlier than the previous one',
    scope: 'every 200 body and read of the asset',
    cite: [contract(AFTER, 'updated_at ... not earlier than the previous updated_at')],
  },
  {
    id: 'STATE-HASH-STABLE',
    level: 'MUST',
    title: 'The content hash (asset_hash) does not change on a metadata update',
    scope: 'every 200 body and read of the asset',
    cite: [
      spec('responses/200', 'asset_hash: Blake3 hash of the asset content'),
      contract(AFTER, 'asset_hash does not change (metadata is not content)'),
    ],
  },
  {
    id: 'STATE-OWN-FIELDS',
    level: 'MUST',
    title:
      "A member named like one of the asset's own fields (id, asset_hash, size, created_at, an owner) never sets it",
    scope: "the 200 and the read after an update carrying such members (the edges property's mass-assignment row)",
    cite: [
      contract(
        AFTER,
        'A member of the body that is not one of the five properties never changes the asset, whatever its name ... Mass assignment is a MUST failure.',
      ),
      contract(WIRE, "members named like the asset's own fields"),
    ],
  },
  {
    id: 'STATE-CONCURRENT-ONE-WINS',
    level: 'SHOULD',
    title: 'Concurrent full-body updates end in exactly one of the bodies, never a mix',
    scope: 'K updates sent at once, then a read',
    cite: [
      contract(
        'Concurrent updates',
        'Concurrent full-body updates (SHOULD): the final state equals one of the bodies sent, never a mix.',
      ),
      contract('One factor at a time', 'four concurrent updates end in one of them as each was answered'),
    ],
  },

  // --- the asset a run creates (--create-asset) --------------------------------------------
  {
    id: 'CREATE-HASH-BLAKE3',
    level: 'MUST',
    title: "An uploaded asset's content hash is blake3 of the bytes uploaded",
    scope: 'the upload of --create-asset',
    cite: [spec('responses/200', 'asset_hash: Blake3 hash of the asset content; pattern ^blake3:[a-f0-9]{64}$')],
  },
] as const satisfies readonly Requirement[];

export type RequirementId = (typeof REQUIREMENTS)[number]['id'];

/**
 * What kind of target a run judges, and the requirements it holds: a server that stores assets
 * holds all of them; a stateless mock (answers from the contract, keeps no state: Prism, a static
 * MSW handler set) holds the wire (statuses, content types, shapes, auth, malformed input), and the
 * requirements about what an update does to the asset and what its answers echo are not required
 * of it. A run reports those by name as "not required by the profile", never as passes.
 */
export const PROFILES = {
  server: { title: 'a server that stores assets: every requirement', leaves: [] },
  'stateless-mock': {
    title: 'a mock that answers from the contract and keeps no state: the wire only, not what an update does or echoes',
    leaves: [
      'UPD-UNKNOWN-ONLY-NO-CHANGE',
      'ID-UNKNOWN-404',
      'ID-SPELLING',
      'A200-ID-ECHO',
      'A200-STRING-EXACT',
      'A200-ARRAY-SET',
      'A200-ARRAY-EXACT',
      'A200-OBJECT-REPLACED',
      'A200-IGNORABLE',
      'EDGE-BIG-INTEGER',
      'EDGE-DUPLICATE-MEMBERS',
      'EDGE-READABLE',
      'STATE-UNSENT-PRESERVED',
      'STATE-REJECTED-NO-CHANGE',
      'STATE-PERSISTS',
      'STATE-IDEMPOTENT',
      'STATE-UPDATED-AT-MONOTONIC',
      'STATE-HASH-STABLE',
      'STATE-OWN-FIELDS',
      'STATE-CONCURRENT-ONE-WINS',
      'CREATE-HASH-BLAKE3',
    ],
  },
} as const satisfies Record<string, { title: string; leaves: readonly RequirementId[] }>;

export type ProfileName = keyof typeof PROFILES;
export const PROFILE_NAMES = Object.keys(PROFILES) as ProfileName[];

/** Whether a profile holds a requirement (every profile holds what it does not leave). */
export const profileHolds = (profile: ProfileName, id: RequirementId): boolean =>
  !(PROFILES[profile].leaves as readonly RequirementId[]).includes(id);

const BY_ID = new Map<string, Requirement>(REQUIREMENTS.map((r) => [r.id, r]));

/** Whether a requirement is judged on what earlier answers showed (see Requirement.derived). */
export const isDerived = (id: RequirementId): boolean => requirement(id).derived === true;

/** Whether a requirement is about the HTTP connection itself (see Requirement.connection). */
export const isAboutConnection = (id: RequirementId): boolean => requirement(id).connection === true;

/** The factor a requirement is about, if it is about one (see Requirement.factor). */
export function factorOf(id: RequirementId): 'id' | 'key' | undefined {
  return requirement(id).factor;
}

/** The statuses a case judged by `id` may get (Requirement.statuses); a requirement without them is a bug of the caller. */
export function statusesOf(id: RequirementId): readonly number[] {
  const { statuses } = requirement(id);
  if (!statuses) throw new Error(`requirement ${id} is not judged by status`);
  return statuses;
}

export function requirement(id: RequirementId): Requirement {
  return BY_ID.get(id) as Requirement;
}

export function isRequirementId(id: string): id is RequirementId {
  return BY_ID.has(id);
}
