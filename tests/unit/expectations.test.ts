/** Known failures per target: reading the file (and each way it can be wrong), what a verdict means against it, rewriting it. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { UsageError } from '../../src/errors.ts';
import {
  applyExpectations,
  type ExpectationsFile,
  loadExpectations,
  readExpectations,
  TODO_REASON,
  updatedExpectations,
  writeExpectations,
} from '../../src/report/expectations.ts';
import { runReport } from '../helpers/reports.ts';

const dir = mkdtempSync(join(tmpdir(), 'expectations-'));
let n = 0;
const file = (text: string): string => {
  const f = join(dir, `e${n++}.yaml`);
  writeFileSync(f, text);
  return f;
};

describe('readExpectations', () => {
  test('entries with a reason, a link when given, intermittent only when true; the target', () => {
    const f = file(
      [
        'target: staging',
        'requirements:',
        '  AUTH-401:',
        '    reason: validates the body first',
        '    link: https://example.com/1',
        '  A200-ARRAY-EXACT:',
        '    reason: sorts tags',
        '    link: ""',
        '    intermittent: yes-ish',
        '  STATE-CONCURRENT-ONE-WINS:',
        '    reason: last writer wins',
        '    intermittent: true',
      ].join('\n'),
    );
    expect(readExpectations(f)).toEqual({
      target: 'staging',
      requirements: {
        'AUTH-401': { reason: 'validates the body first', link: 'https://example.com/1' },
        'A200-ARRAY-EXACT': { reason: 'sorts tags' },
        'STATE-CONCURRENT-ONE-WINS': { reason: 'last writer wins', intermittent: true },
      },
    });
  });
  test('an empty file, or one without requirements, knows of no failure', () => {
    expect(readExpectations(file(''))).toEqual({ requirements: {} });
    expect(readExpectations(file('target: 5\nrequirements:\n'))).toEqual({ requirements: {} });
    expect(readExpectations(file('target: staging'))).toEqual({ target: 'staging', requirements: {} });
    expect(readExpectations(file('requirements:\n  AUTH-401:\n    reason: r\n    link: 5'))).toEqual({
      requirements: { 'AUTH-401': { reason: 'r' } },
    });
  });
  test.each([
    ['- a list', 'expected a mapping with "requirements:" (see the README)'],
    ['requirements: [AUTH-401]', 'expected a mapping with "requirements:" (see the README)'],
    [
      'requirements:\n  NOT-A-REQUIREMENT:\n    reason: r',
      '"NOT-A-REQUIREMENT" is not a requirement of the catalogue (see --list)',
    ],
    ['requirements:\n  AUTH-401:\n    link: x', 'AUTH-401 needs a "reason"'],
    ['requirements:\n  AUTH-401:\n    reason: "  "', 'AUTH-401 needs a "reason"'],
    ['requirements:\n  AUTH-401: just a string', 'AUTH-401 needs a "reason"'],
  ])('%j: a usage error naming the file', (text, message) => {
    const f = file(text);
    expect(() => readExpectations(f)).toThrow(UsageError);
    expect(() => readExpectations(f)).toThrow(`expectations file ${f}: ${message}`);
  });
  test('a file that cannot be read or parsed: the reason in one line', () => {
    const missing = join(dir, 'missing.yaml');
    expect(() => readExpectations(missing)).toThrow(new RegExp(`^cannot read expectations file ${missing}: ENOENT$`));
    const broken = file('requirements:\n  a: [\n');
    expect(() => readExpectations(broken)).toThrow(
      new RegExp(`^cannot read expectations file ${broken}: (?!undefined)[^\\n]+$`),
    );
  });
  test('loadExpectations: a missing file is empty only where it may be missing', () => {
    const missing = join(dir, 'missing.yaml');
    expect(loadExpectations(missing, true)).toEqual({ requirements: {} });
    expect(() => loadExpectations(missing, false)).toThrow(UsageError);
    expect(loadExpectations(file('requirements:\n  AUTH-401:\n    reason: r'), true).requirements).toEqual({
      'AUTH-401': { reason: 'r' },
    });
  });
});

/** Known failures of a target, and a run of it: a known failure, a fix, an intermittent one, one not judged, a new one. */
const known: ExpectationsFile = {
  target: 'staging',
  requirements: {
    'AUTH-401': { reason: 'known', link: 'l' },
    'ID-MALFORMED': { reason: 'fixed now' },
    'ID-UNKNOWN-404': { reason: 'flaky', intermittent: true },
    'BODY-EMPTY-400': { reason: 'not run' },
  },
};
const report = runReport([
  { id: 'AUTH-401', status: 'fail' },
  { id: 'ID-MALFORMED', status: 'pass' },
  { id: 'ID-UNKNOWN-404', status: 'pass' },
  { id: 'BODY-EMPTY-400', status: 'skip' },
  { id: 'UPD-VALID-200', status: 'fail' },
  { id: 'RESP-NO-5XX', status: 'pass' },
  { id: 'RESP-COMPLETE', status: 'skip' },
]);

