/**
 * Before any property runs: is the target there, does it accept the key, does the asset exist,
 * and what are the asset's values now (the snapshot that the run puts back at its end)?
 * Any "no" is a RunError (exit code 2, one line), not a verdict on the contract.
 */
import { rememberKnown } from '../checks/checks.ts';
import type { CheckContext } from '../checks/context.ts';
import { RunError } from '../errors.ts';
import type { HttpClient } from '../exchange/http.ts';
import { type Exchange, getAsset, perform, type Target } from '../exchange/perform.ts';
import type { Case } from '../generators/case.ts';
import { allowedTypes } from '../generators/values.ts';
import { isJsonObject } from '../json.ts';

/** The asset's body fields as the target showed them before the run. */
export interface Snapshot {
  values: Record<string, unknown>;
  /** Where they were read: GET, or the 200 body of an update that changed nothing. */
  source: 'GET' | 'PUT';
}

export interface Preflight {
  /** The target answers GET on the asset's path with the asset. */
  hasGet: boolean;
  /** The values before the run (null when no read showed them). */
  snapshot: Snapshot | null;
  /** The values after the preflight, as far as shown: where sequences of requests start from. */
  baseline: Record<string, unknown> | null;
  /** The quickest answer of the preflight, in ms: the target's latency as the run meets it. */
  latencyMs: number;
  /** The asset's own members (not body properties) as the read, or else the plain update's 200, showed them. */
  own: Record<string, unknown>;
}

/** The quickest of the exchanges' answers (the first may include opening the connection). */
function quickest(exchanges: readonly Exchange[]): number {
  const ms = Math.min(...exchanges.filter((e) => e.outcome.kind === 'response').map((e) => e.outcome.ms));
  return Number.isFinite(ms) ? Math.round(ms) : 0;
}

const UNREACHABLE = ['refused', 'dns', 'tls', 'timeout', 'protocol'];

export function targetCase(ctx: CheckContext, value: unknown): Case {
  return {
    property: 'preflight',
    id: { kind: 'target', value: ctx.targetId },
    key: { kind: 'valid' },
    body: { kind: 'json', value },
    expect: [],
    updatesTarget: true,
  };
}

/** Body fields shown by a read or a 200 body. */
export function bodyFieldsOf(ctx: CheckContext, ex: Exchange): Record<string, unknown> | null {
  if (ex.outcome.kind !== 'response' || ex.outcome.status !== 200 || !ex.body?.ok || !isJsonObject(ex.body.value))
    return null;
  const body = ex.body.value;
  const idName = ctx.contract.pathParam.name;
  if (typeof body[idName] === 'string' && (body[idName] as string).toLowerCase() !== ctx.targetId.toLowerCase())
    return null;
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(ctx.bodyProperties)) if (Object.hasOwn(body, name)) out[name] = body[name];
  return out;
}

/** The members of a read or a 200 body that are not body properties: the asset's own fields as shown. */
function ownFieldsOf(ctx: CheckContext, ex: Exchange): Record<string, unknown> | null {
  if (bodyFieldsOf(ctx, ex) === null || !ex.body?.ok || !isJsonObject(ex.body.value)) return null;
  return Object.fromEntries(Object.entries(ex.body.value).filter(([n]) => !Object.hasOwn(ctx.bodyProperties, n)));
}

/** A plain valid body that changes as little as possible: the current value of a field, when known. */
function quietBody(ctx: CheckContext): Record<string, unknown> {
  const candidates = Object.entries(ctx.bodyProperties).filter(
    ([name]) => !ctx.updatable || ctx.updatable.includes(name),
  );
  const known = candidates.find(
    ([name]) => Object.hasOwn(ctx.known, name) && ctx.validators.body({ [name]: ctx.known[name] }).length === 0,
  );
  if (known) return { [known[0]]: ctx.known[known[0]] };
  const string = candidates.find(([, s]) => allowedTypes(s).includes('string') && s['format'] === undefined);
  if (string) return { [string[0]]: 'conformance-preflight' };
  const [name, schema] = candidates[0] ?? Object.entries(ctx.bodyProperties)[0] ?? ['name', {}];
  const types = allowedTypes(schema);
  return { [name]: types.includes('array') ? [] : types.includes('object') ? {} : 'conformance-preflight' };
}

