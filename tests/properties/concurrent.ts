/**
 * Concurrent full-body updates (SHOULD): K updates of every updatable field, sent at once, must
 * leave the asset equal to one of them, never a mix. The final state is read with GET, or, when
 * the target has none, from the 200 body of a follow-up update of one field (then the other
 * fields are judged).
 */
import fc from 'fast-check';
import { type Exchange, RESPONSE_CHECKS, type Violation, judge } from '../checks/checks.ts';
import type { RequirementId } from '../checks/requirements.ts';
import type { Case } from '../generators/case.ts';
import { valueFor } from '../generators/values.ts';
import { getAsset, perform } from '../runner/exchange.ts';
import { type JsonObject, isJsonObject } from '../spec/load.ts';
import { type Attempt, type PropertyDef, type RunEnv, type SuiteContext, isReference, make } from './properties.ts';
import { sameValue } from './stateful.ts';

export const CONCURRENCY = 4;

/** The fields a full-body update sets: updatable, not a reference to another resource. */
function fullFields(ctx: SuiteContext): string[] {
  return Object.entries(ctx.bodyProperties)
    .filter(([name, schema]) => (!ctx.updatable || ctx.updatable.includes(name)) && !isReference(schema))
    .map(([name]) => name);
}

/** Makes body i's value of a field differ from every other body's, whatever was generated. */
function mark(value: unknown, i: number): unknown {
  if (typeof value === 'string') return `${value}#${i}`;
  if (Array.isArray(value)) return [...value, `#${i}`];
  if (isJsonObject(value)) return { ...value, '#': i };
  return value;
}

const show = (v: unknown): string => {
  const s = JSON.stringify(v) ?? 'undefined';
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
};

export const CONCURRENT: PropertyDef<Record<string, unknown>[]> = {
  name: 'concurrent',
  title: `${CONCURRENCY} full-body updates at once end in one of them`,
  requirements: ['STATE-CONCURRENT-ONE-WINS'],
  skipReason: (ctx) => (fullFields(ctx).length < 2 ? 'fewer than two updatable fields: no mix is possible' : null),
  arbitrary: (env) => {
    const fields = fullFields(env.ctx);
    // Plain values will do: what is judged is whether the bodies mix, not how each is stored.
    const body = fc.tuple(...fields.map((f) => valueFor(env.ctx.bodyProperties[f] as JsonObject, 0, true))).map((values) => Object.fromEntries(fields.map((f, i) => [f, values[i]])));
    // No shrinking: the outcome of a race does not repeat, so shrink steps would mostly measure luck.
    return fc.noShrink(fc.array(body, { minLength: CONCURRENCY, maxLength: CONCURRENCY }).map((bodies) => bodies.map((b, i) => Object.fromEntries(Object.entries(b).map(([f, v]) => [f, mark(v, i)])))));
  },
  async execute(bodies, env: RunEnv): Promise<Attempt> {
    const { ctx, target, client } = env;
    const cases: Case[] = bodies.map((value) => make('concurrent', { kind: 'target', value: ctx.targetId }, { kind: 'valid' }, { body: { kind: 'json', value } }, [], { updatesTarget: true }));
    const results = await Promise.all(cases.map((c) => perform(c, ctx.contract, target, client)));
    const exchanges: Exchange[] = results.map((r) => r.exchange);
    const steps = cases.map((c, i) => `at once (${i + 1}/${CONCURRENCY}): ${ctx.contract.method} the asset ${show(c.body.kind === 'json' ? c.body.value : '')} -> ${exchanges[i]?.outcome.kind === 'response' ? exchanges[i]?.outcome.status : 'failed'}`);
    const every = results.filter((r) => !r.rateLimited).map((r) => judge(r.exchange, ctx, RESPONSE_CHECKS));
    const evaluated: RequirementId[] = every.flatMap((j) => j.evaluated);
    const violations: Violation[] = every.flatMap((j) => j.violations);
    // Only when every update was accepted is "one of them" the rule.
    if (results.some((r) => r.rateLimited || r.exchange.outcome.kind !== 'response' || r.exchange.outcome.status !== 200)) return { exchanges, steps, violations, evaluated };

    let state: JsonObject | null = null;
    let judged = fullFields(ctx);
    if (env.hasGet) {
      const read = await getAsset(ctx.contract, target, client, ctx.targetId, cases[0] as Case);
      exchanges.push(read);
      steps.push('then GET the asset');
      if (read.body?.ok && isJsonObject(read.body.value)) state = read.body.value;
    } else {
      const [first] = judged;
      const c = make('concurrent', { kind: 'target', value: ctx.targetId }, { kind: 'valid' }, { body: { kind: 'json', value: { [first as string]: (bodies[0] as JsonObject)[first as string] } } }, [], { updatesTarget: true });
      const { exchange } = await perform(c, ctx.contract, target, client);
      exchanges.push(exchange);
      steps.push(`then ${ctx.contract.method} the asset {${first}} to read the other fields`);
      judged = judged.slice(1);
      if (exchange.body?.ok && isJsonObject(exchange.body.value)) state = exchange.body.value;
    }
    const seen = judged.filter((f) => state && Object.hasOwn(state, f));
    if (!state || seen.length < 2) return { exchanges, steps, violations, evaluated };
    const final = state;
    const winner = bodies.findIndex((b) => seen.every((f) => sameValue(final[f], b[f])));
    evaluated.push('STATE-CONCURRENT-ONE-WINS');
    if (winner < 0) {
      const origin = seen.map((f) => {
        const j = bodies.findIndex((b) => sameValue(final[f], b[f]));
        return `${f} from ${j < 0 ? 'no body sent' : `body ${j + 1}`}`;
      });
      violations.push({ requirement: 'STATE-CONCURRENT-ONE-WINS', message: `Received: a mix (${origin.join(', ')}) / Expected: every field from one of the ${CONCURRENCY} bodies` });
    }
    return { exchanges, steps, violations, evaluated };
  },
};
