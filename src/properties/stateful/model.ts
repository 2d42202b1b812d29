/**
 * The model of the stateful property: the asset's metadata as the contract says it must be.
 *
 * For each body field the model knows the values it may have now (one value, or several where the
 * contract leaves the outcome open: an ignorable field, an answer that says nothing), and what
 * happened to the field since it was last observed. When an observation disagrees, that history
 * names the requirement: a value a rejected request sent -> STATE-REJECTED-NO-CHANGE; a value lost
 * after a 200 -> STATE-PERSISTS (STATE-IDEMPOTENT when the last update was a repeat); a field no
 * request named -> STATE-UNSENT-PRESERVED.
 */
import type { Case } from '../../generators/case.ts';
import { isJsonObject, type JsonObject, sameValue, show } from '../../json.ts';
import type { RequirementId } from '../../requirements.ts';
import type { SuiteContext } from '../property.ts';

export type Origin = 'sent200' | 'rejected' | 'uncertain';

export interface FieldEvent {
  origin: Origin;
  value: unknown;
  step: number;
  repeat: boolean;
}

export interface FieldModel {
  /** Values the field may have now; null until it is first observed. */
  values: unknown[] | null;
  /** The values it could have had when it was last observed (before `log`). */
  base: unknown[] | null;
  /** What happened to it since it was last observed. */
  log: FieldEvent[];
  /** The step at which it was last observed (-1: never); an event of that step or before was seen. */
  seenAt: number;
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

/** Where the model reports what it judged and what it found (the real side of the run). */
export interface Recorder {
  readonly ctx: SuiteContext;
  judged(requirement: RequirementId): void;
  violate(requirement: RequirementId, message: string, kind?: string): void;
}

export const REJECTED = [400, 401, 404];

const brief = (v: unknown): string => show(v, 80, false);

export function newModel(ctx: SuiteContext): AssetModel {
  const fields = Object.fromEntries(
    Object.keys(ctx.bodyProperties).map((f) => [f, { values: null, base: null, log: [], seenAt: -1 }]),
  );
  return { fields, hashes: {}, maxUpdatedAt: null, sentAny: false, updates: [] };
}

export const isUpdatable = (ctx: SuiteContext, field: string): boolean =>
  !ctx.updatable || ctx.updatable.includes(field);

/** Body fields a request sent with a value of the right shape (the ones a server could have applied). */
export function sentFields(c: Case, ctx: SuiteContext): Record<string, unknown> {
  if (c.body.kind !== 'json' || !isJsonObject(c.body.value)) return {};
  const out: Record<string, unknown> = {};
  for (const field of Object.keys(ctx.bodyProperties)) {
    if (!Object.hasOwn(c.body.value, field)) continue;
    const value = c.body.value[field];
    if (ctx.validators.body({ [field]: value }).length === 0) out[field] = value;
  }
  return out;
}

const isEmpty = (value: unknown): boolean =>
  value === '' ||
  (Array.isArray(value) && value.length === 0) ||
  (isJsonObject(value) && Object.keys(value).length === 0);

/** Which requirement a disagreeing observation breaks, from the field's history. */
function blame(model: AssetModel, fm: FieldModel, value: unknown): RequirementId {
  const rejected = fm.log.filter((e) => e.origin === 'rejected');
  // A value that only a rejected request sent (not one the field had before) was applied by it.
  // An empty value ("", [], {}) is weak evidence: an accepted update after the rejected request
  // that wiped the field explains it as well.
  const empty = isEmpty(value);
  const fromRejected =
    rejected.some((e) => sameValue(e.value, value) && !(empty && model.updates.some((u) => u > e.step))) &&
    !(fm.base ?? []).some((v) => sameValue(v, value));
  if (fromRejected) return 'STATE-REJECTED-NO-CHANGE';
  return fm.log.some((e) => e.origin === 'sent200') ? 'STATE-PERSISTS' : 'STATE-UNSENT-PRESERVED';
}

function historyOf(fm: FieldModel): string[] {
  return fm.log.map((e) => {
    if (e.origin === 'sent200')
      return `step ${e.step} set it to ${brief(e.value)} (200${e.repeat ? ', a repeat' : ''})`;
    if (e.origin === 'rejected') return `step ${e.step} sent ${brief(e.value)} and was rejected`;
    return `step ${e.step} sent ${brief(e.value)} with an unclear answer`;
  });
}

/**
 * An observed value of a field: from a read, or from a 200 body for a field the request did not
 * send, or for an ignorable field it did send (`answerOf`: that 200's step). In the answer that sent
 * it, an ignorable field that is neither the value sent nor one the field could have had is the
 * answer's fault (A200-IGNORABLE), when no other 200 set the field since it was last seen and no
 * rejected request sent that value.
 */
export function observe(
  model: AssetModel,
  rec: Recorder,
  field: string,
  value: unknown,
  step: number,
  answerOf?: number,
): void {
  const fm = model.fields[field];
  if (!fm) return;
  const seenAt = fm.seenAt;
  fm.seenAt = step;
  if (fm.values === null) {
    fm.values = [value];
    fm.base = [value];
    fm.log = [];
    return;
  }
  const blamed = blame(model, fm, value);
  // a value no rejected request sent, and no 200 but this one set the field since it was last seen
  const ownAnswer =
    answerOf !== undefined &&
    blamed === 'STATE-PERSISTS' &&
    fm.log.every((e) => e.origin !== 'sent200' || e.step === answerOf || e.step <= seenAt);
  const requirement = ownAnswer ? 'A200-IGNORABLE' : blamed;
  // Every rule this observation could have caught a break of has been judged.
  if (answerOf !== undefined) rec.judged('A200-IGNORABLE');
  if (fm.log.some((e) => e.origin === 'rejected')) rec.judged('STATE-REJECTED-NO-CHANGE');
  rec.judged(fm.log.some((e) => e.origin === 'sent200') ? 'STATE-PERSISTS' : 'STATE-UNSENT-PRESERVED');
  const expected = fm.values;
  const history = historyOf(fm);
  fm.values = [value];
  fm.base = [value];
  fm.log = [];
  if (!expected.some((v) => sameValue(v, value))) {
    const why = history.length > 0 ? history.join('; ') : 'no request named it';
    rec.violate(
      requirement,
      `step ${step}: ${field} is ${brief(value)} / expected ${expected.map(brief).join(' or ')} (${why})`,
      field,
    );
  }
}

function observeTimestamps(model: AssetModel, rec: Recorder, body: JsonObject, step: number): void {
  for (const field of rec.ctx.timestampFields) {
    const text = body[field];
    if (typeof text !== 'string') continue;
    const ms = Date.parse(text);
    if (Number.isNaN(ms)) continue;
    const before = model.maxUpdatedAt;
    if (before) {
      rec.judged('STATE-UPDATED-AT-MONOTONIC');
      if (ms < before.ms) {
        rec.violate(
          'STATE-UPDATED-AT-MONOTONIC',
          `step ${step}: ${field} ${text} is earlier than ${before.text} (step ${before.step})`,
        );
      }
    }
    if (!model.maxUpdatedAt || ms >= model.maxUpdatedAt.ms) model.maxUpdatedAt = { ms, text, step };
  }
}

function observeHashes(model: AssetModel, rec: Recorder, body: JsonObject, step: number): void {
  for (const field of rec.ctx.hashFields) {
    const value = body[field];
    if (typeof value !== 'string') continue;
    const before = model.hashes[field];
    if (before !== undefined) {
      rec.judged('STATE-HASH-STABLE');
      if (before !== value) {
        model.hashes[field] = value;
        rec.violate(
          'STATE-HASH-STABLE',
          `step ${step}: ${field} is ${value} / expected ${before} (metadata updates do not change content)`,
        );
      }
    }
    model.hashes[field] = value;
  }
}

/** What every read and 200 body shows beside the fields: updated_at and the content hash. */
export function observeMeta(model: AssetModel, rec: Recorder, body: JsonObject, step: number): void {
  observeTimestamps(model, rec, body, step);
  observeHashes(model, rec, body, step);
}
