/** Reports people read and CI trusts: expectations, replay, report.html, compare, merge, the nightly workflow. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { fixtureServer } from '../../fixtures/servers/index.ts';
import { OPTIONS } from '../../src/api/options.ts';
import { runCli } from '../../src/cli/cli.ts';
import { readExpectations } from '../../src/report/expectations.ts';
import type { RunReport } from '../../src/report/model.ts';
import { type ReferenceServer, startReferenceServer } from '../../src/server/index.ts';

const KEY = 'reporting-key-0123456789';
const dir = (): string => mkdtempSync(join(tmpdir(), 'reporting-'));
async function cli(argv: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = await runCli(
    argv,
    { CONFORMANCE_API_KEY: KEY },
    { out: (l) => lines.push(l), err: (l) => lines.push(l) },
    { signal: new AbortController().signal },
  );
  return { code, out: lines.join('\n') };
}
const readReport = (d: string): RunReport => JSON.parse(readFileSync(join(d, 'report.json'), 'utf8')) as RunReport;

describe('expectations: a nightly fails only on a change', () => {
  const flags = { a: true, b: false };
  let server: ReferenceServer;
  const naive = fixtureServer('naive-timestamps')?.variant.timestamp;
  beforeAll(async () => {
    server = await startReferenceServer({
      apiKey: KEY,
      variant: {
        name: 'two-switchable-faults',
        timestamp: (d) => (flags.a && naive ? naive(d) : d.toISOString()),
        authorize: (k, store) => flags.b || k === store.apiKey,
      },
    });
  });
  afterAll(() => server.close());

  test('fail, write the file, pass, a new fault fails, fixing the first reports it fixed', async () => {
    const file = join(dir(), 'target.yaml');
    const run = (...extra: string[]): Promise<{ code: number; out: string }> =>
      cli([
        '--base-url',
        server.baseUrl,
        '--asset-id',
        server.assetId,
        '--seed',
        '4',
        '--runs',
        '30',
        '--report-dir',
        dir(),
        '--expectations',
        file,
        ...extra,
      ]);
    expect(
      (
        await cli([
          '--base-url',
          server.baseUrl,
          '--asset-id',
          server.assetId,
          '--seed',
          '4',
          '--runs',
          '30',
          '--report-dir',
          dir(),
        ])
      ).code,
    ).toBe(1);

    const written = await run('--update-expectations');
    expect(written.code).toBe(0);
    expect(Object.keys(readExpectations(file).requirements).sort()).toEqual(['A200-UPDATED-AT', 'RESP-BODY-SCHEMA']);

    expect((await run()).code).toBe(0);

    flags.b = true;
    const changed = await run();
    expect(changed.code).toBe(1);
    expect(changed.out).toMatch(/AUTH-401 +MUST +FAIL, NEW/);
    expect(changed.out).toContain('CHANGED FROM THE EXPECTATIONS');

    flags.b = false;
    flags.a = false;
    const fixed = await run();
    expect(fixed.code).toBe(0);
    expect(fixed.out).toMatch(/A200-UPDATED-AT +MUST +pass \(FIXED/);
    expect((await run('--strict')).code).toBe(1);

    // reasons written by people survive a rewrite
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      file,
      'requirements:\n  A200-UPDATED-AT:\n    reason: naive timestamps, tracked\n    link: https://example.invalid/1\n',
    );
    flags.a = true;
    await run('--update-expectations');
    expect(readExpectations(file).requirements['A200-UPDATED-AT']).toEqual({
      reason: 'naive timestamps, tracked',
      link: 'https://example.invalid/1',
    });
  }, 120_000);

  test('a bad expectations file is exit 2 with a message', async () => {
    const { writeFileSync } = await import('node:fs');
    const file = join(dir(), 'bad.yaml');
    writeFileSync(file, 'requirements:\n  NOT-A-REQUIREMENT:\n    reason: x\n');
    const r = await cli(['--expectations', file, '--runs', '5']);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/"NOT-A-REQUIREMENT" is not a requirement of the catalogue/);
  });
});

describe('replay', () => {
  test('the replay command, run as printed, reproduces the same violation; --replay re-runs every failure', async () => {
    const server = await startReferenceServer({ apiKey: KEY, variant: fixtureServer('merges-metadata')?.variant });
    try {
      const d = dir();
      expect(
        (
          await cli([
            '--base-url',
            server.baseUrl,
            '--asset-id',
            server.assetId,
            '--seed',
            '8',
            '--runs',
            '50',
            '--report-dir',
            d,
          ])
        ).code,
      ).toBe(1);
      const report = readReport(d);
      const failure = report.requirements.find((r) => r.id === 'A200-OBJECT-REPLACED');
      const printed = failure?.counterexample?.replay ?? '';
      expect(printed).toMatch(/^npx comfy-assets-conformance /);
      // run it as printed (the shell's quotes removed)
      const argv = (printed.replace(/^npx comfy-assets-conformance /, '').match(/'[^']*'|\S+/g) ?? []).map((a) =>
        a.replace(/^'|'$/g, ''),
      );
      const againDir = dir();
      const again = await cli([...argv, '--report-dir', againDir]);
      expect(again.code).toBe(1);
      expect(again.out).toContain('A200-OBJECT-REPLACED');
      // exactly the printed case, and only it (--path): the same request, no other case generated
      const replayed = readReport(againDir);
      const cx = failure?.counterexample;
      const property = replayed.properties.find((p) => p.name === cx?.property);
      expect(property?.cases).toBe(cx?.steps?.length ?? 1);
      const rcx = replayed.requirements.find((r) => r.id === 'A200-OBJECT-REPLACED')?.counterexample;
      expect(rcx?.request.body).toBe(cx?.request.body);
      expect(rcx?.path).toBe(cx?.path);

      const fromReport = await cli([
        '--base-url',
        server.baseUrl,
        '--asset-id',
        server.assetId,
        '--replay',
        join(d, 'report.json'),
        '--report-dir',
        dir(),
      ]);
      expect(fromReport.code).toBe(1);
      expect(fromReport.out).toMatch(/REPRODUCED {2}A200-OBJECT-REPLACED/);
      // against a server without the fault, given instead of the report's target, nothing reproduces
      const fixed = await startReferenceServer({ apiKey: KEY });
      const fine = await cli([
        '--replay',
        join(d, 'report.json'),
        '--base-url',
        fixed.baseUrl,
        '--asset-id',
        fixed.assetId,
      ]);
      await fixed.close();
      expect(fine.out).toContain(
        `replaying against ${fixed.baseUrl} as given (the report's target was ${server.baseUrl})`,
      );
      expect(fine.code).toBe(0);
      expect(fine.out).toMatch(/0 of \d+ failure\(s\) reproduced/);
      // the request log: one JSON line per request of every counterexample
      const log = readFileSync(join(d, 'failures.ndjson'), 'utf8')
        .trim()
        .split('\n')
        .map(
          (l) => JSON.parse(l) as { requirement: string; request: { method: string }; response: unknown; curl: string },
        );
      expect(
        log.some(
          (l) => l.requirement === 'A200-OBJECT-REPLACED' && l.request.method === 'PUT' && l.curl.startsWith('curl '),
        ),
      ).toBe(true);
    } finally {
      await server.close();
    }
  }, 120_000);
});

describe('compare and merge', () => {
  test('compare: a column per target, a row per requirement, in Markdown and HTML', async () => {
    const ref = dir();
    await cli(['--seed', '3', '--runs', '20', '--report-dir', ref]);
    const server = await startReferenceServer({ apiKey: KEY, variant: fixtureServer('ignores-api-key')?.variant });
    const bad = dir();
    try {
      await cli([
        '--base-url',
        server.baseUrl,
        '--asset-id',
        server.assetId,
        '--seed',
        '3',
        '--runs',
        '20',
        '--report-dir',
        bad,
      ]);
    } finally {
      await server.close();
    }
    const out = dir();
    const r = await cli([
      'compare',
      `reference=${join(ref, 'report.json')}`,
      `no-auth=${join(bad, 'report.json')}`,
      '--out',
      out,
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('| Requirement | Level | reference | no-auth |');
    expect(r.out).toMatch(/\| `AUTH-401` \| MUST \| pass \| FAIL \|/);
    expect(readFileSync(join(out, 'compare.html'), 'utf8')).toMatch(/<table id="comparison">/);
    expect((await cli(['compare', '/nonexistent/report.json'])).code).toBe(2);
  }, 60_000);

  test('merge: shard reports join into the verdicts of one run', async () => {
    const shards = [dir(), dir()];
    for (const [i, d] of shards.entries())
      await cli(['--shard', `${i + 1}/2`, '--seed', '6', '--runs', '20', '--report-dir', d]);
    const [a, b] = shards.map(readReport);
    expect(a?.shard).toBe('1/2');
    const names = [...(a?.properties ?? []), ...(b?.properties ?? [])].map((p) => p.name).sort();
    expect(new Set(names).size).toBe(names.length);
    const merged = dir();
    const r = await cli(['merge', ...shards.map((d) => join(d, 'report.json')), '--report-dir', merged]);
    expect(r.code).toBe(0);
    const m = readReport(merged);
    expect(m.properties.map((p) => p.name).sort()).toEqual(names);
    expect(m.requirements.find((x) => x.id === 'AUTH-401')?.status).toBe('pass');
    expect(m.requirements.find((x) => x.id === 'STATE-PERSISTS')?.status).toBe('pass');
  }, 60_000);
});

describe('the nightly workflow', () => {
  const file = fileURLToPath(new URL('../../.github/workflows/nightly.yml', import.meta.url));
  const wf = parse(readFileSync(file, 'utf8')) as {
    on: { schedule: { cron: string }[]; workflow_dispatch: unknown };
    jobs: Record<
      string,
      {
        needs?: string;
        if?: string;
        strategy?: { matrix: { shard: number[] } };
        env?: Record<string, string>;
        steps: {
          uses?: string;
          run?: string;
          if?: string;
          with?: Record<string, string | number | boolean>;
          env?: Record<string, string>;
        }[];
      }
    >;
    env: { SHARDS: number };
  };
  test('is scheduled and can be started by hand', () => {
    expect(wf.on.schedule[0]?.cron).toMatch(/^(\S+ ){4}\S+$/);
    expect(wf.on).toHaveProperty('workflow_dispatch');
  });
  test("shards the properties, each shard on an asset of its own, seeded by the date, with the target's expectations", () => {
    const job = wf.jobs['conformance'];
    expect(job?.strategy?.matrix.shard).toHaveLength(wf.env.SHARDS);
    const steps = job?.steps ?? [];
    expect(steps.find((s) => s.run?.includes('date -u +%Y%m%d'))).toBeDefined();
    // through this repository's action, the key only in the environment
    const run = steps.find((s) => s.uses === './');
    expect(run?.env?.['CONFORMANCE_API_KEY']).toBe('${{ secrets.CONFORMANCE_API_KEY }}');
    expect(run?.with).toMatchObject({
      'base-url': '${{ secrets.CONFORMANCE_BASE_URL }}',
      'create-asset': true,
      shard: '${{ matrix.shard }}/${{ env.SHARDS }}',
      seed: '${{ steps.seed.outputs.seed }}',
      expectations: 'fixtures/expectations/cloud.yaml',
      'report-dir': 'conformance-report/shard-${{ matrix.shard }}',
      'artifact-name': 'conformance-shard-${{ matrix.shard }}',
      // a plan of half an hour, inside the run's time limit: the default minute at 20 requests a second would cut it
      budget: 1800,
      'run-timeout-ms': 2400000,
    });
    expect(Object.keys(run?.with ?? {}).filter((k) => !Object.hasOwn(ACTION.inputs, k))).toEqual([]);
    expect(
      readExpectations(fileURLToPath(new URL('../../fixtures/expectations/cloud.yaml', import.meta.url))),
    ).toBeDefined();
  });
  test('merges the shard reports and keeps JUnit and the report as artefacts', () => {
    const job = wf.jobs['report'];
    expect(job?.needs).toBe('conformance');
    expect(job?.if).toBe('always()');
    expect(job?.steps.some((s) => s.uses?.startsWith('actions/download-artifact'))).toBe(true);
    expect(job?.steps.find((s) => s.run?.includes('dist/cli/main.js merge'))).toBeDefined();
    expect(
      job?.steps.some(
        (s) => s.uses?.startsWith('actions/upload-artifact') && s.with?.['path'] === 'conformance-report/merged',
      ),
    ).toBe(true);
  });
});

interface ActionFile {
  inputs: Record<string, { description: string; required: boolean; default: string }>;
  runs: { using: string; steps: { uses?: string; run?: string; if?: string; env?: Record<string, string> }[] };
}
const ACTION = parse(readFileSync(fileURLToPath(new URL('../../action.yml', import.meta.url)), 'utf8')) as ActionFile;

describe('the CI action (action.yml)', () => {
  test('takes an input per option with a variable, named as its flag, and never the key', () => {
    const own = ['artifact-name', 'node-version'];
    const options = OPTIONS.filter((o) => o.env !== undefined && o.key !== 'apiKey');
    expect(Object.keys(ACTION.inputs).filter((k) => !own.includes(k))).toEqual(options.map((o) => o.flag));
    for (const required of ['base-url', 'asset-id', 'create-asset', 'spec', 'runs', 'seed', 'expectations', 'strict'])
      expect(ACTION.inputs).toHaveProperty(required);
    expect(Object.keys(ACTION.inputs)).not.toContain('api-key');
    const run = ACTION.runs.steps.find((s) => s.run?.includes('dist/cli/main.js'));
    expect(Object.keys(run?.env ?? {})).toEqual(options.map((o) => o.env));
    expect(JSON.stringify(ACTION)).not.toContain('CONFORMANCE_API_KEY');
    for (const o of options) expect(run?.env?.[o.env as string]).toContain(`inputs.${o.flag}`);
  });
  test('is a composite action that builds the suite, runs it and uploads the reports whatever the outcome', () => {
    expect(ACTION.runs.using).toBe('composite');
    expect(ACTION.runs.steps.some((s) => s.run?.startsWith('npm ci'))).toBe(true);
    const upload = ACTION.runs.steps.find((s) => s.uses?.startsWith('actions/upload-artifact'));
    expect(upload?.if).toMatch(/^always\(\)/);
  });
});
