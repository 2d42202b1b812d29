/** Every check on hand-built exchanges: the violation it must find, and the conforming answers it must leave alone. */
import { describe, expect, test } from 'vitest';
import { isRfc3339WithOffset, judge, rememberKnown } from '../../src/checks/checks.ts';
import type { Exchange } from '../../src/exchange/perform.ts';
import type { Case } from '../../src/generators/case.ts';
import { jsonEqual } from '../../src/json.ts';
import { REQUIREMENTS, type RequirementId } from '../../src/requirements.ts';
import { context, controlled, err, exchange, makeCase, ok200, TARGET } from '../helpers/helpers.ts';

const ctx = context();
const violated = (ex: Exchange, c = ctx): RequirementId[] =>
  judge(ex, c)
    .violations.map((v) => v.requirement)
    .sort();
const evaluated = (ex: Exchange): RequirementId[] => judge(ex, ctx).evaluated;

describe('every-response checks', () => {
  test('a conforming 200 violates nothing', () => {
    expect(violated(exchange(makeCase(), ok200({ name: 'x' })))).toEqual([]);
  });
  test('a hang is RESP-TIMELY alone, a reset RESP-HTTP alone, a body over the cap RESP-COMPLETE alone', () => {
    expect(violated(exchange(makeCase(), { failure: 'timeout' }))).toEqual(['RESP-TIMELY']);
    expect(violated(exchange(makeCase(), { failure: 'reset' }))).toEqual(['RESP-HTTP']);
    expect(violated(exchange(makeCase(), { failure: 'protocol' }))).toEqual(['RESP-HTTP']);
    expect(violated(exchange(makeCase(), { failure: 'too-large', status: 200 }))).toEqual(['RESP-COMPLETE']);
    expect(violated(exchange(makeCase(), { failure: 'error' }))).toEqual(['RESP-COMPLETE']);
  });
  test('a request an in-process handler could not be given is judged by nothing', () => {
    expect(judge(exchange(makeCase(), { failure: 'unsent' }), ctx).evaluated).toEqual([]);
  });
  test('an undocumented status', () => {
    const ex = exchange(makeCase({ expect: [] }), { status: 422, json: { code: 'x', message: 'y' } });
    expect(violated(ex)).toEqual(['RESP-STATUS-DOCUMENTED']);
  });
  test('a 5xx is RESP-NO-5XX alone, even where the case expected 200', () => {
    expect(violated(exchange(makeCase(), err(500)))).toEqual(['RESP-NO-5XX']);
    expect(violated(exchange(makeCase(), err(503)))).toEqual(['RESP-NO-5XX', 'RESP-STATUS-DOCUMENTED']);
  });
  test('429 is never judged', () => {
    const ex = exchange(makeCase(), {
      status: 429,
      headers: { 'content-type': 'text/plain', 'retry-after': '1' },
      text: 'slow down',
    });
    expect(violated(ex)).toEqual([]);
  });
  test('Content-Type: charset allowed, text/plain and a missing header are not', () => {
    expect(
      violated(exchange(makeCase(), { ...ok200(), headers: { 'content-type': 'application/json; charset=utf-8' } })),
    ).toEqual([]);
    expect(violated(exchange(makeCase(), { ...ok200(), headers: { 'content-type': 'Application/JSON' } }))).toEqual([]);
    const plain = exchange(
      makeCase({
        id: { kind: 'malformed', value: 'x' },
        expect: [{ requirement: 'ID-MALFORMED', allowed: [400, 404] }],
        updatesTarget: false,
      }),
      { status: 404, headers: { 'content-type': 'text/plain' }, text: 'Not Found' },
    );
    expect(violated(plain)).toEqual(['RESP-CONTENT-TYPE']);
    const none = exchange(makeCase(), { ...ok200(), headers: { 'content-type': '' } });
    expect(violated(none)).toContain('RESP-CONTENT-TYPE');
  });
  test('a JSON content type with a body that is not JSON', () => {
    expect(violated(exchange(makeCase(), { status: 200, text: '{"id":' }))).toEqual(['RESP-BODY-JSON']);
  });
  test('bodies against the schema of their status', () => {
    expect(
      violated(exchange(makeCase({ expect: [] }), { status: 400, json: { error: { code: 'x', message: 'y' } } })),
    ).toEqual(['RESP-BODY-SCHEMA']);
    expect(
      violated(
        exchange(makeCase({ expect: [] }), { status: 400, json: { code: 'x', message: 'y', details: {}, extra: 1 } }),
      ),
    ).toEqual([]);
    expect(violated(exchange(makeCase(), { status: 200, json: { id: TARGET } }))).toEqual(['RESP-BODY-SCHEMA']);
    expect(violated(exchange(makeCase(), ok200({ asset_hash: 'md5:abc' })))).toEqual(['RESP-BODY-SCHEMA']);
    expect(
      violated(exchange(makeCase(), ok200({ asset_hash: `blake3:${'a'.repeat(64)}`, size: 3, created_at: 'x' }))),
    ).toEqual([]);
  });
});

