/**
 * In-process targets: every server of the library whose fault or choice lives in its routes (not
 * in how it uses a socket: intercepts, framing, content codings, keep-alive) is run again as a fetch
 * handler (src/server/fetch.ts), and its verdict must be the one it gets on a port: the same
 * requests, the same judging. What only a connection shows (RESP-HTTP) is reported not exercised.
 */
import { describe, expect, test } from 'vitest';
import { ALTERNATIVES, MUTANTS } from '../../fixtures/servers/index.ts';
import { failsRun, type RunReport } from '../../src/report/model.ts';
import { isAboutConnection } from '../../src/requirements.ts';
import { type RunConfig, runConformance } from '../../src/runner/run.ts';
import { createReferenceHandler, type Variant } from '../../src/server/index.ts';
import { SPEC } from '../helpers/helpers.ts';

/** A variant whose behaviour needs a socket: not one an in-process handler can have. */
const needsSocket = (v: Variant): boolean =>
  v.intercept !== undefined || v.framing !== undefined || v.coding !== undefined || v.keepAliveMs !== undefined;

function run(variant: Variant | undefined, extra: Partial<RunConfig> = {}): Promise<RunReport> {
  const target = createReferenceHandler(variant ? { variant } : {});
  return runConformance({
    specFile: SPEC,
    runs: 100,
    seed: 20261126,
    strict: true,
    timeoutMs: 3000,
    propertyTimeLimitMs: 120_000,
    concurrency: 4,
    handler: (request) => target.fetch(request),
    apiKey: target.apiKey,
    assetId: target.assetId,
    ...extra,
  });
}

const failed = (report: RunReport): string[] =>
  report.requirements
    .filter((r) => r.status === 'fail')
    .map((r) => r.id)
    .sort();

/** RESP-HTTP and any other requirement about the connection: not exercised, never a verdict. */
function expectConnectionUnexercised(report: RunReport): void {
  const about = report.requirements.filter((r) => isAboutConnection(r.id));
  expect(about.map((r) => r.id)).toEqual(['RESP-HTTP']);
  for (const r of about) {
    expect(r.status).toBe('skip');
    expect(r.unexercisable).toBe(true);
    expect(r.reason).toMatch(/^an in-process handler has no HTTP connection/);
  }
  expect(report.target.inProcess).toBe(true);
}

describe.concurrent('mutants as fetch handlers: the verdict they get on a port', () => {
  for (const m of MUTANTS.filter((x) => !needsSocket(x.variant))) {
    test(`${m.variant.name}: ${m.breaks}`, async () => {
      const report = await run(m.variant, m.runWith);
      expect(failed(report), m.file).toEqual([m.breaks, ...Object.keys(m.alsoFails)].sort());
      expect(report.exitCode).toBe(1);
      expectConnectionUnexercised(report);
    });
  }
});

describe.concurrent('conforming servers as fetch handlers: each passes (but for the SHOULDs it names)', () => {
  for (const server of [{ file: 'src/server/fetch.ts', variant: undefined, shouldMisses: {} }, ...ALTERNATIVES]) {
    if (server.variant && needsSocket(server.variant)) continue;
    test(server.variant?.name ?? 'reference', async () => {
      const report = await run(server.variant);
      expect(failed(report), server.file).toEqual(Object.keys(server.shouldMisses).sort());
      expectConnectionUnexercised(report);
    });
  }
});

describe('the reference as a fetch handler, with --require-coverage', () => {
  test('a requirement no in-process run can exercise does not fail the run; an upload goes through the handler', async () => {
    const report = await run(undefined, {
      requireCoverage: true,
      strict: false,
      createAsset: true,
      assetId: undefined,
    });
    expectConnectionUnexercised(report);
    // what fails the run is only what the target could have shown (the reference answers 400 to a body
    // of unknown members only, so no 200 is there to judge)
    const failing = report.requirements.filter((r) => failsRun(r, report)).map((r) => r.id);
    expect(failing).toEqual(['UPD-UNKNOWN-ONLY-NO-CHANGE']);
    expect(report.requirements.find((r) => r.id === 'CREATE-HASH-BLAKE3')?.status).toBe('pass');
    expect(report.cleanup?.status).toBe('deleted');
  });
});
