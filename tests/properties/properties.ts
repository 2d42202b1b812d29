/**
 * The properties of the suite: one per kind of request of the contract's table. Each builds an
 * arbitrary of cases from the contract (so another spec revision needs no code change) and says
 * which statuses each case allows, for which requirement. They are plain data plus arbitraries:
 * the engine runs them, vitest or the CLI drive the engine, and tests can import them.
 */
import fc from 'fast-check';
import { type CheckContext, type Exchange, type Violation, judge, rememberKnown } from '../checks/checks.ts';
import type { RequirementId } from '../checks/requirements.ts';
import type { HttpClient } from '../client/http.ts';
import { type LabelledBody, invalidBody, rawBody, unknownOnlyBody, validBody } from '../generators/bodies.ts';
import { type Case, type Expectation, describeCase } from '../generators/case.ts';
import { type KeyChoice, badKey, malformedId, unknownUuid } from '../generators/requests.ts';
import { type Target, perform } from '../runner/exchange.ts';
import type { JsonObject } from '../spec/load.ts';

export interface SuiteContext extends CheckContext {
  apiKey: string;
  /**
   * The run may point the asset's reference ids (preview_id) at the asset itself: only when it
   * can put them back (the run created the asset, or the values before the run hold them).
   */
  selfReference?: boolean;
}

/** What a property runs with: the checks' context, the target and the client. */
export interface RunEnv {
  ctx: SuiteContext;
  target: Target;
  client: HttpClient;
  /** The target answers GET on the asset (detected once, by the preflight). */
  hasGet: boolean;
  /** Time (ms since the epoch) after which a property sends nothing more. */
  deadline?: number;
  /** The asset's values before the run, as a valid body: sequences start from them. */
  baseline?: Record<string, unknown>;
}

/** One execution of a property on one generated value: what was sent and what it showed. */
export interface Attempt {
  /** Every exchange, in order (one for a single case, several for a sequence). */
  exchanges: Exchange[];
  /** One line per exchange, saying what was sent (numbered in reports). */
  steps: string[];
  violations: Violation[];
  /** Requirements judged, once per judgement (the "cases" count of the report). */
  evaluated: RequirementId[];
  /** The value could not be judged: a shrunk case that is no longer what it claims, or a 429 that lasted. */
  discarded?: boolean;
}

export interface PropertyDef<T = unknown> {
  name: string;
  title: string;
  /** Requirements this property exercises beyond the every-response ones. */
  requirements: readonly RequirementId[];
  /** Why the property cannot run against this contract or target, or null. */
  skipReason(ctx: SuiteContext, hasGet: boolean): string | null;
  arbitrary(env: RunEnv): fc.Arbitrary<T>;
  /** Sends what the value describes and judges it; stops at the first violation not in `masked`. */
  execute(value: T, env: RunEnv, masked: ReadonlySet<RequirementId>): Promise<Attempt>;
  /** For single-request properties: the cases, for tests and tools. */
  cases?(ctx: SuiteContext): fc.Arbitrary<Case>;
  /** Its requests leave the asset as it is (when the target conforms): they may be sent in parallel. */
  parallel?: boolean;
}

export const DISCARDED: Attempt = { exchanges: [], steps: [], violations: [], evaluated: [], discarded: true };

/** Sends one case and judges the exchange with every check. */
export async function executeCase(c: Case, env: RunEnv): Promise<Attempt> {
  if (!confirmCase(c, env.ctx)) return DISCARDED;
  const { exchange, rateLimited } = await perform(c, env.ctx.contract, env.target, env.client);
  if (rateLimited) return DISCARDED;
  const { evaluated, violations } = judge(exchange, env.ctx);
  rememberKnown(exchange, env.ctx);
  // The description is only read when the case becomes a counterexample.
  return { exchanges: [exchange], get steps() { return [describeCase(c)]; }, violations, evaluated };
}

interface CaseProperty {
  parallel?: boolean;
  name: string;
  title: string;
  requirements: readonly RequirementId[];
  skipReason(ctx: SuiteContext): string | null;
  cases(ctx: SuiteContext): fc.Arbitrary<Case>;
}

/** A property of single requests: generate a case, send it, judge the exchange. */
function caseProperty(p: CaseProperty): PropertyDef<Case> {
  return { ...p, skipReason: (ctx) => p.skipReason(ctx), arbitrary: (env) => p.cases(env.ctx), execute: (c, env) => executeCase(c, env) };
}

/** A property that names another resource by id (a uuid in the body, e.g. preview_id): it may have to exist. */
export function isReference(schema: JsonObject): boolean {
  return schema['type'] === 'string' && schema['format'] === 'uuid';
}

const VALID: KeyChoice = { kind: 'valid' };
const AFTER_200: readonly RequirementId[] = ['A200-ID-ECHO', 'A200-UPDATED-AT', 'A200-STRING-EXACT', 'A200-ARRAY-SET', 'A200-ARRAY-EXACT', 'A200-OBJECT-REPLACED', 'A200-IGNORABLE'];

