/**
 * The properties of single requests: one per kind of request of the contract's table (see
 * docs/contract.md, "Expected outcomes, by kind of request"). Each builds an arbitrary of cases
 * from the contract and says which statuses each case allows, for which requirement.
 */
import fc from 'fast-check';
import type { LabelledBody } from '../generators/bodies.ts';
import { invalidBody, invalidBodyBreaks, rawBody, rawKinds, unknownOnlyBody, validBody } from '../generators/bodies.ts';
import { type Case, judgedBy } from '../generators/case.ts';
import { type Beside, DOORS, type Door } from '../generators/doors.ts';
import { badKey, idSpelling, malformedId, specialUuids, unknownUuid } from '../generators/ids.ts';
import type { RequirementId } from '../requirements.ts';
import { titled } from './names.ts';
import {
  anyInvalidBody,
  executeCase,
  isReference,
  jsonBody,
  make,
  type PropertyDef,
  plainBody,
  type RunEnv,
  referenceProperties,
  type SuiteContext,
  schemaOf,
  sendable,
  theAsset,
  VALID_KEY,
} from './property.ts';

/** A property of single requests: generate a case, send it, judge the exchange. */
export interface CaseProperty extends PropertyDef<Case> {
  cases(ctx: SuiteContext): fc.Arbitrary<Case>;
  /** The kinds of case, from the context alone (what `strata` gives a run). */
  kinds?(ctx: SuiteContext): fc.Arbitrary<Case>[];
}

interface CasePropertySpec {
  parallel?: boolean;
  runs?(runs: number): number;
  name: string;
  title: string;
  requirements: readonly RequirementId[];
  skipReason(ctx: SuiteContext): string | null;
  cases(ctx: SuiteContext): fc.Arbitrary<Case>;
  /** The kinds of case, one arbitrary each (see PropertyDef.strata). */
  strata?(ctx: SuiteContext): fc.Arbitrary<Case>[];
}

function caseProperty(p: CasePropertySpec): CaseProperty {
  const { strata, ...rest } = p;
  return {
    ...rest,
    skipReason: (ctx) => p.skipReason(ctx),
    arbitrary: (env) => p.cases(env.ctx),
    ...(strata ? { kinds: strata, strata: (env: RunEnv) => strata(env.ctx) } : {}),
    execute: (c, env) => executeCase(c, env),
  };
}

/** A weighted choice among kinds of case: `cases` picks any, `strata` lists them. */
type Kinds = { weight: number; arbitrary: fc.Arbitrary<Case> }[];
const anyOf = (kinds: Kinds): fc.Arbitrary<Case> => fc.oneof(...kinds);
const eachOf = (kinds: Kinds): fc.Arbitrary<Case>[] => kinds.map((k) => k.arbitrary);

const AFTER_200: readonly RequirementId[] = [
  'A200-ID-ECHO',
  'A200-UPDATED-AT',
  'A200-STRING-EXACT',
  'A200-ARRAY-SET',
  'A200-ARRAY-EXACT',
  'A200-OBJECT-REPLACED',
  'A200-IGNORABLE',
];

const plainProperties = (ctx: SuiteContext): string[] =>
  Object.entries(ctx.bodyProperties)
    .filter(([, s]) => !isReference(s))
    .map(([n]) => n);

/** Sometimes the asset names itself: a resource that certainly exists (when that can be undone). */
function referenceCases(ctx: SuiteContext): fc.Arbitrary<Case> {
  return fc
    .tuple(
      validBody(schemaOf(ctx), {
        include: (n) => sendable(ctx, n),
        atLeastOneOf: (n, s) => isReference(s) && sendable(ctx, n),
      }),
      fc.boolean(),
    )
    .map(([value, self]) => {
      const own = referenceProperties(ctx)
        .filter((n) => Object.hasOwn(value, n))
        .map((n) => [n, ctx.targetId]);
      const body = self && ctx.selfReference ? { ...value, ...Object.fromEntries(own) } : value;
      const expect = [judgedBy('UPD-REFERENCE')];
      return make('reference-update', theAsset(ctx), VALID_KEY, jsonBody(body), expect, { updatesTarget: true });
    });
}

