/**
 * Stateful properties. A model of the asset's metadata as the contract says it must be is kept
 * beside the real asset; fast-check generates sequences of requests (valid updates of every
 * shape, invalid bodies, bad keys, unknown and malformed ids, repeats, reads), each checked
 * against the model, and shrinks a failing sequence to the shortest one.
 *
 * The model knows, for each body field, the values it may have now (one value, or several where
 * the contract leaves the outcome open: an ignorable field, an answer that says nothing), and what
 * happened to the field since it was last observed. When an observation disagrees, that history
 * names the requirement: a value a rejected request sent -> STATE-REJECTED-NO-CHANGE; a value lost
 * after a 200 -> STATE-PERSISTS (STATE-IDEMPOTENT when the last update was a repeat); a field no
 * request named -> STATE-UNSENT-PRESERVED.
 */
import fc from 'fast-check';
import { type Exchange, RESPONSE_CHECKS, type Violation, judge, jsonEqual } from '../checks/checks.ts';
import type { RequirementId } from '../checks/requirements.ts';
import { unknownOnlyBody } from '../generators/bodies.ts';
import type { Case } from '../generators/case.ts';
import { badKey, malformedId, unknownUuid } from '../generators/requests.ts';
import { getAsset, perform } from '../runner/exchange.ts';
import { type JsonObject, isJsonObject } from '../spec/load.ts';
import { type Attempt, type PropertyDef, type RunEnv, type SuiteContext, anyInvalidBody, confirmCase, isReference, make, plainBody } from './properties.ts';
import { validBody } from '../generators/bodies.ts';

type Origin = 'sent200' | 'rejected' | 'uncertain';

interface FieldEvent {
  origin: Origin;
  value: unknown;
  step: number;
  repeat: boolean;
}

interface FieldModel {
  /** Values the field may have now; null until it is first observed. */
  values: unknown[] | null;
  /** The values it could have had when it was last observed (before `log`). */
  base: unknown[] | null;
  /** What happened to it since it was last observed. */
  log: FieldEvent[];
}

export interface AssetModel {
  fields: Record<string, FieldModel>;
  hashes: Record<string, string>;
  maxUpdatedAt: { ms: number; text: string; step: number } | null;
  /** A request was sent in this sequence (a repeat has something to repeat). */
  sentAny: boolean;
  /** Steps at which an update was answered 200. */
  updates: number[];
}

const REJECTED = [400, 401, 404];

/** Tags and other arrays compare as sets (a server may de-duplicate or sort); the rest exactly. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    const sa = new Set(a.map((x) => JSON.stringify(x)));
    const sb = new Set(b.map((x) => JSON.stringify(x)));
    return sa.size === sb.size && [...sa].every((x) => sb.has(x));
  }
  return jsonEqual(a, b);
}

const show = (v: unknown): string => {
  const s = JSON.stringify(v) ?? 'undefined';
  return s.length > 80 ? `${s.slice(0, 80)}…` : s;
};

class StopSequence extends Error {}

/** The real side of the model run: sends, records, and collects violations. */
class Real {
  readonly exchanges: Exchange[] = [];
  readonly steps: string[] = [];
  readonly violations: Violation[] = [];
  readonly evaluated: RequirementId[] = [];
  previous: { case: Case; status: number | null; body: JsonObject | null } | null = null;
  constructor(
    readonly env: RunEnv,
    readonly masked: ReadonlySet<RequirementId>,
  ) {}

  get ctx(): SuiteContext {
    return this.env.ctx;
  }

  /** Ends the sequence quietly once the property's time is up. */
  checkTime(): void {
    if (this.env.deadline !== undefined && Date.now() > this.env.deadline) throw new StopSequence('time');
  }

  record(exchange: Exchange, line: string): number {
    this.exchanges.push(exchange);
    const status = exchange.outcome.kind === 'response' ? String(exchange.outcome.status) : exchange.outcome.failure;
    this.steps.push(`${line} -> ${status}`);
    return this.exchanges.length;
  }

