/**
 * Runs properties with fast-check against a target and collects a verdict per requirement.
 *
 * A property fails on any violation; fast-check shrinks the case to a minimal one. To give every
 * requirement its own minimal counterexample, the property is then run again with the
 * requirements already failed masked out, until it passes or its time is up.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import fc from 'fast-check';
import type { Violation } from '../checks/checks.ts';
import { DEFAULTS } from '../defaults.ts';
import { InternalError, StopSending, UsageError } from '../errors.ts';
import type { Exchange } from '../exchange/perform.ts';
import { breakKind } from '../generators/bodies.ts';
import { edgeRowOf } from '../generators/edges.ts';
import { jsonEqual } from '../json.ts';
import { type AnyProperty, PROPERTIES } from '../properties/index.ts';
import { type Attempt, type RunEnv, type Shown, sendable } from '../properties/property.ts';
import type { Counterexample, PropertyResult, RequirementTally } from '../report/model.ts';
import { REQUIREMENTS, type RequirementId } from '../requirements.ts';
import { putState } from './restore.ts';

/**
 * With a budget, a run takes the properties twice: `plan`, the first few values of each (every
 * property reached early, whatever the target's speed), then `explore`, the rest of their runs in
 * what is left of the budget. Without one, each property runs once, whole (`all`).
 */
type Pass = 'plan' | 'explore' | 'all';

/** `asset`: the asset a property runs on, when the run has several (see runProperties). */
export type RunEvent =
  | { type: 'property-start'; property: AnyProperty; index: number; total: number; pass: Pass; asset?: string }
  | { type: 'property-end'; result: PropertyResult; index: number; total: number; pass: Pass; asset?: string }
  | { type: 'case'; property: string; cases: number };

export interface EngineOptions {
  seed: number;
  runs: number;
  /** Upper bound for one property, all rounds and shrinking included. */
  propertyTimeLimitMs: number;
  /** Names of the properties to run (default: all). */
  only?: readonly string[];
  /** Replay one case: fast-check path under `seed` (with `only` naming its property). */
  path?: string;
  /** Counterexamples kept per requirement, each of a different kind (default 3). */
  counterexamples?: number;
  /** Lanes for the properties that leave the asset alone (default 1). */
  concurrency?: number;
  /**
   * Time (ms since the epoch) by which the properties should be done: each property gets a share of
   * what is left, a first pass (plan) reaches every property before a second (explore) runs the rest
   * of the runs. Without it, each property runs once, bounded by propertyTimeLimitMs alone.
   */
  deadline?: number;
  /** Values of each property in the plan pass (default PLAN_RUNS; a property may run fewer). */
  planRuns?: number;
  /** Run each property inside `currentProperty`, so that code below can tell which property sent a request. */
  labelRequests?: boolean;
  onEvent?: (event: RunEvent) => void;
}

export interface EngineResult {
  properties: PropertyResult[];
  tallies: Map<RequirementId, RequirementTally>;
  /** Exchanges judged per coverage key (see coverageKeys). */
  coverage: Map<string, number>;
}

/** What an exchange exercised: the status it got, the schema constraint its body broke, the edge row it sent. */
function coverageKeys(ex: Exchange): string[] {
  const status = ex.outcome.kind === 'response' ? ex.outcome.status : null;
  const row = edgeRowOf(ex.case, status);
  return [
    ...(status === null ? [] : [`status:${status}`]),
    ...(ex.case.invalid ? [`keyword:${breakKind(ex.case.invalid)}`] : []),
    ...(row ? [`edge:${row}`] : []),
  ];
}

const MAX_TIMEOUTS_PER_PROPERTY = 5;

/**
 * What the run has shown so far: a violation is shown when its requirement has a counterexample of
 * its kind, or has as many counterexamples as a requirement keeps. A replay shows nothing in advance.
 */
function shownBy(tallies: Map<RequirementId, RequirementTally>, max: number, replay: boolean): Shown {
  return {
    has(v) {
      if (replay) return false;
      const found = tallies.get(v.requirement)?.counterexamples ?? [];
      return found.length >= max || found.some((c) => c.kind === (v.kind ?? ''));
    },
  };
}