describe('applyExpectations', () => {
  test('each verdict against its entry: expected, fixed, intermittent, nothing learnt, new', () => {
    const applied = applyExpectations(report, known, 'k.yaml');
    expect(applied.requirements.map((r) => [r.id, r.outcome, r.expected?.reason])).toEqual([
      ['AUTH-401', 'expected-failure', 'known'],
      ['ID-MALFORMED', 'fixed', 'fixed now'],
      ['ID-UNKNOWN-404', 'intermittent', 'flaky'],
      ['BODY-EMPTY-400', undefined, 'not run'],
      ['UPD-VALID-200', 'new-failure', undefined],
      ['RESP-NO-5XX', undefined, undefined],
      ['RESP-COMPLETE', undefined, undefined],
    ]);
    expect(applied.expectations).toEqual({
      file: 'k.yaml',
      newFailures: 1,
      expectedFailures: 1,
      fixed: 1,
      intermittent: 1,
    });
    expect(applied.exitCode).toBe(1);
  });
  test('only known failures: exit 0, and a fix fails only in strict mode', () => {
    const onlyKnown = runReport([
      { id: 'AUTH-401', status: 'fail' },
      { id: 'ID-MALFORMED', status: 'pass' },
    ]);
    expect(applyExpectations(onlyKnown, known, 'k.yaml').exitCode).toBe(0);
    expect(applyExpectations({ ...onlyKnown, strict: true }, known, 'k.yaml').exitCode).toBe(1);
  });
});

describe('updatedExpectations and writeExpectations', () => {
  test('every failure, with the reasons already written; intermittent entries and entries not judged stay', () => {
    expect(updatedExpectations(report, known)).toEqual({
      target: 'staging',
      requirements: {
        'AUTH-401': { reason: 'known', link: 'l' },
        'ID-UNKNOWN-404': { reason: 'flaky', intermittent: true },
        'BODY-EMPTY-400': { reason: 'not run' },
        'UPD-VALID-200': { reason: TODO_REASON },
      },
    });
    expect(updatedExpectations(report, { requirements: {} })).not.toHaveProperty('target');
  });
  test('the file written says where it comes from, and reads back the same', () => {
    const f = join(dir, 'written.yaml');
    const report = runReport([], { startedAt: '2026-12-02T08:00:00Z', seed: 42 });
    const expectations: ExpectationsFile = { target: 'staging', requirements: { 'AUTH-401': { reason: 'r' } } };
    writeExpectations(f, expectations, report);
    const text = readFileSync(f, 'utf8');
    expect(text.split('\n').slice(0, 2)).toEqual([
      '# Known failures of staging (comfy-assets-conformance expectations).',
      '# Written by --update-expectations on 2026-12-02 (seed 42); reasons and links are kept on rewrite.',
    ]);
    expect(readExpectations(f)).toEqual(expectations);
    writeExpectations(f, { requirements: {} }, report);
    expect(readFileSync(f, 'utf8')).toMatch(/^# Known failures of http:\/\/h \(/);
    expect(readExpectations(f)).toEqual({ requirements: {} });
  });
});
