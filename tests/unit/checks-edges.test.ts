/**
 * The checks of the edges table on hand-built exchanges (a 200, and the read right after it), and the
 * readers they rest on: RFC 3339 timestamps and decimal numbers compared digit for digit.
 */
import { describe, expect, test } from 'vitest';
import { canonicalDecimal, isRfc3339WithOffset, judge } from '../../src/checks/checks.ts';
import type { Exchange } from '../../src/exchange/perform.ts';
import type { Case } from '../../src/generators/case.ts';
import type { RequirementId } from '../../src/requirements.ts';
import { context, err, exchange, makeCase, ok200, type ResponseShape, TARGET } from '../helpers/helpers.ts';

const ctx = context();
const messages = (ex: Exchange, requirement: RequirementId): string[] =>
  judge(ex, ctx)
    .violations.filter((v) => v.requirement === requirement)
    .map((v) => v.message);
const evaluated = (ex: Exchange): RequirementId[] => judge(ex, ctx).evaluated;

/** An update of the asset that is an edge case of the JSON text: its body text, its row and what the row judges. */
function edgeCase(text: string, edge: Partial<NonNullable<Case['edge']>>): Case {
  return makeCase({
    property: 'edges',
    body: { kind: 'raw', text },
    expect: [],
    edge: { row: 'a row', description: 'an edge', ...edge },
  });
}
/** The exchange, and (when given) the GET of the asset right after it. */
function answered(c: Case, response: ResponseShape, after?: ResponseShape): Exchange {
  const ex = exchange(c, response);
  if (!after) return ex;
  const read = exchange(makeCase({ expect: [], updatesTarget: false }), after);
  return { ...ex, after: { ...read, request: { ...read.request, method: 'GET', body: undefined } } };
}
const textOf = (value: unknown, number: string): ResponseShape => ({
  status: 200,
  text: JSON.stringify(value).replace('"@"', number),
});

describe('RFC 3339 date-time with an offset (updated_at)', () => {
  test.each([
    '2026-02-28T23:59:59Z',
    '2024-02-29T00:00:00+00:00',
    '2026-12-31t10:00:00z',
    '2026-01-01 10:00:00.123456+23:59',
    '2026-06-30T23:59:60Z',
    '2026-01-31T00:00:00-05:00',
  ])('%s is one', (value) => expect(isRfc3339WithOffset(value)).toBe(true));
  test.each([
    '2026-00-10T00:00:00Z',
    '2026-13-10T00:00:00Z',
    '2026-01-00T00:00:00Z',
    '2026-02-29T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-01-01T24:00:00Z',
    '2026-01-01T23:60:00Z',
    '2026-01-01T00:00:00+24:00',
    '2026-01-01T00:00:00+23:60',
    '2026-01-01T00:00:00',
    '2026-01-01T00:00:00ZZ',
    ' 2026-01-01T00:00:00Z',
  ])('%s is not', (value) => expect(isRfc3339WithOffset(value)).toBe(false));
});

describe('a number compared digit for digit', () => {
  test.each([
    ['1', '1e0'],
    ['10', '1e1'],
    ['100', '1e2'],
    ['1.00e2', '1e2'],
    ['1E+2', '1e2'],
    ['1.50', '15e-1'],
    ['0.015', '15e-3'],
    ['00012', '12e0'],
    ['-12.340', '-1234e-2'],
    ['1.0e-2', '1e-2'],
    [' 7 ', '7e0'],
    ['0', '0'],
    ['0.000', '0'],
    ['12345678901234567890', '1234567890123456789e1'],
    ['abc', 'abc'],
    ['1e', '1e'],
    ['.5', '.5'],
  ])('%s reads as %s', (text, canonical) => expect(canonicalDecimal(text)).toBe(canonical));
});