/** The property on whose behalf the current code runs (request logs and benchmarks read it). */
export const currentProperty = new AsyncLocalStorage<string>();

interface LaneOutcome {
  seed: number;
  details: fc.RunDetails<[unknown]>;
  last: Attempt | undefined;
  /** The generated value of `last`. */
  value: unknown;
  /** fast-check's own replay path of a sequence of commands (it prints it with the value). */
  replayPath: string | undefined;
  /** The kind of value it ran (a plan of a property with strata). */
  stratum?: number;
}

/**
 * What one pass runs of a property: `runs` values from lane seeds `seed`, `seed + 1`, ... within
 * `limitMs` (`why` says what set that limit, for the report when it cuts the property short).
 */
interface Slice {
  pass: Pass;
  seed: number;
  runs: number;
  limitMs: number;
  why: string;
}

/** One property's run: its settings and what it has found so far. */
interface PropertyRun {
  def: AnyProperty;
  env: RunEnv;
  options: EngineOptions;
  slice: Slice;
  tallies: Map<RequirementId, RequirementTally>;
  coverage: Map<string, number>;
  result: PropertyResult;
  /** The asset the property runs on, when the run has several (its counterexamples name it). */
  asset?: string;
  shown: Shown;
  arbitrary: fc.Arbitrary<unknown>;
  /** A plan pass of a property with kinds of value (PropertyDef.strata): one value of each, instead of `arbitrary`. */
  strata?: fc.Arbitrary<unknown>[];
  lanes: number;
  replay: boolean;
  /** Values executed so far (a replay executes one: the value at its path). */
  executed: number;
  /** Why the property sends nothing more, or null. */
  stopReason(): string | null;
  /** Counts a request timeout (the property stops after a few). */
  timedOut(n: number): void;
}

/** What a property's passes share with each other and with the run. */
type Shared = Pick<PropertyRun, 'tallies' | 'coverage' | 'result' | 'slice' | 'asset'>;

/** A property's result before it ran (a later pass adds to it). */
const freshResult = (def: AnyProperty): PropertyResult => ({
  name: def.name,
  title: def.title,
  status: 'pass',
  cases: 0,
  discarded: 0,
  ms: 0,
  interrupted: false,
  failed: [],
});

function newPropertyRun(def: AnyProperty, env: RunEnv, options: EngineOptions, shared: Shared): PropertyRun {
  const deadline = Date.now() + shared.slice.limitMs;
  const { replayPath, stratum } = splitPath(options.path ?? '');
  const replay = options.path !== undefined;
  const local: RunEnv = {
    ...env,
    deadline,
    ...(replayPath ? { replayPath } : {}),
    ...(replay ? { replaying: true } : {}),
  };
  // A violation the run has already shown (here or in an earlier property) is not searched again:
  // no shrinking spent on a failure already shown, and the next fault is not hidden behind it.
  const shown = shownBy(shared.tallies, options.counterexamples ?? DEFAULTS.counterexamples, replay);
  // A target that hangs costs a timeout per request. Once a request of the run has timed out (the
  // verdict), later ones have a shortened deadline and are never judged, so they only cost time: a
  // property stops after 2 timeouts, or after 1 when the run had timed out before it began.
  const timedOutBefore = env.client.timedOut;
  const maxTimeouts = (): number => (timedOutBefore ? 1 : env.client.timedOut ? 2 : MAX_TIMEOUTS_PER_PROPERTY);
  let timeouts = 0;
  return {
    def,
    env: local,
    options,
    ...shared,
    shown,
    arbitrary: arbitraryOf(def, local, replay ? stratum : undefined),
    ...(!replay && shared.slice.pass === 'plan' && def.strata ? { strata: def.strata(local) } : {}),
    // Properties whose cases leave the asset alone may run in lanes: independent fast-check runs
    // with seeds seed, seed+1, ... sharing the runs, sent at the same time.
    lanes:
      replay || !def.parallel
        ? 1
        : Math.max(1, Math.min(options.concurrency ?? DEFAULTS.concurrency, shared.slice.runs)),
    replay,
    executed: 0,
    stopReason: () => {
      if (env.client.stoppedReason !== null) return env.client.stoppedReason;
      if (timeouts >= maxTimeouts()) return `${timeouts} requests timed out`;
      return Date.now() > deadline ? shared.slice.why : null;
    },
    timedOut: (n) => {
      timeouts += n;
    },
  };
}

