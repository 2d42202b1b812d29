/**
 * The suite inside a project's own vitest run: one call in a test file, one vitest test per
 * requirement, with the CLI's verdicts (a test fails exactly when the requirement fails the
 * run), expectations and reports.
 *
 * ```ts
 * // conformance.test.ts
 * import { describeConformance } from 'comfy-assets-conformance/vitest';
 * import { startServer } from './server.js';
 *
 * describeConformance({ server: () => startServer(), runs: 50 });
 * ```
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type RunOptions, runConformance } from './index.ts';
import { differenceLine, fidelityLine } from './render/text.ts';
import { failsRun, type RequirementReport, type RunMode, type RunReport } from './report/model.ts';
import { REQUIREMENTS, type RequirementId } from './requirements.ts';

/** A server started for the suite: where it listens, its key and the asset the run may modify. */
export interface ServerUnderTest {
  baseUrl: string;
  apiKey?: string;
  assetId?: string;
  /** Called after the run. */
  close?(): unknown;
}

export interface ConformanceSuiteOptions extends RunOptions {
  /** Starts the server under test in the test process (instead of `baseUrl`); closed after the run. */
  server?: () => Promise<ServerUnderTest> | ServerUnderTest;
  /** Name of the describe block (default: the suite's name and the seed). */
  name?: string;
  /** The requirements to declare a test for (default: all). */
  requirements?: readonly RequirementId[];
  /** Time the run may take before vitest gives up on it, in ms (default: `runTimeoutMs` and a minute more, else 30 minutes). */
  hookTimeoutMs?: number;
}

/** What a failure says in the test's error: the case, the violations, a curl line and a replay line. */
function failureText(r: RequirementReport): string {
  const cx = r.counterexample;
  if (!cx) return `${r.id} (${r.level}) failed: ${r.title}`;
  return [
    `${r.id} (${r.level}): ${r.title}`,
    `case: ${cx.description}`,
    ...cx.violated.map((v) => `${v.requirement}: ${v.message}`),
    `curl: ${cx.curl}`,
    `replay: ${cx.replay}`,
    ...r.citation.map((c) => `source: ${c}`),
  ].join('\n');
}

/**
 * What a requirement's verdict is as a vitest test: it fails exactly when the requirement fails the
 * run (failsRun); a skip, a SHOULD not met without strict, a known failure and a failure that
 * follows from another are skipped with the reason; the rest passed.
 */
export function testOutcome(r: RequirementReport, mode: RunMode): { outcome: 'pass' | 'fail' | 'skip'; note: string } {
  if (failsRun(r, mode))
    return { outcome: 'fail', note: r.status === 'skip' ? `not exercised: ${r.reason ?? ''}` : failureText(r) };
  if (r.status === 'skip') return { outcome: 'skip', note: r.reason ?? 'not exercised' };
  if (r.status === 'pass') return { outcome: 'pass', note: '' };
  if (r.followsFrom) return { outcome: 'skip', note: `follows from ${r.followsFrom}: ${failureText(r)}` };
  if (r.outcome === 'expected-failure' || r.outcome === 'intermittent')
    return { outcome: 'skip', note: `known failure (${r.expected?.reason ?? 'expectations'}): ${failureText(r)}` };
  return { outcome: 'skip', note: `SHOULD not met (fails only with strict): ${failureText(r)}` };
}

/** The FIDELITY test of a run with a reference: it fails exactly when a difference --fidelity chose was found. */
export function fidelityOutcome(report: RunReport | undefined): { outcome: 'pass' | 'fail'; note: string } {
  const f = report?.fidelity;
  if (!f) return { outcome: 'fail', note: 'the run made no comparison' };
  const note = [fidelityLine(f), ...f.differences.map(differenceLine)].join('\n');
  return { outcome: f.fails ? 'fail' : 'pass', note };
}

/** Declares the suite's tests: call it at the top level of a test file (or inside a describe). */
export function describeConformance(options: ConformanceSuiteOptions = {}): void {
  const { server, name, hookTimeoutMs, requirements, ...run } = options;
  const seed = run.seed ?? Math.floor(Math.random() * 2 ** 31);
  const budget = hookTimeoutMs ?? (run.runTimeoutMs ? run.runTimeoutMs + 60_000 : 30 * 60_000);
  describe(name ?? `comfy-assets-conformance (seed ${seed})`, () => {
    let report: RunReport | undefined;
    let started: ServerUnderTest | undefined;
    beforeAll(async () => {
      started = server ? await server() : undefined;
      const target = started
        ? {
            baseUrl: started.baseUrl,
            ...(started.apiKey !== undefined ? { apiKey: started.apiKey } : {}),
            ...(started.assetId !== undefined ? { assetId: started.assetId } : {}),
          }
        : {};
      report = await runConformance({ ...run, ...target, seed });
    }, budget);
    afterAll(async () => {
      await started?.close?.();
    });
    // --compare-with: one more test, failing exactly when a difference --fidelity chose was found
    if (run.compareWith !== undefined)
      test(`FIDELITY: the answers compared with ${run.compareWith === 'embedded' ? 'the embedded reference server' : run.compareWith}`, () => {
        const { outcome, note } = fidelityOutcome(report);
        if (outcome === 'fail') return expect.fail(note);
        console.info(note);
      });
    for (const requirement of REQUIREMENTS.filter((r) => !requirements || requirements.includes(r.id))) {
      test(`${requirement.id} (${requirement.level}): ${requirement.title}`, (ctx) => {
        const r = report?.requirements.find((x) => x.id === requirement.id);
        if (!report || !r) return expect.fail(`the run made no verdict on ${requirement.id}`);
        const { outcome, note } = testOutcome(r, report);
        if (outcome === 'fail') return expect.fail(note);
        if (outcome === 'skip') return ctx.skip(note);
        expect(r.status).toBe('pass');
      });
    }
  });
}
