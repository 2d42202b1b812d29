/**
 * The conformance suite as vitest tests: one file per property, one test per requirement the
 * property judges, through the vitest entry that server authors use (src/vitest.ts). The run is
 * configured by the same CONFORMANCE_* environment variables as the CLI and goes through the
 * same engine, so `npx vitest run --project conformance` and the CLI give the same verdicts.
 */
import { parseOptions } from '../../src/cli/options.ts';
import { propertyByName } from '../../src/properties/index.ts';
import { REQUIREMENTS, type RequirementId } from '../../src/requirements.ts';
import { describeConformance } from '../../src/vitest.ts';

const EVERY_RESPONSE = REQUIREMENTS.filter((r) => r.id.startsWith('RESP-')).map((r) => r.id);

export function conformanceProperty(name: string): void {
  const def = propertyByName(name);
  if (!def) throw new Error(`no property named ${name}`);
  const options = parseOptions([], process.env);
  const requirements: RequirementId[] = [
    ...EVERY_RESPONSE,
    ...def.requirements.filter((id) => !EVERY_RESPONSE.includes(id)),
  ];
  describeConformance({
    ...options,
    properties: [def.name],
    requirements,
    name: `${def.name}: ${def.title} (seed ${options.seed})`,
  });
}