describe('EDGE-BIG-INTEGER: the number stored as sent, digit for digit', () => {
  const big = '12345678901234567890';
  const c = edgeCase(`{"user_metadata":{"n":${big}}}`, { path: ['user_metadata', 'n'], numberText: big });
  const body = (n: string) => textOf({ id: TARGET, user_metadata: { n: '@' } }, n);

  test('the same digits, in any notation, in the 200 and in the read after it', () => {
    expect(messages(answered(c, body(big), body(big)), 'EDGE-BIG-INTEGER')).toEqual([]);
    expect(messages(answered(c, body('1.2345678901234567890e19')), 'EDGE-BIG-INTEGER')).toEqual([]);
  });
  test('rounded, or not a number: each answer that shows it is named', () => {
    expect(messages(answered(c, body('12345678901234567000')), 'EDGE-BIG-INTEGER')).toEqual([
      `Received: 12345678901234567000 at /user_metadata/n in the 200 / Expected: ${big} as sent, or 400`,
    ]);
    expect(messages(answered(c, body('"x"')), 'EDGE-BIG-INTEGER')).toEqual([
      `Received: no number at /user_metadata/n in the 200 / Expected: ${big} as sent, or 400`,
    ]);
    expect(
      messages(answered(c, body('12345678901234567000'), body('12345678901234567000')), 'EDGE-BIG-INTEGER'),
    ).toEqual([
      `Received: 12345678901234567000 at /user_metadata/n in the 200 / Expected: ${big} as sent, or 400; Received: 12345678901234567000 at /user_metadata/n in the GET after it / Expected: ${big} as sent, or 400`,
    ]);
    // the 200 and the read agree as numbers of JavaScript; both texts are read digit for digit
    expect(messages(answered(c, body(big), body('12345678901234567000')), 'EDGE-BIG-INTEGER')).toEqual([
      `Received: 12345678901234567000 at /user_metadata/n in the GET after it / Expected: ${big} as sent, or 400`,
    ]);
  });
  test('a read that shows another value is persistence’s fault; a 200 that does not show it leaves the read to judge', () => {
    expect(messages(answered(c, body(big), body('5')), 'EDGE-BIG-INTEGER')).toEqual([]);
    expect(messages(answered(c, body('12345678901234567000'), body('5')), 'EDGE-BIG-INTEGER')).toEqual([
      `Received: 12345678901234567000 at /user_metadata/n in the 200 / Expected: ${big} as sent, or 400`,
    ]);
    const bare = { status: 200, json: { id: TARGET } };
    expect(messages(answered(c, bare, body('12345678901234567000')), 'EDGE-BIG-INTEGER')).toEqual([
      `Received: 12345678901234567000 at /user_metadata/n in the GET after it / Expected: ${big} as sent, or 400`,
    ]);
    // a read that failed, or is not JSON, is not read
    const failed = { status: 500, json: { code: 'x', message: 'y' } };
    expect(messages(answered(c, bare, failed), 'EDGE-BIG-INTEGER')).toEqual([
      `Received: no number at /user_metadata/n in the 200 / Expected: ${big} as sent, or 400`,
    ]);
    expect(
      messages(answered(c, body(big), { status: 500, json: { code: 'x', message: 'y' } }), 'EDGE-BIG-INTEGER'),
    ).toEqual([]);
    expect(messages(answered(c, body(big), { status: 200, text: 'no' }), 'EDGE-BIG-INTEGER')).toEqual([]);
  });
  test('judged only for a 200 to an update of the asset, of a case with a number and a path', () => {
    expect(evaluated(answered(c, body(big)))).toContain('EDGE-BIG-INTEGER');
    expect(evaluated(answered(c, { status: 400, json: { code: 'x', message: 'y' } }))).not.toContain(
      'EDGE-BIG-INTEGER',
    );
    expect(evaluated(answered({ ...c, updatesTarget: false }, body(big)))).not.toContain('EDGE-BIG-INTEGER');
    const noPath = edgeCase('{}', { numberText: big });
    expect(evaluated(answered(noPath, body(big)))).not.toContain('EDGE-BIG-INTEGER');
    const noNumber = edgeCase('{}', { path: ['user_metadata', 'n'] });
    expect(evaluated(answered(noNumber, body(big)))).not.toContain('EDGE-BIG-INTEGER');
  });
});

