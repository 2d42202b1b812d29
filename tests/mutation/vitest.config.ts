import { defineConfig } from 'vitest/config';

/**
 * The unit tier alone, for StrykerJS (npm run test:mutation): its vitest runner takes one config,
 * not a project of the root one. The same files and timeouts as the unit project of vitest.config.ts;
 * the test files share one module graph (isolate: false), so that a mutant's run does not import
 * the whole tree again for every file (Stryker switches mutants at run time, not by reloading).
 */
export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    isolate: false,
    maxWorkers: 2,
  },
});
