/** Shard reports merged into one run's (mergeReports), on hand-built reports: each rule of the merge alone. */
import { describe, expect, test } from 'vitest';
import { UsageError } from '../../src/errors.ts';
import { mergeReports } from '../../src/report/merge.ts';
import type { RunReport } from '../../src/report/model.ts';
import { REQUIREMENTS, type RequirementId } from '../../src/requirements.ts';
import { runReport as shard } from '../helpers/reports.ts';

const verdict = (report: RunReport, id: RequirementId) => report.requirements.find((r) => r.id === id);

describe('mergeReports', () => {
  test('a failure in any shard is the verdict, with the cases of every shard', () => {
    const failed = { id: 'AUTH-401' as const, status: 'fail' as const, cases: 3, reason: undefined };
    const merged = mergeReports([
      shard([{ id: 'AUTH-401', status: 'pass', cases: 2 }]),
      shard([failed, { id: 'UPD-VALID-200', status: 'pass', cases: 4 }]),
    ]);
    expect(verdict(merged, 'AUTH-401')).toMatchObject({ status: 'fail', cases: 5 });
    expect(merged.exitCode).toBe(1);
    expect(merged.summary.mustFailed).toBe(1);
  });

  test('a pass in any shard beats a skip, and loses the skip reason', () => {
    const merged = mergeReports([
      shard([{ id: 'AUTH-401', status: 'skip', cases: 0, reason: 'not run in this shard' }]),
      shard([{ id: 'AUTH-401', status: 'pass', cases: 2 }]),
    ]);
    expect(verdict(merged, 'AUTH-401')).toEqual({
      id: 'AUTH-401',
      level: 'MUST',
      title: 'x',
      status: 'pass',
      cases: 2,
      citation: [],
    });
  });

  test('skipped everywhere: the first reason given; a requirement no shard lists is skipped with its own title', () => {
    const merged = mergeReports([
      shard([{ id: 'AUTH-401', status: 'skip', cases: 0 }]),
      shard([{ id: 'AUTH-401', status: 'skip', cases: 0, reason: 'no GET' }]),
    ]);
    expect(verdict(merged, 'AUTH-401')).toMatchObject({ status: 'skip', reason: 'no GET' });
    const catalogue = REQUIREMENTS.find((r) => r.id === 'STATE-IDEMPOTENT');
    expect(verdict(merged, 'STATE-IDEMPOTENT')).toEqual({
      id: 'STATE-IDEMPOTENT',
      level: catalogue?.level,
      title: catalogue?.title,
      status: 'skip',
      cases: 0,
      citation: [],
      reason: 'not judged in any shard',
    });
    expect(merged.requirements.map((r) => r.id)).toEqual(REQUIREMENTS.map((r) => r.id));
  });

  test('counts added up, the longest duration, the first stop, strict if any shard was, coverage rows joined', () => {
    const row = (name: string, cases: number) => ({ name, cases });
    const merged = mergeReports([
      shard([{ id: 'A200-ARRAY-EXACT', level: 'SHOULD', status: 'fail' }], {
        durationMs: 300,
        coverage: { keywords: [row('type', 1)], statuses: [row('200', 2)], edges: [] },
      }),
      shard([], {
        durationMs: 200,
        stopped: 'the run time limit',
        strict: true,
        requests: { sent: 5, rateLimited: 0, retries: 1, resetRetries: 2 },
        coverage: { keywords: [row('type', 3), row('maxLength', 1)], statuses: [], edges: [] },
      }),
      shard([], { stopped: 'interrupted' }),
    ]);
    expect(merged.requests).toEqual({ sent: 25, rateLimited: 2, retries: 5, resetRetries: 2 });
    expect(merged.durationMs).toBe(300);
    expect(merged.stopped).toBe('the run time limit');
    expect(merged.coverage).toEqual({
      keywords: [row('type', 4), row('maxLength', 1)],
      statuses: [row('200', 2)],
      edges: [],
    });
    // strict: the SHOULD failure fails the merged run
    expect(merged.exitCode).toBe(1);
    expect(merged.summary.shouldFailed).toBe(1);
    expect(merged.shard).toBe('merged from 3 report(s)');
  });

  test('no coverage in any shard: none; no report at all: a usage error', () => {
    expect(mergeReports([shard([]), shard([])]).coverage).toBeUndefined();
    expect(mergeReports([shard([])]).exitCode).toBe(0);
    expect(() => mergeReports([])).toThrow(UsageError);
    expect(() => mergeReports([])).toThrow('merge needs at least one report');
  });
});