describe('EDGE-DUPLICATE-MEMBERS: one of the values sent, in the 200 or in the read after it', () => {
  const c = edgeCase('{"name":"a","name":"b"}', { path: ['name'], candidates: ['a', 'b'] });
  const named = (name: unknown): ResponseShape => ok200({ name });

  test('either value is kept', () => {
    expect(messages(answered(c, named('a')), 'EDGE-DUPLICATE-MEMBERS')).toEqual([]);
    expect(messages(answered(c, named('b'), named('b')), 'EDGE-DUPLICATE-MEMBERS')).toEqual([]);
    expect(messages(answered(c, named('ab'), named('b')), 'EDGE-DUPLICATE-MEMBERS')).toEqual([]);
  });
  test('a mix of the two, or neither, is named where it shows', () => {
    expect(messages(answered(c, named('ab')), 'EDGE-DUPLICATE-MEMBERS')).toEqual([
      'Received: "ab" at /name in the 200 / Expected: one of "a", "b"',
    ]);
    expect(messages(answered(c, named('ab'), named('ab')), 'EDGE-DUPLICATE-MEMBERS')).toEqual([
      'Received: "ab" at /name in the 200 / Expected: one of "a", "b"; Received: "ab" at /name in the GET after it / Expected: one of "a", "b"',
    ]);
  });
  test('judged only with candidates and a path; a read that never answered is not read', () => {
    expect(evaluated(answered(edgeCase('{}', { candidates: ['a'] }), named('a')))).not.toContain(
      'EDGE-DUPLICATE-MEMBERS',
    );
    const hung = { ...exchange(c, named('ab')), after: exchange(c, { failure: 'timeout' }) };
    expect(messages(hung, 'EDGE-DUPLICATE-MEMBERS')).toEqual([
      'Received: "ab" at /name in the 200 / Expected: one of "a", "b"',
    ]);
  });
  test('object and array values: a merge or a join is a mix; a member the server adds to any value, or an update not applied, is not', () => {
    const objects = edgeCase('{}', { path: ['user_metadata'], candidates: [{ a: 1 }, { b: 2 }] });
    const metadata = (user_metadata: unknown): ResponseShape => ok200({ user_metadata });
    for (const kept of [{ a: 1 }, { b: 2 }, { b: 2, added: true }, { c: 3 }])
      expect(messages(answered(objects, metadata(kept)), 'EDGE-DUPLICATE-MEMBERS'), JSON.stringify(kept)).toEqual([]);
    expect(messages(answered(objects, metadata({ a: 1, b: 2 })), 'EDGE-DUPLICATE-MEMBERS')).toEqual([
      'Received: {"a":1,"b":2} at /user_metadata in the 200 / Expected: one of {"a":1}, {"b":2}',
    ]);
    // (both values as a list: not an object at all)
    expect(messages(answered(objects, metadata([{ a: 1 }, { b: 2 }])), 'EDGE-DUPLICATE-MEMBERS')).toHaveLength(1);
    const lists = edgeCase('{}', { path: ['tags'], candidates: [['first'], ['second']] });
    expect(messages(answered(lists, ok200({ tags: ['second', 'input'] })), 'EDGE-DUPLICATE-MEMBERS')).toEqual([]);
    expect(messages(answered(lists, ok200({ tags: ['first', 'second'] })), 'EDGE-DUPLICATE-MEMBERS')).toHaveLength(1);
  });
  test('a path into arrays and objects', () => {
    const deep = edgeCase('{}', { path: ['user_metadata', 'list', 1, 'k'], candidates: [1, 2] });
    const metadata = (k: unknown) => ok200({ user_metadata: { list: [{ k: 9 }, { k }] } });
    expect(messages(answered(deep, metadata(2)), 'EDGE-DUPLICATE-MEMBERS')).toEqual([]);
    expect(messages(answered(deep, metadata(3)), 'EDGE-DUPLICATE-MEMBERS')).toEqual([
      'Received: 3 at /user_metadata/list/1/k in the 200 / Expected: one of 1, 2',
    ]);
    // a step that does not fit (an index into an object, a name into an array) finds nothing
    const wrongSteps = edgeCase('{}', { path: ['user_metadata', 'list', 'k'], candidates: [1, 2] });
    expect(messages(answered(wrongSteps, metadata(2)), 'EDGE-DUPLICATE-MEMBERS')).toHaveLength(1);
    const indexIntoObject = edgeCase('{}', { path: ['user_metadata', 0], candidates: [1, 2] });
    expect(
      messages(answered(indexIntoObject, ok200({ user_metadata: { 0: 2 } })), 'EDGE-DUPLICATE-MEMBERS'),
    ).toHaveLength(1);
    const nameIntoArray = edgeCase('{}', { path: ['tags', 'length'], candidates: [1] });
    expect(messages(answered(nameIntoArray, ok200({ tags: ['a'] })), 'EDGE-DUPLICATE-MEMBERS')).toHaveLength(1);
  });
});