const schemaOf = (ctx: SuiteContext): JsonObject => ctx.contract.requestBody.schema;
const plainProperties = (ctx: SuiteContext): string[] => Object.entries(ctx.bodyProperties).filter(([, s]) => !isReference(s)).map(([n]) => n);
export const referenceProperties = (ctx: SuiteContext): string[] => Object.entries(ctx.bodyProperties).filter(([, s]) => isReference(s)).map(([n]) => n);

/** A valid body without reference ids: its outcome cannot depend on another resource. */
export const plainBody = (ctx: SuiteContext): fc.Arbitrary<LabelledBody> =>
  validBody(schemaOf(ctx), { include: (_n, s) => !isReference(s) }).map((value) => ({ body: { kind: 'json', value } }));

/** An invalid body: one schema violation, malformed JSON, an empty body or a non-object. */
export const anyInvalidBody = (ctx: SuiteContext): fc.Arbitrary<LabelledBody> =>
  fc.oneof({ weight: 3, arbitrary: invalidBody(schemaOf(ctx), ctx.validators.format) }, { weight: 1, arbitrary: rawBody(schemaOf(ctx)) });

const target = (ctx: SuiteContext): Case['id'] => ({ kind: 'target', value: ctx.targetId });

export function make(property: string, id: Case['id'], key: KeyChoice, labelled: LabelledBody, expect: readonly Expectation[], extra: Partial<Case> = {}): Case {
  return { property, id, key, body: labelled.body, ...(labelled.invalid ? { invalid: labelled.invalid } : {}), expect, updatesTarget: false, ...extra };
}

