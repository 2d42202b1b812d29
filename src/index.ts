/**
 * The library: a conformance run from code, with the CLI's options, verdicts, expectations and
 * reports, on the floor the CLI stands on (src/api/). The options are the CLI's (`--runs` is
 * `runs`, `--asset-id` is `assetId`), each read and checked by its row of the same table (no
 * command line in between), so a bad value is the same UsageError the CLI exits 2 with.
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
import { FETCH_OPTION, type Options, optionsFromValues } from './api/options.ts';
import { checkTargetOptions, reportedRun } from './api/run.ts';
import { loadContract } from './contract/load.ts';
import { UsageError } from './errors.ts';
import type { FetchHandler } from './exchange/in-process.ts';
import { keySecrets } from './generators/keys.ts';
import type { RunReport } from './report/model.ts';
import { makeRedactor } from './report/redact.ts';

export { RunError, SpecError, UsageError } from './errors.ts';
export type { FetchHandler } from './exchange/in-process.ts';
export type { RequirementReport, RunReport } from './report/model.ts';
export { REQUIREMENTS, type Requirement, type RequirementId } from './requirements.ts';
export {
  createReferenceHandler,
  type ReferenceHandler,
  type ReferenceHandlerOptions,
} from './server/fetch.ts';
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
  'headers',
  'uploadFields',
  'profile',
  'compareWith',
  'compareAssetId',
  'compareApiKey',
  'fidelity',
] as const satisfies readonly (keyof Options)[];

/** Options of a run: the CLI's, by the names of its Options; other keys are ignored. */
export type RunOptions = Partial<
  Omit<Pick<Options, (typeof RUN_KEYS)[number] | 'proxy'>, 'assetId' | 'createAsset'>
> & {
  /** The asset the run may modify, or several (a list, or ids comma-separated). */
  assetId?: string | string[];
  /** Upload assets for the run: true for one, or how many. */
  createAsset?: boolean | number;
  /**
   * An in-process target instead of `baseUrl`: a fetch handler (Hono's `app.fetch`, MSW handlers
   * through `getResponse`), called with each request. Requirements about the HTTP connection are
   * reported as not exercised.
   */
  fetch?: FetchHandler;
  /** Aborting it stops the run; the asset is restored and the report made as after Ctrl-C. */
  signal?: AbortSignal;
  /** Progress lines, as the CLI prints them on stderr (default: none). */
  onProgress?: (line: string) => void;
};

/** The in-process target, checked: a function, and not beside a base URL. */
function handlerOf(options: RunOptions): FetchHandler | undefined {
  const { fetch } = options;
  if (fetch === undefined) return undefined;
  if (typeof fetch !== 'function')
    throw new UsageError(`fetch must be a function (Request) => Response, not ${typeof fetch}`);
  if (options.baseUrl !== undefined) throw new UsageError('give baseUrl or fetch, not both: each is a target');
  return fetch;
}

/**
 * Runs the suite: against `fetch` (an in-process handler), `baseUrl`, or the embedded reference
 * server when both are absent. The reports are written to `reportDir` ('conformance-report' by
 * default; '' writes none). Throws UsageError, SpecError or RunError when the run cannot be made
 * (the CLI's exit code 2).
 */
export async function runConformance(options: RunOptions = {}): Promise<RunReport> {
  const handler = handlerOf(options);
  const values: Record<string, unknown> = Object.fromEntries(
    RUN_KEYS.flatMap((k) => (options[k] !== undefined ? [[k, options[k]]] : [])),
  );
  if (handler) values['handler'] = FETCH_OPTION;
  // '' writes no reports: not a directory the table would check
  const { reportDir, ...rest } = values;
  const parsed = { ...optionsFromValues(reportDir === '' ? rest : values), ...(reportDir === '' ? { reportDir } : {}) };
  const contract = loadContract(parsed.spec);
  checkTargetOptions(parsed, contract, handler !== undefined);
  const redact = makeRedactor(keySecrets(parsed.apiKey, parsed.compareApiKey));
  const { report } = await reportedRun(parsed, contract, (line) => options.onProgress?.(redact(line)), redact, {
    signal: options.signal ?? new AbortController().signal,
    ...(handler ? { handler } : {}),
  });
  return report;
}
