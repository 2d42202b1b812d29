/**
 * Checks: pure functions of one exchange (request, response) and the run's context. Each check
 * owns one requirement, so one fault gives one failure: a 5xx is RESP-NO-5XX's alone, a hang is
 * RESP-TIMELY's alone, and a 429 (rate limiting) is never judged.
 */

import { isLosslessNumber, parse as parseLossless } from 'lossless-json';
import { isJsonMediaType } from '../contract/load.ts';
import type { Exchange } from '../exchange/perform.ts';
import { breakKind } from '../generators/bodies.ts';
import { allowedTypes } from '../generators/values.ts';
import { isJsonObject, type JsonObject, jsonEqual, sameSet, sameValue, show } from '../json.ts';
import { factorOf, type RequirementId } from '../requirements.ts';
import type { CheckContext } from './context.ts';

export interface Violation {
  requirement: RequirementId;
  message: string;
  /**
   * What makes this violation one of its own among the requirement's failures (the keyword and
   * pointer of an invalid body, the fields concerned, the status received): a run keeps a
   * counterexample per kind, up to a few per requirement, so that one fault does not hide the next.
   */
  kind?: string;
}

export interface Check {
  requirement: RequirementId;
  applies(ex: Exchange, ctx: CheckContext): boolean;
  /** A message saying what was received and what the contract allows, or null when it holds. */
  verify(ex: Exchange, ctx: CheckContext): string | null;
  /** The kind of a violation (see Violation.kind); by default the status received, or how the exchange failed. */
  kind?(ex: Exchange, ctx: CheckContext): string;
  /** Compares with the values known before the exchange (ctx.known), which only single cases keep up to date. */
  readsKnown?: true;
}

const status = (ex: Exchange): number | null => (ex.outcome.kind === 'response' ? ex.outcome.status : null);
/** A response that can be judged: arrived whole and is not rate limiting. */
const judgeable = (ex: Exchange): boolean => ex.outcome.kind === 'response' && ex.outcome.status !== 429;
const mediaTypeOf = (ex: Exchange): string | undefined =>
  ex.outcome.kind === 'response' ? ex.outcome.headers['content-type'] : undefined;

/** The media type a response of this status must have: documented, else the operation's JSON type. */
function expectedMediaType(ex: Exchange, ctx: CheckContext): string | null {
  const s = status(ex);
  if (s === null) return null;
  const documented = ctx.validators.response(s);
  if (documented) return documented.spec.mediaType;
  return ctx.contract.responses.find((r) => r.mediaType)?.mediaType ?? null;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2}|60)(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

export function isRfc3339WithOffset(value: string): boolean {
  const m = RFC3339.exec(value);
  if (!m) return false;
  const [, y, mo, d, h, mi] = m.map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > new Date(Date.UTC(y, mo, 0)).getUTCDate() || h > 23 || mi > 59) return false;
  const offset = m[8] as string;
  return /^[Zz]$/.test(offset) || (Number(offset.slice(1, 3)) <= 23 && Number(offset.slice(4, 6)) <= 59);
}

/** The fields of a 200 body that reflect a sent body field, with how each is compared. */
type Reflection = { name: string; sent: unknown; got: unknown; kind: 'string' | 'array' | 'object' | 'ignorable' };

function reflections(ex: Exchange, ctx: CheckContext): Reflection[] {
  if (!isJsonObject(ex.sent) || !ex.body?.ok || !isJsonObject(ex.body.value)) return [];
  const got = ex.body.value;
  const out: Reflection[] = [];
  for (const [name, schema] of Object.entries(ctx.bodyProperties)) {
    if (!Object.hasOwn(ex.sent, name) || !Object.hasOwn(got, name)) continue;
    const sent = ex.sent[name];
    if (ctx.updatable && !ctx.updatable.includes(name)) {
      out.push({ name, sent, got: got[name], kind: 'ignorable' });
      continue;
    }
    const types = allowedTypes(schema);
    if (types.length !== 1) continue;
    if (types[0] === 'string' && typeof got[name] === 'string')
      out.push({ name, sent, got: got[name], kind: 'string' });
    if (types[0] === 'array' && Array.isArray(got[name])) out.push({ name, sent, got: got[name], kind: 'array' });
    if (types[0] === 'object' && isJsonObject(got[name])) out.push({ name, sent, got: got[name], kind: 'object' });
  }
  return out;
}

