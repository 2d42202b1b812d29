/**
 * Planned runs through the real CLI with default settings (--budget 60): against targets that are
 * slow or jittery, every property is reached first and the run ends within its budget, having
 * exercised what a run against the same server on loopback exercises (the control).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { fixtureServer } from '../../fixtures/servers/index.ts';
import type { RunReport } from '../../src/report/model.ts';
import { type ReferenceServer, startReferenceServer, type Variant } from '../../src/server/index.ts';
import { spawnCli } from '../helpers/spawn.ts';

const KEY = 'planned-key-0123456789';
const servers: ReferenceServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

interface Planned {
  code: number | null;
  seconds: number;
  /** Seconds from the start to the first line of the exploration (every property's plan done). */
  planSeconds: number;
  report: RunReport;
}

/** A default run of the CLI against the reference server with `variant` (on `assets` assets it uploads, `runs`, if given). */
async function run(variant?: Variant, { assets, runs }: { assets?: number; runs?: number } = {}): Promise<Planned> {
  const s = await startReferenceServer({ apiKey: KEY, ...(variant ? { variant } : {}) });
  servers.push(s);
  const dir = mkdtempSync(join(tmpdir(), 'planned-'));
  const started = Date.now();
  const target = assets ? ['--create-asset', String(assets)] : ['--asset-id', s.assetId];
  const more = runs ? ['--runs', String(runs)] : [];
  const cli = spawnCli(['--base-url', s.baseUrl, ...target, ...more, '--seed', '1', '--report-dir', dir], {
    CONFORMANCE_API_KEY: KEY,
  });
  let planSeconds = Number.NaN;
  cli.child.stderr?.on('data', () => {
    if (Number.isNaN(planSeconds) && cli.output().includes('[explore ')) planSeconds = (Date.now() - started) / 1000;
  });
  const code = await cli.exited;
  const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as RunReport;
  return { code, seconds: (Date.now() - started) / 1000, planSeconds, report };
}

const exercised = (r: RunReport): { requirements: string[]; edges: string[] } => ({
  requirements: r.requirements.filter((q) => q.status !== 'skip').map((q) => q.id),
  edges: (r.coverage?.edges ?? []).filter((e) => e.cases > 0).map((e) => e.name),
});

const cases = (r: RunReport): number => r.properties.reduce((n, p) => n + p.cases, 0);

test('50 ms an answer (the plan within 20 s), and 0 to 150 ms (one in 30: 800 ms): exit 0 within 60 s, as much exercised as on loopback', async () => {
  const control = await run();
  expect(control.code).toBe(0);
  let n = 0;
  const [slow, jittery] = await Promise.all([
    run({ name: 'delay-50ms', delayMs: () => 50 }),
    run({ name: 'jitter', delayMs: () => (++n % 30 === 0 ? 800 : (n * 37) % 151) }),
  ]);
  expect(slow.planSeconds).toBeLessThan(20);
  for (const target of [slow, jittery]) {
    expect(target.code).toBe(0);
    expect(target.seconds).toBeLessThan(60);
    expect(exercised(target.report)).toEqual(exercised(control.report));
    // what the budget cut, each property says (the run did not end on its own)
    expect(target.report.properties.some((p) => p.cut?.startsWith("its share of the run's time budget"))).toBe(true);
  }
}, 150_000);

test('50 ms an answer, the budget alone bounding the exploration (--runs 1000): 4 assets send 2.5 times the cases of 1', async () => {
  const slowly = { name: 'delay-50ms', delayMs: () => 50 };
  const [one, four] = await Promise.all([run(slowly, { runs: 1000 }), run(slowly, { runs: 1000, assets: 4 })]);
  expect(four.report.target.assetIds).toHaveLength(4);
  for (const target of [one, four]) {
    expect(target.code).toBe(0);
    expect(target.seconds).toBeLessThan(60);
  }
  expect(cases(four.report)).toBeGreaterThanOrEqual(2.5 * cases(one.report));
}, 90_000);

test('20 ms an answer, metadata nested 256 levels stored and then unreadable: exercised and caught within 60 s', async () => {
  const unreadable = fixtureServer('deep-metadata-unreadable')?.variant;
  if (!unreadable) throw new Error('no fixture server deep-metadata-unreadable');
  const target = await run({ ...unreadable, delayMs: () => 20 });
  expect(target.code).toBe(1);
  expect(target.seconds).toBeLessThan(60);
  // every property reached early (the plan): a default run on one pass takes about 40 s at 20 ms
  expect(target.planSeconds).toBeLessThan(20);
  const verdict = (id: string) => target.report.requirements.find((r) => r.id === id);
  expect(verdict('EDGE-READABLE')?.status).toBe('fail');
  for (const id of ['EDGE-DEPTH', 'EDGE-SIZE']) expect([id, verdict(id)?.status]).toEqual([id, 'pass']);
  const rows = new Map((target.report.coverage?.edges ?? []).map((e) => [e.name, e.cases]));
  for (const row of ['depth', 'size']) expect(rows.get(row)).toBeGreaterThan(0);
}, 90_000);
