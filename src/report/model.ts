/**
 * The report model: what a run found, as data, and the one rule of what fails a run. The engine
 * produces the raw results (tallies, counterexamples, property results); `build.ts` turns them
 * into a RunReport; every renderer and the exit code read the verdicts through `failsRun`.
 */
import { readFileSync } from 'node:fs';
import type { Violation } from '../checks/checks.ts';
import type { Exchange } from '../exchange/perform.ts';
import type { Level, ProfileName, RequirementId } from '../requirements.ts';
import type { FidelityReport } from './fidelity.ts';

/** The suite's name and version, from its package.json (src/ and dist/ are both one level below it). */
export const TOOL: { name: string; version: string; command: string } = (() => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;
  const name = String(pkg['name']);
  return { name, version: String(pkg['version']), command: `npx ${name}` };
})();

// --- raw results of the engine ---------------------------------------------------------------

export interface Counterexample {
  property: string;
  seed: number;
  /** fast-check's path to the shrunk case: with the seed, it regenerates exactly this case. */
  path: string;
  /** What was sent, one line per request (several for a sequence). */
  steps: string[];
  /** Every exchange of the counterexample; the last one showed the violation. */
  exchanges: Exchange[];
  /** Every violation the counterexample shows (not only this requirement's). */
  violations: Violation[];
  /** What sets it apart from the requirement's other counterexamples (Violation.kind). */
  kind: string;
  /**
   * The asset's values (the body properties) as the run knew them before the case was sent, for a
   * case whose outcome may depend on them; a replay puts the asset in this state first.
   */
  stateBefore?: Record<string, unknown>;
  /** It did not show again from that state either: it depends on more of the history (a replay may miss it). */
  history?: boolean;
  /** The asset it was sent to, when the run had several. */
  assetId?: string;
}

export interface PropertyResult {
  name: string;
  title: string;
  status: 'pass' | 'fail' | 'skip';
  skipReason?: string;
  /** Exchanges judged (shrinking and masked re-runs included). */
  cases: number;
  /** Cases discarded: a shrunk case that no longer was what it claimed, or an answer that stayed 429. */
  discarded: number;
  ms: number;
  interrupted: boolean;
  /** Why it sent less than its runs (a time limit, its share of the budget, timeouts, a stopped run). */
  cut?: string;
  /** fast-check gave up: too many generated values could not be judged. */
  gaveUp?: boolean;
  failed: RequirementId[];
}

export interface RequirementTally {
  cases: number;
  /** Up to a few counterexamples, each of its own kind, in the order found. */
  counterexamples: Counterexample[];
}

/** Whether the asset's values were put back after the run. */
export interface RestoreResult {
  status: 'restored' | 'failed' | 'not-possible';
  /** The fields put back. */
  fields: string[];
  /** The values before the run (what to put back by hand when the restore failed). */
  original: Record<string, unknown>;
  message: string;
}

/** With --create-asset: whether the asset the run created was deleted. */
export interface Cleanup {
  status: 'deleted' | 'failed';
  id: string;
  message: string;
}

/** An asset an earlier run created and left behind (found by its tags). */
export interface Leftover {
  id: string;
  name: string;
  tags: string[];
}

// --- the report --------------------------------------------------------------------------------

type Status = 'pass' | 'fail' | 'skip';

export interface ExchangeReport {
  request: { method: string; url: string; headers: Record<string, string>; body?: string };
  response: {
    status?: number;
    headers?: Record<string, string>;
    body?: string;
    failure?: string;
    ms: number;
    /** The request was sent twice: how the first attempt ended (its connection closed before any answer). */
    resentAfter?: string;
  };
}

interface StepReport extends ExchangeReport {
  n: number;
  line: string;
  curl: string;
}

export interface CounterexampleReport extends ExchangeReport {
  property: string;
  seed: number;
  path: string;
  /** What the last request sent (the one that showed the violation). */
  description: string;
  /** For a sequence: every request, numbered, with its curl line and the exchange. */
  steps?: StepReport[];
  violated: { requirement: string; message: string }[];
  /** What sets it apart from the requirement's other counterexamples (a keyword and pointer, fields, a status). */
  kind?: string;
  /** The asset's values the case met, when they differ from those before the run: a replay sets them first. */
  stateBefore?: Record<string, unknown>;
  /** Tried again from that state, it did not show: it depends on more of the history than the asset's values. */
  history?: boolean;
  /** The asset it was sent to, when the run had several (the replay command names it). */
  assetId?: string;
  curl: string;
  replay: string;
}

