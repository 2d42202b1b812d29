/** One default-shaped run in a process of its own; prints {ms, requests, cases, maxRssMb}. Arguments: baseUrl apiKey assetId runs. */
import { fileURLToPath } from 'node:url';
import { runConformance } from '../../src/runner/run.ts';

const [baseUrl, apiKey, assetId, runs] = process.argv.slice(2);
const started = performance.now();
const report = await runConformance({
  specFile: fileURLToPath(new URL('../../spec/openapi-cloud.yaml', import.meta.url)),
  baseUrl,
  apiKey,
  assetId,
  runs: Number(runs),
  seed: 1,
  strict: false,
  timeoutMs: 10_000,
  concurrency: 4,
});
const ms = performance.now() - started;
const cases = report.properties.reduce((n, p) => n + p.cases, 0);
process.stdout.write(
  `${JSON.stringify({ ms, requests: report.requests.sent, cases, exitCode: report.exitCode, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
);
