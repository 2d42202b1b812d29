/**
 * The commands of the stateful property, each with its own `run`: a request (valid updates of
 * every shape, invalid bodies, bad keys, unknown and malformed ids), a repeat of the previous
 * request, and a read of the asset.
 */
import fc from 'fast-check';
import { type LabelledBody, unknownOnlyBody, validBody } from '../../generators/bodies.ts';
import type { Case } from '../../generators/case.ts';
import { badKey, malformedId, unknownUuid } from '../../generators/ids.ts';
import type { JsonObject } from '../../json.ts';
import {
  anyInvalidBody,
  isReference,
  jsonBody,
  make,
  plainBody,
  type RunEnv,
  sendable,
  theAsset,
  VALID_KEY,
} from '../property.ts';
import { type AssetModel, isUpdatable } from './model.ts';
import { type Real, read, request } from './real.ts';

export type Command = fc.AsyncCommand<AssetModel, Real>;

/** Sends one generated request. */
class RequestCommand implements Command {
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

/** Sends the previous request of the sequence once more. */
class RepeatCommand implements Command {
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

/** Reads the asset: GET, or without GET a no-op update (a field set to the value the model knows) whose answer shows the others. */
class ReadCommand implements Command {
  check(): boolean {
    return true;
  }
  async run(model: AssetModel, real: Real): Promise<void> {
    if (real.env.hasGet) return read(model, real, 'read');
    const ctx = real.ctx;
    const field = Object.keys(ctx.bodyProperties).find(
      (f) =>
        isUpdatable(ctx, f) &&
        !isReference(ctx.bodyProperties[f] as JsonObject) &&
        model.fields[f]?.values?.length === 1,
    );
    if (!field) return;
    const value = model.fields[field]?.values?.[0];
    const noOp = make('stateful', theAsset(ctx), VALID_KEY, jsonBody({ [field]: value }), [], { updatesTarget: true });
    await request(model, real, noOp, false);
  }
  toString(): string {
    return 'read the asset';
  }
}

function updates(env: RunEnv): fc.Arbitrary<Case> {
  const { ctx } = env;
  const schema = ctx.contract.requestBody.schema;
  const target = theAsset(ctx);
  const upper = { kind: 'uppercase' as const, value: ctx.targetId.toUpperCase() };
  const update =
    (id: Case['id'], extra: Partial<Case> = {}) =>
    (b: LabelledBody) =>
      make('update', id, VALID_KEY, b, [], { updatesTarget: true, ...extra });
  return fc.oneof(
    { weight: 4, arbitrary: plainBody(ctx).map(update(target)) },
    {
      weight: 1,
      arbitrary: validBody(schema, { include: (n) => sendable(ctx, n) }).map((value) =>
        update(target)(jsonBody(value)),
      ),
    },
    {
      weight: 1,
      arbitrary: unknownOnlyBody(schema).map((value) => update(target, { noKnownChange: true })(jsonBody(value))),
    },
    { weight: 1, arbitrary: plainBody(ctx).map(update(upper)) },
  );
}

/**
 * The command arbitraries. Command values do not shrink: a shrink step replays the whole sequence,
 * so shrinking spends its requests on removing commands (the shortest sequence), not on shortening
 * strings.
 */
export function commands(env: RunEnv): fc.Arbitrary<Command>[] {
  const { ctx } = env;
  const target = theAsset(ctx);
  const isValidId = (id: string): boolean => ctx.validators.pathParam(id).length === 0;
  const send = (c: Case): Command => new RequestCommand(c);
  const update = updates(env);
  const out: fc.Arbitrary<Command>[] = [
    update.map(send),
    update.map(send),
    anyInvalidBody(ctx).map((b) => send(make('invalid', target, VALID_KEY, b, []))),
    fc
      .tuple(unknownUuid(ctx.targetId), fc.oneof(plainBody(ctx), anyInvalidBody(ctx)))
      .map(([id, b]) => send(make('unknown-id', { kind: 'unknown', value: id }, VALID_KEY, b, []))),
    fc
      .tuple(malformedId(ctx.targetId, isValidId), plainBody(ctx))
      .map(([id, b]) => send(make('malformed-id', { kind: 'malformed', value: id }, VALID_KEY, b, []))),
    fc.constant(new RepeatCommand()),
    fc.constant(new ReadCommand()),
    fc.constant(new ReadCommand()),
  ];
  if (ctx.contract.auth) {
    const bad = fc.tuple(badKey(ctx.apiKey), fc.oneof(plainBody(ctx), anyInvalidBody(ctx)));
    out.push(bad.map(([key, b]) => send(make('auth', target, key, b, []))));
  }
  return out.map((arb) => fc.noShrink(arb));
}