/**
 * The kinds of reference update: any (the asset itself now and then, when that can be undone), then
 * each special uuid (ids.ts) in a reference property, and the asset's own id when it may name itself.
 */
function referenceKinds(ctx: SuiteContext): Kinds {
  const names = referenceProperties(ctx).filter((n) => sendable(ctx, n));
  const special = [
    ...specialUuids(),
    ...(ctx.selfReference ? [{ how: "the asset's own id", arbitrary: fc.constant(ctx.targetId) }] : []),
  ];
  const base = validBody(schemaOf(ctx), { include: (n, s) => sendable(ctx, n) && !isReference(s) });
  const kinds = special.map(({ how, arbitrary }) => ({
    weight: 1,
    arbitrary: fc.tuple(base, fc.constantFrom(...names), arbitrary).map(([value, name, id]) =>
      make(
        'reference-update',
        theAsset(ctx),
        VALID_KEY,
        jsonBody({ ...value, [name]: id }),
        [judgedBy('UPD-REFERENCE')],
        {
          updatesTarget: true,
          specialUuid: how,
        },
      ),
    ),
  }));
  return [{ weight: 1, arbitrary: referenceCases(ctx) }, ...(names.length > 0 ? kinds : [])];
}

function authKinds(ctx: SuiteContext): Kinds {
  const expect = (requirement: RequirementId) => [judgedBy(requirement)];
  const onAsset = fc
    .tuple(badKey(ctx.apiKey), plainBody(ctx))
    .map(([key, b]) => make('auth', theAsset(ctx), key, b, expect('AUTH-401')));
  const onUnknown = fc
    .tuple(badKey(ctx.apiKey), unknownUuid(ctx.targetId), plainBody(ctx))
    .map(([key, id, b]) => make('auth', { kind: 'unknown', value: id }, key, b, expect('AUTH-FIRST-401')));
  const invalid = fc
    .tuple(badKey(ctx.apiKey), anyInvalidBody(ctx))
    .map(([key, b]) => make('auth', theAsset(ctx), key, b, expect('AUTH-FIRST-401')));
  return [
    { weight: 2, arbitrary: onAsset },
    { weight: 1, arbitrary: onUnknown },
    { weight: 1, arbitrary: invalid },
  ];
}

/** The auth property's random stream: the kinds above, and now and then a credential elsewhere (every door in the plan). */
const authCases = (ctx: SuiteContext): fc.Arbitrary<Case> =>
  anyOf([...authKinds(ctx), { weight: 1, arbitrary: fc.oneof(...doorKinds(ctx)) }]);

/**
 * Credentials elsewhere (doors.ts): each door a kind of its own, sent to the asset with a valid
 * body, no valid key in the contract's header (left out or wrong) and AUTH-401 to meet.
 */
function doorKinds(ctx: SuiteContext): fc.Arbitrary<Case>[] {
  // the valid key elsewhere, with the header left out and with a wrong one (a fallback, a precedence
  // fault); a wrong value elsewhere with the header left out (a server that takes any credential)
  const besides = (door: Door): Beside[] =>
    door.place !== 'repeated' && door.place !== 'list' && door.valid ? ['missing', 'wrong'] : ['missing'];
  return DOORS.flatMap((door) =>
    besides(door).map((beside) =>
      plainBody(ctx).map((b) =>
        make('auth', theAsset(ctx), { kind: 'elsewhere', door, beside }, b, [judgedBy('AUTH-401')]),
      ),
    ),
  );
}

