/**
 * The edge classes at the default 100 runs, for 5 seeds each: every server with one fault of an
 * edge class (a key checked by its prefix or without case, 1e400 taken, a lone surrogate refused
 * with 500 or 404, NaN taken, deep metadata that cannot be read back, ...) is caught each time by
 * the requirement it names, and every server that chooses another allowed outcome passes each time.
 * Only the properties that send these classes run (auth, id-spelling, edges): each property's
 * verdicts do not depend on the others.
 */
import { describe, expect, test } from 'vitest';
import { fixtureServer, type Mutant } from '../../fixtures/servers/index.ts';
import { type RunConfig, runConformance } from '../../src/runner/run.ts';
import { SPEC } from '../helpers/helpers.ts';

const SEEDS = [1, 2, 3, 4, 5];

const config = (seed: number, extra: Partial<RunConfig>): RunConfig => ({
  specFile: SPEC,
  runs: 100,
  seed,
  strict: true,
  timeoutMs: 3000,
  propertyTimeLimitMs: 20_000,
  only: ['auth', 'id-spelling', 'edges'],
  ...extra,
});

const FAULTS = [
  'key-prefix-only',
  'key-case-insensitive',
  'infinity-token-200',
  'range-stored-null',
  'big-integer-rounded',
  'lone-surrogate-500',
  'lone-surrogate-404',
  'nan-in-metadata-accepted',
  'deep-metadata-unreadable',
  'duplicates-as-list',
  'size-413-not-error-response',
  'respelled-id-upsert',
  'respelled-id-422',
  'depth-limit-422',
];
const ALLOWED = [
  'lone-surrogates-400',
  'big-integers-exact',
  'depth-limit-100',
  'size-limit-413',
  'respelled-id-accepted',
  'bom-accepted',
  'duplicates-refused',
];

describe.concurrent('edge-class faults: caught for 5 seeds out of 5', () => {
  for (const name of FAULTS)
    test(name, async () => {
      const m = fixtureServer(name) as Mutant;
      for (const seed of SEEDS) {
        const report = await runConformance(config(seed, { embeddedVariant: m.variant }));
        const failed = report.requirements.filter((r) => r.status === 'fail').map((r) => r.id);
        expect(failed, `${name}, seed ${seed}`).toContain(m.breaks);
      }
    });
});

describe.concurrent('allowed outcomes of the edge classes: pass for 5 seeds out of 5', () => {
  for (const name of ALLOWED)
    test(name, async () => {
      for (const seed of SEEDS) {
        const report = await runConformance(config(seed, { embeddedVariant: fixtureServer(name)?.variant }));
        const failed = report.requirements
          .filter((r) => r.status === 'fail')
          .map((r) => `${r.id}: ${r.counterexample?.violated.find((v) => v.requirement === r.id)?.message}`);
        expect(failed, `${name}, seed ${seed}`).toEqual([]);
      }
    });
});
