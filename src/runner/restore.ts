/**
 * Run hygiene: the run ends by putting back the asset's values as the preflight saw them, and
 * verifying that by a read. A restore that fails is reported loudly with the original values, so
 * a person can put them back by hand.
 */
import { rememberKnown } from '../checks/checks.ts';
import type { CheckContext } from '../checks/context.ts';
import type { HttpClient } from '../exchange/http.ts';
import { getAsset, perform, type Target } from '../exchange/perform.ts';
import { sameValue } from '../json.ts';
import type { RestoreResult } from '../report/model.ts';
import { bodyFieldsOf, type Snapshot, targetCase } from './preflight.ts';

/** The snapshot's fields that a PUT can carry (each valid by the body schema on its own). */
export function restoreBody(ctx: CheckContext, snapshot: Snapshot): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(snapshot.values).filter(([name, value]) => ctx.validators.body({ [name]: value }).length === 0),
  );
}

/**
 * Puts the asset in a state: true when the update got 200. By default only the fields a body may
 * carry; `exact` sends every value as recorded (a state a server reached by taking a value the
 * schema refuses is reached the same way).
 */
export async function putState(
  ctx: CheckContext,
  target: Target,
  client: HttpClient,
  values: Record<string, unknown>,
  exact = false,
): Promise<boolean> {
  const body = exact ? values : restoreBody(ctx, { values, source: 'PUT' });
  const { exchange } = await perform(targetCase(ctx, body), ctx.contract, target, client, true);
  if (exchange.outcome.kind !== 'response' || exchange.outcome.status !== 200) return false;
  rememberKnown(exchange, ctx);
  return true;
}

export async function restore(
  ctx: CheckContext,
  target: Target,
  client: HttpClient,
  snapshot: Snapshot | null,
  hasGet: boolean,
): Promise<RestoreResult> {
  if (!snapshot) {
    return {
      status: 'not-possible',
      fields: [],
      original: {},
      message: "the asset's values were never shown (no GET, and no 200 body listed them): nothing could be put back",
    };
  }
  const body = restoreBody(ctx, snapshot);
  const fields = Object.keys(body);
  const base = { fields, original: snapshot.values };
  if (fields.length === 0)
    return { ...base, status: 'not-possible', message: 'no field of the snapshot can be sent back' };
  const { exchange } = await perform(targetCase(ctx, body), ctx.contract, target, client, true);
  if (exchange.outcome.kind !== 'response' || exchange.outcome.status !== 200) {
    const got = exchange.outcome.kind === 'response' ? `status ${exchange.outcome.status}` : exchange.outcome.message;
    return { ...base, status: 'failed', message: `the restoring update was not accepted (${got})` };
  }
  const check = hasGet
    ? await getAsset(ctx.contract, target, client, ctx.targetId, targetCase(ctx, null), true)
    : exchange;
  const now = bodyFieldsOf(ctx, check);
  if (!now) return { ...base, status: 'failed', message: 'the asset could not be read back after the restore' };
  const differ = fields.filter((f) => Object.hasOwn(now, f) && !sameValue(now[f], body[f]));
  if (differ.length > 0)
    return {
      ...base,
      status: 'failed',
      message: `after the restore ${differ.join(', ')} still differ${differ.length === 1 ? 's' : ''} from the original`,
    };
  const unseen = fields.filter((f) => !Object.hasOwn(now, f));
  // e.g. preview_id: null before the run, and a body cannot carry null
  const unsendable = Object.keys(snapshot.values).filter((f) => !fields.includes(f));
  return {
    ...base,
    status: 'restored',
    message: `put back ${fields.join(', ')}${hasGet ? ', verified by GET' : ', verified by the answer'}${unseen.length ? ` (not shown: ${unseen.join(', ')})` : ''}${unsendable.length ? `; ${unsendable.join(', ')} cannot be sent back as ${unsendable.length === 1 ? 'it was' : 'they were'} (${unsendable.map((f) => `${f} ${JSON.stringify(snapshot.values[f])}`).join(', ')}): the run left ${unsendable.length === 1 ? 'it' : 'them'} alone unless the target accepted another value` : ''}`,
  };
}
