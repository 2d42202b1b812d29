/**
 * Runs properties with fast-check against a target and collects a verdict per requirement.
 *
 * A property fails on any violation; fast-check shrinks the case to a minimal one. To give every
 * requirement its own minimal counterexample, the property is then run again with the
 * requirements already failed masked out, until it passes or its time is up.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import fc from 'fast-check';
import { InternalError, StopSending } from '../errors.ts';
import { type AnyProperty, PROPERTIES } from '../properties/index.ts';
import type { Attempt, RunEnv } from '../properties/property.ts';
import type { PropertyResult, RequirementTally } from '../report/model.ts';
import { REQUIREMENTS, type RequirementId } from '../requirements.ts';

export type RunEvent =
  | { type: 'property-start'; property: AnyProperty; index: number; total: number }
  | { type: 'property-end'; result: PropertyResult; index: number; total: number }
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
  /** Lanes for the properties that leave the asset alone (default 1). */
  concurrency?: number;
  /** Run each property inside `currentProperty`, so that code below can tell which property sent a request. */
  labelRequests?: boolean;
  onEvent?: (event: RunEvent) => void;
}

export interface EngineResult {
  properties: PropertyResult[];
  tallies: Map<RequirementId, RequirementTally>;
}

const MAX_TIMEOUTS_PER_PROPERTY = 5;

/** The property on whose behalf the current code runs (request logs and benchmarks read it). */
export const currentProperty = new AsyncLocalStorage<string>();

interface LaneOutcome {
  seed: number;
  details: fc.RunDetails<[unknown]>;
  last: Attempt | undefined;
  /** fast-check's own replay path of a sequence of commands (it prints it with the value). */
  replayPath: string | undefined;
}

/** One property's run: its settings and what it has found so far. */
interface PropertyRun {
  def: AnyProperty;
  env: RunEnv;
  options: EngineOptions;
  tallies: Map<RequirementId, RequirementTally>;
  result: PropertyResult;
  masked: Set<RequirementId>;
  arbitrary: fc.Arbitrary<unknown>;
  lanes: number;
  replay: boolean;
  stopped(): boolean;
  /** Counts a request timeout (the property stops after a few). */
  timedOut(n: number): void;
}

function newPropertyRun(
  def: AnyProperty,
  env: RunEnv,
  options: EngineOptions,
  tallies: Map<RequirementId, RequirementTally>,
): PropertyRun {
  const started = Date.now();
  const deadline = started + options.propertyTimeLimitMs;
  const { replayPath } = splitPath(options.path ?? '');
  const local: RunEnv = { ...env, deadline, ...(replayPath ? { replayPath } : {}) };
  const replay = options.path !== undefined;
  // A requirement that an earlier property already failed is not searched again: one fault, one
  // counterexample, and no shrinking spent on a failure already shown.
  const masked = new Set<RequirementId>(
    replay ? [] : [...tallies].filter(([, t]) => t.counterexample).map(([id]) => id),
  );
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
    tallies,
    result: {
      name: def.name,
      title: def.title,
      status: 'pass',
      cases: 0,
      discarded: 0,
      ms: 0,
      interrupted: false,
      failed: [],
    },
    masked,
    arbitrary: def.arbitrary(local),
    // Properties whose cases leave the asset alone may run in lanes: independent fast-check runs
    // with seeds seed, seed+1, ... sharing the runs, sent at the same time.
    lanes: replay || !def.parallel ? 1 : Math.max(1, Math.min(options.concurrency ?? 1, options.runs)),
    replay,
    stopped: () => Date.now() > deadline || timeouts >= maxTimeouts() || env.client.stoppedReason !== null,
    timedOut: (n) => {
      timeouts += n;
    },
  };
}

/** Runs one generated value: false when it shows a violation not masked (fast-check then shrinks). */
async function runValue(run: PropertyRun, value: unknown, keep: (attempt: Attempt) => void): Promise<boolean> {
  const { result, masked } = run;
  // Past the property's time or timeout budget, or once the run stopped, nothing more is sent:
  // the remaining runs and shrink steps pass at once and the best counterexample so far stands.
  // (fast-check's own time limit is not used: it would leave requests going on in the background.)
  if (run.stopped()) {
    result.interrupted = true;
    return true;
  }
  let attempt: Attempt;
  try {
    attempt = await run.def.execute(value, run.env, masked);
  } catch (error) {
    if (!(error instanceof StopSending)) throw error;
    result.interrupted = true;
    return true;
  }
  run.timedOut(attempt.exchanges.filter((e) => e.outcome.kind === 'failure' && e.outcome.failure === 'timeout').length);
  if (attempt.discarded) {
    result.discarded++;
    fc.pre(false);
  }
  result.cases += attempt.exchanges.length;
  for (const id of attempt.evaluated) {
    const tally = run.tallies.get(id);
    if (tally) tally.cases++;
  }
  run.options.onEvent?.({ type: 'case', property: run.def.name, cases: result.cases });
  if (!attempt.violations.some((v) => !masked.has(v.requirement))) return true;
  keep(attempt);
  return false;
}