/** Runs one generated value: false when it shows a violation not shown yet (fast-check then shrinks). */
async function runValue(run: PropertyRun, value: unknown, keep: (attempt: Attempt) => void): Promise<boolean> {
  const { result, shown } = run;
  // Past the property's time or timeout budget, or once the run stopped, nothing more is sent:
  // the remaining runs and shrink steps pass at once and the best counterexample so far stands.
  // (fast-check's own time limit is not used: it would leave requests going on in the background.)
  const stop = run.stopReason();
  if (stop !== null) {
    result.interrupted = true;
    result.cut ??= stop;
    return true;
  }
  // A replay runs the value at its path and nothing else: when that value passes, fast-check goes on
  // to its siblings in the shrink tree, which are other cases (one could fail only because the value
  // before it changed the asset, and a replay would then "reproduce" what the printed case does not).
  if (run.replay && run.executed > 0) return true;
  run.executed++;
  let attempt: Attempt;
  // What the asset held, as far as the run knows, before this value: a failure may need it again.
  const before = run.def.parallel ? undefined : { ...run.env.ctx.known };
  try {
    attempt = await run.def.execute(value, run.env, shown);
    // (a discarded attempt may be a shared constant: never written to)
    if (before && !attempt.discarded) attempt.stateBefore = before;
  } catch (error) {
    if (!(error instanceof StopSending)) throw error;
    result.interrupted = true;
    result.cut ??= error.message;
    return true;
  }
  run.timedOut(attempt.exchanges.filter((e) => e.outcome.kind === 'failure' && e.outcome.failure === 'timeout').length);
  if (attempt.discarded) {
    result.discarded++;
    fc.pre(false);
  }
  // (an exchange may be listed twice: the edges property shows a control it sent once with each case)
  const sent = [...new Set(attempt.sent ?? attempt.exchanges)];
  result.cases += sent.length;
  for (const ex of sent) for (const key of coverageKeys(ex)) run.coverage.set(key, (run.coverage.get(key) ?? 0) + 1);
  for (const id of attempt.evaluated) {
    const tally = run.tallies.get(id);
    if (tally) tally.cases++;
  }
  run.options.onEvent?.({ type: 'case', property: run.def.name, cases: result.cases });
  if (!attempt.violations.some((v) => !shown.has(v))) return true;
  keep(attempt);
  return false;
}

/** What a property's values come from: its arbitrary, or one kind of value (a replay of a plan's case). */
function arbitraryOf(def: AnyProperty, env: RunEnv, stratum: number | undefined): fc.Arbitrary<unknown> {
  if (stratum === undefined) return def.arbitrary(env);
  const kind = def.strata?.(env)[stratum];
  if (!kind) throw new UsageError(`--path names kind s${stratum} of values, which property ${def.name} does not have`);
  return kind;
}

/** Runs `numRuns` values of `arbitrary` from `seed` (a lane, or one kind of value of a plan). */
async function check(
  run: PropertyRun,
  arbitrary: fc.Arbitrary<unknown>,
  seed: number,
  numRuns: number,
  stratum?: number,
): Promise<LaneOutcome> {
  let last: Attempt | undefined;
  let lastValue: unknown;
  const property = fc.asyncProperty(arbitrary, (value) =>
    runValue(run, value, (attempt) => {
      last = attempt;
      lastValue = value;
    }),
  );
  const replay = run.replay ? { path: splitPath(run.options.path ?? '').path, endOnFailure: true } : {};
  const details = await fc.check(property, { seed, numRuns, maxSkipsPerRun: 10, ...replay });
  // A sequence of commands names, once run, the replay path fast-check needs beside the run's path.
  const replayPath = /replayPath="([^"]*)"/.exec(String(lastValue))?.[1];
  return { seed, details, last, value: lastValue, replayPath, ...(stratum !== undefined ? { stratum } : {}) };
}