/** A known failure of a target, as its expectations file says. */
export interface KnownFailure {
  reason: string;
  link?: string;
  /** Known to fail only sometimes: a pass is not "fixed", a failure is not new. */
  intermittent?: boolean;
}

/** What a requirement's verdict means against the expectations. */
export type ExpectationOutcome = 'new-failure' | 'expected-failure' | 'fixed' | 'intermittent';

export interface RequirementReport {
  id: RequirementId;
  level: Level;
  title: string;
  status: Status;
  cases: number;
  /** Where the rule comes from. */
  citation: string[];
  /** With --expectations: the entry for this requirement, and what the verdict means against it. */
  expected?: KnownFailure;
  outcome?: ExpectationOutcome;
  /** Why nothing was judged (status skip). */
  reason?: string;
  counterexample?: CounterexampleReport;
  /** Further counterexamples of other kinds (a different keyword or pointer, field, or status received). */
  more?: CounterexampleReport[];
  /**
   * A derived requirement whose every counterexample follows from an earlier failure of this one,
   * on the same fields: reported, and the run is judged on that one.
   */
  followsFrom?: RequirementId;
  /** The run's profile does not hold it (a stateless mock and what an update does): status skip, never a verdict. */
  notRequired?: true;
  /**
   * The target cannot show it (a requirement about the HTTP connection, an in-process handler):
   * status skip, reported as not exercised, never a verdict, --require-coverage included.
   */
  unexercisable?: true;
}

/** One row of the coverage tables: what it is, how many exchanges of the run exercised it. */
export interface CoverageRow {
  name: string;
  cases: number;
  note?: string;
}

/**
 * What the run tried, so that a reader sees what it did not: each constraint of the body schema
 * (cases that broke it), each status (documented or received), each row of the edge table.
 */
export interface Coverage {
  keywords: CoverageRow[];
  statuses: CoverageRow[];
  edges: (CoverageRow & { standard: string; requirement: string })[];
}

/** The rows of a coverage table that no exchange exercised. */
export const unexercised = (rows: readonly CoverageRow[]): CoverageRow[] => rows.filter((r) => r.cases === 0);

export interface RequestCounts {
  sent: number;
  rateLimited: number;
  retries: number;
  /** Sent again after a connection died before any answer (absent in older reports). */
  resetRetries?: number;
}

/** The version of report.json's shape (schema/report.schema.json): raised by a change that breaks a reader. */
export const REPORT_SCHEMA_VERSION = 1;

export interface RunReport {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  tool: typeof TOOL;
  /** assetId: the run's asset, the first when it had several; assetIds: all of them, when several. */
  target: {
    baseUrl: string;
    embedded: boolean;
    /** An in-process fetch handler, called with each request: no connection (absent in older reports). */
    inProcess?: true;
    assetId: string;
    assetIds?: string[];
    hasGet: boolean;
    /** The quickest answer of the first check of the target, in ms (absent in older reports). */
    latencyMs?: number;
    createdAsset: boolean;
  };
  runId: string;
  /** Why the run stopped before its end (interrupt, request budget, run time limit), or null. */
  stopped: string | null;
  /** With --create-asset: whether the asset was deleted; leftovers of earlier runs found. */
  cleanup?: Cleanup;
  leftovers?: Leftover[];
  /** budgetMs: the run's time budget (--budget; absent in older reports and without one). */
  settings: { concurrency: number; rate: number; maxRequests: number; timeoutMs: number; budgetMs?: number };
  spec: { file: string; sha256: string; title: string; version: string; operationId: string };
  seed: number;
  runs: number;
  strict: boolean;
  /** --require-coverage: a MUST requirement that no case exercised fails the run. */
  requireCoverage?: boolean;
  startedAt: string;
  durationMs: number;
  requests: RequestCounts;
  properties: PropertyResult[];
  requirements: RequirementReport[];
  /** What the run exercised (absent in older reports). */
  coverage?: Coverage;
  /** Whether the asset's values were put back after the run. */
  restore: RestoreResult;
  /** Failures that follow from another (followsFrom) are counted apart, not as MUST or SHOULD failures. */
  summary: Summary;
  /** With --expectations: how the verdicts compare with what is known. */
  expectations?: { file: string; newFailures: number; expectedFailures: number; fixed: number; intermittent: number };
  /** With --shard: which share of the properties this report covers. */
  shard?: string;
  /** With --profile other than server: the kind of target judged (requirements.ts, PROFILES). */
  profile?: ProfileName;
  /** With --compare-with: where the target and the reference answered the same cases differently. */
  fidelity?: FidelityReport;
  /** 0: nothing fails the run (see failsRun); 1: otherwise. */
  exitCode: 0 | 1;
}

