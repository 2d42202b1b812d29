/** The one rule of what fails a run (failsRun), the exit code and summary read through it, and how counterexamples are headed. */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  type CounterexampleReport,
  counterexampleHeading,
  exitCodeOf,
  failsRun,
  type RequirementReport,
  summaryOf,
  TOOL,
  unexercised,
} from '../../src/report/model.ts';

const requirement = (extra: Partial<RequirementReport>): RequirementReport => ({
  id: 'UPD-VALID-200',
  level: 'MUST',
  title: 't',
  status: 'fail',
  cases: 1,
  citation: [],
  ...extra,
});

describe('failsRun', () => {
  test.each([
    // status, level, outcome, followsFrom, fails (default), fails (strict)
    ['fail', 'MUST', undefined, undefined, true, true],
    ['fail', 'SHOULD', undefined, undefined, false, true],
    ['fail', 'MUST', 'new-failure', undefined, true, true],
    ['fail', 'MUST', 'expected-failure', undefined, false, false],
    ['fail', 'MUST', 'intermittent', undefined, false, false],
    ['fail', 'MUST', undefined, 'A200-ARRAY-SET', false, false],
    ['pass', 'MUST', undefined, undefined, false, false],
    ['skip', 'MUST', undefined, undefined, false, false],
    ['pass', 'MUST', 'fixed', undefined, false, true],
  ] as const)('%s %s (%s, follows from %s): %s, strict %s', (status, level, outcome, followsFrom, plain, strict) => {
    const r = requirement({ status, level, ...(outcome ? { outcome } : {}), ...(followsFrom ? { followsFrom } : {}) });
    expect(failsRun(r, { strict: false })).toBe(plain);
    expect(failsRun(r, { strict: true })).toBe(strict);
    expect(exitCodeOf([requirement({ status: 'pass' }), r], { strict: false })).toBe(plain ? 1 : 0);
    expect(exitCodeOf([r, requirement({ status: 'pass' })], { strict: true })).toBe(strict ? 1 : 0);
  });
  test('no requirement: exit 0', () => expect(exitCodeOf([], { strict: true })).toBe(0));
  test.each([
    ['MUST', true],
    ['SHOULD', false],
  ] as const)('--require-coverage: a %s no case exercised fails the run: %s', (level, fails) => {
    const r = requirement({ status: 'skip', level });
    expect(failsRun(r, { strict: true, requireCoverage: true })).toBe(fails);
    expect(exitCodeOf([r], { strict: false, requireCoverage: true })).toBe(fails ? 1 : 0);
    // and it changes nothing else
    expect(failsRun(requirement({ status: 'pass' }), { strict: true, requireCoverage: true })).toBe(false);
  });
});

test('summaryOf counts failures that follow from another apart from MUST and SHOULD failures', () => {
  expect(
    summaryOf([
      requirement({}),
      requirement({}),
      requirement({}),
      requirement({ level: 'SHOULD' }),
      requirement({ level: 'SHOULD' }),
      requirement({ followsFrom: 'A200-ARRAY-SET' }),
      requirement({ level: 'SHOULD', followsFrom: 'A200-ARRAY-SET' }),
      requirement({ status: 'pass' }),
      requirement({ status: 'skip' }),
      requirement({ status: 'skip', level: 'SHOULD' }),
      // not a failure: does not count as following
      requirement({ status: 'pass', followsFrom: 'A200-ARRAY-SET' }),
    ]),
  ).toEqual({ mustFailed: 3, shouldFailed: 2, passed: 2, skipped: 2, mustSkipped: 1, following: 2 });
});

test('counterexampleHeading: numbered with its kind when there are several, nothing for one', () => {
  const cx = (kind: string) => ({ kind }) as CounterexampleReport;
  const several = requirement({ counterexample: cx('type at /name'), more: [cx('400'), cx('')] });
  expect(counterexampleHeading(several, 0)).toBe('counterexample 1 of 3 (type at /name)');
  expect(counterexampleHeading(several, 1)).toBe('counterexample 2 of 3 (400)');
  expect(counterexampleHeading(several, 2)).toBe('counterexample 3 of 3');
  expect(counterexampleHeading(requirement({ counterexample: cx('400') }), 0)).toBe('');
  expect(counterexampleHeading(requirement({}), 0)).toBe('');
});

test('unexercised: the coverage rows no exchange exercised', () => {
  const rows = [
    { name: 'a', cases: 0 },
    { name: 'b', cases: 2 },
    { name: 'c', cases: 0, note: 'n' },
  ];
  expect(unexercised(rows)).toEqual([rows[0], rows[2]]);
});

test('TOOL: the name and version of package.json, and the npx command', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as Record<
    string,
    string
  >;
  expect(TOOL).toEqual({ name: pkg['name'], version: pkg['version'], command: `npx ${pkg['name']}` });
});
