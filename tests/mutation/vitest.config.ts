import { defineConfig } from 'vitest/config';
import { QuickFirstSequencer } from './sequencer.ts';

/**
 * The unit tier alone, for StrykerJS (npm run test:mutation): its vitest runner takes one config,
 * not a project of the root one. The same files and timeouts as the unit project of vitest.config.ts.
 * Each test file imports src/ afresh (isolate): a static mutant (in code that runs when a module is
 * loaded, such as the table of checks) is only in force in a module loaded after it was switched on.
 *
 * MUTATION_TESTS (comma-separated paths) narrows the test files: a surviving mutant runs every test
 * that covers it, about 40 s with the whole tier (its in-process runs), 1 to 12 s with the files that
 * test one folder directly. A narrower set can only count more mutants as survived, never fewer.
 */
const narrowed = process.env.MUTATION_TESTS?.split(',').filter(Boolean);

export default defineConfig({
  test: {
    include: narrowed?.length ? narrowed : ['tests/unit/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    isolate: true,
    maxWorkers: 2,
    sequence: { sequencer: QuickFirstSequencer },
  },
});
