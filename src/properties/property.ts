/**
 * What a property is, and the pieces the properties share: the context they run in, how a single
 * case is sent and judged, and the arbitraries of bodies every kind of request draws from. They
 * are plain data plus arbitraries: the engine runs them, vitest or the CLI drive the engine, and
 * tests can import them.
 */
import fc from 'fast-check';
import { judge, RESPONSE_CHECKS, rememberKnown, type Violation } from '../checks/checks.ts';
import type { CheckContext } from '../checks/context.ts';
import type { HttpClient } from '../exchange/http.ts';
import { type Exchange, perform, type Target } from '../exchange/perform.ts';
import { invalidBody, type LabelledBody, rawBody, validBody } from '../generators/bodies.ts';
import { type AllowedStatuses, type Case, describeCase } from '../generators/case.ts';
import type { KeyChoice } from '../generators/keys.ts';
import type { JsonObject } from '../json.ts';
import { factorOf, type RequirementId } from '../requirements.ts';

export interface SuiteContext extends CheckContext {
  apiKey: string;
  /**
   * The run may point the asset's reference ids (preview_id) at the asset itself: only when it
   * can put them back (the run created the asset, or the values before the run hold them).
   */
  selfReference?: boolean;
  /**
   * Body properties whose value before the run cannot be sent back (a `preview_id` that was null,
   * and the body schema has no null): the run sends them no value a conforming server would accept.
   */
  withheld?: readonly string[];
  /** The asset's own members (not body properties) as the preflight's read or 200 showed them. */
  own?: Readonly<Record<string, unknown>>;
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
  /** Replaying a sequence of commands: fast-check's replay path for it (see runner/engine.ts, splitPath). */
  replayPath?: string;
  /**
   * Replaying one case: a sequence runs to its end whatever it shows (the violation replayed may
   * come after others the run had already shown, and the original run went on past those).
   */
  replaying?: boolean;
}

/** Violations the run already has a counterexample of: a property need not show them again. */
export interface Shown {
  has(v: Violation): boolean;
}

/** One execution of a property on one generated value: what was sent and what it showed. */
export interface Attempt {
  /** Every exchange, in order (one for a single case, several for a sequence). */
  exchanges: Exchange[];
  /**
   * Every exchange the value sent, when `exchanges` holds only the last of them (the edges property
   * keeps the case that showed something new as its counterexample): what the run counts as cases
   * and coverage, since the requirements judged on the earlier ones count them too.
   */
  sent?: Exchange[];
  /** One line per exchange, saying what was sent (numbered in reports). */
  steps: string[];
  violations: Violation[];
  /** Requirements judged, once per judgement (the "cases" count of the report). */
  evaluated: RequirementId[];
  /** The value could not be judged: a shrunk case that is no longer what it claims, or a 429 that lasted. */
  discarded?: boolean;
  /** The asset's values as the run knew them before the value was run (set by the engine; its outcome may depend on them). */
  stateBefore?: Record<string, unknown>;
}

export interface PropertyDef<T = unknown> {
  name: string;
  title: string;
  /** Requirements this property exercises beyond the every-response ones. */
  requirements: readonly RequirementId[];
  /** Why the property cannot run against this contract or target, or null. */
  skipReason(ctx: SuiteContext, hasGet: boolean): string | null;
  arbitrary(env: RunEnv): fc.Arbitrary<T>;
  /**
   * The kinds of value it sends, one arbitrary each (a keyword broken at a place, a branch of its
   * cases): a run's plan takes one value of each, so that every kind is reached whatever the seed.
   * Absent: the plan takes the first values of `arbitrary`.
   */
  strata?(env: RunEnv): fc.Arbitrary<T>[];
  /** Sends what the value describes and judges it; a sequence stops at the first violation not `shown` yet. */
  execute(value: T, env: RunEnv, shown: Shown): Promise<Attempt>;
  /** Its requests leave the asset as it is (when the target conforms): they may be sent in parallel. */
  parallel?: boolean;
  /** How many values it runs for a run's --runs (default: that many). */
  runs?(runs: number): number;
  /** Each value starts by putting the asset back to its values before the run: the state it met does not matter. */
  resets?: boolean;
}

const DISCARDED: Attempt = { exchanges: [], steps: [], violations: [], evaluated: [], discarded: true };

/**
 * Whether a generated case is still what it claims to be (after shrinking, too): a valid body
 * validates, an invalid one fails at its labelled keyword and pointer, a malformed id is not a
 * valid id and an unknown one is. A case that is not is discarded, never judged.
 */
