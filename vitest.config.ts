import { defineConfig } from 'vitest/config';

/**
 * Test tiers, one vitest project each:
 * - `unit` (`npm test`, the fast tier): loader, generators, checks, client, reports, CLI options,
 *   the suite run in-process against the embedded server and a few servers of the library.
 * - `library`: every server of the library (fixtures/servers), each caught or passed (the score).
 * - `cli`: the real CLI in child processes, as a user runs it (built first: dist/cli/main.js).
 * - `browser`: report.html rendered by headless Chromium.
 * - `package`: the packed tarball installed in an empty project: the bin, the library, its types,
 *   and the example project (examples/tiny-server) with the vitest entry.
 * - `conformance`: the conformance suite itself as vitest tests, one file per property, driven by
 *   the CONFORMANCE_* environment variables (the same run as the CLI).
 * `npm run test:all` runs every tier; `.ci/run` runs them and counts them together.
 */
const tier = (name: string, include: string, extra: Record<string, unknown> = {}) => ({
  test: { name, include: [include], testTimeout: 60_000, hookTimeout: 60_000, ...extra },
});

export default defineConfig({
  test: {
    // The tests wait on loopback sockets more than they compute: on 2 cores, vitest's default of
    // one worker (cores - 1) runs the files one after another.
    maxWorkers: 4,
    projects: [
      tier('unit', 'tests/unit/**/*.test.ts'),
      tier('library', 'tests/library/**/*.test.ts', { testTimeout: 120_000 }),
      // One file at a time: the fault classes are timed, and a second CLI beside them would skew the times.
      tier('cli', 'tests/cli/**/*.test.ts', {
        testTimeout: 120_000,
        fileParallelism: false,
        globalSetup: ['tests/helpers/build.ts'],
      }),
      tier('browser', 'tests/browser/**/*.test.ts', { testTimeout: 120_000 }),
      // The package as users get it (npm pack, installed in an empty project): its own tier, it needs npm.
      tier('package', 'tests/package/**/*.test.ts', { testTimeout: 300_000, hookTimeout: 300_000 }),
      // The properties share one asset: never two files at once.
      tier('conformance', 'tests/conformance/**/*.test.ts', { fileParallelism: false, hookTimeout: 30 * 60_000 }),
    ],
  },
});
