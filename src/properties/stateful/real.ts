/**
 * The real side of the stateful property: sends each request, records it as a numbered step,
 * judges every response, and moves the model the way the contract says the answer moves the asset.
 */
import { fieldsKind, judge, SEQUENCE_CHECKS, type Violation } from '../../checks/checks.ts';
import { type Exchange, getAsset, perform } from '../../exchange/perform.ts';
import type { Case } from '../../generators/case.ts';
import { keyLabel } from '../../generators/keys.ts';
import { isJsonObject, type JsonObject, sameValue, show } from '../../json.ts';
import type { RequirementId } from '../../requirements.ts';
import {
  confirmCase,
  make,
  type RunEnv,
  type Shown,
  type SuiteContext,
  theAsset,
  unanswered,
  VALID_KEY,
} from '../property.ts';
import {
  type AssetModel,
  type FieldEvent,
  type FieldModel,
  isUpdatable,
  type Origin,
  observe,
  observeMeta,
  REJECTED,
  type Recorder,
  sentFields,
} from './model.ts';

/** Ends a sequence: at the first violation not masked, or when the property's time is up. */
export class StopSequence extends Error {}

interface Previous {
  case: Case;
  status: number | null;
  body: JsonObject | null;
}

export class Real implements Recorder {
  readonly exchanges: Exchange[] = [];
  readonly steps: string[] = [];
  readonly violations: Violation[] = [];
  readonly evaluated: RequirementId[] = [];
  previous: Previous | null = null;
  constructor(
    readonly env: RunEnv,
    readonly shown: Shown,
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

  violate(requirement: RequirementId, message: string, kind?: string): void {
    const violation = { requirement, message, ...(kind === undefined ? {} : { kind }) };
    this.violations.push(violation);
    if (!this.env.replaying && !this.shown.has(violation)) throw new StopSequence(requirement);
  }
}

/** GET the asset and compare every field with the model. */
export async function read(model: AssetModel, real: Real, label: string): Promise<void> {
  real.checkTime();
  const { ctx, target, client } = real.env;
  const readCase = make('stateful', theAsset(ctx), VALID_KEY, { body: { kind: 'raw', text: '' } }, []);
  const exchange = await getAsset(ctx.contract, target, client, ctx.targetId, readCase);
  const step = real.record(exchange, `GET the asset (${label})`);
  if (unanswered(exchange)) throw new StopSequence('unanswered');
  const o = exchange.outcome;
  if (o.kind !== 'response' || o.status !== 200 || !exchange.body?.ok || !isJsonObject(exchange.body.value)) return;
  const body = exchange.body.value;
  observeMeta(model, real, body, step);
  for (const field of Object.keys(ctx.bodyProperties))
    if (Object.hasOwn(body, field)) observe(model, real, field, body[field], step);
}

/** One line for a request of a sequence; `body` is the text that was sent (not serialised again). */
function stepLine(c: Case, ctx: SuiteContext, body: string): string {
  const key = c.key.kind === 'valid' ? '' : c.key.kind === 'missing' ? ' without a key' : ` with ${keyLabel(c.key)}`;
  const id =
    c.id.kind === 'target'
      ? 'the asset'
      : c.id.kind === 'uppercase'
        ? 'the asset (upper-case id)'
        : `${c.id.kind} id ${JSON.stringify(c.id.value)}`;
  const text = c.body.kind === 'json' ? body.slice(0, 121) : JSON.stringify(c.body.text.slice(0, 121));
  return `${ctx.contract.method} ${id}${key} ${text.length > 120 ? `${text.slice(0, 120)}…` : text}`;
}

/** The same request again must leave the same state: its answer shows the same values. */
function judgeRepeat(
  real: Real,
  sent: Record<string, unknown>,
  body: JsonObject,
  previous: Previous | null,
  step: number,
): void {
  if (previous?.status !== 200 || !previous.body) return;
  const before = previous.body;
  const fields = Object.keys(sent).filter(
    (f) => isUpdatable(real.ctx, f) && Object.hasOwn(body, f) && Object.hasOwn(before, f),
  );
  if (fields.length > 0) real.judged('STATE-IDEMPOTENT');
  const differ = fields.filter((f) => !sameValue(body[f], before[f]));
  if (differ.length === 0) return;
  const now = differ.map((f) => `${f} ${show(body[f], 80, false)}`).join(', ');
  const then = differ.map((f) => `${f} ${show(before[f], 80, false)}`).join(', ');
  real.violate(
    'STATE-IDEMPOTENT',
    `step ${step}: the repeated request answered ${now} / the first time: ${then}`,
    fieldsKind(differ),
  );
}

interface Answer {
  c: Case;
  step: number;
  repeat: boolean;
  sent: Record<string, unknown>;
  body: JsonObject | null;
  previous: Previous | null;
  echoIsObservation: boolean;
}

/** A 200 to a valid update of the asset: the fields it sent are set; what the answer shows is observed. */
function accepted(model: AssetModel, real: Real, a: Answer): void {
  const ctx = real.ctx;
  model.updates.push(a.step);
  const events: [FieldModel, FieldEvent][] = [];
  for (const [field, value] of Object.entries(a.sent)) {
    const fm = model.fields[field] as FieldModel;
    const event: FieldEvent = { origin: 'sent200', value, step: a.step, repeat: a.repeat };
    fm.log.push(event);
    events.push([fm, event]);
    // What persists is what was sent, or what the server's own answer says it stored (tags dropped,
    // a member added: that field's after-200 requirement fails, persistence is not blamed twice).
    const answered = a.body && Object.hasOwn(a.body, field) && !sameValue(a.body[field], value) ? [a.body[field]] : [];
    if (isUpdatable(ctx, field)) fm.values = [value, ...answered];
    else if (fm.values) fm.values = [...fm.values, value];
  }
  if (!a.body) return;
  const body = a.body;
  observeMeta(model, real, body, a.step);
  // What the answer shows is an observation, except the echo of an updatable field it was sent
  // (that echo is the after-200 checks' to judge). An ignorable field's answer says whether it
  // was applied or ignored.
  for (const field of Object.keys(ctx.bodyProperties)) {
    const sent = Object.hasOwn(a.sent, field);
    const echo = sent && isUpdatable(ctx, field) && !a.echoIsObservation;
    const answerOf = sent && !a.echoIsObservation ? a.step : undefined;
    if (Object.hasOwn(body, field) && !echo) observe(model, real, field, body[field], a.step, answerOf);
  }
  // This step set its fields: a later read that disagrees is a lost update.
  if (!a.echoIsObservation) for (const [fm, event] of events) if (!fm.log.includes(event)) fm.log.push(event);
  if (a.repeat) judgeRepeat(real, a.sent, body, a.previous, a.step);
}

/** The known fields a body names, whatever their values; every one of them for a body that is not a JSON object. */
function namedFields(c: Case, ctx: SuiteContext): string[] {
  const known = Object.keys(ctx.bodyProperties);
  const body = c.body.kind === 'json' ? c.body.value : undefined;
  return isJsonObject(body) ? known.filter((f) => Object.hasOwn(body, f)) : known;
}

/** Fields whose value is no longer known: the next observation is their new base, not a verdict. */
function forget(model: AssetModel, fields: string[]): void {
  for (const field of fields) {
    const fm = model.fields[field];
    if (fm) Object.assign(fm, { values: null, base: null, log: [], seenAt: -1 });
  }
}

/** Any other answer: a rejection changes nothing; an unclear answer (5xx, failure) may have applied the values. */
function notAccepted(model: AssetModel, status: number | null, a: Answer): void {
  const origin: Origin = status !== null && REJECTED.includes(status) ? 'rejected' : 'uncertain';
  for (const [field, value] of Object.entries(a.sent)) {
    const fm = model.fields[field] as FieldModel;
    fm.log.push({ origin, value, step: a.step, repeat: a.repeat });
    if (origin === 'uncertain' && fm.values) fm.values = [...fm.values, value];
  }
}

/** Sends a request and moves the model the way the contract says its answer moves the asset. */
export async function request(
  model: AssetModel,
  real: Real,
  c: Case,
  repeat: boolean,
  label = '',
  echoIsObservation = false,
): Promise<void> {
  const ctx = real.ctx;
  real.checkTime();
  if (!confirmCase(c, ctx)) return;
  const { exchange, rateLimited } = await perform(c, ctx.contract, real.env.target, real.env.client);
  const text = typeof exchange.request.body === 'string' ? exchange.request.body : '';
  const step = real.record(exchange, `${label}${repeat ? 'again: ' : ''}${stepLine(c, ctx, text)}`);
  model.sentAny = true;
  // Unanswered within the shortened deadline: the sequence can show nothing more; it ends here.
  if (unanswered(exchange)) throw new StopSequence('unanswered');
  if (!rateLimited) {
    const every = judge(exchange, ctx, SEQUENCE_CHECKS);
    for (const id of every.evaluated) real.judged(id);
    for (const v of every.violations) real.violate(v.requirement, `step ${step}: ${v.message}`, v.kind);
  }
  const status = exchange.outcome.kind === 'response' && !rateLimited ? exchange.outcome.status : null;
  const body = exchange.body?.ok && isJsonObject(exchange.body.value) ? exchange.body.value : null;
  const answer: Answer = {
    c,
    step,
    repeat,
    sent: sentFields(c, ctx),
    body,
    previous: real.previous,
    echoIsObservation,
  };
  real.previous = { case: c, status, body };
  const onTarget = c.id.kind === 'target' || c.id.kind === 'uppercase';
  // A 200 to an invalid body or a bad key is another requirement's fault: what it did to the fields
  // it named is unknown, so they are observed afresh (never blamed on unsent fields or persistence).
  if (status === 200 && onTarget && !c.invalid && c.key.kind === 'valid') accepted(model, real, answer);
  else if (status === 200 && onTarget) forget(model, namedFields(c, ctx));
  else notAccepted(model, status, answer);
}
