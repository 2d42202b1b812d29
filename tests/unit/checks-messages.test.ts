/**
 * What each check says when it fails (the line a person reads first), the kind it files the failure
 * under, and the exchanges it leaves alone because another requirement, or none, judges them.
 */
import { describe, expect, test } from 'vitest';
import { fieldsKind, judge, rememberKnown } from '../../src/checks/checks.ts';
import { type CheckContext, checkContext } from '../../src/checks/context.ts';
import type { Exchange } from '../../src/exchange/perform.ts';
import type { RequirementId } from '../../src/requirements.ts';
import { context, controlled, err, exchange, makeCase, ok200, TARGET } from '../helpers/helpers.ts';

const ctx = context();
/** The violation of one requirement: its message and kind (undefined when it holds). */
const failure = (ex: Exchange, requirement: RequirementId, c: CheckContext = ctx) => {
  const v = judge(ex, c).violations.find((x) => x.requirement === requirement);
  return v && { message: v.message, kind: v.kind };
};
const judged = (ex: Exchange, requirement: RequirementId, c: CheckContext = ctx): boolean =>
  judge(ex, c).evaluated.includes(requirement);
const withoutHeader = (ex: Exchange, name: string): Exchange => {
  if (ex.outcome.kind === 'response') delete ex.outcome.headers[name];
  return ex;
};

