/**
 * --handler FILE[#EXPORT] through the real CLI: an in-process target loaded from a module (a fetch
 * handler, an object with fetch, an array of MSW handlers), judged as a server on a port is, with
 * what only a connection shows reported as not exercised; bad modules and exports exit 2.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { RunReport } from '../../src/report/model.ts';
import { ROOT, spawnCli } from '../helpers/spawn.ts';

const KEY = 'handler-test-key-0123456789';
const ASSET = '2b4d6f80-1a3c-4e5f-8a9b-0c1d2e3f4a5b';
const MODULE = 'fixtures/handlers/reference.mjs';

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string }> {
  const run = spawnCli(args, { CONFORMANCE_API_KEY: KEY, ...env });
  const code = await run.exited;
  return { code, out: run.output() };
}

const reportIn = (dir: string): RunReport => JSON.parse(readFileSync(join(ROOT, dir, 'report.json'), 'utf8'));

describe('--handler', () => {
  test('the reference routes in-process pass; RESP-HTTP is not exercised, and says why', async () => {
    const dir = 'reports/handler-reference';
    const run = await cli(['--handler', MODULE, '--asset-id', ASSET, '--seed', '1', '--report-dir', dir]);
    expect(run.code, run.out).toBe(0);
    expect(run.out).toContain(`target an in-process handler (${MODULE}), asset ${ASSET}`);
    const report = reportIn(dir);
    expect(report.target.inProcess).toBe(true);
    const http = report.requirements.find((r) => r.id === 'RESP-HTTP');
    expect(http).toMatchObject({ status: 'skip', unexercisable: true });
    expect(run.out).toMatch(/RESP-HTTP\s+MUST\s+not exercised/);
    expect(run.out).toContain('\nnot exercised, and why:\n');
    expect(run.out).toContain('  RESP-HTTP: an in-process handler has no HTTP connection to judge');
  });

  test('a handler that throws fails RESP-COMPLETE alone, with a replay line that loads it again', async () => {
    const dir = 'reports/handler-throws';
    const spec = `${MODULE}#throwsOnLongNames`;
    const run = await cli(['--handler', spec, '--asset-id', ASSET, '--seed', '1', '--report-dir', dir]);
    expect(run.code, run.out).toBe(1);
    const report = reportIn(dir);
    const failed = report.requirements.filter((r) => r.status === 'fail').map((r) => r.id);
    expect(failed).toEqual(['RESP-COMPLETE']);
    const cx = report.requirements.find((r) => r.id === 'RESP-COMPLETE')?.counterexample;
    expect(cx?.violated[0]?.message).toBe(
      'Received: error: the handler threw instead of answering (RangeError: name too long for the column)',
    );
    expect(cx?.replay).toContain(`--handler ${spec} --asset-id ${ASSET}`);
    // the report's failures replayed on the handler given (a report made in-process names no URL)
    const replay = await cli(['--replay', join(dir, 'report.json'), '--handler', spec, '--asset-id', ASSET]);
    expect(replay.code, replay.out).toBe(1);
    expect(replay.out).toMatch(/REPRODUCED {2}RESP-COMPLETE \(MUST\)/);
    const noTarget = await cli(['--replay', join(dir, 'report.json')]);
    expect(noTarget.code).toBe(2);
    expect(noTarget.out).toContain('was made on an in-process handler: give --handler FILE[#EXPORT] to replay it');
  });

  test.each([
    [
      'objectOnLongNames',
      'RESP-COMPLETE',
      [],
      /^Received: error: the handler answered an object \(status, body\), not a Response$/,
    ],
    ['hangsOnManyTags', 'RESP-TIMELY', ['--timeout-ms', '1000'], /^Received: no complete response after \d/],
  ])('%s: fails %s alone, and the run ends', async (name, requirement, extra, message) => {
    const dir = `reports/handler-${name}`;
    const run = await cli([
      '--handler',
      `${MODULE}#${name}`,
      '--asset-id',
      ASSET,
      '--seed',
      '1',
      ...extra,
      '--report-dir',
      dir,
    ]);
    expect(run.code, run.out).toBe(1);
    const report = reportIn(dir);
    expect(report.requirements.filter((r) => r.status === 'fail').map((r) => r.id)).toEqual([requirement]);
    const cx = report.requirements.find((r) => r.id === requirement)?.counterexample;
    expect(cx?.violated.find((v) => v.requirement === requirement)?.message).toMatch(message);
  });

  test('an exported array of MSW handlers runs through the msw installed beside it', async () => {
    const run = await cli([
      '--handler',
      'fixtures/handlers/msw.mjs#handlers',
      '--asset-id',
      '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
      '--seed',
      '2',
      '--report-dir',
      '',
    ]);
    expect(run.code, run.out).toBe(0);
    expect(run.out).toMatch(/\d+ passed, 0 MUST failed/);
  });

  test.each([
    [
      [`--handler`, 'fixtures/handlers/none.mjs', '--asset-id', ASSET],
      /--handler: no file fixtures\/handlers\/none\.mjs/,
    ],
    [
      ['--handler', `${MODULE}#notAHandler`, '--asset-id', ASSET],
      /the export notAHandler of .* is a number, not a fetch handler/,
    ],
    [
      ['--handler', `${MODULE}#missing`, '--asset-id', ASSET],
      /--handler: fixtures\/handlers\/reference\.mjs has no export named missing/,
    ],
    [['--handler', 'README.md', '--asset-id', ASSET], /--handler: cannot load README\.md/],
    [
      ['--handler', MODULE, '--base-url', 'http://127.0.0.1:9', '--asset-id', ASSET],
      /--base-url and --handler exclude each other/,
    ],
    [['--handler', MODULE], /--handler needs --asset-id/],
  ])('%j: exit 2, one line', async (args, message) => {
    const run = await cli([...args, '--report-dir', '']);
    expect(run.code, run.out).toBe(2);
    expect(run.out).toMatch(message);
  });

  test('without a key: exit 2, as for a base URL', async () => {
    const run = spawnCli(['--handler', MODULE, '--asset-id', ASSET, '--report-dir', ''], {});
    expect(await run.exited).toBe(2);
    expect(run.output()).toMatch(/the spec requires X-API-Key: give the key in CONFORMANCE_API_KEY/);
  });
});
