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
import { failsRun, type RequirementReport, type RunReport } from './report/model.ts';
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
  /** Time the run may take, in ms (default: `runTimeoutMs` and a minute more, else 30 minutes). */
  timeoutMs?: number;
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

/** Why a requirement that does not fail the run has no pass to show, or null when it passed. */
function notPassed(r: RequirementReport, strict: boolean): string | null {
  if (r.status === 'skip') return r.reason ?? 'not exercised';
  if (r.status === 'pass') return null;
  if (r.followsFrom) return `follows from ${r.followsFrom}: ${failureText(r)}`;
  if (r.outcome === 'expected-failure' || r.outcome === 'intermittent')
    return `known failure (${r.expected?.reason ?? 'expectations'}): ${failureText(r)}`;
  return strict ? null : `SHOULD not met (fails only with strict): ${failureText(r)}`;
}

/** Declares the suite's tests: call it at the top level of a test file (or inside a describe). */
export function describeConformance(options: ConformanceSuiteOptions = {}): void {
  const { server, name, timeoutMs, requirements, ...run } = options;
  const seed = run.seed ?? Math.floor(Math.random() * 2 ** 31);
  const budget = timeoutMs ?? (run.runTimeoutMs ? run.runTimeoutMs + 60_000 : 30 * 60_000);
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
    for (const requirement of REQUIREMENTS.filter((r) => !requirements || requirements.includes(r.id))) {
      test(`${requirement.id} (${requirement.level}): ${requirement.title}`, (ctx) => {
        const r = report?.requirements.find((x) => x.id === requirement.id);
        if (!report || !r) return expect.fail(`the run made no verdict on ${requirement.id}`);
        if (failsRun(r, report.strict)) return expect.fail(failureText(r));
        const why = notPassed(r, report.strict);
        if (why !== null) return ctx.skip(why);
        expect(r.status).toBe('pass');
      });
    }
  });
}
