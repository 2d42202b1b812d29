/**
 * The edges property: every row of the edge table (generators/edges.ts) in every run, as exact JSON
 * text. Each case is preceded by its control (the same body with a plain value where the edge is)
 * and judged only when the control got 200; a 200 to the edge is followed by a read of the asset,
 * which must still work and show what the 200 showed. A run starts from the asset's values before
 * the run, so that a replay meets what the run met.
 */
import fc from 'fast-check';
import { adoptedMembers, judge, RESPONSE_CHECKS, rememberKnown } from '../checks/checks.ts';
import { type Exchange, getAsset, perform } from '../exchange/perform.ts';
import { OWN_NAMES } from '../generators/assigned.ts';
import { type Case, judgedBy } from '../generators/case.ts';
import { EDGE_ROWS, type EdgeCase, type EdgeRow, type EdgeSchema } from '../generators/edges.ts';
import { allowedTypes } from '../generators/values.ts';
import { isJsonObject, show } from '../json.ts';
import { titled } from './names.ts';
import {
  type Attempt,
  isReference,
  jsonBody,
  make,
  type PropertyDef,
  type RunEnv,
  type Shown,
  type SuiteContext,
  schemaOf,
  sendable,
  theAsset,
  unanswered,
  VALID_KEY,
} from './property.ts';

/** What the schema offers the edge generators, for this run. */
function edgeSchema(ctx: SuiteContext): EdgeSchema {
  return {
    properties: ctx.bodyProperties,
    usable: (name) =>
      (!ctx.updatable || ctx.updatable.includes(name)) &&
      !isReference(ctx.bodyProperties[name] ?? {}) &&
      sendable(ctx, name),
    allowsUnknown: schemaOf(ctx)['additionalProperties'] !== false,
    own: ownFields(ctx),
  };
}

/**
 * The asset's own fields by name, with their values before the run where shown: the dictionary's
 * names, the 200 schema's properties and what the preflight showed, less the body's properties and
 * less lists and objects (tags under a revision whose body leaves them out: whether a PUT may set
 * those is a question of the revision, not mass assignment of what the server owns).
 */
function ownFields(ctx: SuiteContext): Record<string, unknown> {
  const ok = ctx.contract.responses.find((r) => r.status === '200')?.schema;
  const props = isJsonObject(ok) && isJsonObject(ok['properties']) ? ok['properties'] : {};
  const names = new Set([...OWN_NAMES, ...Object.keys(props), ...Object.keys(ctx.own ?? {})]);
  const before: Record<string, unknown> = { ...ctx.own, [ctx.contract.pathParam.name]: ctx.targetId };
  const collection = (n: string): boolean => {
    const schema = props[n];
    const types = isJsonObject(schema) ? allowedTypes(schema) : [];
    return types.includes('array') || types.includes('object') || isJsonObject(before[n]) || Array.isArray(before[n]);
  };
  return Object.fromEntries(
    [...names].filter((n) => !Object.hasOwn(ctx.bodyProperties, n) && !collection(n)).map((n) => [n, before[n]]),
  );
}

type GeneratedRow = { row: EdgeRow; arbitrary: fc.Arbitrary<EdgeCase[]> };

/** The rows of a context, with what they were made from: made again when the asset or its values change. */
const rowsOf = new WeakMap<SuiteContext, { own: SuiteContext['own']; targetId: string; rows: GeneratedRow[] }>();

/**
 * The rows this property generates against this contract (a row may find no slot in the schema).
 * Made once per context: a run asks for them four times (skip reason, plan, arbitrary, execution),
 * and making them builds every long string of the lengths row.
 */
export function generatedRows(ctx: SuiteContext): GeneratedRow[] {
  const made = rowsOf.get(ctx);
  if (made && made.own === ctx.own && made.targetId === ctx.targetId) return made.rows;
  const schema = edgeSchema(ctx);
  const rows = EDGE_ROWS.flatMap((row) => {
    const arbitrary = row.arbitrary?.(schema) ?? null;
    return arbitrary ? [{ row, arbitrary }] : [];
  });
  rowsOf.set(ctx, { own: ctx.own, targetId: ctx.targetId, rows });
  return rows;
}