describe('the wire: timeouts, cut answers, statuses, content types, JSON and schemas', () => {
  test('RESP-TIMELY: the time waited; a timeout under a shortened deadline is no evidence', () => {
    const ex = exchange(makeCase(), { failure: 'timeout' });
    expect(failure(ex, 'RESP-TIMELY')).toEqual({
      message: 'Received: no complete response after 1 ms',
      kind: 'timeout',
    });
    if (ex.outcome.kind !== 'failure') throw new Error('a failure');
    expect(judged({ ...ex, outcome: { ...ex.outcome, shortened: true } }, 'RESP-TIMELY')).toBe(false);
    expect(judged({ ...ex, outcome: { ...ex.outcome, shortened: false } }, 'RESP-TIMELY')).toBe(true);
    expect(failure(exchange(makeCase(), ok200()), 'RESP-TIMELY')).toBeUndefined();
  });

  test('RESP-COMPLETE and RESP-HTTP: how the answer broke, and after which status', () => {
    expect(failure(exchange(makeCase(), { failure: 'too-large', status: 200 }), 'RESP-COMPLETE')).toEqual({
      message: 'Received: too-large: too-large (after status 200)',
      kind: 'too-large',
    });
    expect(failure(exchange(makeCase(), { failure: 'reset' }), 'RESP-HTTP')?.message).toBe('Received: reset: reset');
  });

  test('RESP-STATUS-DOCUMENTED and RESP-NO-5XX: the status, and what the contract documents', () => {
    expect(failure(exchange(makeCase({ expect: [] }), err(422)), 'RESP-STATUS-DOCUMENTED')).toEqual({
      message: 'Received: 422 / Documented: 200, 400, 401, 404, 500',
      kind: '422',
    });
    // a status docs/contract.md allows for this kind of request is not undocumented
    const big = makeCase({ expect: [{ requirement: 'EDGE-SIZE', allowed: [200, 400, 413] }] });
    expect(judged(exchange(big, err(413)), 'RESP-STATUS-DOCUMENTED')).toBe(false);
    expect(failure(exchange(makeCase(), err(500)), 'RESP-NO-5XX')).toEqual({
      message: 'Received: 500 / Expected: no server error for any request of the suite',
      kind: '500',
    });
  });

  test('RESP-CONTENT-TYPE: the header as received, or (none); an undocumented status without a body is not judged', () => {
    const plain = exchange(makeCase({ expect: [] }), {
      status: 404,
      headers: { 'content-type': 'text/plain' },
      text: 'x',
    });
    expect(failure(plain, 'RESP-CONTENT-TYPE')).toEqual({
      message: 'Received: Content-Type "text/plain" / Expected: application/json',
      kind: '404',
    });
    const none = withoutHeader(exchange(makeCase(), ok200()), 'content-type');
    expect(failure(none, 'RESP-CONTENT-TYPE')?.message).toBe(
      'Received: Content-Type (none) / Expected: application/json',
    );
    const spaced = exchange(makeCase(), {
      ...ok200(),
      headers: { 'content-type': ' APPLICATION/JSON ;charset=utf-8' },
    });
    expect(failure(spaced, 'RESP-CONTENT-TYPE')).toBeUndefined();
    // an undocumented status: judged by its body's type (the operation's JSON type) only when it has one
    const empty304 = withoutHeader(exchange(makeCase({ expect: [] }), { status: 304, text: '' }), 'content-type');
    expect(judged(empty304, 'RESP-CONTENT-TYPE')).toBe(false);
    const text422 = exchange(makeCase({ expect: [] }), {
      status: 422,
      headers: { 'content-type': 'text/html' },
      text: 'x',
    });
    expect(failure(text422, 'RESP-CONTENT-TYPE')?.message).toBe(
      'Received: Content-Type "text/html" / Expected: application/json',
    );
  });

  test('RESP-BODY-JSON: why it is not JSON, and the text; judged only under a JSON content type', () => {
    expect(failure(exchange(makeCase(), { status: 200, text: '' }), 'RESP-BODY-JSON')?.message).toBe(
      'Received: a body that is not JSON (empty body): ""',
    );
    expect(failure(exchange(makeCase(), { status: 200, text: '{"id":' }), 'RESP-BODY-JSON')?.message).toMatch(
      /^Received: a body that is not JSON \(.+\): "\{\\"id\\":"$/,
    );
    const html = exchange(makeCase(), { status: 200, headers: { 'content-type': 'text/html' }, text: '<p>' });
    expect(judged(html, 'RESP-BODY-JSON')).toBe(false);
    expect(judged(exchange(makeCase(), { status: 429, text: 'slow' }), 'RESP-BODY-JSON')).toBe(false);
  });

  test('RESP-BODY-SCHEMA: every schema error, with the response it was judged against', () => {
    const bad = exchange(makeCase({ expect: [] }), { status: 404, json: { code: 1 } });
    expect(failure(bad, 'RESP-BODY-SCHEMA')).toEqual({
      message:
        "Received: a 404 body that does not match the schema of response 404: (root) must have required property 'message'; /code must be string",
      kind: '404',
    });
    expect(judged(exchange(makeCase(), { status: 200, text: 'x' }), 'RESP-BODY-SCHEMA')).toBe(false);
    expect(judged(exchange(makeCase({ expect: [] }), { status: 422, json: {} }), 'RESP-BODY-SCHEMA')).toBe(false);
  });

  test('a status expectation: the status and every status allowed; its kind is the break of an invalid body', () => {
    const c = makeCase({ expect: [{ requirement: 'UPD-VALID-200', allowed: [200, 204] }] });
    expect(failure(exchange(c, err(400)), 'UPD-VALID-200')).toEqual({
      message: 'Received: 400 / Expected: 200 or 204',
      kind: '400',
    });
    const invalid = makeCase({
      expect: [{ requirement: 'BODY-INVALID-400', allowed: [400] }],
      invalid: { keyword: 'type', pointer: '/name', description: 'type at /name' },
      updatesTarget: false,
    });
    expect(failure(exchange(invalid, ok200()), 'BODY-INVALID-400')).toEqual({
      message: 'Received: 200 / Expected: 400',
      kind: 'type at /name',
    });
    // a 5xx is RESP-NO-5XX's alone
    expect(judged(exchange(c, err(503)), 'UPD-VALID-200')).toBe(false);
  });
});