export function confirmCase(c: Case, ctx: SuiteContext): boolean {
  const idErrors = ctx.validators.pathParam(c.id.value);
  // a respelled id may or may not pass the id schema (ajv's uuid format takes urn:uuid:)
  if (c.id.kind !== 'spelling' && (c.id.kind === 'malformed') !== idErrors.length > 0) return false;
  if (c.edge) return true; // exact text built for its row (tests/unit/edges.test.ts checks each row)
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

/** A request that timed out under the shortened deadline that follows a first timeout: never a verdict. */
export const unanswered = (ex: Exchange): boolean => ex.outcome.kind === 'failure' && ex.outcome.shortened === true;

/** The control of a case whose requirement is about one factor: the same body, to the asset, with the valid key. */
function controlCase(c: Case, ctx: SuiteContext): Case | null {
  if (!c.expect.some((e) => factorOf(e.requirement))) return null;
  return { ...c, id: theAsset(ctx), key: VALID_KEY, expect: [], updatesTarget: true };
}

/** Sends the control of a case, judged by the every-response checks only (its status is the case's evidence). */
async function sendControl(control: Case, env: RunEnv): Promise<Attempt | 'rate-limited'> {
  const { exchange, rateLimited } = await perform(control, env.ctx.contract, env.target, env.client);
  if (rateLimited) return 'rate-limited';
  if (unanswered(exchange)) return { ...DISCARDED, exchanges: [exchange] };
  const { evaluated, violations } = judge(exchange, env.ctx, RESPONSE_CHECKS);
  rememberKnown(exchange, env.ctx);
  return {
    exchanges: [exchange],
    steps: [`control, the same body to the asset with the valid key: ${describeCase(control)}`],
    violations,
    evaluated,
  };
}

/**
 * Sends one case and judges the exchange with every check. A case whose requirement is about one
 * factor (the id, the key) is preceded by its control, and both are the evidence.
 */
export async function executeCase(c: Case, env: RunEnv): Promise<Attempt> {
  if (!confirmCase(c, env.ctx)) return DISCARDED;
  const controlOf = controlCase(c, env.ctx);
  const control = controlOf ? await sendControl(controlOf, env) : null;
  if (control === 'rate-limited') return DISCARDED;
  if (control?.discarded) return control;
  // A control with no answer (a timeout, a reset): its own failure is the verdict, and the case would
  // have no evidence to stand on (sent after a timeout, it would go unjudged and take the verdict with it).
  if (control?.exchanges[0]?.outcome.kind === 'failure') return control;
  const { exchange, rateLimited } = await perform(c, env.ctx.contract, env.target, env.client);
  if (rateLimited) return DISCARDED;
  // Unanswered within the shortened deadline: nothing to judge, but the time spent counts (the engine stops a property after a few).
  if (unanswered(exchange)) return { ...DISCARDED, exchanges: [...(control?.exchanges ?? []), exchange] };
  if (control) exchange.control = control.exchanges[0];
  const { evaluated, violations } = judge(exchange, env.ctx);
  rememberKnown(exchange, env.ctx);
  // The description is only read when the case becomes a counterexample.
  return {
    exchanges: [...(control?.exchanges ?? []), exchange],
    get steps() {
      return [...(control?.steps ?? []), describeCase(c)];
    },
    violations: [...(control?.violations ?? []), ...violations],
    evaluated: [...(control?.evaluated ?? []), ...evaluated],
  };
}

/** A property that names another resource by id (a uuid in the body, e.g. preview_id): it may have to exist. */
export function isReference(schema: JsonObject): boolean {
  return schema['type'] === 'string' && schema['format'] === 'uuid';
}

export const schemaOf = (ctx: SuiteContext): JsonObject => ctx.contract.requestBody.schema;

export const referenceProperties = (ctx: SuiteContext): string[] =>
  Object.entries(ctx.bodyProperties)
    .filter(([, s]) => isReference(s))
    .map(([n]) => n);

/** Whether the run may send valid values of a body property (see SuiteContext.withheld). */
export const sendable = (ctx: SuiteContext, name: string): boolean => !ctx.withheld?.includes(name);

/** A valid body without reference ids: its outcome cannot depend on another resource. */
export const plainBody = (ctx: SuiteContext): fc.Arbitrary<LabelledBody> =>
  validBody(schemaOf(ctx), { include: (_n, s) => !isReference(s) }).map((value) => ({ body: { kind: 'json', value } }));

/** An invalid body: one schema violation, malformed JSON, an empty body or a non-object. */
export const anyInvalidBody = (ctx: SuiteContext): fc.Arbitrary<LabelledBody> =>
  fc.oneof(
    { weight: 3, arbitrary: invalidBody(schemaOf(ctx), ctx.validators.format) },
    { weight: 1, arbitrary: rawBody(schemaOf(ctx)) },
  );

export const VALID_KEY: KeyChoice = { kind: 'valid' };

/** The run's asset, as a case's id. */
export const theAsset = (ctx: SuiteContext): Case['id'] => ({ kind: 'target', value: ctx.targetId });

export function make(
  property: string,
  id: Case['id'],
  key: KeyChoice,
  labelled: LabelledBody,
  expect: readonly AllowedStatuses[],
  extra: Partial<Case> = {},
): Case {
  const invalid = labelled.invalid ? { invalid: labelled.invalid } : {};
  return { property, id, key, body: labelled.body, ...invalid, expect, updatesTarget: false, ...extra };
}

/** A valid JSON body as a labelled body. */
export const jsonBody = (value: unknown): LabelledBody => ({ body: { kind: 'json', value } });
