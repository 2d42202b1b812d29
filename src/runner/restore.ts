/**
 * Run hygiene: the run ends by putting back the asset's values as the preflight saw them, and
 * verifying that by a read. A restore that fails is reported loudly with the original values, so
 * a person can put them back by hand.
 */
import { rememberKnown } from '../checks/checks.ts';
import type { CheckContext } from '../checks/context.ts';
import type { HttpClient } from '../exchange/http.ts';
import { type Exchange, getAsset, perform, type Target } from '../exchange/perform.ts';
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

/**
 * A request of the restore that got no complete answer (a timeout, a reset, a body cut off) is
 * sent once more on a connection of its own: PUT and GET are idempotent, and a pooled connection
 * may be the one that failed it. The asset matters more than the verdict.
 */
async function twice(send: (fresh: boolean) => Promise<Exchange>): Promise<Exchange> {
  const first = await send(false);
  return answered(first) ? first : send(true);
}

function answered(ex: Exchange): boolean {
  return ex.outcome.kind === 'response';
}
const silent = (ex: Exchange): boolean => ex.outcome.kind === 'failure' && ex.outcome.failure === 'timeout';

/** A restore that cannot throw: an error on the way (a broken connection) is a failed restore, with the values to put back by hand. */
export function restoreOrSay(
  ctx: CheckContext,
  target: Target,
  client: HttpClient,
  snapshot: Snapshot | null,
  hasGet: boolean,
): Promise<RestoreResult> {
  return restore(ctx, target, client, snapshot, hasGet).catch(
    (error: unknown): RestoreResult => ({
      status: 'failed',
      fields: [],
      original: snapshot?.values ?? {},
      message: `restore failed: ${String(error)}`,
    }),
  );
}

/**
 * Sends the body back: whole, and when the whole body got no complete answer though the target
 * answers (a reset, a body cut off: a fault tied to some field), each field alone, so that the
 * fields the fault does not touch are put back all the same. Returns the whole body's exchange.
 */
async function putBack(
  ctx: CheckContext,
  target: Target,
  client: HttpClient,
  body: Record<string, unknown>,
): Promise<Exchange> {
  const send = async (values: Record<string, unknown>, fresh: boolean): Promise<Exchange> =>
    (await perform(targetCase(ctx, values), ctx.contract, target, client, true, fresh)).exchange;
  const whole = await twice((fresh) => send(body, fresh));
  if (!answered(whole) && !silent(whole))
    for (const [field, value] of Object.entries(body)) await send({ [field]: value }, false);
  return whole;
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
  const put = await putBack(ctx, target, client, body);
  const refused = put.outcome.kind === 'response' && put.outcome.status !== 200;
  // An update without a complete answer may have been applied all the same (or field by field): a
  // read tells; a target that has gone silent is not read (each try would cost a timeout).
  if (refused || (!answered(put) && (!hasGet || silent(put)))) {
    const got = put.outcome.kind === 'response' ? `status ${put.outcome.status}` : put.outcome.message;
    return { ...base, status: 'failed', message: `the restoring update was not accepted (${got})` };
  }
  const check = hasGet
    ? await twice((fresh) => getAsset(ctx.contract, target, client, ctx.targetId, targetCase(ctx, null), true, fresh))
    : put;
  const now = bodyFieldsOf(ctx, check);
  if (!now) return { ...base, status: 'failed', message: 'the asset could not be read back after the restore' };
  const differ = fields.filter((f) => Object.hasOwn(now, f) && !sameValue(now[f], body[f]));
  if (differ.length > 0)
    return {
      ...base,
      status: 'failed',
      message: `after the restore ${differ.join(', ')} still differ${differ.length === 1 ? 's' : ''} from the original`,
    };
  const unanswered =
    put.outcome.kind === 'response'
      ? ''
      : ` (the restoring update got no complete answer: ${put.outcome.message}; each field was sent alone)`;
  return { ...base, status: 'restored', message: restoredMessage(snapshot, fields, now, hasGet) + unanswered };
}

/** What a restore that worked says: the fields put back, how it was verified, and what it could not send. */
function restoredMessage(snapshot: Snapshot, fields: string[], now: Record<string, unknown>, hasGet: boolean): string {
  const unseen = fields.filter((f) => !Object.hasOwn(now, f));
  // e.g. preview_id: null before the run, and a body cannot carry null
  const unsendable = Object.keys(snapshot.values).filter((f) => !fields.includes(f));
  const them = unsendable.length === 1 ? 'it' : 'them';
  return [
    `put back ${fields.join(', ')}${hasGet ? ', verified by GET' : ', verified by the answer'}`,
    unseen.length ? ` (not shown: ${unseen.join(', ')})` : '',
    unsendable.length
      ? `; ${unsendable.join(', ')} cannot be sent back as ${unsendable.length === 1 ? 'it was' : 'they were'} (${unsendable.map((f) => `${f} ${JSON.stringify(snapshot.values[f])}`).join(', ')}): the run left ${them} alone unless the target accepted another value`
      : '',
  ].join('');
}
