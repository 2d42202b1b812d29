/**
 * A run as the CLI, the library and the vitest entry make it: the options checked against the
 * contract, progress lines, the run, the expectations applied and the reports written. Below the
 * command line (src/cli/), which adds argv, interrupts, replays and the terminal's summary.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Contract } from '../contract/load.ts';
import { UsageError } from '../errors.ts';
import { IN_PROCESS_ORIGIN } from '../exchange/in-process.ts';
import { progressLine } from '../render/terminal.ts';
import { writeReports } from '../render/write.ts';
import {
  applyExpectations,
  type ExpectationsFile,
  loadExpectations,
  TODO_REASON,
  updatedExpectations,
  writeExpectations,
} from '../report/expectations.ts';
import type { RunReport } from '../report/model.ts';
import type { Redactor } from '../report/redact.ts';
import type { RunEvent } from '../runner/engine.ts';
import type { RunConfig, SetupEvent } from '../runner/run.ts';
import { runConformance } from '../runner/run.ts';
import { compileValidators } from '../schemas/compile.ts';
import { configFromOptions } from './config.ts';
import type { Options } from './options.ts';

/** What is left to clean when a second interrupt ends the process at once. */
export interface Pending {
  snapshots: { assetId: string; values: Record<string, unknown> }[];
  created: string[];
}

function readCa(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --ca file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

/** What the options say about the target that only the contract can check. */
export function checkTargetOptions(options: Options, contract: Contract, inProcess = false): void {
  for (const id of options.assetId ?? []) {
    const errors = compileValidators(contract).pathParam(id);
    const why = errors.map((e) => e.message.replace('(root) ', '')).join('; ');
    if (errors.length > 0)
      throw new UsageError(`--asset-id "${id}" is not a valid ${contract.pathParam.name} for this spec (${why})`);
  }
  const keyHeader = contract.auth?.header.toLowerCase();
  if (keyHeader !== undefined && Object.hasOwn(options.headers ?? {}, keyHeader))
    throw new UsageError(
      `--header cannot set ${contract.auth?.header}, the key's header: give the key in CONFORMANCE_API_KEY (or --api-key)`,
    );
  if (options.compareAssetId !== undefined && compileValidators(contract).pathParam(options.compareAssetId).length > 0)
    throw new UsageError(
      `--compare-asset-id "${options.compareAssetId}" is not a valid ${contract.pathParam.name} for this spec`,
    );
  if (
    options.compareWith !== undefined &&
    options.compareWith !== 'embedded' &&
    contract.auth &&
    !options.compareApiKey
  )
    throw new UsageError(
      `the spec requires ${contract.auth.header}: give the reference's key in CONFORMANCE_COMPARE_API_KEY (or --compare-api-key)`,
    );
  if ((options.baseUrl !== undefined || inProcess) && contract.auth && options.apiKey === undefined) {
    throw new UsageError(
      `the spec requires ${contract.auth.header}: give the key in CONFORMANCE_API_KEY (or --api-key)`,
    );
  }
}

/** The progress lines of a run, and what an interrupt would have to clean. */
function onRunEvent(
  options: Options,
  pending: Pending,
  err: (line: string) => void,
): (event: RunEvent | SetupEvent) => void {
  return (event) => {
    if (event.type === 'preflight') {
      const target =
        event.baseUrl === IN_PROCESS_ORIGIN
          ? `an in-process handler${options.handler ? ` (${options.handler})` : ''}`
          : (options.baseUrl ?? `${event.baseUrl} (embedded reference server)`);
      const get = event.hasGet ? ', GET available' : ', no GET';
      err(`target ${target}, asset ${event.assetId}${get}, answers in ${event.latencyMs} ms`);
    } else if (event.type === 'reference') {
      err(
        `reference ${event.baseUrl ?? 'the embedded reference server'}, asset ${event.assetId}: every case is sent to it too (--compare-with)`,
      );
    } else if (event.type === 'snapshot') {
      pending.snapshots.push({ assetId: event.assetId, values: event.values });
    } else if (event.type === 'created') {
      pending.created.push(event.id);
      err(`created asset ${event.id} for this run (deleted at the end)`);
    } else if (event.type === 'leftovers') {
      const found = event.leftovers
        .map((l) => `${l.id} (${l.tags.find((t) => t.startsWith('conformance-run-'))})`)
        .join(', ');
      err(
        `found ${event.leftovers.length} asset(s) left by earlier runs: ${found}${event.deleting ? ': deleting them' : ': delete them with --delete-leftovers'}`,
      );
    } else {
      const line = progressLine(event, options.color);
      if (line) err(line);
    }
  };
}

/** --expectations: what the verdicts mean against what is known (and --update-expectations rewrites the file). */
function withExpectations(
  report: RunReport,
  options: Options,
  known: ExpectationsFile | null,
  err: (line: string) => void,
): RunReport {
  const file = options.expectations;
  if (file === undefined || known === null) return report;
  if (!options.updateExpectations) return applyExpectations(report, known, file);
  const next = updatedExpectations(report, known);
  writeExpectations(file, next, report);
  const todo = Object.values(next.requirements).filter((e) => e?.reason === TODO_REASON).length;
  err(
    `wrote ${file}: ${Object.keys(next.requirements).length} known failure(s)${todo ? `, ${todo} with a TODO reason to fill in` : ''}`,
  );
  return applyExpectations(report, next, file);
}

const header = (options: Options, contract: Contract): string =>
  `comfy-assets-conformance: ${contract.method} ${contract.path} from ${relative(process.cwd(), options.spec) || options.spec}, seed ${options.seed}, ${options.runs} runs per property${options.strict ? ', strict' : ''}${options.budget > 0 ? `, planned for ${options.budget} s` : ''}`;

/**
 * A run as the CLI makes it: progress lines to `err`, the expectations applied and the reports
 * written (none when reportDir is ''). The library and the vitest entry run through this too.
 */
export async function reportedRun(
  options: Options,
  contract: Contract,
  err: (line: string) => void,
  redact: Redactor,
  extra: Partial<RunConfig>,
  pending: Pending = { snapshots: [], created: [] },
): Promise<{ report: RunReport; files: string[] }> {
  const config = configFromOptions(options, {
    ...(options.ca ? { ca: readCa(options.ca) } : {}),
    ...extra,
    onEvent: onRunEvent(options, pending, err),
  });
  err(header(options, contract));
  // A bad expectations file is a usage error before anything is sent.
  const known =
    options.expectations !== undefined ? loadExpectations(options.expectations, options.updateExpectations) : null;
  const report = withExpectations(await runConformance(config, contract), options, known, err);
  const files = options.reportDir ? writeReports(options.reportDir, report, redact) : [];
  return { report, files };
}