describe('status expectations', () => {
  const cases: [string, Partial<Case>, number, RequirementId | null][] = [
    ['valid update 200', {}, 200, null],
    ['valid update 201', {}, 201, 'UPD-VALID-200'],
    ['valid update 400', {}, 400, 'UPD-VALID-200'],
    [
      'empty object 400',
      {
        body: { kind: 'json', value: {} },
        expect: [{ requirement: 'BODY-EMPTY-400', allowed: [400] }],
        updatesTarget: false,
      },
      400,
      null,
    ],
    [
      'empty object 200',
      {
        body: { kind: 'json', value: {} },
        expect: [{ requirement: 'BODY-EMPTY-400', allowed: [400] }],
        updatesTarget: false,
      },
      200,
      'BODY-EMPTY-400',
    ],
    [
      '422 for an invalid body',
      { expect: [{ requirement: 'BODY-INVALID-400', allowed: [400] }], updatesTarget: false },
      422,
      'BODY-INVALID-400',
    ],
    [
      'malformed id 404',
      { expect: [{ requirement: 'ID-MALFORMED', allowed: [400, 404] }], updatesTarget: false },
      404,
      null,
    ],
    [
      'malformed id 400',
      { expect: [{ requirement: 'ID-MALFORMED', allowed: [400, 404] }], updatesTarget: false },
      400,
      null,
    ],
    [
      'malformed id 405',
      { expect: [{ requirement: 'ID-MALFORMED', allowed: [400, 404] }], updatesTarget: false },
      405,
      'ID-MALFORMED',
    ],
    [
      'unknown id with invalid body 400',
      { expect: [{ requirement: 'ID-UNKNOWN-INVALID-BODY', allowed: [400, 404] }], updatesTarget: false },
      400,
      null,
    ],
    [
      'wrong key 200',
      {
        key: { kind: 'wrong', value: 'nope' },
        expect: [{ requirement: 'AUTH-401', allowed: [401] }],
        updatesTarget: false,
      },
      200,
      'AUTH-401',
    ],
  ];
  for (const [title, partial, status, expected] of cases) {
    test(title, () => {
      const response = status === 200 ? ok200() : err(status);
      const got = violated(controlled(exchange(makeCase(partial), response))).filter(
        (id) => id !== 'RESP-STATUS-DOCUMENTED',
      );
      expect(got).toEqual(expected ? [expected] : []);
    });
  }
  test('the upper-case id: 404 breaks only the SHOULD', () => {
    const c = makeCase({
      id: { kind: 'uppercase', value: TARGET.toUpperCase() },
      expect: [
        { requirement: 'ID-CASE-ALLOWED', allowed: [200, 400, 404] },
        { requirement: 'ID-CASE-200', allowed: [200] },
      ],
    });
    expect(violated(controlled(exchange(c, err(404))))).toEqual(['ID-CASE-200']);
    expect(violated(controlled(exchange(c, err(401))))).toEqual(['ID-CASE-200', 'ID-CASE-ALLOWED']);
  });
  test('one factor at a time: the id and the key are judged only when the control got 200', () => {
    const unknown = makeCase({
      id: { kind: 'unknown', value: '11111111-2222-4333-8444-555555555555' },
      expect: [{ requirement: 'ID-UNKNOWN-404', allowed: [404] }],
      updatesTarget: false,
    });
    const refused = exchange(unknown, err(400));
    expect(violated(controlled(refused))).toEqual(['ID-UNKNOWN-404']);
    // The asset itself refuses the body: a fault of the body, never of the id.
    expect(violated(controlled(refused, 400))).toEqual([]);
    expect(violated(refused)).toEqual([]);
    const wrongKey = makeCase({
      key: { kind: 'wrong', value: 'nope' },
      expect: [{ requirement: 'AUTH-401', allowed: [401] }],
      updatesTarget: false,
    });
    expect(violated(controlled(exchange(wrongKey, err(400)), 400))).toEqual([]);
    expect(violated(controlled(exchange(wrongKey, err(400))))).toEqual(['AUTH-401']);
  });
});