async function lane(run: PropertyRun, k: number): Promise<LaneOutcome> {
  let last: Attempt | undefined;
  let lastValue: unknown;
  const property = fc.asyncProperty(run.arbitrary, (value) =>
    runValue(run, value, (attempt) => {
      last = attempt;
      lastValue = value;
    }),
  );
  const seed = run.options.seed + k;
  const numRuns = Math.ceil((run.options.runs - k) / run.lanes);
  const replay = run.replay ? { path: splitPath(run.options.path ?? '').path, endOnFailure: true } : {};
  const details = await fc.check(property, { seed, numRuns, maxSkipsPerRun: 10, ...replay });
  // A sequence of commands names, once run, the replay path fast-check needs beside the run's path.
  const replayPath = /replayPath="([^"]*)"/.exec(String(lastValue))?.[1];
  return { seed, details, last, replayPath };
}

/**
 * A counterexample's path: fast-check's path of the run, and for a sequence of commands the
 * commands' own replay path after a '|' (without it fast-check cannot replay a shrunk sequence).
 */
function splitPath(text: string): { path: string; replayPath?: string } {
  const [path = '', replayPath] = text.split('|');
  return replayPath === undefined ? { path } : { path, replayPath };
}

/** Records the counterexamples a round found; false when the round found nothing to record. */
function recordRound(run: PropertyRun, failing: LaneOutcome[]): boolean {
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
  for (const { details, last, replayPath } of found) {
    const attempt = last as Attempt;
    for (const id of new Set(
      attempt.violations.filter((v) => !run.masked.has(v.requirement)).map((v) => v.requirement),
    )) {
      const tally = run.tallies.get(id);
      if (tally && !tally.counterexample) {
        const { steps, exchanges, violations } = attempt;
        const path = `${details.counterexamplePath ?? ''}${replayPath ? `|${replayPath}` : ''}`;
        tally.counterexample = {
          property: run.def.name,
          seed: details.seed,
          path,
          steps,
          exchanges,
          violations,
        };
      }
      if (!run.result.failed.includes(id)) run.result.failed.push(id);
    }
  }
  return found.length > 0;
}

async function runProperty(
  def: AnyProperty,
  env: RunEnv,
  options: EngineOptions,
  tallies: Map<RequirementId, RequirementTally>,
): Promise<PropertyResult> {
  const started = Date.now();
  const skip =
    def.skipReason(env.ctx, env.hasGet) ?? (env.client.stoppedReason ? `not run: ${env.client.stoppedReason}` : null);
  if (skip)
    return {
      name: def.name,
      title: def.title,
      status: 'skip',
      cases: 0,
      discarded: 0,
      ms: 0,
      interrupted: false,
      failed: [],
      skipReason: skip,
    };
  const run = newPropertyRun(def, env, options, tallies);
  for (let round = 0; round <= REQUIREMENTS.length && !run.stopped(); round++) {
    const outcomes = await Promise.all(Array.from({ length: run.lanes }, (_, k) => lane(run, k)));
    const failing = outcomes.filter((o) => o.details.failed);
    if (failing.length === 0 || !recordRound(run, failing)) break;
    for (const id of run.result.failed) run.masked.add(id);
    if (run.replay) break;
  }
  run.result.status = run.result.failed.length > 0 ? 'fail' : 'pass';
  run.result.ms = Date.now() - started;
  return run.result;
}

/**
 * Runs the selected properties. The ones that change the asset run one after another; with
 * concurrency above 1, the ones that leave the asset alone (on a conforming target) run beside
 * them, so that the suite's own work overlaps the target's. Results come back in catalogue order.
 */
export async function runProperties(env: RunEnv, options: EngineOptions): Promise<EngineResult> {
  const tallies = new Map<RequirementId, RequirementTally>(REQUIREMENTS.map((r) => [r.id, { cases: 0 }]));
  const selected = PROPERTIES.filter((p) => !options.only || options.only.includes(p.name));
  const results = new Map<string, PropertyResult>();
  const runGroup = async (defs: readonly AnyProperty[]): Promise<void> => {
    for (const def of defs) {
      const index = selected.indexOf(def);
      options.onEvent?.({ type: 'property-start', property: def, index, total: selected.length });
      // Labelling costs a hook on every promise: only when asked (benchmarks attributing requests).
      const go = () => runProperty(def, env, options, tallies);
      const result = options.labelRequests ? await currentProperty.run(def.name, go) : await go();
      results.set(def.name, result);
      options.onEvent?.({ type: 'property-end', result, index, total: selected.length });
    }
  };
  const overlap = (options.concurrency ?? 1) > 1 && options.path === undefined;
  if (overlap)
    await Promise.all([runGroup(selected.filter((p) => !p.parallel)), runGroup(selected.filter((p) => p.parallel))]);
  else await runGroup(selected);
  return { properties: selected.map((p) => results.get(p.name) as PropertyResult), tallies };
}
