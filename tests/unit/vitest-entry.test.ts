/**
 * The vitest entry (src/vitest.ts) as a server author uses it: it declares a test per requirement
 * asked for, runs the suite once with the options given (the per-request timeout, seed and report
 * directory reach the run), and skips what was not exercised, with the reason.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { failsRun, type RequirementReport, type RunReport } from '../../src/report/model.ts';
import { startReferenceServer } from '../../src/server/index.ts';
import { describeConformance, fidelityOutcome, testOutcome } from '../../src/vitest.ts';

const dir = mkdtempSync(join(tmpdir(), 'vitest-entry-'));
let closed = false;

describeConformance({
  name: 'the vitest entry against a server started for it',
  server: async () => {
    const s = await startReferenceServer();
    return { ...s, close: () => s.close().then(() => (closed = true)) };
  },
  properties: ['auth'],
  requirements: ['AUTH-401', 'AUTH-FIRST-401', 'CREATE-HASH-BLAKE3'],
  runs: 10,
  seed: 3,
  timeoutMs: 4321,
  reportDir: dir,
});

test('the run took the options given, wrote its reports, and closed the server', () => {
  const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as RunReport;
  expect(report.seed).toBe(3);
  expect(report.runs).toBe(10);
  expect(report.settings.timeoutMs).toBe(4321);
  expect(report.properties.map((p) => p.name)).toEqual(['auth']);
  expect(report.requirements.find((r) => r.id === 'AUTH-401')?.status).toBe('pass');
  expect(closed).toBe(true);
});

describe('a verdict as a vitest test', () => {
  const base: RequirementReport = {
    id: 'A200-STRING-EXACT',
    level: 'MUST',
    title: 'strings come back exactly',
    status: 'fail',
    cases: 3,
    citation: [],
  };
  const cases: [string, Partial<RequirementReport>, boolean, string][] = [
    ['a MUST failure fails', {}, false, 'fail'],
    ['a pass passes', { status: 'pass' }, false, 'pass'],
    ['nothing judged is skipped', { status: 'skip', reason: 'judged only with --create-asset' }, false, 'skip'],
    ['a SHOULD failure is skipped without strict', { level: 'SHOULD' }, false, 'skip'],
    ['a SHOULD failure fails with strict', { level: 'SHOULD' }, true, 'fail'],
    ['a known failure is skipped', { outcome: 'expected-failure', expected: { reason: 'known' } }, true, 'skip'],
    ['a failure that follows from another is skipped', { followsFrom: 'A200-ARRAY-SET' }, true, 'skip'],
    ['a known failure now passing fails with strict', { status: 'pass', outcome: 'fixed' }, true, 'fail'],
    ['a known failure now passing passes without strict', { status: 'pass', outcome: 'fixed' }, false, 'pass'],
  ];
  test('with --require-coverage a MUST nothing exercised fails, with the reason', () => {
    const r = { ...base, status: 'skip' as const, reason: 'no exchange it applies to in this run' };
    expect(testOutcome(r, { strict: false, requireCoverage: true })).toEqual({
      outcome: 'fail',
      note: 'not exercised: no exchange it applies to in this run',
    });
  });
  test.each(cases)('%s', (_, change, strict, expected) => {
    const r = { ...base, ...change };
    expect(testOutcome(r, { strict }).outcome).toBe(expected);
    expect(testOutcome(r, { strict }).outcome === 'fail').toBe(failsRun(r, { strict }));
  });
});

describe('the FIDELITY test of a run with a reference', () => {
  const fidelity = (fails: boolean): RunReport['fidelity'] => ({
    reference: { baseUrl: 'embedded', embedded: true, assetId: 'a' },
    compared: 10,
    differences: [
      {
        caseClass: 'ID-MALFORMED',
        aspect: 'status',
        tag: 'allowed, differs',
        count: 3,
        example: { case: 'c', target: '404', reference: '400', curl: { target: 'curl a', reference: 'curl b' } },
      },
    ],
    counts: { fault: 0, allowedDiffers: 1, referenceFault: 0 },
    failOn: ['status'],
    fails,
  });
  test('passes, listing the differences, unless a difference --fidelity chose was found', () => {
    const report = { fidelity: fidelity(false) } as RunReport;
    expect(fidelityOutcome(report)).toEqual({
      outcome: 'pass',
      note: expect.stringMatching(/allowed, differs: status in ID-MALFORMED \(3 cases\): target 404; reference 400/),
    });
    expect(fidelityOutcome({ fidelity: fidelity(true) } as RunReport).outcome).toBe('fail');
    expect(fidelityOutcome({} as RunReport)).toEqual({ outcome: 'fail', note: 'the run made no comparison' });
  });
});