describe('EDGE-SIZE: a size limit answers with the error body', () => {
  const c = edgeCase('{}', { row: 'size' });
  test('413 with an ErrorResponse holds; any other body does not', () => {
    expect(messages(answered(c, { status: 413, json: { code: 'TOO_LARGE', message: 'm' } }), 'EDGE-SIZE')).toEqual([]);
    expect(messages(answered(c, { status: 413, json: { code: 'TOO_LARGE' } }), 'EDGE-SIZE')).toEqual([
      "Received: a 413 body that is not an ErrorResponse: (root) must have required property 'message'",
    ]);
    expect(messages(answered(c, { status: 413, json: {} }), 'EDGE-SIZE')).toEqual([
      "Received: a 413 body that is not an ErrorResponse: (root) must have required property 'code'; (root) must have required property 'message'",
    ]);
    expect(messages(answered(c, { status: 413, text: 'too large' }), 'EDGE-SIZE')).toEqual([
      'Received: a 413 body that is not an ErrorResponse: not JSON',
    ]);
  });
  test('judged only for a 413 to a case of the size row', () => {
    expect(evaluated(answered(c, { status: 400, text: 'x' }))).not.toContain('EDGE-SIZE');
    expect(evaluated(answered(edgeCase('{}', { row: 'depth' }), { status: 413, text: 'x' }))).not.toContain(
      'EDGE-SIZE',
    );
  });
});

