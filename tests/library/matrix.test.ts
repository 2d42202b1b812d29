/**
 * The suite's score, as mutation testing scores a test suite: every mutant (fixtures/servers/
 * mutants) must fail exactly the requirements it declares (the one it breaks, and the others with
 * their reasons), in the mode its level says (MUST: a default run fails; SHOULD: a default run
 * passes and a strict one fails), and every conforming server (the reference and fixtures/servers/
 * alternatives) must pass, in strict mode too but for the SHOULDs it names with the reason.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { ALTERNATIVES, MUTANTS, type Reasons } from '../../fixtures/servers/index.ts';
import type { RunReport } from '../../src/report/model.ts';
import { type RequirementId, requirement } from '../../src/requirements.ts';
import { type RunConfig, runConformance } from '../../src/runner/run.ts';
import { SPEC } from '../helpers/helpers.ts';

const config = (extra: Partial<RunConfig>): RunConfig => ({
  specFile: SPEC,
  runs: 100,
  seed: 20261126,
  strict: false,
  timeoutMs: 3000,
  // far above what a property takes (a hang's properties stop after 2 timeouts of 3 s): under load
  // the verdict must stay whole, and an interrupted property fails the test
  propertyTimeLimitMs: 120_000,
  concurrency: 4,
  ...extra,
});
const caught = new Set<string>();
const passed = new Set<string>();
const started = Date.now();

/** The failing requirements of a report, each with its first violation's message (for a readable diff). */
const failures = (report: RunReport): Record<string, string> =>
  Object.fromEntries(
    report.requirements
      .filter((r) => r.status === 'fail')
      .map((r) => [r.id, r.counterexample?.violated.find((v) => v.requirement === r.id)?.message ?? r.title]),
  );

/**
 * The run failed exactly these requirements (the diff shows each failure's message); `whole`: no
 * property was cut short by its time limit, else the verdict would be a part of one.
 */
function expectVerdict(report: RunReport, file: string, expected: string[], whole: boolean): void {
  if (whole)
    expect(
      report.properties.filter((p) => p.interrupted).map((p) => p.name),
      'cut short',
    ).toEqual([]);
  const failed = failures(report);
  expect(Object.keys(failed).sort(), `${file}: ${JSON.stringify(failed, null, 1)}`).toEqual([...expected].sort());
}

/** Which requirement each declared "follows from X" reason names. */
const followsFromOf = (reasons: Reasons): Record<string, string> =>
  Object.fromEntries(
    Object.entries(reasons).flatMap(([id, reason]) => {
      const from = /^follows from ([A-Z0-9-]+)/.exec(reason ?? '')?.[1];
      return from ? [[id, from]] : [];
    }),
  );

describe.concurrent('mutants: each fails exactly what it declares (breaks, and alsoFails with the reasons)', () => {
  for (const m of MUTANTS) {
    const level = requirement(m.breaks).level;
    test(`${m.variant.name}: ${m.breaks} (${level})`, async () => {
      // One strict run tells both modes: the default-mode verdict is "no MUST failed".
      const report = await runConformance(config({ embeddedVariant: m.variant, strict: true, ...m.runWith }));
      // (a hang's properties stop after their timeouts: cut short by design)
      expectVerdict(report, m.file, [m.breaks, ...Object.keys(m.alsoFails)], m.breaks !== 'RESP-TIMELY');
      // a failure the report marks as following from another is declared so, and only those
      const following = Object.fromEntries(
        report.requirements.filter((r) => r.followsFrom).map((r) => [r.id, r.followsFrom]),
      );
      const declared = {
        ...followsFromOf(m.alsoFails),
        ...(m.breaksFollowsFrom ? { [m.breaks]: m.breaksFollowsFrom } : {}),
      };
      expect(following, m.file).toEqual(declared);
      expect(report.exitCode).toBe(1);
      if (level === 'SHOULD') expect(report.summary.mustFailed, 'a SHOULD mutant fails no MUST').toBe(0);
      caught.add(m.variant.name);
    });
  }
});

describe.concurrent('conforming servers: each passes, in strict mode too (but for the SHOULDs it names)', () => {
  const reference = { file: 'src/server/transport.ts', variant: undefined, shouldMisses: {} };
  for (const server of [reference, ...ALTERNATIVES]) {
    const name = server.variant?.name ?? 'reference';
    test(name, async () => {
      const report = await runConformance(
        config({ strict: true, ...(server.variant ? { embeddedVariant: server.variant } : {}) }),
      );
      expectVerdict(report, server.file, Object.keys(server.shouldMisses), true);
      for (const id of Object.keys(server.shouldMisses))
        expect(requirement(id as RequirementId).level, id).toBe('SHOULD');
      expect(report.summary.mustFailed).toBe(0);
      expect(report.exitCode).toBe(Object.keys(server.shouldMisses).length > 0 ? 1 : 0);
      // Without GET (and with 400 for a body of unknown properties) the values are never shown before the run.
      expect(report.restore.status).toBe(server.variant?.get === false ? 'not-possible' : 'restored');
      passed.add(name);
    });
  }
});

describe('the library', () => {
  test('covers every requirement of the catalogue with a mutant, and has enough of both kinds', async () => {
    const { REQUIREMENTS } = await import('../../src/requirements.ts');
    const named = new Set(MUTANTS.map((m) => m.breaks));
    expect(REQUIREMENTS.filter((r) => !named.has(r.id)).map((r) => r.id)).toEqual([]);
    expect(MUTANTS.length).toBeGreaterThanOrEqual(30);
    expect(ALTERNATIVES.length).toBeGreaterThanOrEqual(12);
  });
});

afterAll(() => {
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    `\ncaught ${caught.size}/${MUTANTS.length} mutants, ${passed.size}/${ALTERNATIVES.length + 1} conforming servers passed (${seconds} s)\n`,
  );
});