export const CASE_PROPERTIES: readonly PropertyDef<Case>[] = [
  caseProperty({
    name: 'valid-update',
    title: 'Valid updates of the asset are accepted and reflected',
    requirements: ['UPD-VALID-200', ...AFTER_200],
    skipReason: (ctx) => (plainProperties(ctx).length === 0 ? 'the body schema has no property to update' : null),
    cases: (ctx) => plainBody(ctx).map((b) => make('valid-update', target(ctx), VALID, b, [{ requirement: 'UPD-VALID-200', allowed: [200] }], { updatesTarget: true })),
  }),
  caseProperty({
    name: 'reference-update',
    title: 'Updates carrying a reference id (preview_id) get 200, 400 or 404',
    requirements: ['UPD-REFERENCE', ...AFTER_200],
    skipReason: (ctx) => (referenceProperties(ctx).length === 0 ? 'the body schema has no reference id (string, format uuid)' : null),
    cases: (ctx) =>
      fc
        .tuple(validBody(schemaOf(ctx), { atLeastOneOf: (_n, s) => isReference(s) }), fc.boolean())
        .map(([value, self]) => {
          // Sometimes the asset names itself: a resource that certainly exists (when that can be undone).
          const body = self && ctx.selfReference ? { ...value, ...Object.fromEntries(referenceProperties(ctx).filter((n) => Object.hasOwn(value, n)).map((n) => [n, ctx.targetId])) } : value;
          return make('reference-update', target(ctx), VALID, { body: { kind: 'json', value: body } }, [{ requirement: 'UPD-REFERENCE', allowed: [200, 400, 404] }], { updatesTarget: true });
        }),
  }),
  caseProperty({
    name: 'unknown-only',
    title: 'Bodies of unknown properties only get 200 (changing nothing) or 400',
    requirements: ['UPD-UNKNOWN-ONLY', 'UPD-UNKNOWN-ONLY-NO-CHANGE', 'A200-ID-ECHO', 'A200-UPDATED-AT'],
    skipReason: (ctx) => (schemaOf(ctx)['additionalProperties'] === false ? 'the body schema forbids unknown properties' : null),
    cases: (ctx) =>
      unknownOnlyBody(schemaOf(ctx)).map((value) =>
        make('unknown-only', target(ctx), VALID, { body: { kind: 'json', value } }, [{ requirement: 'UPD-UNKNOWN-ONLY', allowed: [200, 400] }], { updatesTarget: true, noKnownChange: true }),
      ),
  }),
  caseProperty({
    parallel: true,
    name: 'invalid-body',
    title: 'Bodies that violate the schema get 400',
    requirements: ['BODY-INVALID-400', 'BODY-EMPTY-400'],
    skipReason: () => null,
    cases: (ctx) =>
      invalidBody(schemaOf(ctx), ctx.validators.format).map((b) =>
        make('invalid-body', target(ctx), VALID, b, [{ requirement: b.invalid?.keyword === 'minProperties' ? 'BODY-EMPTY-400' : 'BODY-INVALID-400', allowed: [400] }]),
      ),
  }),
  caseProperty({
    parallel: true,
    name: 'malformed-body',
    title: 'Malformed JSON, empty bodies and non-objects get 400',
    requirements: ['BODY-NOT-OBJECT-400'],
    skipReason: () => null,
    cases: (ctx) => rawBody(schemaOf(ctx)).map((b) => make('malformed-body', target(ctx), VALID, b, [{ requirement: 'BODY-NOT-OBJECT-400', allowed: [400] }])),
  }),
  caseProperty({
    parallel: true,
    name: 'auth',
    title: 'Requests without a valid API key get 401',
    requirements: ['AUTH-401', 'AUTH-FIRST-401'],
    skipReason: (ctx) => (ctx.contract.auth ? null : 'the spec declares no security for the operation'),
    cases: (ctx) =>
      fc.oneof(
        { weight: 2, arbitrary: fc.tuple(badKey(ctx.apiKey), plainBody(ctx)).map(([key, b]) => make('auth', target(ctx), key, b, [{ requirement: 'AUTH-401', allowed: [401] }])) },
        { weight: 1, arbitrary: fc.tuple(badKey(ctx.apiKey), unknownUuid(ctx.targetId), plainBody(ctx)).map(([key, id, b]) => make('auth', { kind: 'unknown', value: id }, key, b, [{ requirement: 'AUTH-FIRST-401', allowed: [401] }])) },
        { weight: 1, arbitrary: fc.tuple(badKey(ctx.apiKey), anyInvalidBody(ctx)).map(([key, b]) => make('auth', target(ctx), key, b, [{ requirement: 'AUTH-FIRST-401', allowed: [401] }])) },
      ),
  }),
  caseProperty({
    parallel: true,
    name: 'unknown-id',
    title: 'Unknown asset ids get 404 (or 400 with an invalid body)',
    requirements: ['ID-UNKNOWN-404', 'ID-UNKNOWN-INVALID-BODY'],
    skipReason: () => null,
    cases: (ctx) =>
      fc.oneof(
        { weight: 2, arbitrary: fc.tuple(unknownUuid(ctx.targetId), plainBody(ctx)).map(([id, b]) => make('unknown-id', { kind: 'unknown', value: id }, VALID, b, [{ requirement: 'ID-UNKNOWN-404', allowed: [404] }])) },
        { weight: 1, arbitrary: fc.tuple(unknownUuid(ctx.targetId), anyInvalidBody(ctx)).map(([id, b]) => make('unknown-id', { kind: 'unknown', value: id }, VALID, b, [{ requirement: 'ID-UNKNOWN-INVALID-BODY', allowed: [400, 404] }])) },
      ),
  }),
  caseProperty({
    parallel: true,
    name: 'malformed-id',
    title: 'Ids that are not valid by the id schema get 400 or 404',
    requirements: ['ID-MALFORMED'],
    skipReason: () => null,
    cases: (ctx) =>
      fc
        .tuple(malformedId(ctx.targetId, (id) => ctx.validators.pathParam(id).length === 0), plainBody(ctx))
        .map(([id, b]) => make('malformed-id', { kind: 'malformed', value: id }, VALID, b, [{ requirement: 'ID-MALFORMED', allowed: [400, 404] }])),
  }),
  caseProperty({
    name: 'uppercase-id',
    title: 'The asset id in upper case is the same asset',
    requirements: ['ID-CASE-ALLOWED', 'ID-CASE-200', ...AFTER_200],
    skipReason: (ctx) => (ctx.targetId.toUpperCase() === ctx.targetId ? 'the asset id has no lower-case letter' : null),
    cases: (ctx) =>
      plainBody(ctx).map((b) =>
        make('uppercase-id', { kind: 'uppercase', value: ctx.targetId.toUpperCase() }, VALID, b, [
          { requirement: 'ID-CASE-ALLOWED', allowed: [200, 400, 404] },
          { requirement: 'ID-CASE-200', allowed: [200] },
        ], { updatesTarget: true }),
      ),
  }),
];

/**
 * Whether a generated case is still what it claims to be (after shrinking, too): a valid body
 * validates, an invalid one fails at its labelled keyword and pointer, a malformed id is not a
 * valid id and an unknown one is. A case that is not is discarded, never judged.
 */
export function confirmCase(c: Case, ctx: SuiteContext): boolean {
  const idErrors = ctx.validators.pathParam(c.id.value);
  if ((c.id.kind === 'malformed') !== (idErrors.length > 0)) return false;
  if (c.body.kind === 'raw') {
    try {
      JSON.parse(c.body.text);
      return false;
    } catch {
      return c.invalid !== undefined;
    }
  }
  const errors = ctx.validators.body(c.body.value);
  if (!c.invalid) return errors.length === 0;
  const { keyword, pointer } = c.invalid;
  return errors.some((e) => e.keyword === keyword && e.pointer === pointer);
}
