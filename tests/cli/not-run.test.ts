/**
 * A run that parses its options but cannot start (unreachable target, key refused, asset missing,
 * a bad spec) exits 2 with one line, and still leaves report.json (the stage it stopped at and why)
 * and a junit.xml with one failing test that says why: the CI action uploads them whatever the outcome.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { NotRunReport } from '../../src/report/model.ts';
import { type ReferenceServer, startReferenceServer } from '../../src/server/index.ts';
import { closedPort } from '../helpers/faults.ts';
import { spawnCli } from '../helpers/spawn.ts';

const KEY = 'not-run-key-0123456789';
const servers: ReferenceServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function notRun(args: string[], env: Record<string, string> = { CONFORMANCE_API_KEY: KEY }) {
  const dir = mkdtempSync(join(tmpdir(), 'not-run-'));
  const run = spawnCli([...args, '--report-dir', dir], env);
  const code = await run.exited;
  const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as NotRunReport;
  const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
  return { code, out: run.output(), report, junit, dir };
}

describe('a run that cannot start still reports why', () => {
  test('unreachable target: stage target, one failing test', async () => {
    const url = await closedPort();
    const r = await notRun(['--base-url', url, '--asset-id', '6f1c2a9e-4b7d-4c3a-9e8f-0a1b2c3d4e5f']);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/^comfy-assets-conformance: target unreachable/m);
    expect(r.report.notRun).toEqual({ stage: 'target', reason: expect.stringMatching(/^target unreachable: /) });
    expect(r.report.exitCode).toBe(2);
    expect(r.report.target).toMatchObject({ baseUrl: url, embedded: false });
    expect(r.junit).toContain('tests="1" failures="1"');
    expect(r.junit).toMatch(/<failure message="target unreachable: [^"]*" type="NOT-RUN">/);
    // only the files that have something to show
    expect(existsSync(join(r.dir, 'report.html'))).toBe(false);
  });

  test('the key refused, the asset missing: the reason names what to check, never the key', async () => {
    const s = await startReferenceServer({ apiKey: KEY });
    servers.push(s);
    const refused = await notRun(['--base-url', s.baseUrl, '--asset-id', s.assetId], {
      CONFORMANCE_API_KEY: `${KEY}-not-it`,
    });
    expect(refused.code).toBe(2);
    expect(refused.report.notRun.reason).toMatch(/API key was rejected \(401\)/);
    expect(`${JSON.stringify(refused.report)}${refused.junit}`).not.toContain(`${KEY}-not-it`);
    const missing = await notRun(['--base-url', s.baseUrl, '--asset-id', '0b6f3c55-1111-4222-8333-444455556666']);
    expect(missing.code).toBe(2);
    expect(missing.report.notRun.reason).toMatch(/not found \(404/);
  });

  test('a bad spec: stage spec; and a report of a run that never started is refused by --replay with its reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'not-run-spec-'));
    const spec = join(dir, 'bad.yaml');
    writeFileSync(spec, 'openapi: 3.0.3\ninfo: {title: x, version: "1"}\npaths: {}\n');
    const r = await notRun(['--spec', spec]);
    expect(r.code).toBe(2);
    expect(r.report.notRun.stage).toBe('spec');
    const replay = spawnCli(['--replay', join(r.dir, 'report.json')]);
    expect(await replay.exited).toBe(2);
    expect(replay.output()).toMatch(/the run could not start \(spec\)/);
  });
});
