/**
 * The defaults of a run, written once: the options table shows and reads them (src/api/options.ts),
 * and the floors below fall back on them when a caller of theirs leaves a value out.
 */
export const DEFAULTS = {
  runs: 100,
  timeoutMs: 10_000,
  counterexamples: 3,
  concurrency: 4,
  /** Seconds of wall time a run plans for (--budget). */
  budgetSeconds: 60,
  reportDir: 'conformance-report',
} as const;