describe('after a 200', () => {
  test('id echo, case-insensitively', () => {
    expect(violated(exchange(makeCase(), ok200({ id: TARGET.toUpperCase() })))).toEqual([]);
    expect(violated(exchange(makeCase(), ok200({ id: '00000000-0000-0000-0000-000000000000' })))).toEqual([
      'A200-ID-ECHO',
    ]);
  });
  test('updated_at needs an offset; +00:00 with microseconds is fine', () => {
    expect(violated(exchange(makeCase(), ok200({ updated_at: '2026-11-26T22:23:22.293833+00:00' })))).toEqual([]);
    expect(violated(exchange(makeCase(), ok200({ updated_at: '2026-11-26T22:23:22.293833' })))).toEqual([
      'A200-UPDATED-AT',
      'RESP-BODY-SCHEMA',
    ]);
    expect(isRfc3339WithOffset('2026-02-30T00:00:00Z')).toBe(false);
    expect(isRfc3339WithOffset('2026-12-31T23:59:60-05:30')).toBe(true);
  });
  test('name exactly, every code point', () => {
    const c = makeCase({ body: { kind: 'json', value: { name: 'a\u0000e\u0301' } } });
    expect(violated(exchange(c, ok200({ name: 'a\u0000e\u0301' })))).toEqual([]);
    expect(violated(exchange(c, ok200({ name: 'ae\u0301' })))).toEqual(['A200-STRING-EXACT']);
    expect(violated(exchange(c, ok200({ name: 'a\u0000e\u0301'.normalize('NFC') })))).toEqual(['A200-STRING-EXACT']);
  });
  test('tags as a set (MUST) and as the exact list (SHOULD)', () => {
    const c = makeCase({ body: { kind: 'json', value: { tags: ['b', 'a', 'a'] } } });
    expect(violated(exchange(c, ok200({ tags: ['b', 'a', 'a'] })))).toEqual([]);
    expect(violated(exchange(c, ok200({ tags: ['a', 'b'] })))).toEqual(['A200-ARRAY-EXACT']);
    expect(violated(exchange(c, ok200({ tags: ['a'] })))).toEqual(['A200-ARRAY-EXACT', 'A200-ARRAY-SET']);
    expect(violated(exchange(c, ok200({})))).toEqual([]); // a minimal body shows nothing to compare
  });
  test('user_metadata replaced, not merged', () => {
    const c = makeCase({ body: { kind: 'json', value: { user_metadata: { a: 1, n: { x: [1, 2] } } } } });
    expect(violated(exchange(c, ok200({ user_metadata: { n: { x: [1, 2] }, a: 1 } })))).toEqual([]);
    expect(violated(exchange(c, ok200({ user_metadata: { a: 1, n: { x: [1, 2] }, old: true } })))).toEqual([
      'A200-OBJECT-REPLACED',
    ]);
  });
  test('mime_type (not listed as updatable): the value sent or the previous one', () => {
    const local = context();
    local.known['mime_type'] = 'image/png';
    const c = makeCase({ body: { kind: 'json', value: { mime_type: 'text/plain' } } });
    expect(violated(exchange(c, ok200({ mime_type: 'text/plain' })), local)).toEqual([]);
    expect(violated(exchange(c, ok200({ mime_type: 'image/png' })), local)).toEqual([]);
    expect(violated(exchange(c, ok200({ mime_type: 'image/jpeg' })), local)).toEqual(['A200-IGNORABLE']);
  });
  test('a body of unknown properties only: a 200 may not change a known field', () => {
    const local = context();
    local.known['name'] = 'before';
    const c = makeCase({
      body: { kind: 'json', value: { x: 1 } },
      expect: [{ requirement: 'UPD-UNKNOWN-ONLY', allowed: [200, 400] }],
      noKnownChange: true,
    });
    expect(violated(exchange(c, ok200({ name: 'before' })), local)).toEqual([]);
    expect(violated(exchange(c, ok200({ name: 'after' })), local)).toEqual(['UPD-UNKNOWN-ONLY-NO-CHANGE']);
  });
  test('after-200 rules do not apply to a 200 that is not an update of the asset', () => {
    const c = makeCase({
      key: { kind: 'wrong', value: 'k' },
      updatesTarget: false,
      expect: [{ requirement: 'AUTH-401', allowed: [401] }],
    });
    expect(evaluated(exchange(c, ok200({ id: 'other' })))).not.toContain('A200-ID-ECHO');
  });
  test('known values are remembered from 200 answers', () => {
    const local = context();
    rememberKnown(exchange(makeCase(), ok200({ name: 'n', tags: ['t'] })), local);
    expect(local.known).toEqual({ name: 'n', tags: ['t'] });
  });
});

describe('helpers', () => {
  test('jsonEqual ignores key order and -0', () => {
    expect(jsonEqual({ a: [1, { b: -0 }] }, { a: [1, { b: 0 }] })).toBe(true);
    expect(jsonEqual({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
  });
  test('every requirement has a citation (its check: tests/unit/tables.test.ts)', () => {
    for (const r of REQUIREMENTS) expect(r.cite.length, r.id).toBeGreaterThan(0);
  });
});