/** Lane k of a pass: its share of the runs, from seed `seed + k`; in a plan with kinds, every lanes-th kind. */
async function lane(run: PropertyRun, k: number): Promise<LaneOutcome[]> {
  if (!run.strata) {
    const numRuns = Math.ceil((run.slice.runs - k) / run.lanes);
    return [await check(run, run.arbitrary, run.slice.seed + k, numRuns)];
  }
  const outcomes: LaneOutcome[] = [];
  for (let i = k; i < run.strata.length; i += run.lanes)
    outcomes.push(await check(run, run.strata[i] as fc.Arbitrary<unknown>, run.slice.seed, 1, i));
  return outcomes;
}

/**
 * A counterexample's path: fast-check's path of the run, and for a sequence of commands the
 * commands' own replay path after a '|' (without it fast-check cannot replay a shrunk sequence).
 */
function splitPath(text: string): { path: string; replayPath?: string; stratum?: number } {
  const kind = /^s(\d+)\//.exec(text);
  const [path = '', replayPath] = text.slice(kind?.[0].length ?? 0).split('|');
  return { path, ...(replayPath === undefined ? {} : { replayPath }), ...(kind ? { stratum: Number(kind[1]) } : {}) };
}

/**
 * The asset's state before a value, as a body a replay sends first: every field a body names that
 * the run may send (a value the schema refuses included: a server that took one holds it), kept
 * only when it differs from the values before the run (where every replay starts anyway).
 */
function startingState(env: RunEnv, state: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!state) return undefined;
  const body = Object.fromEntries(Object.entries(state).filter(([n]) => sendable(env.ctx, n)));
  const base = env.baseline ?? {};
  const same = Object.keys(body).every((k) => Object.hasOwn(base, k) && jsonEqual(body[k], base[k]));
  return same || Object.keys(body).length === 0 ? undefined : body;
}

/**
 * What a counterexample records of the state it met: nothing when the violation shows again from
 * the values before the run; the state when it shows again from that state; else the state, marked
 * as depending on more of the history than the asset's values (a replay may not show it).
 */
async function stateFor(
  run: PropertyRun,
  value: unknown,
  v: Violation,
  known: Record<string, unknown> | undefined,
): Promise<Pick<Counterexample, 'stateBefore' | 'history'>> {
  // (no known state: a property whose cases run in lanes, leaving a conforming target's asset alone;
  // a property whose values start from the values before the run needs none)
  if (!known || run.replay || run.def.resets) return {};
  const state = startingState(run.env, known);
  // A target that has stopped answering in time would make each try cost a timeout (a restore's is
  // the full one): the state as known, untried.
  if (run.env.client.timedOut || v.requirement === 'RESP-TIMELY') return state ? { stateBefore: state } : {};
  // without the values before the run (no read of them) nothing can be tried again: the state as known
  if (!run.env.baseline) return state ? { stateBefore: state } : {};
  if (await showsAgainFrom(run, value, v, run.env.baseline)) return {};
  if (state && (await showsAgainFrom(run, value, v, state))) return { stateBefore: state };
  // e.g. a server whose answers depend on earlier requests, not only on the asset's values (an old record returned)
  return { ...(state ? { stateBefore: state } : {}), history: true };
}

/** Whether a value's violation shows again when the asset is first put in a state (false when it cannot be). */
async function showsAgainFrom(
  run: PropertyRun,
  value: unknown,
  v: Violation,
  state: Record<string, unknown> | undefined,
): Promise<boolean> {
  const { ctx, target, client } = run.env;
  if (!state || !(await putState(ctx, target, client, state, true))) return false;
  const same = (w: Violation): boolean => w.requirement === v.requirement && (w.kind ?? '') === (v.kind ?? '');
  // everything else counts as shown, so that a sequence runs on to this violation
  const again = await run.def.execute(value, run.env, { has: (w) => !same(w) }).catch(() => null);
  if (!again || again.discarded) return false;
  return again.violations.some(same);
}

