/**
 * The suite's score, as mutation testing scores a test suite: every mutant (fixtures/servers/
 * mutants) must be caught by the requirement it names, in the mode its level says (MUST: a default
 * run fails; SHOULD: a default run passes and a strict one fails), and every conforming server
 * (the reference and fixtures/servers/alternatives) must pass.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { ALTERNATIVES, MUTANTS } from '../../fixtures/servers/index.ts';
import { requirement } from '../../src/requirements.ts';
import { type RunConfig, runConformance } from '../../src/runner/run.ts';
import { SPEC } from '../helpers/helpers.ts';

const config = (extra: Partial<RunConfig>): RunConfig => ({
  specFile: SPEC,
  runs: 100,
  seed: 20261126,
  strict: false,
  timeoutMs: 3000,
  propertyTimeLimitMs: 20_000,
  concurrency: 4,
  ...extra,
});
const caught = new Set<string>();
const passed = new Set<string>();
const started = Date.now();

describe.concurrent('mutants: each caught by the requirement it names', () => {
  for (const m of MUTANTS) {
    const level = requirement(m.breaks).level;
    test(`${m.variant.name}: ${m.breaks} (${level})`, async () => {
      // One strict run tells both modes: the default-mode verdict is "no MUST failed".
      const report = await runConformance(config({ embeddedVariant: m.variant, strict: true, ...m.runWith }));
      const failed = report.requirements.filter((r) => r.status === 'fail').map((r) => r.id);
      expect(failed, `${m.file} should fail ${m.breaks}`).toContain(m.breaks);
      if (level === 'MUST') expect(report.exitCode).toBe(1);
      else {
        expect(report.summary.mustFailed, `a SHOULD mutant fails no MUST: ${failed.join(', ')}`).toBe(0);
        expect(report.exitCode).toBe(1);
      }
      caught.add(m.variant.name);
    });
  }
});

describe.concurrent('conforming servers: each passes', () => {
  for (const server of [{ file: 'src/server/transport.ts', variant: undefined }, ...ALTERNATIVES]) {
    const name = server.variant?.name ?? 'reference';
    test(name, async () => {
      const report = await runConformance(config(server.variant ? { embeddedVariant: server.variant } : {}));
      const failed = report.requirements
        .filter((r) => r.status === 'fail' && r.level === 'MUST')
        .map((r) => `${r.id}: ${r.counterexample?.violated.find((v) => v.requirement === r.id)?.message}`);
      expect(failed, `${server.file}: ${failed.join('; ')}`).toEqual([]);
      expect(report.exitCode).toBe(0);
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
