/**
 * Concurrent full-body updates (SHOULD): K updates of every updatable field, sent at once, must
 * leave the asset equal to one of them, never a mix. The final state is read with GET, or, when
 * the target has none, from the 200 body of a follow-up update of one field (then the other
 * fields are judged).
 */
import fc from 'fast-check';
import { judge, RESPONSE_CHECKS } from '../checks/checks.ts';
import { type Exchange, getAsset, perform } from '../exchange/perform.ts';
import type { Case } from '../generators/case.ts';
import { valueFor } from '../generators/values.ts';
import { isJsonObject, type JsonObject, sameValue, show } from '../json.ts';
import { titled } from './names.ts';
import {
  type Attempt,
  isReference,
  jsonBody,
  make,
  type PropertyDef,
  type RunEnv,
  type SuiteContext,
  theAsset,
  VALID_KEY,
} from './property.ts';

const CONCURRENCY = 4;

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

const update = (ctx: SuiteContext, value: unknown): Case =>
  make('concurrent', theAsset(ctx), VALID_KEY, jsonBody(value), [], { updatesTarget: true });

/** The asset after the updates, and the fields that can be judged on it. */
async function finalState(
  env: RunEnv,
  bodies: Record<string, unknown>[],
  attempt: Attempt,
): Promise<{ state: JsonObject | null; judged: string[] }> {
  const { ctx, target, client } = env;
  const fields = fullFields(ctx);
  if (env.hasGet) {
    const read = await getAsset(ctx.contract, target, client, ctx.targetId, update(ctx, bodies[0]));
    attempt.exchanges.push(read);
    attempt.steps.push('then GET the asset');
    const answered = !read.rateLimited && read.outcome.kind === 'response' && read.outcome.status === 200;
    return {
      state: answered && read.body?.ok && isJsonObject(read.body.value) ? read.body.value : null,
      judged: fields,
    };
  }
  const [first] = fields as [string];
  const { exchange } = await perform(
    update(ctx, { [first]: (bodies[0] as JsonObject)[first] }),
    ctx.contract,
    target,
    client,
  );
  attempt.exchanges.push(exchange);
  attempt.steps.push(`then ${ctx.contract.method} the asset {${first}} to read the other fields`);
  const state = exchange.body?.ok && isJsonObject(exchange.body.value) ? exchange.body.value : null;
  return { state, judged: fields.slice(1) };
}

/**
 * Every field from one update, or a mix: says where each field came from. Each update counts as
 * sent or as the server itself answered it (its 200 body), so a field the server stores or shows
 * its own way (tags dropped, a member added, a name rewritten in answers) is that field's
 * requirement's fault, never a mix.
 */
function judgeMix(final: JsonObject, seen: string[], updates: Record<string, unknown[]>[], attempt: Attempt): void {
  attempt.evaluated.push('STATE-CONCURRENT-ONE-WINS');
  const from = (u: Record<string, unknown[]>, f: string): boolean => (u[f] ?? []).some((v) => sameValue(final[f], v));
  if (updates.some((u) => seen.every((f) => from(u, f)))) return;
  const origin = seen.map((f) => {
    const j = updates.findIndex((u) => from(u, f));
    return `${f} from ${j < 0 ? 'no update' : `update ${j + 1}`}`;
  });
  attempt.violations.push({
    requirement: 'STATE-CONCURRENT-ONE-WINS',
    message: `Received: a mix (${origin.join(', ')}) / Expected: every field from one of the ${CONCURRENCY} updates, as sent or as answered`,
  });
}

/**
 * The values each update may have left, per field: the value sent, and the one its 200 body shows
 * unless that is another update's value (then it is a mix already).
 */
function asSentOrAnswered(bodies: Record<string, unknown>[], exchanges: Exchange[]): Record<string, unknown[]>[] {
  return bodies.map((sent, i) => {
    const answer = exchanges[i]?.body;
    const shown = answer?.ok && isJsonObject(answer.value) ? answer.value : {};
    const own = (f: string): boolean =>
      Object.hasOwn(shown, f) && !bodies.some((other, j) => j !== i && sameValue(shown[f], other[f]));
    return Object.fromEntries(Object.keys(sent).map((f) => [f, own(f) ? [sent[f], shown[f]] : [sent[f]]]));
  });
}

export const CONCURRENT: PropertyDef<Record<string, unknown>[]> = {
  ...titled('concurrent'),
  requirements: ['STATE-CONCURRENT-ONE-WINS'],
  skipReason: (ctx) => (fullFields(ctx).length < 2 ? 'fewer than two updatable fields: no mix is possible' : null),
  arbitrary: (env) => {
    const fields = fullFields(env.ctx);
    // Plain values will do: what is judged is whether the bodies mix, not how each is stored.
    const values = fields.map((f) => valueFor(env.ctx.bodyProperties[f] as JsonObject, 0, true));
    const body = fc.tuple(...values).map((vs) => Object.fromEntries(fields.map((f, i) => [f, vs[i]])));
    const marked = (bodies: Record<string, unknown>[]) =>
      bodies.map((b, i) => Object.fromEntries(Object.entries(b).map(([f, v]) => [f, mark(v, i)])));
    // No shrinking: the outcome of a race does not repeat, so shrink steps would mostly measure luck.
    return fc.noShrink(fc.array(body, { minLength: CONCURRENCY, maxLength: CONCURRENCY }).map(marked));
  },
  async execute(bodies, env): Promise<Attempt> {
    const { ctx, target, client } = env;
    const cases = bodies.map((value) => update(ctx, value));
    const results = await Promise.all(cases.map((c) => perform(c, ctx.contract, target, client)));
    const exchanges: Exchange[] = results.map((r) => r.exchange);
    const steps = cases.map((c, i) => {
      const o = exchanges[i]?.outcome;
      return `at once (${i + 1}/${CONCURRENCY}): ${ctx.contract.method} the asset ${show(c.body.kind === 'json' ? c.body.value : '', 60, false)} -> ${o?.kind === 'response' ? o.status : 'failed'}`;
    });
    const every = results.filter((r) => !r.rateLimited).map((r) => judge(r.exchange, ctx, RESPONSE_CHECKS));
    const attempt: Attempt = {
      exchanges,
      steps,
      violations: every.flatMap((j) => j.violations),
      evaluated: every.flatMap((j) => j.evaluated),
    };
    // Only when every update was accepted is "one of them" the rule.
    const allAccepted = results.every(
      (r) => !r.rateLimited && r.exchange.outcome.kind === 'response' && r.exchange.outcome.status === 200,
    );
    if (!allAccepted) return attempt;
    const { state, judged } = await finalState(env, bodies, attempt);
    const seen = judged.filter((f) => state && Object.hasOwn(state, f));
    if (state && seen.length >= 2) judgeMix(state, seen, asSentOrAnswered(bodies, exchanges), attempt);
    return attempt;
  },
};
