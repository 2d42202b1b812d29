/**
 * --compare-with through the real CLI: a target and a reference on ports, every case sent to both;
 * the differences listed and tagged, the reference's asset put back, its key never shown.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { ALTERNATIVES } from '../../fixtures/servers/index.ts';
import type { RunReport } from '../../src/report/model.ts';
import { type ReferenceServer, startReferenceServer } from '../../src/server/index.ts';
import { assetMetadata } from '../helpers/helpers.ts';
import { ROOT, spawnCli } from '../helpers/spawn.ts';

const KEY = 'fidelity-target-key-0123456789';
const REF_KEY = 'fidelity-reference-key-9876543210';
const closing: ReferenceServer[] = [];
afterEach(async () => {
  await Promise.all(closing.splice(0).map((s) => s.close()));
});

async function servers(): Promise<{ target: ReferenceServer; reference: ReferenceServer }> {
  const variant = ALTERNATIVES.find((a) => a.variant.name === 'malformed-id-404')?.variant;
  const target = await startReferenceServer({ apiKey: KEY, ...(variant ? { variant } : {}) });
  const reference = await startReferenceServer({ apiKey: REF_KEY, assetId: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' });
  closing.push(target, reference);
  return { target, reference };
}

/** The CLI's arguments for the target and the reference given, and the keys of both. */
function compared(target: ReferenceServer, reference: ReferenceServer, extra: string[]): ReturnType<typeof spawnCli> {
  const args = ['--base-url', target.baseUrl, '--asset-id', target.assetId, '--compare-with', reference.baseUrl];
  return spawnCli([...args, '--compare-asset-id', reference.assetId, '--seed', '3', ...extra], {
    CONFORMANCE_API_KEY: KEY,
    CONFORMANCE_COMPARE_API_KEY: REF_KEY,
  });
}

describe('--compare-with a reference on a port', () => {
  test('the differences are listed and tagged; the reference asset is put back; its key is never shown', async () => {
    const { target, reference } = await servers();
    const before = assetMetadata(reference);
    const dir = 'reports/fidelity-url';
    const run = compared(target, reference, ['--report-dir', dir]);
    const code = await run.exited;
    const out = run.output();
    expect(code, out).toBe(0);
    expect(out).toContain(`reference ${reference.baseUrl}, asset ${reference.assetId}: every case is sent to it too`);
    expect(out).toMatch(
      new RegExp(
        `fidelity against ${reference.baseUrl}: \\d+ cases compared, \\d+ difference\\(s\\): 0 fault, [1-9]\\d* allowed`,
      ),
    );
    expect(out).toMatch(/allowed, differs: status in ID-MALFORMED \(\d+ cases\): target 404; reference 400/);
    const report = JSON.parse(readFileSync(join(ROOT, dir, 'report.json'), 'utf8')) as RunReport;
    expect(report.fidelity?.restore?.status).toBe('restored');
    expect(assetMetadata(reference)).toEqual(before);
    expect(readFileSync(join(ROOT, dir, 'report.md'), 'utf8')).toContain('"x-api-key: $CONFORMANCE_COMPARE_API_KEY"');
    for (const file of readdirSync(join(ROOT, dir)))
      expect(readFileSync(join(ROOT, dir, file), 'utf8')).not.toContain(REF_KEY);
    expect(out).not.toContain(REF_KEY);
  });

  test('--fidelity status: a difference the contract allows fails the run when chosen', async () => {
    const { target, reference } = await servers();
    const run = compared(target, reference, ['--fidelity', 'status']);
    expect(await run.exited, run.output()).toBe(1);
    expect(run.output()).toMatch(/--fidelity status: FAILS the run/);
    expect(run.output()).toMatch(/0 MUST failed/);
  });

  test.each([
    [['--compare-with', 'http://127.0.0.1:9'], {}, /--compare-with URL needs --compare-asset-id/],
    [
      ['--compare-with', 'http://127.0.0.1:9', '--compare-asset-id', '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'],
      {},
      /give the reference's key in CONFORMANCE_COMPARE_API_KEY/,
    ],
    [['--fidelity', 'status'], {}, /--fidelity goes with --compare-with/],
    [['--compare-with', 'embedded', '--fidelity', 'colour'], {}, /--fidelity takes all or aspects among/],
    [['--compare-with', 'ftp://x'], {}, /--compare-with must be an http or https URL/],
  ])('%j: exit 2, one line', async (args, env, message) => {
    const run = spawnCli([...args, '--report-dir', ''], env);
    expect(await run.exited).toBe(2);
    expect(run.output()).toMatch(message);
  });
});