// --- the one rule of what fails a run ----------------------------------------------------------

/** A failure already known on this target (expectations): reported, never fatal. */
export const isKnownFailure = (r: RequirementReport): boolean =>
  r.outcome === 'expected-failure' || r.outcome === 'intermittent';

/** How verdicts are weighed: --strict, --require-coverage. */
export interface RunMode {
  strict: boolean;
  requireCoverage?: boolean;
}

/**
 * Whether a requirement's verdict fails the run: a failure that is not known (expectations), of a
 * MUST, or of any level in strict mode; in strict mode a known failure that now passes (the
 * expectations are out of date); with --require-coverage a MUST that no case exercised.
 */
export function failsRun(r: RequirementReport, mode: RunMode): boolean {
  if (r.notRequired || r.unexercisable) return false;
  if (r.outcome === 'fixed') return mode.strict;
  if (r.status === 'skip') return mode.requireCoverage === true && r.level === 'MUST';
  if (r.status !== 'fail' || isKnownFailure(r) || r.followsFrom) return false;
  return r.level === 'MUST' || mode.strict;
}

/** The run's exit code: a requirement that fails the run, or a difference from the reference that --fidelity chose. */
export function exitCodeOf(
  requirements: readonly RequirementReport[],
  mode: RunMode & { fidelity?: Pick<FidelityReport, 'fails'> },
): 0 | 1 {
  return requirements.some((r) => failsRun(r, mode)) || mode.fidelity?.fails === true ? 1 : 0;
}

/** The counts of the verdict line; `skipped` counts the requirements no case exercised, `mustSkipped` the MUSTs of them. */
export interface Summary {
  mustFailed: number;
  shouldFailed: number;
  passed: number;
  skipped: number;
  mustSkipped?: number;
  following?: number;
  /** Requirements the run's profile does not hold (not counted as skipped). */
  notRequired?: number;
}

export function summaryOf(requirements: readonly RequirementReport[]): Summary {
  const count = (f: (r: RequirementReport) => boolean): number => requirements.filter(f).length;
  return {
    mustFailed: count((r) => r.status === 'fail' && !r.followsFrom && r.level === 'MUST'),
    shouldFailed: count((r) => r.status === 'fail' && !r.followsFrom && r.level === 'SHOULD'),
    passed: count((r) => r.status === 'pass'),
    skipped: count((r) => r.status === 'skip' && !r.notRequired),
    mustSkipped: count((r) => r.status === 'skip' && !r.notRequired && r.level === 'MUST'),
    following: count((r) => r.status === 'fail' && r.followsFrom !== undefined),
    ...(requirements.some((r) => r.notRequired) ? { notRequired: count((r) => r.notRequired === true) } : {}),
  };
}

/** Where a run that could not start stopped: loading the spec, checking the options against it, reaching the target, or a fault of the suite. */
export type NotRunStage = 'spec' | 'options' | 'target' | 'internal';

/**
 * report.json of a run that parsed its options but could not start (exit 2): why, and where it
 * stopped, so that CI has a report and a failing test to show whatever the outcome.
 */
export interface NotRunReport {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  tool: typeof TOOL;
  exitCode: 2;
  notRun: { stage: NotRunStage; reason: string };
  /** handler: --handler's module (an in-process target), when given. */
  target: { baseUrl: string; embedded: boolean; handler?: string; assetIds: string[]; createAsset: number };
  spec: { file: string };
  startedAt: string;
}

/** A requirement's counterexamples: its first, then the further ones of other kinds. */
export const counterexamplesOf = (r: RequirementReport): CounterexampleReport[] =>
  r.counterexample ? [r.counterexample, ...(r.more ?? [])] : [];

/** How a counterexample is headed when a requirement has several: "2 of 3, type at /name". */
export function counterexampleHeading(r: RequirementReport, i: number): string {
  const all = counterexamplesOf(r);
  const kind = all[i]?.kind;
  return all.length > 1 ? `counterexample ${i + 1} of ${all.length}${kind ? ` (${kind})` : ''}` : '';
}
