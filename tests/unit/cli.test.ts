/** The command line: options and their errors (exit 2), reports, exit codes, and the API key never shown. */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fixtureServer } from '../../fixtures/servers/index.ts';
import { parseOptions } from '../../src/api/options.ts';
import { runCli } from '../../src/cli/cli.ts';
import { basicOf } from '../../src/generators/doors.ts';
import type { RunReport } from '../../src/report/model.ts';
import { type ReferenceServer, startReferenceServer } from '../../src/server/index.ts';
import { closedPort } from '../helpers/faults.ts';

interface Captured {
  code: number;
  out: string;
  err: string;
}

async function cli(argv: string[], env: Record<string, string> = {}): Promise<Captured> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, env, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const reportDir = (): string => mkdtempSync(join(tmpdir(), 'conformance-report-'));
const ASSET = '6f1c2a9e-4b7d-4c3a-9e8f-0a1b2c3d4e5f';

describe('bad input from the user: exit 2 with one line that says what to fix', () => {
  const cases: [string, string[], Record<string, string>, RegExp][] = [
    ['unknown flag', ['--frobnicate'], {}, /Unknown option '--frobnicate'/],
    ['runs not a number', ['--runs', 'many'], {}, /--runs must be a whole number/],
    ['runs zero', ['--runs', '0'], {}, /--runs must be between 1 and/],
    ['malformed URL', ['--base-url', 'not a url', '--asset-id', ASSET], {}, /--base-url "not a url" is not a URL/],
    ['ftp URL', ['--base-url', 'ftp://x', '--asset-id', ASSET], {}, /http or https/],
    ['target without asset', ['--base-url', 'http://127.0.0.1:9'], {}, /--base-url needs --asset-id/],
    ['asset without target', ['--asset-id', ASSET], {}, /--asset-id needs --base-url/],
    [
      'asset id not a uuid',
      ['--base-url', 'http://127.0.0.1:9', '--asset-id', 'abc'],
      { CONFORMANCE_API_KEY: 'k' },
      /--asset-id "abc" is not a valid id for this spec/,
    ],
    [
      'no key for a target',
      ['--base-url', 'http://127.0.0.1:9', '--asset-id', ASSET],
      {},
      /requires X-API-Key: give the key in CONFORMANCE_API_KEY/,
    ],
    ['unreadable spec', ['--spec', '/nonexistent/spec.yaml'], {}, /cannot read spec file \/nonexistent\/spec.yaml/],
    ['unknown property', ['--property', 'nope'], {}, /unknown property "nope"/],
    ['path without property', ['--path', '1:2', '--seed', '1'], {}, /give exactly one --property/],
    ['path without seed', ['--path', '1:2', '--property', 'auth'], {}, /give the --seed/],
    ['strict env not a boolean', [], { CONFORMANCE_STRICT: 'maybe' }, /CONFORMANCE_STRICT must be 1 or 0/],
    [
      'an asset named twice',
      ['--base-url', 'http://127.0.0.1:9', '--asset-id', `${ASSET},${ASSET}`],
      {},
      /--asset-id names .* twice/,
    ],
    [
      'one of the assets not a uuid',
      ['--base-url', 'http://127.0.0.1:9', '--asset-id', `${ASSET}, abc`],
      { CONFORMANCE_API_KEY: 'k' },
      /--asset-id "abc" is not a valid id/,
    ],
    ['too many assets to create', ['--create-asset', '17'], {}, /--create-asset must be between 0 and 16/],
    ['an unknown profile', ['--profile', 'mock'], {}, /--profile must be one of server, stateless-mock, got "mock"/],
    ['create-asset env not a count', [], { CONFORMANCE_CREATE_ASSET: 'some' }, /--create-asset must be a whole number/],
    [
      'a replay on two assets',
      ['--path', '1:2', '--seed', '1', '--property', 'auth', '--create-asset', '2'],
      {},
      /--path replays one case on one asset/,
    ],
  ];
  for (const [title, argv, env, message] of cases) {
    test(title, async () => {
      const r = await cli(argv, env);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err.split('\n')).toHaveLength(1);
    });
  }
  test('--create-asset: bare, or with a count; its variable as a switch or a count; --asset-id: a list; --path of a kind', () => {
    const parsed = (argv: string[], env: Record<string, string> = {}) => parseOptions(argv, env);
    expect(parsed(['--create-asset']).createAsset).toBe(1);
    expect(parsed(['--create-asset', '--runs', '3'])).toMatchObject({ createAsset: 1, runs: 3 });
    expect(parsed(['--create-asset', '3']).createAsset).toBe(3);
    expect(parsed(['--create-asset=4']).createAsset).toBe(4);
    expect(parsed([]).createAsset).toBe(0);
    expect(parsed([], { CONFORMANCE_CREATE_ASSET: 'true' }).createAsset).toBe(1);
    expect(parsed([], { CONFORMANCE_CREATE_ASSET: '0' }).createAsset).toBe(0);
    expect(parsed([], { CONFORMANCE_CREATE_ASSET: '2' }).createAsset).toBe(2);
    // a case of a plan's kind of value: the kind before fast-check's path
    expect(parsed(['--path', 's3/0:1', '--seed', '1', '--property', 'auth']).path).toBe('s3/0:1');
    expect(() => parsed(['--path', 's/0:1', '--seed', '1', '--property', 'auth'])).toThrow(/--path must look like/);
    const two = parsed(['--base-url', 'http://127.0.0.1:9', '--asset-id', `${ASSET}, ${ASSET.replace('6f', '7f')}`]);
    expect(two.assetId).toEqual([ASSET, ASSET.replace('6f', '7f')]);
  });

  test('--help and --list send nothing and exit 0', async () => {
    expect((await cli(['--help'])).out).toContain('CONFORMANCE_BASE_URL');
    const list = await cli(['--list']);
    expect(list.code).toBe(0);
    expect(list.out).toContain('AUTH-401');
  });
});

