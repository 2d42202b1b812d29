/**
 * --replay: every counterexample of a report (each requirement's first and the further ones of
 * other kinds), run again from its seed and path, the asset first put in the state the case met.
 */

import { configFromOptions } from '../api/config.ts';
import type { Options } from '../api/options.ts';
import type { Contract } from '../contract/load.ts';
import { RunError, UsageError } from '../errors.ts';
import { PROPERTIES } from '../properties/index.ts';
import { readColumn } from '../render/compare.ts';
import type { CounterexampleReport, RequirementReport, RunReport } from '../report/model.ts';
import { type RunConfig, runConformance } from '../runner/run.ts';

/**
 * The target of a replay: the report's own (its base URL and assets, the key from the environment),
 * unless the options name one, which is then said. A report made on the embedded server replays
 * there; one made elsewhere never does.
 */
export function replayTarget(options: Options, err: (line: string) => void): Options {
  const file = options.replay as string;
  const { target } = readColumn(file).report;
  const given = options.baseUrl ?? (options.handler !== undefined ? `the handler ${options.handler}` : undefined);
  const made = target.embedded
    ? 'the embedded reference server'
    : target.inProcess
      ? 'an in-process handler'
      : target.baseUrl;
  if (given !== undefined && (target.embedded || target.inProcess || given !== target.baseUrl)) {
    err(
      `replaying against ${given} as given (${target.embedded || target.inProcess ? `the report was made on ${made}` : `the report's target was ${made}`})`,
    );
    if (target.embedded) return options;
  } else if (target.embedded) {
    err('replaying against the embedded reference server, where the report was made');
    const { apiKey: _key, ...rest } = options;
    return rest;
  }
  if (given === undefined && target.inProcess)
    throw new UsageError(`${file} was made on an in-process handler: give --handler FILE[#EXPORT] to replay it`);
  if (given === undefined && !/^https?:\/\//.test(target.baseUrl ?? ''))
    throw new UsageError(`${file} names no target to replay against: give --base-url and --asset-id`);
  const ids = target.assetIds ?? [target.assetId];
  const assets =
    options.assetId !== undefined || options.createAsset > 0
      ? {}
      : target.createdAsset
        ? { createAsset: ids.length }
        : { assetId: ids };
  if (given === undefined || given === target.baseUrl)
    err(
      `replaying against ${target.baseUrl}, the report's target, on ${
        assets.createAsset
          ? `a new asset (the report's run created its own and deleted it)`
          : `asset ${(assets.assetId ?? options.assetId ?? []).join(', ')}`
      }`,
    );
  return given === undefined ? { ...options, baseUrl: target.baseUrl, ...assets } : { ...options, ...assets };
}

/** Every counterexample of the report that a property of this suite can replay, with its requirement. */
function replayable(requirements: readonly RequirementReport[]): [RequirementReport, CounterexampleReport][] {
  return requirements.flatMap((r) =>
    [r.counterexample, ...(r.more ?? [])]
      .filter((cx): cx is CounterexampleReport => cx !== undefined && PROPERTIES.some((p) => p.name === cx.property))
      .map((cx): [RequirementReport, CounterexampleReport] => [r, cx]),
  );
}

export async function replayFailures(
  file: string,
  options: Options,
  contract: Contract,
  extra: Partial<RunConfig>,
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  const { report } = readColumn(file);
  const failures = replayable(report.requirements);
  if (failures.length === 0) {
    out(`${file}: no failure to replay`);
    return 0;
  }
  let reproduced = 0;
  for (const [r, cx] of failures) {
    const kind = cx.kind ? ` [${cx.kind}]` : '';
    err(`replaying ${r.id}${kind}: property ${cx.property}, seed ${cx.seed}, path ${cx.path}`);
    let again: RunReport;
    try {
      again = await runConformance(
        configFromOptions(
          {
            ...options,
            properties: [cx.property],
            seed: cx.seed,
            runs: report.runs,
            path: cx.path,
            // the asset the case was sent to, when the report's run had several and it is among those given
            ...(cx.assetId && options.assetId?.includes(cx.assetId) ? { assetId: [cx.assetId] } : {}),
          },
          { ...extra, ...(cx.stateBefore ? { startFrom: cx.stateBefore } : {}) },
        ),
        contract,
      );
    } catch (error) {
      // the recorded state could not be set (a conforming server refuses what a faulty one took)
      if (!(error instanceof RunError)) throw error;
      out(`not reproduced  ${r.id} (${r.level})${kind}: ${error.message}`);
      continue;
    }
    const now = again.requirements.find((x) => x.id === r.id);
    const still = now?.status === 'fail';
    if (still) reproduced++;
    const message = still
      ? `: ${now?.counterexample?.violated.find((v) => v.requirement === r.id)?.message ?? ''}`
      : '';
    out(`${still ? 'REPRODUCED' : 'not reproduced'}  ${r.id} (${r.level})${kind}${message}`);
  }
  out(`${reproduced} of ${failures.length} failure(s) reproduced`);
  return reproduced > 0 ? 1 : 0;
}
