import { defineConfig } from 'vitest/config';

/**
 * Two projects:
 * - `unit`: the project's own tests (`npm test`): loader, generators, checks, client, reports,
 *   CLI, and the suite run in-process against the embedded server and broken servers.
 * - `conformance`: the conformance suite itself as vitest tests, one file per property, driven
 *   by the CONFORMANCE_* environment variables (the same run as the CLI):
 *   `npx vitest run --project conformance`.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'conformance',
          include: ['tests/conformance/**/*.test.ts'],
          // The properties share one asset: never two files at once.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 30 * 60_000,
        },
      },
    ],
  },
});