function edgeCaseOf(e: EdgeCase, row: EdgeRow, ctx: SuiteContext): Case {
  const statusBy = e.statusBy ?? (row.allowed.length > 0 && row.requirement !== 'RESP-NO-5XX' ? row.requirement : null);
  const expect = statusBy ? [judgedBy(statusBy)] : [];
  const { row: id, description, path, numberText, candidates, assigned } = e;
  return make(
    'edges',
    theAsset(ctx),
    VALID_KEY,
    {
      body: { kind: 'raw', text: e.text, ...(e.sent ? { sent: e.sent } : {}) },
      ...(e.malformed
        ? { invalid: { keyword: 'json', pointer: '', description: `malformed JSON (${e.malformed})` } }
        : {}),
    },
    expect,
    {
      updatesTarget: true,
      edge: {
        row: id,
        description,
        ...(path ? { path } : {}),
        ...(numberText ? { numberText } : {}),
        ...(candidates ? { candidates } : {}),
        ...(assigned ? { assigned } : {}),
      },
      ...(e.maxResponseBytes ? { maxResponseBytes: e.maxResponseBytes } : {}),
      ...(e.unknownOnly ? { noKnownChange: true } : {}),
    },
  );
}

const status = (ex: Exchange): number | null => (ex.outcome.kind === 'response' ? ex.outcome.status : null);

/** The controls of one run: a control body the asset accepted once in this run is known to be accepted. */
type Controls = Map<string, Exchange>;

/** The control of a case (sent once per run and body); null when it was not accepted or not answered. */
async function controlFor(e: EdgeCase, env: RunEnv, controls: Controls, out: Attempt): Promise<Exchange | null> {
  const key = JSON.stringify(e.control);
  const known = controls.get(key);
  if (known) return known;
  const { ctx, target, client } = env;
  const control = make('edges', theAsset(ctx), VALID_KEY, jsonBody(e.control), [], { updatesTarget: true });
  const sent = await perform(control, ctx.contract, target, client);
  if (sent.rateLimited) return null;
  if (unanswered(sent.exchange)) {
    out.exchanges.push(sent.exchange);
    out.steps.push(controlLine(e));
    return null;
  }
  const checked = judge(sent.exchange, ctx, RESPONSE_CHECKS);
  out.exchanges.push(sent.exchange);
  out.steps.push(controlLine(e));
  out.evaluated.push(...checked.evaluated);
  out.violations.push(...checked.violations);
  if (status(sent.exchange) !== 200) return null;
  rememberKnown(sent.exchange, ctx);
  controls.set(key, sent.exchange);
  return sent.exchange;
}

/** One case: its control (once per run), the edge, a read after a 200. Null: not judged (control refused, 429, unanswered). */
async function runCase(e: EdgeCase, row: EdgeRow, env: RunEnv, controls: Controls): Promise<Attempt | null> {
  const { ctx, target, client } = env;
  const one: Attempt = { exchanges: [], steps: [], violations: [], evaluated: [] };
  const control = await controlFor(e, env, controls, one);
  if (!control) return one.exchanges.length > 0 ? one : null;
  const c = edgeCaseOf(e, row, ctx);
  const { exchange, rateLimited } = await perform(c, ctx.contract, target, client);
  if (rateLimited || unanswered(exchange)) return { ...one, exchanges: [...one.exchanges, exchange] };
  exchange.control = control;
  // The read after a 200 is part of the edge's exchange (ex.after): the counterexample ends with the edge itself.
  if (status(exchange) === 200 && env.hasGet)
    exchange.after = await getAsset(ctx.contract, target, client, ctx.targetId, c);
  const { evaluated, violations } = judge(exchange, ctx);
  rememberKnown(exchange, ctx);
  // A megabyte or a thousand levels kept in the asset would make every later answer that large
  // (a pretty-printing server's, above all): the control puts a plain value back.
  if (e.maxResponseBytes && status(exchange) === 200) {
    const { exchange: back } = await perform(control.case, ctx.contract, target, client);
    rememberKnown(back, ctx);
  }
  if (e.assigned && status(exchange) === 200) await putBack(e, exchange, env);
  // A counterexample shows the control first, even when an earlier case of the run sent it.
  return {
    exchanges: [control, exchange],
    steps: [controlLine(e), `${row.id}: ${e.description}${exchange.after ? ' (then a GET of the asset)' : ''}`],
    violations: [...one.violations, ...violations],
    evaluated: [...one.evaluated, ...evaluated],
  };
}