  judged(requirement: RequirementId): void {
    this.evaluated.push(requirement);
  }

  violate(requirement: RequirementId, message: string): void {
    this.violations.push({ requirement, message });
    if (!this.masked.has(requirement)) throw new StopSequence(requirement);
  }
}

function newModel(ctx: SuiteContext): AssetModel {
  return { fields: Object.fromEntries(Object.keys(ctx.bodyProperties).map((f) => [f, { values: null, base: null, log: [] }])), hashes: {}, maxUpdatedAt: null, sentAny: false, updates: [] };
}

const isUpdatable = (ctx: SuiteContext, field: string): boolean => !ctx.updatable || ctx.updatable.includes(field);

/** Body fields a request sent with a value of the right shape (the ones a server could have applied). */
function sentFields(c: Case, ctx: SuiteContext): Record<string, unknown> {
  if (c.body.kind !== 'json' || !isJsonObject(c.body.value)) return {};
  const out: Record<string, unknown> = {};
  for (const field of Object.keys(ctx.bodyProperties)) {
    if (!Object.hasOwn(c.body.value, field)) continue;
    const value = c.body.value[field];
    if (ctx.validators.body({ [field]: value }).length === 0) out[field] = value;
  }
  return out;
}

/** An observed value of a field: from a read, or from a 200 body for a field the request did not send. */
function observe(model: AssetModel, real: Real, field: string, value: unknown, step: number): void {
  const fm = model.fields[field];
  if (!fm) return;
  if (fm.values === null) {
    fm.values = [value];
    fm.base = [value];
    fm.log = [];
    return;
  }
  const rejected = fm.log.filter((e) => e.origin === 'rejected');
  const sent = fm.log.filter((e) => e.origin === 'sent200');
  // A value that only a rejected request sent (not one the field had before) was applied by it.
  // An empty value ("", [], {}) is weak evidence: an accepted update after the rejected request
  // that wiped the field explains it as well.
  const empty = value === '' || (Array.isArray(value) && value.length === 0) || (isJsonObject(value) && Object.keys(value).length === 0);
  const fromRejected = rejected.some((e) => sameValue(e.value, value) && !(empty && model.updates.some((u) => u > e.step))) && !(fm.base ?? []).some((v) => sameValue(v, value));
  const requirement: RequirementId = fromRejected ? 'STATE-REJECTED-NO-CHANGE' : sent.length > 0 ? 'STATE-PERSISTS' : 'STATE-UNSENT-PRESERVED';
  // Every rule this observation could have caught a break of has been judged.
  if (rejected.length > 0) real.judged('STATE-REJECTED-NO-CHANGE');
  real.judged(sent.length > 0 ? 'STATE-PERSISTS' : 'STATE-UNSENT-PRESERVED');
  const expected = fm.values;
  const history = fm.log.map((e) => `step ${e.step} ${e.origin === 'sent200' ? `set it to ${show(e.value)} (200${e.repeat ? ', a repeat' : ''})` : e.origin === 'rejected' ? `sent ${show(e.value)} and was rejected` : `sent ${show(e.value)} with an unclear answer`}`);
  fm.values = [value];
  fm.base = [value];
  fm.log = [];
  if (!expected.some((v) => sameValue(v, value))) {
    real.violate(requirement, `step ${step}: ${field} is ${show(value)} / expected ${expected.map(show).join(' or ')} (${history.length > 0 ? history.join('; ') : 'no request named it'})`);
  }
}

