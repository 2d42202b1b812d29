/**
 * The JSON helpers every floor shares (src/json.ts): the one equality, sets of items, a stored
 * value compared, a value shown in a message; and the error classes' names (src/errors.ts), which
 * messages and the CLI's exit codes go by.
 */
import { describe, expect, test } from 'vitest';
import { InternalError, RunError, SpecError, StopSending, UsageError } from '../../src/errors.ts';
import { isJsonObject, jsonEqual, sameSet, sameValue, show } from '../../src/json.ts';

describe('jsonEqual', () => {
  test.each([
    [1, 1, true],
    [0, -0, true],
    ['a', 'a', true],
    [null, null, true],
    [[1, [2, { a: 3 }]], [1, [2, { a: 3 }]], true],
    [{ a: 1, b: [2] }, { b: [2], a: 1 }, true],
    [{}, {}, true],
    [[], [], true],
    [1, 2, false],
    [1, '1', false],
    [null, {}, false],
    [[], {}, false],
    [{}, [], false],
    [[1], 1, false],
    [1, [1], false],
    [[1, 2], [2, 1], false],
    [[1, 2], [1], false],
    [[1], [1, 2], false],
    [[1, 2], [1, 3], false],
    [[{ a: 1 }], [{ a: 2 }], false],
    [{ a: 1 }, { a: 1, b: 2 }, false],
    [{ a: 1, b: 2 }, { a: 1 }, false],
    [{ a: 1 }, { b: 1 }, false],
    [{ a: 1, b: 2 }, { a: 1, b: 3 }, false],
    [{ a: undefined }, { b: undefined }, false],
    [{ a: { b: 1 } }, { a: { b: 2 } }, false],
  ])('%j and %j: %s', (a, b, expected) => {
    expect(jsonEqual(a, b)).toBe(expected);
    expect(jsonEqual(b, a)).toBe(expected);
  });
});

describe('sets and stored values', () => {
  test.each([
    [['a', 'b'], ['b', 'a'], true],
    [['a', 'a', 'b'], ['b', 'a'], true],
    [[], [], true],
    [[{ x: 1 }], [{ x: 1 }], true],
    [['a'], ['b'], false],
    [['a', 'b'], ['a'], false],
    [['a'], ['a', 'b'], false],
    [['a', 'c'], ['a', 'b'], false],
    [['1'], [1], false],
  ])('sameSet(%j, %j): %s', (a, b, expected) => {
    expect(sameSet(a, b)).toBe(expected);
    expect(sameSet(b, a)).toBe(expected);
  });

  test('a stored list is compared as a set, anything else by jsonEqual', () => {
    expect(sameValue(['b', 'a', 'a'], ['a', 'b'])).toBe(true);
    expect(sameValue(['a'], ['a', 'b'])).toBe(false);
    expect(sameValue({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(sameValue({ a: 1 }, { a: 1 })).toBe(true);
    expect(sameValue(['a'], 'a')).toBe(false);
    expect(sameValue('a', ['a'])).toBe(false);
    expect(sameValue(1, 1)).toBe(true);
  });

  test('a JSON object is neither null nor a list', () => {
    expect(isJsonObject({})).toBe(true);
    expect(isJsonObject(null)).toBe(false);
    expect(isJsonObject([])).toBe(false);
    expect(isJsonObject('{}')).toBe(false);
  });
});

describe('show', () => {
  test('the JSON text, or undefined', () => {
    expect(show({ a: 'b' })).toBe('{"a":"b"}');
    expect(show(undefined)).toBe('undefined');
    expect(show(null)).toBe('null');
  });

  test('cut at max characters, with the total length unless asked not to', () => {
    expect(show('abcdef', 8)).toBe('"abcdef"');
    expect(show('abcdefg', 8)).toBe('"abcdefg… (9 chars)');
    expect(show('abcdefgh', 8)).toBe('"abcdefg… (10 chars)');
    expect(show('abcdefgh', 8, false)).toBe('"abcdefg…');
    expect(show('x'.repeat(200))).toBe(`"${'x'.repeat(159)}… (202 chars)`);
    expect(show('x'.repeat(158))).toBe(`"${'x'.repeat(158)}"`);
  });
});

test.each([
  [new SpecError('m'), 'SpecError'],
  [new UsageError('m'), 'UsageError'],
  [new RunError('m'), 'RunError'],
  [new StopSending('m'), 'StopSending'],
  [new InternalError('m'), 'InternalError'],
])('%s is named %s', (error, name) => {
  expect(error.name).toBe(name);
  expect(String(error)).toBe(`${name}: m`);
});
