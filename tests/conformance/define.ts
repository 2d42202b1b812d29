/**
 * The conformance suite as vitest tests: one file per property, one test per requirement the
 * property judges, through the vitest entry that server authors use (src/vitest.ts). The run is
 * configured by the same CONFORMANCE_* environment variables as the CLI and goes through the
 * same engine, so `npx vitest run --project conformance` and the CLI give the same verdicts.
 * The seed is fixed (SEED) unless CONFORMANCE_SEED gives another, and printed with every file.
 */
import { type Options, parseOptions } from '../../src/api/options.ts';
import { propertyByName } from '../../src/properties/index.ts';
import { REQUIREMENTS, type RequirementId } from '../../src/requirements.ts';
import { describeConformance } from '../../src/vitest.ts';

const EVERY_RESPONSE = REQUIREMENTS.filter((r) => r.id.startsWith('RESP-')).map((r) => r.id);

/** The tier's seed: the same requests every run, so that a verdict that changes is a change of the code or the target. */
export const SEED = 20261202;

/** The run's options: the CONFORMANCE_* variables, the fixed seed unless one is given. */
export function tierOptions(env: NodeJS.ProcessEnv = process.env): Options {
  const options = parseOptions([], { CONFORMANCE_SEED: String(SEED), ...env });
  console.info(`conformance tier: seed ${options.seed} (CONFORMANCE_SEED=N runs another)`);
  return options;
}

/** The requirements a property's file declares a test for: every response's, then the property's own. */
export function requirementsOf(name: string): RequirementId[] {
  const def = propertyByName(name);
  if (!def) throw new Error(`no property named ${name}`);
  return [...EVERY_RESPONSE, ...def.requirements.filter((id) => !EVERY_RESPONSE.includes(id))];
}

export function conformanceProperty(
  name: string,
  extra: { options?: Partial<Options>; requirements?: RequirementId[]; title?: string } = {},
): void {
  const options = { ...tierOptions(), ...extra.options };
  describeConformance({
    ...options,
    properties: [name],
    requirements: [...requirementsOf(name), ...(extra.requirements ?? [])],
    name: `${name}: ${extra.title ?? propertyByName(name)?.title} (seed ${options.seed})`,
  });
}