/** Records the counterexamples a round found; false when the round found nothing to record. */
async function recordRound(run: PropertyRun, failing: LaneOutcome[]): Promise<boolean> {
  for (const { details, last } of failing) {
    if (!last && details.counterexample === null && details.numSkips > 0) {
      // Too many values could not be judged (e.g. every answer was 429): say so.
      run.result.gaveUp = true;
      continue;
    }
    if (!last)
      throw new InternalError(
        `property ${run.def.name} failed outside the checks: ${String(details.errorInstance ?? 'unknown error')}`,
      );
  }
  const found = failing.filter((o) => o.last);
  let recorded = 0;
  for (const { details, last, value, replayPath, stratum } of found) {
    const attempt = last as Attempt;
    for (const v of attempt.violations) {
      const tally = run.tallies.get(v.requirement);
      // In a replay, the requirement's first violation is its counterexample.
      if (!tally || run.shown.has(v) || (run.replay && tally.counterexamples.length > 0)) continue;
      const { steps, exchanges, violations } = attempt;
      // Properties sent in parallel leave the asset alone: no state is recorded for them (attempt.stateBefore).
      const state = await stateFor(run, value, v, attempt.stateBefore);
      const kind = stratum === undefined ? '' : `s${stratum}/`;
      const path = `${kind}${details.counterexamplePath ?? ''}${replayPath ? `|${replayPath}` : ''}`;
      tally.counterexamples.push({
        property: run.def.name,
        seed: details.seed,
        path,
        steps,
        exchanges,
        violations,
        kind: v.kind ?? '',
        ...(run.asset ? { assetId: run.asset } : {}),
        ...state,
      });
      recorded++;
      if (!run.result.failed.includes(v.requirement)) run.result.failed.push(v.requirement);
    }
  }
  return recorded > 0;
}

/** Why a property cannot run, or null. */
function skipReasonOf(def: AnyProperty, env: RunEnv): string | null {
  return (
    def.skipReason(env.ctx, env.hasGet) ?? (env.client.stoppedReason ? `not run: ${env.client.stoppedReason}` : null)
  );
}

/** One pass of a property, added to `result`. */
async function runProperty(
  def: AnyProperty,
  env: RunEnv,
  options: EngineOptions,
  shared: Shared,
): Promise<PropertyResult> {
  const started = Date.now();
  const run = newPropertyRun(def, env, options, shared);
  // Each round ends at a violation not shown yet; the next one looks for the next. A round that
  // records nothing ends the search (each round records at least one, so this ends).
  const rounds = REQUIREMENTS.length * (options.counterexamples ?? DEFAULTS.counterexamples);
  for (let round = 0; round <= rounds && run.stopReason() === null; round++) {
    const outcomes = (await Promise.all(Array.from({ length: run.lanes }, (_, k) => lane(run, k)))).flat();
    const failing = outcomes.filter((o) => o.details.failed);
    if (failing.length === 0 || !(await recordRound(run, failing))) break;
    if (run.replay) break;
  }
  run.result.status = run.result.failed.length > 0 ? 'fail' : 'pass';
  run.result.ms += Date.now() - started;
  return run.result;
}

/** Values each property runs in the plan pass, unless --runs asks for fewer. */
const PLAN_RUNS = 5;

/** The passes of a run over its properties (see Pass), each property's values and time in each. */
function passesOf(options: EngineOptions, def: AnyProperty): Omit<Slice, 'limitMs' | 'why'>[] {
  const runs = def.runs?.(options.runs) ?? options.runs;
  if (options.deadline === undefined || options.path !== undefined) return [{ pass: 'all', seed: options.seed, runs }];
  const plan = Math.min(runs, options.planRuns ?? PLAN_RUNS);
  // The exploration's lanes take seeds after the plan's, so that it does not send the plan's values again.
  const lanes = Math.max(1, options.concurrency ?? DEFAULTS.concurrency);
  return [
    { pass: 'plan', seed: options.seed, runs: plan },
    ...(runs > plan ? [{ pass: 'explore' as const, seed: options.seed + lanes, runs: runs - plan }] : []),
  ];
}

