/**
 * The library: a conformance run from code, with the CLI's options, verdicts, expectations and
 * reports. The options are the CLI's (`--runs` is `runs`, `--asset-id` is `assetId`), read and
 * checked by the same table, so a bad value is the same UsageError the CLI exits 2 with.
 *
 * ```ts
 * import { runConformance, startReferenceServer } from 'comfy-assets-conformance';
 *
 * const server = await startReferenceServer();
 * const report = await runConformance({ baseUrl: server.baseUrl, apiKey: server.apiKey, assetId: server.assetId });
 * await server.close();
 * console.log(report.exitCode, report.summary);
 * ```
 */
import { OPTIONS, type Options, parseOptions } from './cli/options.ts';
import { checkTargetOptions, reportedRun } from './cli/run-command.ts';
import { keySecrets } from './generators/keys.ts';
import type { RunReport } from './report/model.ts';
import { makeRedactor } from './report/redact.ts';
import { loadContract } from './spec/load.ts';

export { RunError, SpecError, UsageError } from './errors.ts';
export type { RequirementReport, RunReport } from './report/model.ts';
export { REQUIREMENTS, type Requirement, type RequirementId } from './requirements.ts';
export { type ReferenceServer, type ReferenceServerOptions, startReferenceServer } from './server/transport.ts';

/** The CLI's options a run from code takes (not replay, list or help), by the names of its Options. */
const RUN_KEYS = [
  'baseUrl',
  'apiKey',
  'assetId',
  'createAsset',
  'deleteLeftovers',
  'allowUnrestored',
  'spec',
  'runs',
  'seed',
  'strict',
  'requireCoverage',
  'timeoutMs',
  'reportDir',
  'properties',
  'counterexamples',
  'concurrency',
  'rate',
  'maxRequests',
  'runTimeoutMs',
  'budget',
  'ca',
  'expectations',
] as const satisfies readonly (keyof Options)[];

/** Options of a run: the CLI's, by the names of its Options; other keys are ignored. */
export type RunOptions = Partial<Omit<Pick<Options, (typeof RUN_KEYS)[number]>, 'assetId' | 'createAsset'>> & {
  /** The asset the run may modify, or several (a list, or ids comma-separated). */
  assetId?: string | string[];
  /** Upload assets for the run: true for one, or how many. */
  createAsset?: boolean | number;
  /** Aborting it stops the run; the asset is restored and the report made as after Ctrl-C. */
  signal?: AbortSignal;
  /** Progress lines, as the CLI prints them on stderr (default: none). */
  onProgress?: (line: string) => void;
};

const text = (value: unknown): string =>
  Array.isArray(value) ? value.join(',') : typeof value === 'object' ? JSON.stringify(value) : String(value);

/** The options as the CLI's flags, so that one table reads and checks them. */
function argvOf(options: RunOptions): string[] {
  const argv: string[] = [];
  for (const def of OPTIONS) {
    if (!(RUN_KEYS as readonly string[]).includes(def.key)) continue;
    const value = (options as Record<string, unknown>)[def.key];
    if (value === undefined || value === false) continue;
    argv.push(def.type === 'boolean' ? `--${def.flag}` : `--${def.flag}=${text(value)}`);
  }
  return argv;
}

/**
 * Runs the suite: against `baseUrl`, or the embedded reference server when it is absent. The
 * reports are written to `reportDir` ('conformance-report' by default; '' writes none). Throws
 * UsageError, SpecError or RunError when the run cannot be made (the CLI's exit code 2).
 */
export async function runConformance(options: RunOptions = {}): Promise<RunReport> {
  const { reportDir, ...rest } = options;
  const parsed = {
    ...parseOptions(argvOf(reportDir === '' ? rest : options), {}),
    ...(reportDir === '' ? { reportDir } : {}),
    // progress lines go to a callback, not a terminal: no colour codes
    color: false,
  };
  const contract = loadContract(parsed.spec);
  checkTargetOptions(parsed, contract);
  const redact = makeRedactor(keySecrets(parsed.apiKey ?? ''));
  const { report } = await reportedRun(parsed, contract, (line) => options.onProgress?.(redact(line)), redact, {
    signal: options.signal ?? new AbortController().signal,
  });
  return report;
}
