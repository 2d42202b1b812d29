/** --replay: every failure of a report, run again from its seed and path. */
import { PROPERTIES } from '../properties/index.ts';
import { readColumn } from '../render/compare.ts';
import { type RunConfig, runConformance } from '../runner/run.ts';
import type { Contract } from '../spec/load.ts';
import { configFromOptions } from './config.ts';
import type { Options } from './options.ts';

export async function replayFailures(
  file: string,
  options: Options,
  contract: Contract,
  extra: Partial<RunConfig>,
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  const { report } = readColumn(file);
  const failures = report.requirements.filter(
    (r) => r.counterexample && PROPERTIES.some((p) => p.name === r.counterexample?.property),
  );
  if (failures.length === 0) {
    out(`${file}: no failure to replay`);
    return 0;
  }
  let reproduced = 0;
  for (const r of failures) {
    const cx = r.counterexample as NonNullable<typeof r.counterexample>;
    err(`replaying ${r.id}: property ${cx.property}, seed ${cx.seed}, path ${cx.path}`);
    const again = await runConformance(
      configFromOptions(
        { ...options, properties: [cx.property], seed: cx.seed, runs: report.runs, path: cx.path },
        extra,
      ),
      contract,
    );
    const now = again.requirements.find((x) => x.id === r.id);
    const still = now?.status === 'fail';
    if (still) reproduced++;
    const message = still
      ? `: ${now?.counterexample?.violated.find((v) => v.requirement === r.id)?.message ?? ''}`
      : '';
    out(`${still ? 'REPRODUCED' : 'not reproduced'}  ${r.id} (${r.level})${message}`);
  }
  out(`${reproduced} of ${failures.length} failure(s) reproduced`);
  return reproduced > 0 ? 1 : 0;
}
