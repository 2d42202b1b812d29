/**
 * Runs properties with fast-check against a target and collects a verdict per requirement.
 *
 * A property fails on any violation; fast-check shrinks the case to a minimal one. To give every
 * requirement its own minimal counterexample, the property is then run again with the
 * requirements already failed masked out, until it passes or its time is up.
 */
import fc from 'fast-check';
import { type Exchange, type Violation, judge, rememberKnown } from '../checks/checks.ts';
import { REQUIREMENTS, type RequirementId, requirement } from '../checks/requirements.ts';
import type { HttpClient } from '../client/http.ts';
import { type Case, describeCase } from '../generators/case.ts';
import { PROPERTIES, type PropertyDef, type SuiteContext, confirmCase } from '../properties/properties.ts';
import { type Target, perform } from './exchange.ts';

export interface Counterexample {
  requirement: RequirementId;
  property: string;
  seed: number;
  /** fast-check's path to the shrunk case: with the seed, it regenerates exactly this case. */
  path: string;
  /** Requirements masked while this counterexample was searched (already failed in the property). */
  masked: RequirementId[];
  description: string;
  exchange: Exchange;
  /** Every violation this exchange shows (not only this requirement's). */
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
  failed: RequirementId[];
}

export interface RequirementTally {
  cases: number;
  counterexample?: Counterexample;
}

export type RunEvent =
  | { type: 'property-start'; property: PropertyDef; index: number; total: number }
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
  onEvent?: (event: RunEvent) => void;
}

export interface EngineResult {
  properties: PropertyResult[];
  tallies: Map<RequirementId, RequirementTally>;
}

class InternalError extends Error {
  override name = 'InternalError';
}

async function runProperty(def: PropertyDef, ctx: SuiteContext, target: Target, client: HttpClient, options: EngineOptions, tallies: Map<RequirementId, RequirementTally>): Promise<PropertyResult> {
  const started = Date.now();
  const result: PropertyResult = { name: def.name, title: def.title, status: 'pass', cases: 0, discarded: 0, ms: 0, interrupted: false, failed: [] };
  const skip = def.skipReason(ctx);
  if (skip) return { ...result, status: 'skip', skipReason: skip };
  const arbitrary = def.cases(ctx);
  const masked = new Set<RequirementId>();
  const replay = options.path !== undefined;

  for (let round = 0; round <= REQUIREMENTS.length; round++) {
    const remaining = options.propertyTimeLimitMs - (Date.now() - started);
    if (remaining <= 0) {
      result.interrupted = true;
      break;
    }
    let last: { exchange: Exchange; violations: Violation[]; active: Violation[]; case: Case } | undefined;
    const property = fc.asyncProperty(arbitrary, async (c) => {
      if (!confirmCase(c, ctx)) {
        result.discarded++;
        fc.pre(false);
      }
      const { exchange, rateLimited } = await perform(c, ctx.contract, target, client);
      if (rateLimited) {
        result.discarded++;
        fc.pre(false);
      }
      const { evaluated, violations } = judge(exchange, ctx);
      result.cases++;
      for (const id of evaluated) {
        const tally = tallies.get(id);
        if (tally) tally.cases++;
      }
      rememberKnown(exchange, ctx);
      options.onEvent?.({ type: 'case', property: def.name, cases: result.cases });
      const active = violations.filter((v) => !masked.has(v.requirement));
      if (active.length > 0) {
        last = { exchange, violations, active, case: c };
        return false;
      }
      return true;
    });
    const details = await fc.check(property, {
      seed: options.seed,
      numRuns: options.runs,
      interruptAfterTimeLimit: remaining,
      markInterruptAsFailure: false,
      ...(replay ? { path: options.path, endOnFailure: true } : {}),
    });
    if (details.interrupted) result.interrupted = true;
    if (!details.failed) break;
    if (!last) {
      throw new InternalError(`property ${def.name} failed outside the checks: ${String(details.errorInstance ?? 'unknown error')}`);
    }
    const found = [...new Set(last.active.map((v) => v.requirement))];
    for (const id of found) {
      const tally = tallies.get(id);
      if (tally && !tally.counterexample) {
        tally.counterexample = {
          requirement: id,
          property: def.name,
          seed: details.seed,
          path: details.counterexamplePath ?? '',
          masked: [...masked],
          description: describeCase(last.case),
          exchange: last.exchange,
          violations: last.violations,
        };
      }
      masked.add(id);
      if (!result.failed.includes(id)) result.failed.push(id);
    }
    if (replay || details.interrupted) break;
  }
  result.status = result.failed.length > 0 ? 'fail' : 'pass';
  result.ms = Date.now() - started;
  return result;
}

/** Runs the selected properties one after another (they share the asset, so never in parallel). */
export async function runProperties(ctx: SuiteContext, target: Target, client: HttpClient, options: EngineOptions): Promise<EngineResult> {
  const tallies = new Map<RequirementId, RequirementTally>(REQUIREMENTS.map((r) => [r.id, { cases: 0 }]));
  const selected = PROPERTIES.filter((p) => !options.only || options.only.includes(p.name));
  const properties: PropertyResult[] = [];
  for (const [index, def] of selected.entries()) {
    options.onEvent?.({ type: 'property-start', property: def, index, total: selected.length });
    const result = await runProperty(def, ctx, target, client, options, tallies);
    properties.push(result);
    options.onEvent?.({ type: 'property-end', result, index, total: selected.length });
  }
  return { properties, tallies };
}

export { requirement };
