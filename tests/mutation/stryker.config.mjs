// StrykerJS over src/ with the unit tier (`npm run test:mutation`; the nightly workflow runs one
// folder a job: `npm run test:mutation -- --mutate 'src/checks/**/*.ts'` with MUTATION_NAME=checks).
// MUTATION_TESTS=a.test.ts,b.test.ts narrows the test files (tests/mutation/vitest.config.ts): the
// quick local run of one folder, whose score is a lower bound of the whole tier's.
// Reports go to reports/mutation/NAME.json and .html; `--incremental` keeps NAME's results in
// reports/mutation/incremental-NAME.json and tests again only what changed.
const name = process.env.MUTATION_NAME || 'src';

export default {
  testRunner: 'vitest',
  vitest: { configFile: 'tests/mutation/vitest.config.ts', related: false },
  coverageAnalysis: 'perTest',
  mutate: ['src/**/*.ts'],
  concurrency: 2,
  timeoutMS: 30_000,
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  incrementalFile: `reports/mutation/incremental-${name}.json`,
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