/** A pass's time for a property: the property's own limit, or its share of what is left of the run's. */
function limitOf(options: EngineOptions, left: number): Pick<Slice, 'limitMs' | 'why'> {
  const own = {
    limitMs: options.propertyTimeLimitMs,
    why: `the property time limit (${seconds(options.propertyTimeLimitMs)})`,
  };
  if (options.deadline === undefined) return own;
  const share = Math.max(0, (options.deadline - Date.now()) / Math.max(1, left));
  return share < own.limitMs ? { limitMs: share, why: `its share of the run's time budget (${seconds(share)})` } : own;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** One pass of one property, as a queue of work lists it. */
interface Work extends Omit<Slice, 'limitMs' | 'why'> {
  def: AnyProperty;
  order: number;
}

/** What every queue of a run shares: the verdicts so far, and each property's result. */
interface RunShared {
  tallies: Map<RequirementId, RequirementTally>;
  coverage: Map<string, number>;
  results: Map<string, PropertyResult>;
  total: number;
  indexOf(def: AnyProperty): number;
  /** The asset of `env`, when the run has several. */
  asset?: string;
}

/** One asset's properties, one pass after another: every plan pass of the queue before any exploration. */
async function runQueue(env: RunEnv, work: Work[], options: EngineOptions, run: RunShared): Promise<void> {
  const { tallies, coverage, results, total } = run;
  for (const [i, { def, order: _, ...pass }] of work.entries()) {
    const before = results.get(def.name);
    // a property skipped in its first pass is not taken again
    if (before?.status === 'skip') continue;
    const skip = skipReasonOf(def, env);
    // a run stopped after a property's plan: its verdicts stand, it says what it did not explore
    if (skip && before) {
      Object.assign(before, { interrupted: true, cut: before.cut ?? `not explored: ${skip}` });
      continue;
    }
    const event = { index: run.indexOf(def), total, pass: pass.pass, ...(run.asset ? { asset: run.asset } : {}) };
    options.onEvent?.({ type: 'property-start', property: def, ...event });
    // the plan's passes share the time first (the plan comes first), then the exploration's
    const left = work.slice(i).filter((w) => w.pass === pass.pass).length;
    const slice = { ...pass, ...limitOf(options, left) };
    const result = before ?? freshResult(def);
    const shared = { tallies, coverage, result, slice, ...(run.asset ? { asset: run.asset } : {}) };
    // Labelling costs a hook on every promise: only when asked (benchmarks attributing requests).
    const go = () => runProperty(def, env, options, shared);
    if (skip) Object.assign(result, { status: 'skip', skipReason: skip });
    else await (options.labelRequests ? currentProperty.run(def.name, go) : go());
    results.set(def.name, result);
    options.onEvent?.({ type: 'property-end', result, ...event });
  }
}

/**
 * Runs the selected properties one after another (with concurrency above 1, the ones that leave a
 * conforming target's asset alone run their own cases in lanes). Never two properties at once on one
 * asset: a target that takes what it should refuse (a 200 to an invalid body) would change the asset
 * under another property's cases, and a replay, which runs one property, could not meet that again.
 * (Running them side by side was also no faster: 3.8 s against 3.3 s for a default run on 2 cores.)
 * With several assets (one `env` each), the properties are dealt out to them in turn, and each
 * asset's queue runs beside the others: a property's whole sequence stays on its one asset.
 * With a deadline, every property of a queue runs its plan pass before any explores (see Pass).
 */
export async function runProperties(envs: readonly RunEnv[], options: EngineOptions): Promise<EngineResult> {
  const tallies = new Map<RequirementId, RequirementTally>(
    REQUIREMENTS.map((r) => [r.id, { cases: 0, counterexamples: [] }]),
  );
  const coverage = new Map<string, number>();
  const selected = PROPERTIES.filter((p) => !options.only || options.only.includes(p.name));
  const results = new Map<string, PropertyResult>();
  const several = envs.length > 1;
  const queues = envs.map((env, a) => {
    const work = selected
      .filter((_, i) => i % envs.length === a)
      .flatMap((def) => passesOf(options, def).map((p, order) => ({ def, order, ...p })))
      .sort((x, y) => x.order - y.order);
    const run = {
      tallies,
      coverage,
      results,
      total: selected.length,
      indexOf: (d: AnyProperty) => selected.indexOf(d),
    };
    return runQueue(env, work, options, several ? { ...run, asset: env.ctx.targetId } : run);
  });
  // every queue ends (sending nothing more) before a failure of one is passed on: the restore follows
  const ended = await Promise.allSettled(queues);
  for (const e of ended) if (e.status === 'rejected') throw e.reason;
  return { properties: selected.map((p) => results.get(p.name) as PropertyResult), tallies, coverage };
}
