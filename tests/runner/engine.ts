/**
 * Runs properties with fast-check against a target and collects a verdict per requirement.
 *
 * A property fails on any violation; fast-check shrinks the case to a minimal one. To give every
 * requirement its own minimal counterexample, the property is then run again with the
 * requirements already failed masked out, until it passes or its time is up.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import fc from 'fast-check';
import type { Exchange, Violation } from '../checks/checks.ts';
import { StopSending } from '../client/http.ts';
import { REQUIREMENTS, type RequirementId } from '../checks/requirements.ts';
import { PROPERTIES } from '../properties/index.ts';
import type { AnyProperty } from '../properties/index.ts';
import type { Attempt, RunEnv } from '../properties/properties.ts';

export interface Counterexample {
  requirement: RequirementId;
  property: string;
  seed: number;
  /** fast-check's path to the shrunk case: with the seed, it regenerates exactly this case. */
  path: string;
  /** Requirements masked while this counterexample was searched (already failed in the property). */
  masked: RequirementId[];
  /** What was sent, one line per request (several for a sequence). */
  steps: string[];
  /** Every exchange of the counterexample; the last one showed the violation. */
  exchanges: Exchange[];
  /** Every violation the counterexample shows (not only this requirement's). */
  violations: Violation[];
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
  /** fast-check gave up: too many generated values could not be judged. */
  gaveUp?: boolean;
  failed: RequirementId[];
}

export interface RequirementTally {
  cases: number;
  counterexample?: Counterexample;
}

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

export const MAX_TIMEOUTS_PER_PROPERTY = 5;

/** The property on whose behalf the current code runs (request logs and benchmarks read it). */
export const currentProperty = new AsyncLocalStorage<string>();

class InternalError extends Error {
  override name = 'InternalError';
}

interface LaneOutcome {
  seed: number;
  details: fc.RunDetails<[unknown]>;
  last: Attempt | undefined;
}

async function runProperty(def: AnyProperty, env: RunEnv, options: EngineOptions, tallies: Map<RequirementId, RequirementTally>): Promise<PropertyResult> {
  const started = Date.now();
  const result: PropertyResult = { name: def.name, title: def.title, status: 'pass', cases: 0, discarded: 0, ms: 0, interrupted: false, failed: [] };
  const skip = def.skipReason(env.ctx, env.hasGet);
  if (skip) return { ...result, status: 'skip', skipReason: skip };
  if (env.client.stoppedReason) return { ...result, status: 'skip', skipReason: `not run: ${env.client.stoppedReason}` };
  const deadline = started + options.propertyTimeLimitMs;
  const local: RunEnv = { ...env, deadline };
  const arbitrary = def.arbitrary(local);
  // A requirement that an earlier property already failed is not searched again: one fault, one
  // counterexample, and no shrinking spent on a failure already shown.
  const replay = options.path !== undefined;
  const masked = new Set<RequirementId>(replay ? [] : [...tallies].filter(([, t]) => t.counterexample).map(([id]) => id));
  // A target that hangs costs a timeout per request: after a few, the property stops (fewer once
  // the run has already shown RESP-TIMELY), so shrinking never turns timeouts into hours.
  const maxTimeouts = tallies.get('RESP-TIMELY')?.counterexample ? 1 : MAX_TIMEOUTS_PER_PROPERTY;
  let timeouts = 0;
  const stopped = (): boolean => Date.now() > deadline || timeouts >= maxTimeouts || env.client.stoppedReason !== null;
  // Properties whose cases leave the asset alone may run in lanes: independent fast-check runs
  // with seeds seed, seed+1, ... sharing the runs, sent at the same time.
  const lanes = replay || !def.parallel ? 1 : Math.max(1, Math.min(options.concurrency ?? 1, options.runs));

  const lane = async (k: number): Promise<LaneOutcome> => {
    let last: Attempt | undefined;
    const property = fc.asyncProperty(arbitrary, async (value) => {
      // Past the property's time or timeout budget, or once the run stopped, nothing more is sent:
      // the remaining runs and shrink steps pass at once and the best counterexample so far stands.
      // (fast-check's own time limit is not used: it would leave requests going on in the background.)
      if (stopped()) {
        result.interrupted = true;
        return true;
      }
      let attempt: Attempt;
      try {
        attempt = await def.execute(value, local, masked);
      } catch (error) {
        if (error instanceof StopSending) {
          result.interrupted = true;
          return true;
        }
        throw error;
      }
      timeouts += attempt.exchanges.filter((e) => e.outcome.kind === 'failure' && e.outcome.failure === 'timeout').length;
      if (attempt.discarded) {
        result.discarded++;
        fc.pre(false);
      }
      result.cases += attempt.exchanges.length;
      for (const id of attempt.evaluated) {
        const tally = tallies.get(id);
        if (tally) tally.cases++;
      }
      options.onEvent?.({ type: 'case', property: def.name, cases: result.cases });
      if (attempt.violations.some((v) => !masked.has(v.requirement))) {
        last = attempt;
        return false;
      }
      return true;
    });
    const seed = options.seed + k;
    const runs = Math.ceil((options.runs - k) / lanes);
    const details = await fc.check(property, { seed, numRuns: runs, maxSkipsPerRun: 10, ...(replay ? { path: options.path, endOnFailure: true } : {}) });
    return { seed, details, last };
  };

  for (let round = 0; round <= REQUIREMENTS.length && !stopped(); round++) {
    const outcomes = await Promise.all(Array.from({ length: lanes }, (_, k) => lane(k)));
    const failing = outcomes.filter((o) => o.details.failed);
    if (failing.length === 0) break;
    for (const { details, last } of failing) {
      if (!last && details.counterexample === null && details.numSkips > 0) {
        // Too many values could not be judged (e.g. every answer was 429): say so.
        result.gaveUp = true;
        continue;
      }
      if (!last) throw new InternalError(`property ${def.name} failed outside the checks: ${String(details.errorInstance ?? 'unknown error')}`);
    }
    const found = failing.filter((o) => o.last);
    if (found.length === 0) break;
    for (const { details, last } of found) {
      const attempt = last as Attempt;
      for (const id of new Set(attempt.violations.filter((v) => !masked.has(v.requirement)).map((v) => v.requirement))) {
        const tally = tallies.get(id);
        if (tally && !tally.counterexample) {
          tally.counterexample = { requirement: id, property: def.name, seed: details.seed, path: details.counterexamplePath ?? '', masked: [...masked], steps: attempt.steps, exchanges: attempt.exchanges, violations: attempt.violations };
        }
        if (!result.failed.includes(id)) result.failed.push(id);
      }
    }
    for (const id of result.failed) masked.add(id);
    if (replay) break;
  }
  result.status = result.failed.length > 0 ? 'fail' : 'pass';
  result.ms = Date.now() - started;
  return result;
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
      const result = options.labelRequests ? await currentProperty.run(def.name, () => runProperty(def, env, options, tallies)) : await runProperty(def, env, options, tallies);
      results.set(def.name, result);
      options.onEvent?.({ type: 'property-end', result, index, total: selected.length });
    }
  };
  const overlap = (options.concurrency ?? 1) > 1 && options.path === undefined;
  if (overlap) await Promise.all([runGroup(selected.filter((p) => !p.parallel)), runGroup(selected.filter((p) => p.parallel))]);
  else await runGroup(selected);
  return { properties: selected.map((p) => results.get(p.name) as PropertyResult), tallies };
}