function observeMeta(model: AssetModel, real: Real, body: JsonObject, step: number): void {
  const ctx = real.ctx;
  for (const field of ctx.timestampFields) {
    const text = body[field];
    if (typeof text !== 'string') continue;
    const ms = Date.parse(text);
    if (Number.isNaN(ms)) continue;
    if (model.maxUpdatedAt) {
      real.judged('STATE-UPDATED-AT-MONOTONIC');
      if (ms < model.maxUpdatedAt.ms) {
        const before = model.maxUpdatedAt;
        real.violate('STATE-UPDATED-AT-MONOTONIC', `step ${step}: ${field} ${text} is earlier than ${before.text} (step ${before.step})`);
      }
    }
    if (!model.maxUpdatedAt || ms >= model.maxUpdatedAt.ms) model.maxUpdatedAt = { ms, text, step };
  }
  for (const field of ctx.hashFields) {
    const value = body[field];
    if (typeof value !== 'string') continue;
    const before = model.hashes[field];
    if (before !== undefined) {
      real.judged('STATE-HASH-STABLE');
      if (before !== value) {
        model.hashes[field] = value;
        real.violate('STATE-HASH-STABLE', `step ${step}: ${field} is ${value} / expected ${before} (metadata updates do not change content)`);
      }
    }
    model.hashes[field] = value;
  }
}

/** GET the asset and compare every field with the model. */
async function read(model: AssetModel, real: Real, label: string): Promise<void> {
  real.checkTime();
  const { ctx, target, client } = real.env;
  const readCase = make('stateful', { kind: 'target', value: ctx.targetId }, { kind: 'valid' }, { body: { kind: 'raw', text: '' } }, []);
  const exchange = await getAsset(ctx.contract, target, client, ctx.targetId, readCase);
  const step = real.record(exchange, `GET the asset (${label})`);
  if (exchange.outcome.kind !== 'response' || exchange.outcome.status !== 200 || !exchange.body?.ok || !isJsonObject(exchange.body.value)) return;
  const body = exchange.body.value;
  observeMeta(model, real, body, step);
  for (const field of Object.keys(ctx.bodyProperties)) if (Object.hasOwn(body, field)) observe(model, real, field, body[field], step);
}

/** One line for a request of a sequence; `body` is the text that was sent (not serialised again). */
function stepLine(c: Case, ctx: SuiteContext, body: string): string {
  const key = c.key.kind === 'valid' ? '' : c.key.kind === 'missing' ? ' without a key' : ` with wrong key ${JSON.stringify(c.key.value)}`;
  const id = c.id.kind === 'target' ? 'the asset' : c.id.kind === 'uppercase' ? 'the asset (upper-case id)' : `${c.id.kind} id ${JSON.stringify(c.id.value)}`;
  const text = c.body.kind === 'json' ? body.slice(0, 121) : JSON.stringify(c.body.text.slice(0, 121));
  return `${ctx.contract.method} ${id}${key} ${text.length > 120 ? `${text.slice(0, 120)}…` : text}`;
}

