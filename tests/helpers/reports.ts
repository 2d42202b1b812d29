/** Hand-built run reports, for the tests of what reads them (merge, expectations, renderers). */
import { REPORT_SCHEMA_VERSION, type RequirementReport, type RunReport, TOOL } from '../../src/report/model.ts';

/** A report with these requirements (each passing UPD-VALID-200 unless said), and the rest as given. */
export function runReport(requirements: Partial<RequirementReport>[], extra: Partial<RunReport> = {}): RunReport {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: TOOL,
    target: { baseUrl: 'http://h', embedded: false, assetId: 'a', hasGet: true, createdAsset: false },
    runId: 'r',
    stopped: null,
    settings: { concurrency: 1, rate: 0, maxRequests: 0, timeoutMs: 1000 },
    spec: { file: 'f', sha256: 's', title: 't', version: 'v', operationId: 'o' },
    seed: 1,
    runs: 10,
    strict: false,
    startedAt: '2026-12-02T00:00:00Z',
    durationMs: 100,
    requests: { sent: 10, rateLimited: 1, retries: 2 },
    properties: [],
    requirements: requirements.map((r) => ({
      id: 'UPD-VALID-200',
      level: 'MUST',
      title: 'x',
      status: 'pass',
      cases: 1,
      citation: [],
      ...r,
    })),
    restore: { status: 'restored', fields: [], original: {}, message: 'm' },
    summary: { mustFailed: 0, shouldFailed: 0, passed: 0, skipped: 0 },
    exitCode: 0,
    ...extra,
  };
}
