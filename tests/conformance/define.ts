/**
 * The conformance suite as vitest tests: one file per property, one test per requirement the
 * property judges. The run is configured by the same CONFORMANCE_* environment variables as the
 * CLI and goes through the same engine, so `npx vitest run --project conformance` and
 * `npm run conformance` give the same verdicts (vitest adds its reporters, filters and --shard).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { configFromOptions } from '../../src/cli/config.ts';
import { parseOptions } from '../../src/cli/options.ts';
import { propertyByName } from '../../src/properties/index.ts';
import type { RequirementReport, RunReport } from '../../src/report/model.ts';
import { REQUIREMENTS, type RequirementId } from '../../src/requirements.ts';
import { runConformance } from '../../src/runner/run.ts';

const EVERY_RESPONSE = REQUIREMENTS.filter((r) => r.id.startsWith('RESP-')).map((r) => r.id);

function formatFailure(r: RequirementReport): string {
  const cx = r.counterexample;
  if (!cx) return `${r.id} failed`;
  return [
    `${r.id} (${r.level}): ${r.title}`,
    `case: ${cx.description}`,
    ...cx.violated.map((v) => `${v.requirement}: ${v.message}`),
    `curl: ${cx.curl}`,
    `replay: ${cx.replay}`,
    ...r.citation.map((c) => `source: ${c}`),
  ].join('\n');
}

export function conformanceProperty(name: string): void {
  const def = propertyByName(name);
  if (!def) throw new Error(`no property named ${name}`);
  const options = parseOptions([], process.env);
  const ids: RequirementId[] = [...EVERY_RESPONSE, ...def.requirements.filter((id) => !EVERY_RESPONSE.includes(id))];

  describe(`${def.name}: ${def.title} (seed ${options.seed})`, () => {
    let report: RunReport;
    beforeAll(async () => {
      report = await runConformance(configFromOptions({ ...options, properties: [def.name] }));
    });
    for (const id of ids) {
      const r0 = REQUIREMENTS.find((r) => r.id === id);
      test(`${id} (${r0?.level}): ${r0?.title}`, (ctx) => {
        const r = report.requirements.find((x) => x.id === id) as RequirementReport;
        if (r.status === 'skip') ctx.skip(r.reason ?? 'not exercised');
        if (r.status === 'fail' && r.level === 'SHOULD' && !options.strict)
          ctx.skip(`SHOULD not met (fails only with strict mode): ${formatFailure(r)}`);
        if (r.status === 'fail') expect.fail(formatFailure(r));
        expect(r.status).toBe('pass');
      });
    }
  });
}