/** Each special uuid (ids.ts) as the path id: an id no asset has, judged as any unknown id (404). */
function specialIdKinds(ctx: SuiteContext): fc.Arbitrary<Case>[] {
  const other = (id: string): boolean => id.toLowerCase() !== ctx.targetId.toLowerCase();
  return specialUuids().map(({ how, arbitrary }) =>
    fc.tuple(arbitrary.filter(other), plainBody(ctx)).map(([id, b]) =>
      make('unknown-id', { kind: 'unknown', value: id }, VALID_KEY, b, [judgedBy('ID-UNKNOWN-404')], {
        specialUuid: how,
      }),
    ),
  );
}

function unknownIdKinds(ctx: SuiteContext): Kinds {
  const valid = fc
    .tuple(unknownUuid(ctx.targetId), plainBody(ctx))
    .map(([id, b]) => make('unknown-id', { kind: 'unknown', value: id }, VALID_KEY, b, [judgedBy('ID-UNKNOWN-404')]));
  const invalid = fc
    .tuple(unknownUuid(ctx.targetId), anyInvalidBody(ctx))
    .map(([id, b]) =>
      make('unknown-id', { kind: 'unknown', value: id }, VALID_KEY, b, [judgedBy('ID-UNKNOWN-INVALID-BODY')]),
    );
  return [
    { weight: 2, arbitrary: valid },
    { weight: 1, arbitrary: invalid },
  ];
}

/** A body that is not a JSON object, to the asset. */
const malformedBodyCase =
  (ctx: SuiteContext) =>
  (b: LabelledBody): Case =>
    make('malformed-body', theAsset(ctx), VALID_KEY, b, [judgedBy('BODY-NOT-OBJECT-400')]);

/** An invalid body to the asset, judged by the requirement of its keyword. */
const invalidBodyCase =
  (ctx: SuiteContext) =>
  (b: LabelledBody): Case => {
    const requirement = b.invalid?.keyword === 'minProperties' ? 'BODY-EMPTY-400' : 'BODY-INVALID-400';
    return make('invalid-body', theAsset(ctx), VALID_KEY, b, [judgedBy(requirement)]);
  };

