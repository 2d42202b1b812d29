// The package's types as a TypeScript user meets them (type-checked only, never run).
import { type RunOptions, type RunReport, runConformance, startReferenceServer } from 'comfy-assets-conformance';
import { type ConformanceSuiteOptions, describeConformance } from 'comfy-assets-conformance/vitest';

const options: RunOptions = { runs: 10, seed: 1, properties: ['auth'], strict: true, reportDir: '' };
export async function typed(): Promise<number> {
  const server = await startReferenceServer();
  const report: RunReport = await runConformance({ ...options, baseUrl: server.baseUrl, apiKey: server.apiKey });
  await server.close();
  const failed: string[] = report.requirements.filter((r) => r.status === 'fail').map((r) => r.id);
  return failed.length + report.exitCode;
}
export const suite: ConformanceSuiteOptions = { server: () => startReferenceServer(), runs: 5 };
export const declare = (): void => describeConformance(suite);
