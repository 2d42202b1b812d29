/**
 * The conformance suite as this project's vitest tests: one test per requirement of the contract,
 * against the server started here. A failing test prints the case, a curl line and a replay line;
 * the reports (report.html, junit.xml, ...) are written to conformance-report/.
 *
 * TINY_FAULT=trim-name npm test shows a failure (A200-STRING-EXACT).
 */
import { describeConformance } from 'comfy-assets-conformance/vitest';
import { startServer } from './server.js';

describeConformance({
  server: () => startServer({ fault: process.env.TINY_FAULT }),
  seed: Number(process.env.CONFORMANCE_SEED ?? 20261127),
  runs: 100,
  reportDir: 'conformance-report',
});