/** Fields sent but not updatable whose answer is neither the value sent nor the previous one. */
const ignoredBadly = (ex: Exchange, ctx: CheckContext): Reflection[] =>
  reflections(ex, ctx).filter(
    (r) =>
      r.kind === 'ignorable' &&
      !jsonEqual(r.got, r.sent) &&
      Object.hasOwn(ctx.known, r.name) &&
      !jsonEqual(r.got, ctx.known[r.name]),
  );

/** Body properties whose value in a 200 differs from the one known before (sets compared as sets). */
function changedFields(ex: Exchange, ctx: CheckContext): string[] {
  const got = body200(ex);
  return Object.keys(ctx.bodyProperties).filter((p) => {
    if (!Object.hasOwn(got, p) || !Object.hasOwn(ctx.known, p)) return false;
    const [a, b] = [got[p], ctx.known[p]];
    return Array.isArray(a) && Array.isArray(b) ? !sameSet(a, b) : !jsonEqual(a, b);
  });
}

/** The kind of a violation about some fields: the fields, sorted. */
export const fieldsKind = (fields: readonly string[]): string => [...new Set(fields)].sort().join(', ');

/**
 * One factor at a time: a requirement about the id or the key is judged only when its control (the
 * same body, to the asset, with the valid key) got 200, so a body the asset itself refuses never
 * blames the id or the key (docs/contract.md, "One factor at a time").
 */
function controlled(ex: Exchange, requirement: RequirementId): boolean {
  const factor = factorOf(requirement);
  if (!factor) return true;
  const control = ex.control?.outcome;
  // After its control, the case repeats a body the asset has just taken: a 304 (not modified) to it
  // says the server found the asset and nothing changed, nothing about the id (the 304 itself is
  // RESP-STATUS-DOCUMENTED's). A 304 to a wrong key is still judged: the key should have been refused.
  if (factor === 'id' && status(ex) === 304) return false;
  return control?.kind === 'response' && control.status === 200;
}

function statusExpectation(requirement: RequirementId): Check {
  return {
    requirement,
    applies: (ex) =>
      judgeable(ex) &&
      (status(ex) as number) < 500 &&
      ex.case.expect.some((e) => e.requirement === requirement) &&
      controlled(ex, requirement),
    verify(ex) {
      const allowed = ex.case.expect.find((e) => e.requirement === requirement)?.allowed ?? [];
      const s = status(ex) as number;
      return allowed.includes(s) ? null : `Received: ${s} / Expected: ${allowed.join(' or ')}`;
    },
    // An invalid body's kind is where it breaks the schema (a different keyword or member is a different fault).
    kind: (ex) => (ex.case.invalid ? breakKind(ex.case.invalid) : String(status(ex))),
  };
}

/**
 * What a server kept of a member given twice is one of the values, not a mix. Scalars: one of them.
 * Objects or arrays: a value of that type not holding both something only the one had and something
 * only the other had (two objects merged, two lists joined). What else it holds or lacks (a member
 * it adds to every value, an update it did not apply) is another requirement's fault
 * (A200-OBJECT-REPLACED, A200-ARRAY-SET), not a mix.
 */
function notAMix(value: unknown, candidates: readonly unknown[]): boolean {
  if (candidates.some((c) => jsonEqual(c, value))) return true;
  const parts = (v: unknown): unknown[] | null =>
    Array.isArray(v) ? v : isJsonObject(v) ? Object.entries(v).map(([k, x]) => [k, x]) : null;
  const mine = parts(value);
  const theirs = candidates.map(parts);
  if (mine === null || theirs.some((t) => t === null || Array.isArray(value) !== Array.isArray(candidates[0])))
    return false;
  const has = (list: unknown[], x: unknown): boolean => list.some((y) => jsonEqual(x, y));
  // of each value, what only it holds; a mix holds some of both
  const own = (theirs as unknown[][]).map((t, i) =>
    t.filter((x) => !(theirs as unknown[][]).some((o, j) => j !== i && has(o, x))),
  );
  return own.filter((o) => o.some((x) => has(mine, x))).length <= 1;
}