function judgeAnswer(ex: Exchange, ctx: CheckContext, target: Target, what: string): void {
  const out = ex.outcome;
  if (out.kind === 'failure' && UNREACHABLE.includes(out.failure))
    throw new RunError(`target unreachable: ${target.baseUrl}: ${out.message}`);
  // A redirect says the base URL is wrong; any other 3xx (a 304, say) is a status to judge, not a reason to stop.
  const location =
    out.kind === 'response' && out.status >= 300 && out.status < 400 ? out.headers['location'] : undefined;
  if (location !== undefined) {
    throw new RunError(
      `the target redirects (${out.kind === 'response' ? out.status : ''} to ${location}) on ${what}; redirects are not followed: give the final address as --base-url`,
    );
  }
  if (out.kind === 'response' && out.status === 401)
    throw new RunError(
      `the API key was rejected (401) on ${what} of asset ${ctx.targetId}: check --api-key or CONFORMANCE_API_KEY`,
    );
  if (out.kind === 'response' && out.status === 404)
    throw new RunError(`asset ${ctx.targetId} not found (404 on ${what}): check --asset-id or CONFORMANCE_ASSET_ID`);
}

/**
 * `restorable`: refuse, before changing anything, when the asset's values cannot be read and so
 * could not be put back (the caller passes false for loopback targets, a created asset, or
 * --allow-unrestored).
 */
export async function preflight(
  ctx: CheckContext,
  target: Target,
  client: HttpClient,
  restorable = false,
): Promise<Preflight> {
  // 1. GET the asset, when the target serves it: it tells the current values.
  const got = await getAsset(ctx.contract, target, client, ctx.targetId, targetCase(ctx, null), true);
  if (got.outcome.kind === 'failure' && UNREACHABLE.includes(got.outcome.failure))
    throw new RunError(`target unreachable: ${target.baseUrl}: ${got.outcome.message}`);
  if (got.outcome.kind === 'response' && got.outcome.status >= 300 && got.outcome.status < 400)
    judgeAnswer(got, ctx, target, 'a read of the asset');
  const read = bodyFieldsOf(ctx, got);
  const hasGet =
    read !== null &&
    got.body?.ok === true &&
    isJsonObject(got.body.value) &&
    typeof got.body.value[ctx.contract.pathParam.name] === 'string';
  let snapshot: Snapshot | null = hasGet && read ? { values: read, source: 'GET' } : null;
  if (snapshot) Object.assign(ctx.known, snapshot.values);

  // 2. Without GET: a body of unknown properties changes nothing; a 200 to it may show the values.
  const sent = [got];
  if (!snapshot && ctx.contract.requestBody.schema['additionalProperties'] !== false) {
    const { exchange } = await perform(
      targetCase(ctx, { conformance_preflight: true }),
      ctx.contract,
      target,
      client,
      true,
    );
    judgeAnswer(exchange, ctx, target, 'an update of unknown properties only');
    sent.push(exchange);
    const shown = bodyFieldsOf(ctx, exchange);
    if (shown && Object.keys(shown).length > 0) {
      snapshot = { values: shown, source: 'PUT' };
      Object.assign(ctx.known, shown);
    }
  }

  if (!snapshot && restorable) {
    throw new RunError(
      `the asset's values cannot be read (no GET /api/assets/{id}, and no 200 body lists them), so the run could not put them back: use --create-asset, or --allow-unrestored to modify asset ${ctx.targetId} anyway`,
    );
  }

  // 3. A plain valid update (a no-op when a current value is known).
  const { exchange } = await perform(targetCase(ctx, quietBody(ctx)), ctx.contract, target, client, true);
  judgeAnswer(exchange, ctx, target, 'a plain valid update');
  rememberKnown(exchange, ctx);
  const shown = bodyFieldsOf(ctx, exchange);
  const baseline = snapshot ? snapshot.values : shown && Object.keys(shown).length > 0 ? shown : null;
  const own = (hasGet ? ownFieldsOf(ctx, got) : null) ?? ownFieldsOf(ctx, exchange) ?? {};
  return { hasGet, snapshot, baseline, latencyMs: quickest([...sent, exchange]), own };
}
