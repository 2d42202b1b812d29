/**
 * The stateful property: a model of the asset's metadata as the contract says it must be is kept
 * beside the real asset; fast-check generates sequences of commands, each checked against the
 * model, and shrinks a failing sequence to the shortest one.
 */
import fc from 'fast-check';
import { titled } from '../names.ts';
import { type Attempt, jsonBody, make, type PropertyDef, theAsset, VALID_KEY } from '../property.ts';
import { type Command, commands } from './commands.ts';
import { newModel } from './model.ts';
import { Real, read, request, StopSequence } from './real.ts';

export const STATEFUL: PropertyDef<Iterable<Command>> = {
  ...titled('stateful'),
  requirements: [
    'STATE-UNSENT-PRESERVED',
    'STATE-REJECTED-NO-CHANGE',
    'STATE-PERSISTS',
    'STATE-IDEMPOTENT',
    'STATE-UPDATED-AT-MONOTONIC',
    'STATE-HASH-STABLE',
  ],
  skipReason: (ctx) => (Object.keys(ctx.bodyProperties).length === 0 ? 'the body schema has no property' : null),
  arbitrary: (env) =>
    fc.commands(commands(env), { maxCommands: 8, ...(env.replayPath ? { replayPath: env.replayPath } : {}) }),
  async execute(cmds, env, shown): Promise<Attempt> {
    const real = new Real(env, shown);
    const model = newModel(env.ctx);
    try {
      await fc.asyncModelRun(async () => {
        // Every sequence starts from the same state (the asset as it was before the run), so that
        // a shrunk sequence meets the asset as the original one did.
        if (env.baseline) {
          const reset = make('stateful', theAsset(env.ctx), VALID_KEY, jsonBody(env.baseline), [], {
            updatesTarget: true,
          });
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
