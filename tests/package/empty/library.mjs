// The library from plain JavaScript: a short run against the embedded server, and a bad option.
import { runConformance, startReferenceServer, UsageError } from 'comfy-assets-conformance';

const server = await startReferenceServer();
const report = await runConformance({
  baseUrl: server.baseUrl,
  apiKey: server.apiKey,
  assetId: server.assetId,
  runs: 10,
  seed: 1,
  reportDir: '',
});
await server.close();
let usage = '';
try {
  await runConformance({ runs: 0 });
} catch (error) {
  usage = error instanceof UsageError ? 'UsageError' : String(error);
}
process.stdout.write(
  JSON.stringify({ exitCode: report.exitCode, mustFailed: report.summary.mustFailed, tool: report.tool.name, usage }),
);