/** A 200 that answers an update of the run's asset, with a JSON object body. */
const isUpdate200 = (ex: Exchange): boolean =>
  judgeable(ex) && status(ex) === 200 && ex.case.updatesTarget && ex.body?.ok === true && isJsonObject(ex.body.value);
const body200 = (ex: Exchange): JsonObject => (ex.body?.ok && isJsonObject(ex.body.value) ? ex.body.value : {});

/** The value at a path of a JSON value (undefined when a step is missing). */
function at(value: unknown, path: readonly (string | number)[]): unknown {
  let v = value;
  for (const step of path) {
    if (Array.isArray(v) && typeof step === 'number') v = v[step];
    else if (isJsonObject(v) && typeof step === 'string' && Object.hasOwn(v, step)) v = v[step];
    else return undefined;
  }
  return v;
}

/** A number's decimal text in one canonical form (sign, digits without leading or trailing zeros, exponent). */
export function canonicalDecimal(text: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!m) return text;
  let digits = `${m[2]}${m[3] ?? ''}`.replace(/^0+/, '');
  let exponent = Number(m[4] ?? 0) - (m[3]?.length ?? 0);
  if (digits === '') return '0';
  while (digits.endsWith('0')) {
    digits = digits.slice(0, -1);
    exponent++;
  }
  return `${m[1]}${digits}e${exponent}`;
}

/** The decimal text of the number at a path of a JSON text, read without losing digits (null: none there). */
function numberTextAt(text: string, path: readonly (string | number)[]): string | null {
  try {
    const v = at(parseLossless(text), path);
    return isLosslessNumber(v) ? v.value : null;
  } catch {
    return null;
  }
}

/**
 * What an edge case stored, as the checks read it at `path`: the 200, and the read after it unless
 * that read shows another value there than the 200 did (a change lost on the way is persistence's
 * fault, STATE-PERSISTS), or the 200 does not show the path at all.
 */
function edgeAnswers(
  ex: Exchange,
  path: readonly (string | number)[],
): { label: string; text: string; value: unknown }[] {
  const answer = { label: 'the 200', text: ex.outcome.kind === 'response' ? ex.outcome.text : '', value: body200(ex) };
  const read = ex.after;
  if (read?.outcome.kind !== 'response' || read.outcome.status !== 200 || !read.body?.ok) return [answer];
  const after = { label: 'the GET after it', text: read.outcome.text, value: read.body.value };
  const shown = at(answer.value, path);
  if (shown === undefined) return [after];
  return jsonEqual(shown, at(after.value, path)) ? [answer, after] : [answer];
}

/** The asset as the read right after a 200 showed it (edges property), or null. */
function readBack(ex: Exchange): JsonObject | null {
  const read = ex.after;
  return read?.outcome.kind === 'response' &&
    read.outcome.status === 200 &&
    read.body?.ok &&
    isJsonObject(read.body.value)
    ? read.body.value
    : null;
}

/** The fields a body set that a read does not show as sent nor as the 200 showed them. */
function persistedDiffer(ctx: CheckContext, sent: JsonObject, shown: JsonObject, got: JsonObject): string[] {
  return Object.keys(ctx.bodyProperties).filter(
    (f) =>
      Object.hasOwn(sent, f) &&
      Object.hasOwn(shown, f) &&
      (!Object.hasOwn(got, f) || (!sameValue(shown[f], got[f]) && !sameValue(sent[f], got[f]))),
  );
}

/** Members sent with a name of the asset's own fields that the 200 or the read after it shows with the value sent. */
export function adoptedMembers(ex: Exchange): { name: string; label: string; value: unknown }[] {
  const assigned = ex.case.edge?.assigned ?? {};
  const answers = [
    { label: 'the 200', value: body200(ex) },
    ...(readBack(ex) ? [{ label: 'the GET after it', value: readBack(ex) as JsonObject }] : []),
  ];
  return answers.flatMap(({ label, value }) =>
    Object.entries(assigned)
      .filter(([name, sent]) => Object.hasOwn(value, name) && jsonEqual(value[name], sent))
      .map(([name]) => ({ name, label, value: value[name] })),
  );
}

