/**
 * Replay that reproduces, through the real CLI: a run against each deterministic stateful mutant of
 * the library, then `--replay report.json`, reproduces every counterexample (every kind of every
 * failing requirement); the printed replay line of a stateful failure, run as printed, exits 1 with
 * the same violation; a plain property's failure that needs the asset's state replays from it, and
 * without --start-from the same printed case passes (the state is what makes it fail).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { fixtureServer } from '../../fixtures/servers/index.ts';
import type { RunReport } from '../../src/report/model.ts';
import { type ReferenceServer, startReferenceServer, type Variant } from '../../src/server/index.ts';
import { spawnCli } from '../helpers/spawn.ts';

const KEY = 'replay-key-0123456789abc';
const servers: ReferenceServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(variant: Variant | undefined): Promise<ReferenceServer> {
  const s = await startReferenceServer({ apiKey: KEY, ...(variant ? { variant } : {}) });
  servers.push(s);
  return s;
}

async function cli(args: string[]): Promise<{ code: number | null; out: string }> {
  const run = spawnCli(args, { CONFORMANCE_API_KEY: KEY });
  const code = await run.exited;
  return { code, out: run.output() };
}

const readReport = (dir: string): RunReport => JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as RunReport;

/** The arguments of a printed replay line, as a shell would pass them (single quotes removed). */
function argsOf(line: string): string[] {
  return (line.replace(/^npx comfy-assets-conformance /, '').match(/'(?:[^']|'\\'')*'|\S+/g) ?? []).map((a) =>
    a.startsWith("'") ? a.slice(1, -1).replaceAll("'\\''", "'") : a,
  );
}

// Deterministic given the requests (no counter across requests, no race): a replay must reproduce.
const STATEFUL = [
  'applies-rejected-name',
  'hash-changes-on-rename',
  'renames-on-repeat',
  'stale-cache-on-tags',
  'updated-at-backwards',
  'wipes-unsent',
];

