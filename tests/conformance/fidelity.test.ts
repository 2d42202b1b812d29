/**
 * The vitest entry with a reference (--compare-with): the embedded server compared with the embedded
 * reference, the valid updates only; the FIDELITY test passes with 0 differences, and fails only on
 * a difference that --fidelity (`fidelity`) chose.
 */
import { describeConformance } from '../../src/vitest.ts';
import { SEED } from './define.ts';

describeConformance({
  name: `the embedded server, compared with the embedded reference (seed ${SEED})`,
  compareWith: 'embedded',
  fidelity: ['status', 'echo', 'members'],
  properties: ['valid-update', 'malformed-id'],
  requirements: ['UPD-VALID-200', 'ID-MALFORMED'],
  seed: SEED,
  reportDir: '',
});