/** The rows of the edges table that judge more than a status (docs/contract.md, "Edges of the wire"). */
const EDGE_CHECKS: readonly Check[] = [
  {
    requirement: 'EDGE-BIG-INTEGER',
    applies: (ex) => isUpdate200(ex) && ex.case.edge?.numberText !== undefined && ex.case.edge.path !== undefined,
    verify(ex) {
      const { numberText, path } = ex.case.edge as { numberText: string; path: (string | number)[] };
      const bad = edgeAnswers(ex, path)
        .map((a) => ({ ...a, got: numberTextAt(a.text, path) }))
        .filter((a) => a.got === null || canonicalDecimal(a.got) !== canonicalDecimal(numberText));
      return bad.length === 0
        ? null
        : bad
            .map(
              (a) =>
                `Received: ${a.got ?? 'no number'} at /${path.join('/')} in ${a.label} / Expected: ${numberText} as sent, or 400`,
            )
            .join('; ');
    },
  },
  {
    requirement: 'EDGE-DUPLICATE-MEMBERS',
    applies: (ex) => isUpdate200(ex) && ex.case.edge?.candidates !== undefined && ex.case.edge.path !== undefined,
    verify(ex) {
      const { candidates, path } = ex.case.edge as { candidates: unknown[]; path: (string | number)[] };
      // one of the values, in the 200 or in the read after it (the other one misstating it is another
      // requirement's fault: the 200's, or persistence's)
      const answers = edgeAnswers(ex, path);
      const read = ex.after?.body?.ok ? [{ label: 'the GET after it', text: '', value: ex.after.body.value }] : [];
      const kept = [...answers, ...read].some((a) => notAMix(at(a.value, path), candidates));
      const bad = kept ? [] : answers;
      return bad.length === 0
        ? null
        : bad
            .map(
              (a) =>
                `Received: ${show(at(a.value, path))} at /${path.join('/')} in ${a.label} / Expected: one of ${candidates.map((c) => show(c)).join(', ')}`,
            )
            .join('; ');
    },
  },
  {
    requirement: 'STATE-OWN-FIELDS',
    applies: (ex) => isUpdate200(ex) && ex.case.edge?.assigned !== undefined,
    verify(ex) {
      const taken = adoptedMembers(ex);
      return taken.length === 0
        ? null
        : `Received: ${taken.map((t) => `${t.name} ${show(t.value, 80)} in ${t.label}`).join(', ')} / Expected: the asset's own values; a member of the body that is not a body property never sets them`;
    },
    kind: (ex) => [...new Set(adoptedMembers(ex).map((t) => t.name))].join(','),
  },
  {
    requirement: 'EDGE-SIZE',
    // a size limit answers with the operation's error body, whatever its status
    applies: (ex, ctx) =>
      judgeable(ex) && ex.case.edge?.row === 'size' && status(ex) === 413 && !!ctx.validators.response(400)?.validate,
    verify(ex, ctx) {
      const errors = ex.body?.ok
        ? (ctx.validators.response(400)?.validate?.(ex.body.value) ?? [])
        : [{ message: 'not JSON' }];
      return errors.length === 0
        ? null
        : `Received: a 413 body that is not an ErrorResponse: ${errors.map((e) => e.message).join('; ')}`;
    },
  },
  {
    requirement: 'EDGE-READABLE',
    // The read after the 200 answered (a read that hangs or is cut off is the wire's fault, not the
    // asset's; one still rate limited when the run stopped waiting is no answer).
    applies: (ex) => isUpdate200(ex) && ex.after?.outcome.kind === 'response' && !ex.after.rateLimited,
    verify(ex) {
      const read = ex.after as Exchange;
      const o = read.outcome as Extract<Exchange['outcome'], { kind: 'response' }>;
      return o.status === 200 && read.body?.ok && isJsonObject(read.body.value)
        ? null
        : `Received: the GET after the 200 answered ${o.status}${read.body?.ok ? '' : ' without a JSON body'} / Expected: 200 with the asset`;
    },
  },
  {
    // What the read shows of the change is persistence's rule, whoever sent the update (one fault, one requirement).
    requirement: 'STATE-PERSISTS',
    applies: (ex) => isUpdate200(ex) && readBack(ex) !== null,
    verify(ex, ctx) {
      const got = readBack(ex) as JsonObject;
      const shown = body200(ex);
      const sent = isJsonObject(ex.sent) ? ex.sent : {};
      // the fields the body set, as sent or as the 200 showed them (a field the 200 misstates is its
      // own requirement's fault; a field the row judges itself, a duplicate say, is left to the row)
      const differ = persistedDiffer(ctx, sent, shown, got);
      return differ.length === 0
        ? null
        : `Received: the GET right after the 200 shows ${differ.map((f) => `${f} ${show(got[f], 60)}`).join(', ')} / Expected: what was sent or what the 200 showed (${differ.map((f) => `${f} ${show(shown[f], 60)}`).join(', ')})`;
    },
    kind: (ex, ctx) =>
      fieldsKind(persistedDiffer(ctx, isJsonObject(ex.sent) ? ex.sent : {}, body200(ex), readBack(ex) ?? {})),
  },
];