describe('replay of stateful failures', () => {
  test.each(STATEFUL)('%s: --replay report.json reproduces every counterexample', async (name) => {
    const s = await serve(fixtureServer(name)?.variant);
    const target = ['--base-url', s.baseUrl, '--asset-id', s.assetId];
    const first = await cli([...target, '--seed', '11']);
    expect(first.code, first.out).toBe(1);
    const reportDir = /reports: (\S+)\/report\.json/.exec(first.out)?.[1] ?? '';
    const report = readReport(reportDir);
    const counterexamples = report.requirements.flatMap((r) =>
      r.counterexample ? [r.counterexample, ...(r.more ?? [])] : [],
    );
    expect(counterexamples.length).toBeGreaterThan(0);
    // no target given: the report's own (its base URL and asset, the key from the environment)
    const again = await cli(['--replay', join(reportDir, 'report.json')]);
    expect(again.code, again.out).toBe(1);
    expect(again.out).toContain(`replaying against ${s.baseUrl}, the report's target, on asset ${s.assetId}`);
    expect(again.out).toContain(`${counterexamples.length} of ${counterexamples.length} failure(s) reproduced`);
    expect(again.out).not.toContain('not reproduced');
    // what it replayed and each verdict, nothing else: no header with a seed of its own, no table
    expect(again.out).not.toMatch(/comfy-assets-conformance: PUT|, seed -?\d+, \d+ runs per property|MUST\s+pass/);
  });

  test('--replay: another target given is named; without the key, or without a target in the report, exit 2 with one line', async () => {
    const s = await serve(fixtureServer('wipes-unsent')?.variant);
    const first = await cli(['--base-url', s.baseUrl, '--asset-id', s.assetId, '--seed', '11']);
    const file = join(/reports: (\S+)\/report\.json/.exec(first.out)?.[1] ?? '', 'report.json');
    const other = await serve(fixtureServer('wipes-unsent')?.variant);
    const elsewhere = await cli(['--replay', file, '--base-url', other.baseUrl, '--asset-id', other.assetId]);
    expect(elsewhere.out).toContain(
      `replaying against ${other.baseUrl} as given (the report's target was ${s.baseUrl})`,
    );
    expect(elsewhere.code, elsewhere.out).toBe(1);
    const keyless = spawnCli(['--replay', file], {});
    expect(await keyless.exited).toBe(2);
    expect(keyless.output()).toMatch(/give the key in CONFORMANCE_API_KEY/);
    const report = readReport(dirname(file));
    const nowhere = join(mkdtempSync(join(tmpdir(), 'replay-')), 'report.json');
    writeFileSync(nowhere, JSON.stringify({ ...report, target: { ...report.target, baseUrl: '' } }));
    const none = await cli(['--replay', nowhere]);
    expect(none.code).toBe(2);
    expect(none.out).toMatch(/names no target to replay against: give --base-url and --asset-id/);
    // never the embedded server for a report made elsewhere
    expect(none.out).not.toContain('embedded');
  });

  test('the printed replay line of a failure found after several steps exits 1 with the same violation', async () => {
    const s = await serve(fixtureServer('stale-cache-on-tags')?.variant);
    const first = await cli(['--base-url', s.baseUrl, '--asset-id', s.assetId, '--seed', '5']);
    const reportDir = /reports: (\S+)\/report\.json/.exec(first.out)?.[1] ?? '';
    const failure = readReport(reportDir).requirements.find((r) => r.id === 'STATE-PERSISTS');
    const cx = failure?.counterexample;
    expect(cx?.property).toBe('stateful');
    expect(cx?.steps?.length ?? 0).toBeGreaterThanOrEqual(4);
    const violation = cx?.violated.find((v) => v.requirement === 'STATE-PERSISTS')?.message ?? '';
    const replayed = await cli(argsOf(cx?.replay ?? ''));
    expect(replayed.code, replayed.out).toBe(1);
    expect(replayed.out).toContain(violation.replace(/^step \d+: /, ''));
    // one case: the table lists what it exercised, not a row for every requirement it did not
    expect(replayed.out).toMatch(/\(\d+ requirements this case does not exercise are not listed\)/);
    expect(replayed.out).not.toMatch(/not exercised\s+0/);
    expect(replayed.out).not.toMatch(/^coverage, /m);
  });
});

describe('replay of a state the case met', () => {
  // Setting the name the asset already has stores another: whether a case fails depends on the
  // name the asset had before it, which a replay must set first.
  test('a plain property failure that needs the state records it, and the printed line sets it', async () => {
    const s = await serve(fixtureServer('renames-on-repeat')?.variant);
    const first = await cli([
      '--base-url',
      s.baseUrl,
      '--asset-id',
      s.assetId,
      '--seed',
      '6',
      '--property',
      'valid-update',
    ]);
    expect(first.code, first.out).toBe(1);
    const reportDir = /reports: (\S+)\/report\.json/.exec(first.out)?.[1] ?? '';
    const failure = readReport(reportDir).requirements.find((r) => r.id === 'A200-STRING-EXACT');
    const cx = failure?.counterexample;
    expect(cx?.stateBefore, 'the state the failing case met').toBeDefined();
    expect(cx?.replay).toContain('--start-from');
    // the state is what makes it fail: the same case from the values before the run passes
    const args = argsOf(cx?.replay ?? '');
    const at = args.indexOf('--start-from');
    const without = await cli([...args.slice(0, at), ...args.slice(at + 2)]);
    expect(without.code, without.out).toBe(0);
    expect(without.out).not.toContain('A200-STRING-EXACT (MUST)');
    const replayed = await cli(args);
    expect(replayed.code, replayed.out).toBe(1);
    expect(replayed.out).toContain('A200-STRING-EXACT (MUST)');
    // the asset is put back after the replay as after any run
    expect(replayed.out).toMatch(/put back .*verified by GET/);
  });
});