/** Sends a request and moves the model the way the contract says its answer moves the asset. */
async function request(model: AssetModel, real: Real, c: Case, repeat: boolean, label = '', echoIsObservation = false): Promise<void> {
  const ctx = real.ctx;
  real.checkTime();
  if (!confirmCase(c, ctx)) return;
  const { exchange, rateLimited } = await perform(c, ctx.contract, real.env.target, real.env.client);
  const step = real.record(exchange, `${label}${repeat ? 'again: ' : ''}${stepLine(c, ctx, typeof exchange.request.body === 'string' ? exchange.request.body : '')}`);
  model.sentAny = true;
  if (!rateLimited) {
    const every = judge(exchange, ctx, RESPONSE_CHECKS);
    every.evaluated.forEach((id) => real.judged(id));
    for (const v of every.violations) real.violate(v.requirement, `step ${step}: ${v.message}`);
  }
  const status = exchange.outcome.kind === 'response' && !rateLimited ? exchange.outcome.status : null;
  const body = exchange.body?.ok && isJsonObject(exchange.body.value) ? exchange.body.value : null;
  const sent = sentFields(c, ctx);
  const onTarget = c.id.kind === 'target' || c.id.kind === 'uppercase';
  const previous = real.previous;
  real.previous = { case: c, status, body };

  // A 200 to an invalid body or a bad key is another requirement's fault: what it did is unknown.
  if (status === 200 && onTarget && !c.invalid && c.key.kind === 'valid') {
    model.updates.push(step);
    const events: [FieldModel, FieldEvent][] = [];
    for (const [field, value] of Object.entries(sent)) {
      const fm = model.fields[field] as FieldModel;
      const event: FieldEvent = { origin: 'sent200', value, step, repeat };
      fm.log.push(event);
      events.push([fm, event]);
      if (isUpdatable(ctx, field)) fm.values = [value];
      else if (fm.values) fm.values = [...fm.values, value];
    }
    if (body) {
      observeMeta(model, real, body, step);
      // What the answer shows is an observation, except the echo of an updatable field it was sent
      // (that echo is the after-200 checks' to judge). An ignorable field's answer says whether it
      // was applied or ignored.
      for (const field of Object.keys(ctx.bodyProperties)) {
        const echo = Object.hasOwn(sent, field) && isUpdatable(ctx, field) && !echoIsObservation;
        if (Object.hasOwn(body, field) && !echo) observe(model, real, field, body[field], step);
      }
      // This step set its fields: a later read that disagrees is a lost update.
      if (!echoIsObservation) for (const [fm, event] of events) if (!fm.log.includes(event)) fm.log.push(event);
      // The same request again must leave the same state: its answer shows the same values.
      if (repeat && previous?.status === 200 && previous.body) {
        const fields = Object.keys(sent).filter((f) => isUpdatable(ctx, f) && Object.hasOwn(body, f) && Object.hasOwn(previous.body as JsonObject, f));
        if (fields.length > 0) real.judged('STATE-IDEMPOTENT');
        const differ = fields.filter((f) => !sameValue(body[f], (previous.body as JsonObject)[f]));
        if (differ.length > 0) real.violate('STATE-IDEMPOTENT', `step ${step}: the repeated request answered ${differ.map((f) => `${f} ${show(body[f])}`).join(', ')} / the first time: ${differ.map((f) => `${f} ${show((previous.body as JsonObject)[f])}`).join(', ')}`);
      }
    }
    return;
  }
  const origin: Origin = status !== null && REJECTED.includes(status) ? 'rejected' : 'uncertain';
  for (const [field, value] of Object.entries(sent)) {
    const fm = model.fields[field] as FieldModel;
    fm.log.push({ origin, value, step, repeat });
    if (origin === 'uncertain' && fm.values) fm.values = [...fm.values, value];
  }
}

type Cmd = fc.AsyncCommand<AssetModel, Real>;

class RequestCommand implements Cmd {
  constructor(readonly c: Case) {}
  check(): boolean {
    return true;
  }
  async run(model: AssetModel, real: Real): Promise<void> {
    await request(model, real, this.c, false);
  }
  toString(): string {
    return `${this.c.property}: ${JSON.stringify(this.c.body.kind === 'json' ? this.c.body.value : this.c.body.text)}`;
  }
}

class RepeatCommand implements Cmd {
  check(model: AssetModel): boolean {
    return model.sentAny;
  }
  async run(model: AssetModel, real: Real): Promise<void> {
    if (real.previous) await request(model, real, real.previous.case, true);
  }
  toString(): string {
    return 'repeat the previous request';
  }
}

class ReadCommand implements Cmd {
  check(): boolean {
    return true;
  }
  async run(model: AssetModel, real: Real): Promise<void> {
    if (real.env.hasGet) return read(model, real, 'read');
    // No GET: a no-op update (a field set to the value the model knows) shows the others in its answer.
    const ctx = real.ctx;
    const field = Object.keys(ctx.bodyProperties).find((f) => isUpdatable(ctx, f) && !isReference(ctx.bodyProperties[f] as JsonObject) && model.fields[f]?.values?.length === 1);
    if (!field) return;
    const value = model.fields[field]?.values?.[0];
    await request(model, real, make('stateful', { kind: 'target', value: ctx.targetId }, { kind: 'valid' }, { body: { kind: 'json', value: { [field]: value } } }, [], { updatesTarget: true }), false);
  }
  toString(): string {
    return 'read the asset';
  }
}