/** How a connection fails an answer: what RESP-HTTP judges (RESP-COMPLETE the rest, RESP-TIMELY a timeout). */
const CONNECTION_FAILURES: ReadonlySet<string> = new Set(['reset', 'protocol', 'refused', 'dns', 'tls']);

/** A failure other than a timeout, as a verdict's message (null when the answer came). */
function failureText(ex: Exchange): string | null {
  const o = ex.outcome;
  if (o.kind !== 'failure' || o.failure === 'timeout' || o.failure === 'unsent') return null;
  return `Received: ${o.failure}: ${o.message}${o.status ? ` (after status ${o.status})` : ''}`;
}

export const CHECKS: readonly Check[] = [
  {
    requirement: 'RESP-TIMELY',
    // A timeout under the deadline shortened after an earlier one is not evidence (see exchange/http.ts).
    applies: (ex) =>
      !(ex.outcome.kind === 'failure' && (ex.outcome.shortened === true || ex.outcome.failure === 'unsent')),
    verify: (ex) =>
      ex.outcome.kind === 'failure' && ex.outcome.failure === 'timeout'
        ? `Received: no complete response after ${ex.outcome.ms} ms`
        : null,
  },
  {
    requirement: 'RESP-COMPLETE',
    applies: (ex) =>
      ex.outcome.kind === 'response' ||
      (ex.outcome.failure !== 'unsent' && !CONNECTION_FAILURES.has(ex.outcome.failure)),
    verify: failureText,
  },
  {
    requirement: 'RESP-HTTP',
    // a request the client never put on a connection (an in-process handler) shows nothing of one
    applies: (ex) => ex.outcome.kind === 'response' || CONNECTION_FAILURES.has(ex.outcome.failure),
    verify: failureText,
  },
  {
    requirement: 'RESP-STATUS-DOCUMENTED',
    // A status docs/contract.md allows for this kind of request (413 for a body over 1 MiB) is not undocumented.
    applies: (ex) => judgeable(ex) && !ex.case.expect.some((e) => e.allowed.includes(status(ex) as number)),
    verify(ex, ctx) {
      const s = status(ex) as number;
      return ctx.validators.response(s)
        ? null
        : `Received: ${s} / Documented: ${ctx.contract.responses.map((r) => r.status).join(', ')}`;
    },
  },
  {
    requirement: 'RESP-NO-5XX',
    applies: judgeable,
    verify: (ex) =>
      (status(ex) as number) >= 500
        ? `Received: ${status(ex)} / Expected: no server error for any request of the suite`
        : null,
  },
  {
    requirement: 'RESP-CONTENT-TYPE',
    // A documented status carries its documented body; an undocumented one (a 304, say) is judged
    // by its status alone, unless it carries a body.
    applies: (ex, ctx) =>
      judgeable(ex) &&
      expectedMediaType(ex, ctx) !== null &&
      (ctx.validators.response(status(ex) as number) !== null ||
        (ex.outcome.kind === 'response' && ex.outcome.bytes > 0)),
    verify(ex, ctx) {
      const expected = expectedMediaType(ex, ctx) as string;
      const got = mediaTypeOf(ex);
      const base = got?.split(';')[0]?.trim().toLowerCase();
      return base === expected.toLowerCase()
        ? null
        : `Received: Content-Type ${got === undefined ? '(none)' : JSON.stringify(got)} / Expected: ${expected}`;
    },
  },
  {
    requirement: 'RESP-BODY-JSON',
    applies: (ex, ctx) =>
      judgeable(ex) && expectedMediaType(ex, ctx) !== null && isJsonMediaType(mediaTypeOf(ex) ?? ''),
    verify: (ex) =>
      ex.body?.ok
        ? null
        : `Received: a body that is not JSON (${ex.body?.error ?? 'no body'}): ${show(ex.outcome.kind === 'response' ? ex.outcome.text : '', 120)}`,
  },
  {
    requirement: 'RESP-BODY-SCHEMA',
    applies: (ex, ctx) =>
      judgeable(ex) && ex.body?.ok === true && !!ctx.validators.response(status(ex) as number)?.validate,
    verify(ex, ctx) {
      const documented = ctx.validators.response(status(ex) as number);
      const errors = documented?.validate?.(ex.body?.ok ? ex.body.value : undefined) ?? [];
      return errors.length === 0
        ? null
        : `Received: a ${status(ex)} body that does not match the schema of response ${documented?.spec.status}: ${errors.map((e) => e.message).join('; ')}`;
    },
  },
  statusExpectation('UPD-VALID-200'),
  statusExpectation('UPD-REFERENCE'),
  statusExpectation('UPD-UNKNOWN-ONLY'),
  statusExpectation('BODY-EMPTY-400'),
  statusExpectation('BODY-NOT-OBJECT-400'),
  statusExpectation('BODY-INVALID-400'),
  statusExpectation('AUTH-401'),
  statusExpectation('AUTH-FIRST-401'),
  statusExpectation('ID-UNKNOWN-404'),
  statusExpectation('ID-UNKNOWN-INVALID-BODY'),
  statusExpectation('ID-MALFORMED'),
  statusExpectation('ID-CASE-ALLOWED'),
  statusExpectation('ID-CASE-200'),
  statusExpectation('ID-SPELLING'),
  statusExpectation('EDGE-SURROGATE'),
  statusExpectation('EDGE-NUMBER-RANGE'),
  statusExpectation('EDGE-BIG-INTEGER'),
  statusExpectation('EDGE-DUPLICATE-MEMBERS'),
  statusExpectation('EDGE-DEPTH'),
  statusExpectation('EDGE-SIZE'),
  ...EDGE_CHECKS,
  {
    requirement: 'UPD-UNKNOWN-ONLY-NO-CHANGE',
    readsKnown: true,
    applies: (ex, ctx) =>
      isUpdate200(ex) &&
      ex.case.noKnownChange === true &&
      Object.keys(ctx.bodyProperties).some((p) => Object.hasOwn(body200(ex), p) && Object.hasOwn(ctx.known, p)),
    verify(ex, ctx) {
      const got = body200(ex);
      const changed = changedFields(ex, ctx);
      return changed.length === 0
        ? null
        : `Received: ${changed.map((p) => `${p} ${show(got[p], 60)}`).join(', ')} / Expected: unchanged (${changed.map((p) => `${p} ${show(ctx.known[p], 60)}`).join(', ')}) after a body with no known property`;
    },
    kind: (ex, ctx) => fieldsKind(changedFields(ex, ctx)),
  },
  {
    requirement: 'A200-ID-ECHO',
    applies: (ex, ctx) => isUpdate200(ex) && typeof body200(ex)[ctx.contract.pathParam.name] === 'string',
    verify(ex, ctx) {
      const id = body200(ex)[ctx.contract.pathParam.name] as string;
      return id.toLowerCase() === ctx.targetId.toLowerCase()
        ? null
        : `Received: ${ctx.contract.pathParam.name} ${show(id)} / Expected: ${show(ctx.targetId)}`;
    },
  },
  {
    requirement: 'A200-UPDATED-AT',
    applies: (ex, ctx) => isUpdate200(ex) && ctx.timestampFields.some((f) => typeof body200(ex)[f] === 'string'),
    verify(ex, ctx) {
      const bad = ctx.timestampFields.filter(
        (f) => typeof body200(ex)[f] === 'string' && !isRfc3339WithOffset(body200(ex)[f] as string),
      );
      return bad.length === 0
        ? null
        : `Received: ${bad.map((f) => `${f} ${show(body200(ex)[f])}`).join(', ')} / Expected: RFC 3339 date-time with a time-zone offset (Z or ±hh:mm)`;
    },
  },
  ...(
    [
      ['A200-STRING-EXACT', 'string', (r: Reflection) => r.got === r.sent, 'exactly the string sent'],
      [
        'A200-ARRAY-SET',
        'array',
        (r: Reflection) => Array.isArray(r.sent) && sameSet(r.sent, r.got as unknown[]),
        'the same set of items as sent',
      ],
      ['A200-ARRAY-EXACT', 'array', (r: Reflection) => jsonEqual(r.sent, r.got), 'exactly the list sent'],
      [
        'A200-OBJECT-REPLACED',
        'object',
        (r: Reflection) => jsonEqual(r.sent, r.got),
        'deep-equal to the object sent (replaced, not merged)',
      ],
    ] as const
  ).map(([requirement, kind, holds, expected]): Check => {
    const bad = (ex: Exchange, ctx: CheckContext) => reflections(ex, ctx).filter((r) => r.kind === kind && !holds(r));
    return {
      requirement,
      applies: (ex, ctx) => isUpdate200(ex) && reflections(ex, ctx).some((r) => r.kind === kind),
      verify(ex, ctx) {
        const found = bad(ex, ctx);
        return found.length === 0
          ? null
          : found.map((r) => `Received: ${r.name} ${show(r.got)} / Expected: ${expected}: ${show(r.sent)}`).join('; ');
      },
      kind: (ex, ctx) => fieldsKind(bad(ex, ctx).map((r) => r.name)),
    };
  }),
  {
    requirement: 'A200-IGNORABLE',
    readsKnown: true,
    applies: (ex, ctx) => isUpdate200(ex) && reflections(ex, ctx).some((r) => r.kind === 'ignorable'),
    verify(ex, ctx) {
      const bad = ignoredBadly(ex, ctx);
      return bad.length === 0
        ? null
        : bad
            .map(
              (r) =>
                `Received: ${r.name} ${show(r.got)} / Expected: the value sent ${show(r.sent)} or the previous one ${show(ctx.known[r.name])}`,
            )
            .join('; ');
    },
    kind: (ex, ctx) => fieldsKind(ignoredBadly(ex, ctx).map((r) => r.name)),
  },
];

