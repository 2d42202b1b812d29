/**
 * Fidelity (--compare-with): one run against two targets. The reference against itself differs in
 * nothing; a conforming alternative differs exactly where it was built to choose otherwise, each
 * difference "allowed, differs", and the run passes; a mutant's fault is tagged "fault".
 */
import { describe, expect, test } from 'vitest';
import { ALTERNATIVES, MUTANTS } from '../../fixtures/servers/index.ts';
import type { Aspect } from '../../src/report/fidelity.ts';
import type { RunReport } from '../../src/report/model.ts';
import { runConformance } from '../../src/runner/run.ts';
import { json, startReferenceServer, type Variant } from '../../src/server/index.ts';
import { SPEC } from '../helpers/helpers.ts';

const variantOf = (name: string): Variant => {
  const found = [...ALTERNATIVES, ...MUTANTS].find((s) => s.variant.name === name);
  if (!found) throw new Error(`no server ${name} in the library`);
  return found.variant;
};

/** A default run of the embedded server (the variant given), compared with the embedded reference. */
const compared = (variant?: string, failOn?: Aspect[]): Promise<RunReport> =>
  runConformance({
    specFile: SPEC,
    runs: 100,
    seed: 20261203,
    strict: false,
    timeoutMs: 3000,
    concurrency: 4,
    ...(variant ? { embeddedVariant: variantOf(variant) } : {}),
    compareWith: failOn ? { failOn } : {},
  });

const aspects = (report: RunReport): string[] => [...new Set(report.fidelity?.differences.map((d) => d.aspect))].sort();
const tags = (report: RunReport): string[] => [...new Set(report.fidelity?.differences.map((d) => d.tag))].sort();

describe.concurrent('--compare-with the embedded reference', () => {
  test('the reference against itself: every case compared, 0 differences', async () => {
    const report = await compared();
    expect(report.fidelity?.compared).toBeGreaterThan(1500);
    expect(report.fidelity?.differences).toEqual([]);
    expect(report.exitCode).toBe(0);
  });

  // each alternative, and what it was built to choose otherwise where the contract allows both
  test.each([
    ['malformed-id-404', ['status']],
    ['validation-before-lookup', ['status']],
    ['unknown-only-200', ['status']],
    ['error-details', ['members']],
    ['mime-type-ignored', ['echo']],
    ['dedupe-tags', ['tags-order']],
  ])('%s: exactly the differences it was built to show (%j), all allowed, exit 0', async (name, shows) => {
    const report = await compared(name);
    expect(aspects(report)).toEqual(shows);
    expect(tags(report)).toEqual(['allowed, differs']);
    expect(report.fidelity?.counts).toMatchObject({ fault: 0, referenceFault: 0 });
    expect(report.exitCode).toBe(0);
  });

  test('a mutant: its fault is tagged fault, and the run fails on the requirement', async () => {
    const report = await compared('name-trimmed');
    const faults = report.fidelity?.differences.filter((d) => d.tag === 'fault') ?? [];
    expect(faults.length).toBeGreaterThan(0);
    expect([...new Set(faults.map((d) => d.aspect))]).toEqual(['echo']);
    expect(faults[0]?.example.target).toMatch(/^name /);
    expect(report.exitCode).toBe(1);
  });

  test('--fidelity: a chosen difference fails the run though the contract allows it; others do not', async () => {
    const chosen = await compared('malformed-id-404', ['status']);
    expect(chosen.fidelity?.fails).toBe(true);
    expect(chosen.exitCode).toBe(1);
    expect(chosen.summary.mustFailed).toBe(0);
    const other = await compared('malformed-id-404', ['members', 'echo']);
    expect(other.fidelity?.fails).toBe(false);
    expect(other.exitCode).toBe(0);
  });
});

describe('a reference that keeps answering 429', () => {
  test("is waited on within the run's share for waiting, then not: the run goes on, nothing compared", async () => {
    const target = await startReferenceServer({ apiKey: 'target-key-0123456789' });
    // every update answered 429 with Retry-After: 1 (reads pass, so that its asset can be read and put back)
    const reference = await startReferenceServer({
      apiKey: 'limited-reference-key-0123',
      variant: {
        name: 'always-429',
        reply: (reply, request) =>
          request.method === 'PUT'
            ? json(429, { code: 'RATE_LIMITED', message: 'slow down' }, { 'retry-after': '1' })
            : reply,
      },
    });
    try {
      const report = await runConformance({
        specFile: SPEC,
        baseUrl: target.baseUrl,
        apiKey: target.apiKey,
        assetId: target.assetId,
        runs: 5,
        seed: 1,
        strict: false,
        timeoutMs: 3000,
        budgetMs: 6000,
        only: ['valid-update'],
        compareWith: { baseUrl: reference.baseUrl, apiKey: reference.apiKey, assetId: reference.assetId },
      });
      expect(report.fidelity?.compared).toBe(0);
      expect(report.exitCode).toBe(0);
      // a quarter of the 6 s budget for waiting: one Retry-After of a second in all, then the 429s are
      // not waited for, and the property runs to its end (waiting three seconds a case, it would not)
      expect(report.properties.map((p) => [p.name, p.interrupted === true])).toEqual([['valid-update', false]]);
      expect(report.requirements.find((r) => r.id === 'UPD-VALID-200')?.cases).toBeGreaterThanOrEqual(5);
    } finally {
      await target.close();
      await reference.close();
    }
  });
});