function commands(env: RunEnv): fc.Arbitrary<Cmd>[] {
  const { ctx } = env;
  const target = { kind: 'target' as const, value: ctx.targetId };
  const valid = { kind: 'valid' as const };
  const schema = ctx.contract.requestBody.schema;
  const updates = fc.oneof(
    { weight: 4, arbitrary: plainBody(ctx).map((b) => make('update', target, valid, b, [], { updatesTarget: true })) },
    { weight: 1, arbitrary: validBody(schema).map((value) => make('update', target, valid, { body: { kind: 'json', value } }, [], { updatesTarget: true })) },
    { weight: 1, arbitrary: unknownOnlyBody(schema).map((value) => make('update', target, valid, { body: { kind: 'json', value } }, [], { updatesTarget: true, noKnownChange: true })) },
    { weight: 1, arbitrary: plainBody(ctx).map((b) => make('update', { kind: 'uppercase', value: ctx.targetId.toUpperCase() }, valid, b, [], { updatesTarget: true })) },
  );
  // Command values do not shrink: a shrink step replays the whole sequence, so shrinking spends
  // its requests on removing commands (the shortest sequence), not on shortening strings.
  const out: fc.Arbitrary<Cmd>[] = [
    updates.map((c) => new RequestCommand(c)),
    updates.map((c) => new RequestCommand(c)),
    anyInvalidBody(ctx).map((b) => new RequestCommand(make('invalid', target, valid, b, []))),
    fc.tuple(unknownUuid(ctx.targetId), fc.oneof(plainBody(ctx), anyInvalidBody(ctx))).map(([id, b]) => new RequestCommand(make('unknown-id', { kind: 'unknown', value: id }, valid, b, []))),
    fc.tuple(malformedId(ctx.targetId, (id) => ctx.validators.pathParam(id).length === 0), plainBody(ctx)).map(([id, b]) => new RequestCommand(make('malformed-id', { kind: 'malformed', value: id }, valid, b, []))),
    fc.constant(new RepeatCommand()),
    fc.constant(new ReadCommand()),
    fc.constant(new ReadCommand()),
  ];
  if (ctx.contract.auth) out.push(fc.tuple(badKey(ctx.apiKey), fc.oneof(plainBody(ctx), anyInvalidBody(ctx))).map(([key, b]) => new RequestCommand(make('auth', target, key, b, []))));
  return out.map((arb) => fc.noShrink(arb));
}

export const STATEFUL: PropertyDef<Iterable<Cmd>> = {
  name: 'stateful',
  title: 'Sequences of requests: updates persist, rejected requests change nothing, unsent fields stay',
  requirements: ['STATE-UNSENT-PRESERVED', 'STATE-REJECTED-NO-CHANGE', 'STATE-PERSISTS', 'STATE-IDEMPOTENT', 'STATE-UPDATED-AT-MONOTONIC', 'STATE-HASH-STABLE'],
  skipReason: (ctx) => (Object.keys(ctx.bodyProperties).length === 0 ? 'the body schema has no property' : null),
  arbitrary: (env) => fc.commands(commands(env), { maxCommands: 8 }),
  async execute(cmds, env, masked): Promise<Attempt> {
    const real = new Real(env, masked);
    const model = newModel(env.ctx);
    try {
      await fc.asyncModelRun(async () => {
        // Every sequence starts from the same state (the asset as it was before the run), so that
        // a shrunk sequence meets the asset as the original one did.
        if (env.baseline) {
          const reset = make('stateful', { kind: 'target', value: env.ctx.targetId }, { kind: 'valid' }, { body: { kind: 'json', value: env.baseline } }, [], { updatesTarget: true });
          // Without GET, the reset's answer is the first look at the asset.
          await request(model, real, reset, false, 'reset: ', !env.hasGet);
        }
        if (env.hasGet) await read(model, real, 'before the sequence');
        return { model, real };
      }, cmds);
    } catch (error) {
      if (!(error instanceof StopSequence)) throw error;
    }
    return { exchanges: real.exchanges, steps: real.steps, violations: real.violations, evaluated: real.evaluated };
  },
};