export interface Judgement {
  evaluated: RequirementId[];
  violations: Violation[];
}

/** Runs every check that applies to an exchange. */
export function judge(ex: Exchange, ctx: CheckContext, checks: readonly Check[] = CHECKS): Judgement {
  const evaluated: RequirementId[] = [];
  const violations: Violation[] = [];
  for (const check of checks) {
    if (!check.applies(ex, ctx)) continue;
    evaluated.push(check.requirement);
    const message = check.verify(ex, ctx);
    if (message === null) continue;
    const kind =
      check.kind?.(ex, ctx) ?? (ex.outcome.kind === 'response' ? String(ex.outcome.status) : ex.outcome.failure);
    violations.push({ requirement: check.requirement, message, kind });
  }
  return { evaluated, violations };
}

/** The checks every response of the operation is held to, whatever the request (RESP-*). */
export const RESPONSE_CHECKS: readonly Check[] = CHECKS.filter((c) => c.requirement.startsWith('RESP-'));

/**
 * The checks a request of a sequence is judged by: every response check, and what a 200 must show
 * of the body sent (its own answer only; the sequence's model judges the rest). Their failures in a
 * sequence are what a derived requirement's failure may follow from.
 */
export const SEQUENCE_CHECKS: readonly Check[] = CHECKS.filter((c) => !c.readsKnown);

/** After a 200 to an update of the asset: remember the values it shows. */
export function rememberKnown(ex: Exchange, ctx: CheckContext): void {
  if (!isUpdate200(ex)) return;
  const got = body200(ex);
  for (const name of Object.keys(ctx.bodyProperties)) if (Object.hasOwn(got, name)) ctx.known[name] = got[name];
}