describe('what a 200 shows of the update', () => {
  const sent = { name: 'a', tags: ['x', 'y'], user_metadata: { k: 1 } };
  const update = makeCase({ body: { kind: 'json', value: sent } });

  test('each field as sent: the field, what came back and what was sent; the fields are the kind', () => {
    const ex = exchange(update, ok200({ name: 'A', tags: ['y'], user_metadata: { k: 1, extra: 2 } }));
    expect(failure(ex, 'A200-STRING-EXACT')).toEqual({
      message: 'Received: name "A" / Expected: exactly the string sent: "a"',
      kind: 'name',
    });
    expect(failure(ex, 'A200-ARRAY-SET')).toEqual({
      message: 'Received: tags ["y"] / Expected: the same set of items as sent: ["x","y"]',
      kind: 'tags',
    });
    expect(failure(ex, 'A200-OBJECT-REPLACED')).toEqual({
      message:
        'Received: user_metadata {"k":1,"extra":2} / Expected: deep-equal to the object sent (replaced, not merged): {"k":1}',
      kind: 'user_metadata',
    });
    const reordered = exchange(update, ok200({ name: 'a', tags: ['y', 'x'], user_metadata: { k: 1 } }));
    expect(failure(reordered, 'A200-ARRAY-SET')).toBeUndefined();
    expect(failure(reordered, 'A200-ARRAY-EXACT')?.message).toBe(
      'Received: tags ["y","x"] / Expected: exactly the list sent: ["x","y"]',
    );
  });

  test('a field not sent, not shown, or shown as another type is not judged by these', () => {
    const ex = exchange(update, ok200({ name: { a: 1 }, tags: 'x', user_metadata: [1] }));
    for (const r of ['A200-STRING-EXACT', 'A200-ARRAY-SET', 'A200-OBJECT-REPLACED'] as const)
      expect(judged(ex, r), r).toBe(false);
    const onlyName = exchange(
      makeCase({ body: { kind: 'json', value: { name: 'a' } } }),
      ok200({ name: 'a', tags: [] }),
    );
    expect(judged(onlyName, 'A200-STRING-EXACT')).toBe(true);
    expect(judged(onlyName, 'A200-ARRAY-SET')).toBe(false);
    expect(judged(exchange(update, ok200({ name: 'a' })), 'A200-ARRAY-SET')).toBe(false);
    // a 200 that is not an update of the asset
    const other = makeCase({ body: { kind: 'json', value: sent }, updatesTarget: false });
    expect(judged(exchange(other, ok200({ name: 'A' })), 'A200-STRING-EXACT')).toBe(false);
  });

  test('the id, case-insensitively; updated_at with its offset', () => {
    expect(failure(exchange(update, ok200({ id: 'other' })), 'A200-ID-ECHO')?.message).toBe(
      `Received: id "other" / Expected: "${TARGET}"`,
    );
    expect(judged(exchange(update, ok200({ id: 7 })), 'A200-ID-ECHO')).toBe(false);
    expect(failure(exchange(update, ok200({ updated_at: '2026-01-01T00:00:00' })), 'A200-UPDATED-AT')?.message).toBe(
      'Received: updated_at "2026-01-01T00:00:00" / Expected: RFC 3339 date-time with a time-zone offset (Z or ±hh:mm)',
    );
    expect(judged(exchange(update, ok200({ updated_at: 7 })), 'A200-UPDATED-AT')).toBe(false);
  });

  test('a field not listed as updatable: the value sent, the previous one, and nothing else', () => {
    const local = context();
    local.known = { mime_type: 'image/jpeg' };
    const c = makeCase({ body: { kind: 'json', value: { mime_type: 'image/png' } } });
    expect(failure(exchange(c, ok200({ mime_type: 'text/plain' })), 'A200-IGNORABLE', local)).toEqual({
      message:
        'Received: mime_type "text/plain" / Expected: the value sent "image/png" or the previous one "image/jpeg"',
      kind: 'mime_type',
    });
    expect(failure(exchange(c, ok200({ mime_type: 'image/jpeg' })), 'A200-IGNORABLE', local)).toBeUndefined();
    expect(judged(exchange(c, ok200({ name: 'x' })), 'A200-IGNORABLE', local)).toBe(false);
  });

  test('a body of unknown members only: the known fields that changed (arrays as sets), and the values before', () => {
    const local = context();
    local.known = { name: 'a', tags: ['x', 'y'] };
    const c = makeCase({ body: { kind: 'json', value: { unknown: 1 } }, noKnownChange: true });
    expect(failure(exchange(c, ok200({ name: 'b', tags: ['y', 'x'] })), 'UPD-UNKNOWN-ONLY-NO-CHANGE', local)).toEqual({
      message: 'Received: name "b" / Expected: unchanged (name "a") after a body with no known property',
      kind: 'name',
    });
    expect(judged(exchange(c, ok200({ mime_type: 'x' })), 'UPD-UNKNOWN-ONLY-NO-CHANGE', local)).toBe(false);
  });

  test('what is remembered: the body fields a 200 to an update of the asset shows, nothing else', () => {
    const local = context();
    rememberKnown(exchange(update, ok200({ name: 'seen', other: 1 })), local);
    expect(local.known).toStrictEqual({ name: 'seen' });
    rememberKnown(exchange({ ...update, updatesTarget: false }, ok200({ name: 'not an update' })), local);
    rememberKnown(exchange(update, err(400)), local);
    expect(local.known).toStrictEqual({ name: 'seen' });
  });
});