describe('targets that cannot be tested: exit 2', () => {
  let server: ReferenceServer;
  beforeAll(async () => {
    server = await startReferenceServer({ apiKey: 'the-right-key-123' });
  });
  afterAll(() => server.close());

  test('unreachable', async () => {
    const r = await cli(['--base-url', await closedPort(), '--asset-id', ASSET, '--report-dir', reportDir()], {
      CONFORMANCE_API_KEY: 'k',
    });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/target unreachable: .*connection refused/);
  });
  test('the key is rejected on a plain valid request', async () => {
    const r = await cli(['--base-url', server.baseUrl, '--asset-id', server.assetId, '--report-dir', reportDir()], {
      CONFORMANCE_API_KEY: 'a-wrong-key',
    });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/API key was rejected \(401\)/);
  });
  test('the asset does not exist', async () => {
    const r = await cli(
      ['--base-url', server.baseUrl, '--asset-id', '11111111-2222-4333-8444-555555555555', '--report-dir', reportDir()],
      { CONFORMANCE_API_KEY: 'the-right-key-123' },
    );
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/asset 11111111-2222-4333-8444-555555555555 not found \(404/);
  });
});

describe('runs', () => {
  test('against the embedded server: exit 0, progress, table, and the report files', async () => {
    const dir = reportDir();
    const r = await cli(['--runs', '20', '--seed', '7', '--report-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/\[plan 1\/\d+\] valid-update/);
    expect(r.err).toMatch(/\[explore 1\/\d+\] valid-update/);
    expect(r.err).toContain('seed 7, 20 runs per property, planned for 60 s');
    expect(r.out).toContain('CONFORMS');
    expect(readdirSync(dir).sort()).toEqual([
      'failures.ndjson',
      'junit.xml',
      'report.html',
      'report.json',
      'report.md',
    ]);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Record<string, unknown>;
    expect(report).toMatchObject({
      target: { baseUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) },
      spec: { operationId: 'updateAsset' },
      seed: 7,
      runs: 20,
      settings: { budgetMs: 60_000 },
    });
    for (const q of report['requirements'] as Record<string, unknown>[]) {
      expect(Object.keys(q)).toEqual(expect.arrayContaining(['id', 'level', 'title', 'status', 'cases']));
      expect(['pass', 'fail', 'skip']).toContain(q['status']);
    }
  });

  test('a requirement no case exercised: "not exercised", never a pass; fatal for a MUST with --require-coverage', async () => {
    const plain = reportDir();
    const args = ['--runs', '3', '--seed', '7', '--property', 'auth'];
    const r = await cli([...args, '--report-dir', plain]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/^ID-MALFORMED +MUST +not exercised +0$/m);
    const report = JSON.parse(readFileSync(join(plain, 'report.json'), 'utf8')) as RunReport;
    const must = report.requirements.filter((q) => q.status === 'skip' && q.level === 'MUST').length;
    expect(must).toBeGreaterThan(0);
    expect(report.summary.mustSkipped).toBe(must);
    expect(r.out).toContain(`${report.summary.skipped} not exercised (${must} MUST);`);
    expect(report).not.toHaveProperty('requireCoverage');

    const required = reportDir();
    const strict = await cli([...args, '--require-coverage', '--report-dir', required]);
    expect(strict.code).toBe(1);
    expect(strict.out).toMatch(/^ID-MALFORMED +MUST +NOT EXERCISED +0$/m);
    expect(strict.out).toContain('(fatal with --require-coverage)');
    const junit = readFileSync(join(required, 'junit.xml'), 'utf8');
    expect(junit).toContain(`failures="${must}"`);
    // a requirement is a failure or skipped, never both
    expect(junit).toContain(`skipped="${report.summary.skipped - must}"`);
    expect(junit).toMatch(/<failure message="not exercised \(--require-coverage\): [^"]+" type="NOT-EXERCISED"\/>/);
    const again = JSON.parse(readFileSync(join(required, 'report.json'), 'utf8')) as RunReport;
    expect(again).toMatchObject({ requireCoverage: true, exitCode: 1 });
  });

  test('a server that takes Basic credentials instead of the key: AUTH-401, the key in them redacted, the curl line rebuilds them', async () => {
    const key = 'basic-door-key-0123456789';
    const server = await startReferenceServer({
      apiKey: key,
      variant: {
        name: 'takes-basic',
        intercept: (request) => {
          if (/^Basic /.test(String(request.headers['authorization'] ?? ''))) request.headers['x-api-key'] = key;
          return false;
        },
      },
    });
    try {
      const dir = reportDir();
      const argv = ['--base-url', server.baseUrl, '--asset-id', server.assetId, '--property', 'auth', '--runs', '5'];
      const r = await cli([...argv, '--seed', '1', '--report-dir', dir], { CONFORMANCE_API_KEY: key });
      expect(r.code).toBe(1);
      const texts = [r.out, r.err, ...readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8'))];
      for (const text of texts) for (const form of [key, basicOf(key)]) expect(text.includes(form)).toBe(false);
      const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as RunReport;
      const cx = report.requirements.find((q) => q.id === 'AUTH-401')?.counterexample;
      expect(cx?.description).toMatch(/Authorization: Basic with the valid key/);
      expect(cx?.curl).toContain(
        `"authorization: Basic $(printf '%s:' "$CONFORMANCE_API_KEY" | base64 | tr -d '\\n')"`,
      );
    } finally {
      await server.close();
    }
  });

  test('against a server that echoes the key: exit 1, and the key is in no output and no report file', async () => {
    const key = 'sk-live-Very$ecret<&>"key"/with+chars';
    const server = await startReferenceServer({ apiKey: key, variant: fixtureServer('echoes-key')?.variant });
    try {
      const dir = reportDir();
      const r = await cli(
        [
          '--base-url',
          server.baseUrl,
          '--asset-id',
          server.assetId,
          '--runs',
          '30',
          '--seed',
          '3',
          '--report-dir',
          dir,
        ],
        { CONFORMANCE_API_KEY: key },
      );
      expect(r.code).toBe(1);
      expect(r.out).toContain('A200-STRING-EXACT');
      expect(r.out).toContain('[REDACTED]');
      const texts = [r.out, r.err, ...readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8'))];
      // (the key where a credential elsewhere carries it too: in a query, in Basic credentials)
      const forms = [
        key,
        JSON.stringify(key).slice(1, -1),
        encodeURIComponent(key),
        key.replace(/&/g, '&amp;').replace(/</g, '&lt;'),
        basicOf(key),
      ];
      for (const text of texts) for (const form of forms) expect(text.includes(form)).toBe(false);
      const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as {
        requirements: {
          id: string;
          counterexample?: { curl: string; replay: string; request: { headers: Record<string, string> } };
        }[];
      };
      const cx = report.requirements.find((q) => q.id === 'A200-STRING-EXACT')?.counterexample;
      expect(cx?.curl).toContain('"x-api-key: $CONFORMANCE_API_KEY"');
      expect(cx?.request.headers['x-api-key']).toBe('$CONFORMANCE_API_KEY');
      expect(cx?.replay).toContain(`--base-url ${server.baseUrl} --asset-id ${server.assetId}`);
    } finally {
      await server.close();
    }
  });
});