/**
 * A server that took members named like the asset's own fields (mass assignment) is sent back the
 * values it had where the run knows them, at the id the asset now has (do no harm).
 */
async function putBack(e: EdgeCase, ex: Exchange, env: RunEnv): Promise<void> {
  const { ctx, target, client } = env;
  const taken = new Set(adoptedMembers(ex).map((t) => t.name));
  const back = Object.fromEntries(Object.entries(e.ownBefore ?? {}).filter(([n]) => taken.has(n)));
  if (Object.keys(back).length === 0) return;
  const idName = ctx.contract.pathParam.name;
  const at = taken.has(idName) ? String(e.assigned?.[idName]) : ctx.targetId;
  const c = make('edges', { kind: 'target', value: at }, VALID_KEY, jsonBody({ ...e.control, ...back }), [], {
    updatesTarget: true,
  });
  const { exchange } = await perform(c, ctx.contract, target, client);
  rememberKnown(exchange, ctx);
}

const controlLine = (e: EdgeCase): string => `control, the same body with a plain value there: ${show(e.control, 120)}`;

/** Every row's cases once: one value of the property. */
const tableOnce = (env: RunEnv): fc.Arbitrary<EdgeCase[][]> =>
  fc.noShrink(fc.tuple(...generatedRows(env.ctx).map((r) => r.arbitrary)));

export const EDGES: PropertyDef<EdgeCase[][]> = {
  ...titled('edges'),
  requirements: [
    'EDGE-SURROGATE',
    'EDGE-NUMBER-RANGE',
    'EDGE-BIG-INTEGER',
    'EDGE-DUPLICATE-MEMBERS',
    'EDGE-DEPTH',
    'EDGE-SIZE',
    'EDGE-READABLE',
    'STATE-PERSISTS',
    'STATE-OWN-FIELDS',
  ],
  skipReason: (ctx) => (generatedRows(ctx).length === 0 ? 'the body schema offers no place for an edge' : null),
  resets: true,
  // Every form of every row in every run (about 50 cases, their places at random): one run at the
  // default 100, more for more (--runs 1000: 10, each form in 10 places).
  runs: (runs) => Math.max(1, Math.ceil(runs / 100)),
  // Not shrunk: a failing value's counterexample is already its one case (the control and the
  // edge); shrinking would only drop the cases before it, each try sending the table again.
  arbitrary: (env) => tableOnce(env),
  // The plan sends the table once whatever --runs is: one value holds every form of every row.
  strata: (env) => [tableOnce(env)],
  async execute(groups, env, shown: Shown): Promise<Attempt> {
    const rows = generatedRows(env.ctx).map((r) => r.row);
    const all: Attempt = { exchanges: [], steps: [], violations: [], evaluated: [] };
    const { ctx, target, client, baseline } = env;
    // from the values before the run, so that a replay meets what the run met
    if (baseline) {
      const reset = make('edges', theAsset(ctx), VALID_KEY, jsonBody(baseline), [], { updatesTarget: true });
      const { exchange } = await perform(reset, ctx.contract, target, client);
      rememberKnown(exchange, ctx);
    }
    const controls: Controls = new Map();
    for (const [i, cases] of groups.entries())
      for (const e of cases) {
        // A target that stopped answering, or the property's time is up: the run can show nothing more here.
        if (all.exchanges.some(unanswered) || (env.deadline !== undefined && Date.now() > env.deadline)) return all;
        const one = await runCase(e, rows[i] as EdgeRow, env, controls);
        if (!one) continue;
        all.evaluated.push(...one.evaluated);
        // The counterexample is the case that showed something new: its control and the edge. (A
        // replay runs every case: the one replayed may come after others that the run had shown.)
        if (!env.replaying && one.violations.some((v) => !shown.has(v)))
          return { ...one, evaluated: all.evaluated, sent: [...all.exchanges, ...one.exchanges] };
        all.exchanges.push(...one.exchanges);
        all.steps.push(...one.steps);
        all.violations.push(...one.violations);
      }
    return all;
  },
};