describe('one factor, and a contract of another shape', () => {
  test('a 304 to a case about the id says nothing about the id; a 304 to a wrong key is still judged', () => {
    const unknown = makeCase({
      id: { kind: 'unknown', value: '11111111-2222-4333-8444-555555555555' },
      expect: [{ requirement: 'ID-UNKNOWN-404', allowed: [404] }],
      updatesTarget: false,
    });
    expect(judged(controlled(exchange(unknown, { status: 304, text: '' })), 'ID-UNKNOWN-404')).toBe(false);
    expect(judged(controlled(exchange(unknown, err(400))), 'ID-UNKNOWN-404')).toBe(true);
    const wrongKey = makeCase({
      key: { kind: 'wrong', value: 'nope' },
      expect: [{ requirement: 'AUTH-401', allowed: [401] }],
      updatesTarget: false,
    });
    expect(failure(controlled(exchange(wrongKey, { status: 304, text: '' })), 'AUTH-401')?.message).toBe(
      'Received: 304 / Expected: 401',
    );
  });

  test('a documented status has its own media type; a contract without one judges no content type', () => {
    const contract = ctx.contract;
    const problem = checkContext(
      {
        ...contract,
        responses: contract.responses.map((r) =>
          r.status === '400' ? { ...r, mediaType: 'application/problem+json' } : r,
        ),
      },
      TARGET,
    );
    expect(failure(exchange(makeCase(), err(400)), 'RESP-CONTENT-TYPE', problem)?.message).toBe(
      'Received: Content-Type "application/json" / Expected: application/problem+json',
    );
    const none = checkContext(
      { ...contract, responses: contract.responses.map((r) => ({ ...r, mediaType: null })) },
      TARGET,
    );
    const undocumented = exchange(makeCase({ expect: [] }), {
      status: 422,
      headers: { 'content-type': 'text/html' },
      text: 'x',
    });
    expect(judged(undocumented, 'RESP-CONTENT-TYPE', none)).toBe(false);
    expect(judged(undocumented, 'RESP-BODY-JSON', none)).toBe(false);
    const notJson = exchange(makeCase({ expect: [] }), { status: 422, text: 'x' });
    expect(judged(notJson, 'RESP-BODY-JSON', none)).toBe(false);
    expect(judged(notJson, 'RESP-BODY-JSON')).toBe(true);
  });

  test('a documented status is judged by its content type even without a body', () => {
    const empty = exchange(makeCase({ expect: [] }), {
      status: 401,
      headers: { 'content-type': 'text/plain' },
      text: '',
    });
    expect(failure(empty, 'RESP-CONTENT-TYPE')?.message).toBe(
      'Received: Content-Type "text/plain" / Expected: application/json',
    );
  });

  test('what was judged, in order, for an answer that never came', () => {
    expect(judge(exchange(makeCase(), { failure: 'timeout' }), ctx).evaluated).toEqual([
      'RESP-TIMELY',
      'RESP-COMPLETE',
    ]);
  });
});