export const CASE_PROPERTIES: readonly CaseProperty[] = [
  caseProperty({
    ...titled('valid-update'),
    requirements: ['UPD-VALID-200', ...AFTER_200],
    skipReason: (ctx) => (plainProperties(ctx).length === 0 ? 'the body schema has no property to update' : null),
    cases: (ctx) =>
      plainBody(ctx).map((b) =>
        make('valid-update', theAsset(ctx), VALID_KEY, b, [judgedBy('UPD-VALID-200')], {
          updatesTarget: true,
        }),
      ),
  }),
  caseProperty({
    ...titled('reference-update'),
    requirements: ['UPD-REFERENCE', ...AFTER_200],
    skipReason: (ctx) => {
      const references = referenceProperties(ctx);
      if (references.length === 0) return 'the body schema has no reference id (string, format uuid)';
      if (references.some((n) => sendable(ctx, n))) return null;
      return `not exercised, to do no harm: the asset's ${references.join(', ')} before the run cannot be sent back (the body schema has no null), so the run sends no value a server could accept; use --create-asset, or an asset that has a ${references[0]}`;
    },
    cases: referenceCases,
    strata: (ctx) => eachOf(referenceKinds(ctx)),
  }),
  caseProperty({
    ...titled('unknown-only'),
    requirements: ['UPD-UNKNOWN-ONLY', 'UPD-UNKNOWN-ONLY-NO-CHANGE', 'A200-ID-ECHO', 'A200-UPDATED-AT'],
    skipReason: (ctx) =>
      schemaOf(ctx)['additionalProperties'] === false ? 'the body schema forbids unknown properties' : null,
    cases: (ctx) =>
      unknownOnlyBody(schemaOf(ctx)).map((value) =>
        make('unknown-only', theAsset(ctx), VALID_KEY, jsonBody(value), [judgedBy('UPD-UNKNOWN-ONLY')], {
          updatesTarget: true,
          noKnownChange: true,
        }),
      ),
  }),
  caseProperty({
    parallel: true,
    ...titled('invalid-body'),
    requirements: ['BODY-INVALID-400', 'BODY-EMPTY-400'],
    skipReason: () => null,
    cases: (ctx) => invalidBody(schemaOf(ctx), ctx.validators.format).map(invalidBodyCase(ctx)),
    strata: (ctx) => invalidBodyBreaks(schemaOf(ctx), ctx.validators.format).map((a) => a.map(invalidBodyCase(ctx))),
  }),
  caseProperty({
    parallel: true,
    ...titled('malformed-body'),
    requirements: ['BODY-NOT-OBJECT-400'],
    skipReason: () => null,
    cases: (ctx) => rawBody(schemaOf(ctx)).map(malformedBodyCase(ctx)),
    strata: (ctx) => rawKinds(schemaOf(ctx)).map((k) => k.arbitrary.map(malformedBodyCase(ctx))),
  }),
  caseProperty({
    // not parallel: its controls update the asset
    ...titled('auth'),
    requirements: ['AUTH-401', 'AUTH-FIRST-401'],
    skipReason: (ctx) => (ctx.contract.auth ? null : 'the spec declares no security for the operation'),
    cases: authCases,
    strata: (ctx) => [...eachOf(authKinds(ctx)), ...doorKinds(ctx)],
  }),
  caseProperty({
    // not parallel: its controls update the asset
    ...titled('unknown-id'),
    requirements: ['ID-UNKNOWN-404', 'ID-UNKNOWN-INVALID-BODY'],
    skipReason: () => null,
    cases: (ctx) => anyOf(unknownIdKinds(ctx)),
    strata: (ctx) => [...eachOf(unknownIdKinds(ctx)), ...specialIdKinds(ctx)],
  }),
  caseProperty({
    parallel: true,
    ...titled('malformed-id'),
    requirements: ['ID-MALFORMED'],
    skipReason: () => null,
    cases: (ctx) =>
      fc
        .tuple(
          malformedId(ctx.targetId, (id) => ctx.validators.pathParam(id).length === 0),
          plainBody(ctx),
        )
        .map(([id, b]) =>
          make('malformed-id', { kind: 'malformed', value: id }, VALID_KEY, b, [judgedBy('ID-MALFORMED')]),
        ),
  }),
  caseProperty({
    // not parallel: a 200 updates the asset, and its control does
    ...titled('id-spelling'),
    // four spellings: a quarter of the runs sends each several times
    runs: (runs) => Math.max(4, Math.ceil(runs / 4)),
    requirements: ['ID-SPELLING', ...AFTER_200],
    skipReason: (ctx) =>
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(ctx.targetId)
        ? null
        : 'the asset id is not a hyphenated uuid',
    cases: (ctx) =>
      fc.tuple(idSpelling(ctx.targetId), plainBody(ctx)).map(([id, b]) =>
        make('id-spelling', { kind: 'spelling', value: id.value }, VALID_KEY, b, [judgedBy('ID-SPELLING')], {
          updatesTarget: true,
        }),
      ),
  }),
  caseProperty({
    ...titled('uppercase-id'),
    requirements: ['ID-CASE-ALLOWED', 'ID-CASE-200', ...AFTER_200],
    skipReason: (ctx) => (ctx.targetId.toUpperCase() === ctx.targetId ? 'the asset id has no lower-case letter' : null),
    cases: (ctx) =>
      plainBody(ctx).map((b) =>
        make(
          'uppercase-id',
          { kind: 'uppercase', value: ctx.targetId.toUpperCase() },
          VALID_KEY,
          b,
          [judgedBy('ID-CASE-ALLOWED'), judgedBy('ID-CASE-200')],
          { updatesTarget: true },
        ),
      ),
  }),
];