describe('EDGE-READABLE and STATE-PERSISTS: the read right after a 200', () => {
  const c = makeCase({ property: 'edges', body: { kind: 'json', value: { name: 'n', tags: ['a'] } } });
  const shown = ok200({ name: 'n', tags: ['a'] });

  test('a read that fails, or is not JSON, is EDGE-READABLE; one that never answers is not judged', () => {
    expect(messages(answered(c, shown, { status: 500, json: { code: 'x', message: 'y' } }), 'EDGE-READABLE')).toEqual([
      'Received: the GET after the 200 answered 500 / Expected: 200 with the asset',
    ]);
    expect(messages(answered(c, shown, { status: 200, text: '{"id":' }), 'EDGE-READABLE')).toEqual([
      'Received: the GET after the 200 answered 200 without a JSON body / Expected: 200 with the asset',
    ]);
    expect(messages(answered(c, shown, { status: 200, json: [1] }), 'EDGE-READABLE')).toHaveLength(1);
    expect(messages(answered(c, shown, shown), 'EDGE-READABLE')).toEqual([]);
    const hung = { ...exchange(c, shown), after: exchange(c, { failure: 'timeout' }) };
    expect(evaluated(hung)).not.toContain('EDGE-READABLE');
    expect(evaluated(exchange(c, shown))).not.toContain('EDGE-READABLE');
    // a read still answered 503 (Retry-After) when the run stopped waiting: no answer, not judged
    const unavailable = exchange(c, { status: 503, json: { code: 'x', message: 'y' } });
    expect(evaluated({ ...exchange(c, shown), after: { ...unavailable, rateLimited: true } })).not.toContain(
      'EDGE-READABLE',
    );
    expect(messages({ ...exchange(c, shown), after: unavailable }, 'EDGE-READABLE')).toEqual([
      'Received: the GET after the 200 answered 503 / Expected: 200 with the asset',
    ]);
  });

  test('the read shows each field as sent or as the 200 showed it; the fields that differ are named, and are the kind', () => {
    expect(messages(answered(c, shown, shown), 'STATE-PERSISTS')).toEqual([]);
    expect(
      messages(answered(c, ok200({ name: 'N', tags: ['a'] }), ok200({ name: 'N', tags: ['a'] })), 'STATE-PERSISTS'),
    ).toEqual([]);
    const lost = answered(c, shown, ok200({ name: 'old', tags: ['b'] }));
    expect(messages(lost, 'STATE-PERSISTS')).toEqual([
      'Received: the GET right after the 200 shows name "old", tags ["b"] / Expected: what was sent or what the 200 showed (name "n", tags ["a"])',
    ]);
    expect(judge(lost, ctx).violations.find((v) => v.requirement === 'STATE-PERSISTS')?.kind).toBe('name, tags');
    const missing = answered(c, shown, ok200({ tags: ['a'] }));
    expect(judge(missing, ctx).violations.find((v) => v.requirement === 'STATE-PERSISTS')?.kind).toBe('name');
    // a read that answered another status is not the asset
    expect(evaluated(answered(c, shown, { status: 500, json: { code: 'x', message: 'y' } }))).not.toContain(
      'STATE-PERSISTS',
    );
    // a field the 200 does not show is not judged by the read
    expect(
      messages(answered(c, ok200({ tags: ['a'] }), ok200({ name: 'old', tags: ['a'] })), 'STATE-PERSISTS'),
    ).toEqual([]);
  });
});

describe("STATE-OWN-FIELDS: a member named like one of the asset's own fields never sets it", () => {
  const hash = `blake3:${'a'.repeat(64)}`;
  const c = edgeCase('{}', { assigned: { asset_hash: hash, size: 65 } });

  test('the asset keeps its own values, or shows none: no verdict', () => {
    expect(messages(answered(c, ok200({ asset_hash: `blake3:${'0'.repeat(64)}` })), 'STATE-OWN-FIELDS')).toEqual([]);
    expect(messages(answered(c, ok200(), ok200({ size: 64 })), 'STATE-OWN-FIELDS')).toEqual([]);
    expect(evaluated(answered(c, ok200()))).toContain('STATE-OWN-FIELDS');
  });
  test('a value sent that the 200 or the read after it shows is named, with where', () => {
    expect(messages(answered(c, ok200({ asset_hash: hash }), ok200({ size: 65 })), 'STATE-OWN-FIELDS')).toEqual([
      `Received: asset_hash "${hash}" in the 200, size 65 in the GET after it / Expected: the asset's own values; a member of the body that is not a body property never sets them`,
    ]);
  });
  test('judged only on a 200 to a case that assigns', () => {
    expect(evaluated(answered(c, err(400)))).not.toContain('STATE-OWN-FIELDS');
    expect(evaluated(answered(edgeCase('{}', {}), ok200({ size: 65 })))).not.toContain('STATE-OWN-FIELDS');
  });
});