describe('what a 200 shows, at the edges of its rules', () => {
  test('a body that was not JSON, answered 200, is judged without a field to compare', () => {
    const raw = makeCase({ body: { kind: 'raw', text: '{"name":' } });
    const ex = exchange(raw, ok200({ name: 'x' }));
    expect(() => judge(ex, ctx)).not.toThrow();
    expect(judged(ex, 'A200-STRING-EXACT')).toBe(false);
  });

  test('a field of more than one type (another revision: a name or null) is not compared as a string', () => {
    const local = context();
    local.bodyProperties = { ...local.bodyProperties, name: { type: ['string', 'null'] } };
    const ex = exchange(makeCase({ body: { kind: 'json', value: { name: 'a' } } }), ok200({ name: 'A' }));
    expect(judged(ex, 'A200-STRING-EXACT', local)).toBe(false);
    expect(judged(ex, 'A200-STRING-EXACT')).toBe(true);
  });

  test('A200-IGNORABLE judges the fields not listed as updatable, and only those', () => {
    const local = context();
    local.known = { mime_type: 'image/jpeg', name: 'old' };
    const c = makeCase({ body: { kind: 'json', value: { mime_type: 'image/png', name: 'new' } } });
    expect(
      failure(exchange(c, ok200({ mime_type: 'image/png', name: 'other' })), 'A200-IGNORABLE', local),
    ).toBeUndefined();
    expect(judged(exchange(makeCase(), ok200({ name: 'x' })), 'A200-IGNORABLE', local)).toBe(false);
  });

  test('unknown members only: a field unknown before, or not shown, is no change; a value of another type is', () => {
    const local = context();
    local.known = { name: 'a', tags: 'x', user_metadata: { k: 1 } };
    const c = makeCase({ body: { kind: 'json', value: { unknown: 1 } }, noKnownChange: true });
    expect(
      failure(
        exchange(c, ok200({ name: 'a', tags: ['x'], mime_type: 'new', user_metadata: { k: 2 } })),
        'UPD-UNKNOWN-ONLY-NO-CHANGE',
        local,
      ),
    ).toEqual({
      message:
        'Received: tags ["x"], user_metadata {"k":2} / Expected: unchanged (tags "x", user_metadata {"k":1}) after a body with no known property',
      kind: 'tags, user_metadata',
    });
  });

  test('the fields of a kind: each once, sorted', () => {
    expect(fieldsKind(['tags', 'mime_type', 'tags'])).toBe('mime_type, tags');
  });

  test('every timestamp field of the 200 schema that is shown is judged; each bad one is named', () => {
    const twoStamps = context();
    twoStamps.timestampFields = ['created_at', 'updated_at'];
    const c = makeCase();
    expect(judged(exchange(c, ok200({ updated_at: 'yesterday' })), 'A200-UPDATED-AT', twoStamps)).toBe(true);
    expect(failure(exchange(c, ok200({ created_at: 5 })), 'A200-UPDATED-AT', twoStamps)).toBeUndefined();
    expect(
      failure(exchange(c, ok200({ created_at: 'x', updated_at: 'y' })), 'A200-UPDATED-AT', twoStamps)?.message,
    ).toBe(
      'Received: created_at "x", updated_at "y" / Expected: RFC 3339 date-time with a time-zone offset (Z or ±hh:mm)',
    );
  });
});

test('several fields of one kind: each named, joined by "; "', () => {
  const local = context();
  local.bodyProperties = { ...local.bodyProperties, title: { type: 'string' } };
  local.updatable = null;
  const c = makeCase({ body: { kind: 'json', value: { name: 'a', title: 'b' } } });
  expect(failure(exchange(c, ok200({ name: 'A', title: 'B' })), 'A200-STRING-EXACT', local)).toEqual({
    message:
      'Received: name "A" / Expected: exactly the string sent: "a"; Received: title "B" / Expected: exactly the string sent: "b"',
    kind: 'name, title',
  });
  const ignorable = context();
  ignorable.known = { mime_type: 'image/jpeg', preview_id: 'p0' };
  const both = makeCase({ body: { kind: 'json', value: { mime_type: 'image/png', preview_id: 'p1' } } });
  expect(
    failure(exchange(both, ok200({ mime_type: 'x', preview_id: 'y' })), 'A200-IGNORABLE', ignorable)?.message,
  ).toBe(
    'Received: mime_type "x" / Expected: the value sent "image/png" or the previous one "image/jpeg"; Received: preview_id "y" / Expected: the value sent "p1" or the previous one "p0"',
  );
});
