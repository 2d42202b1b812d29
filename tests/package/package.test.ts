/**
 * The package as users get it: `npm pack`, the tarball installed in an empty project, and there
 * the bin (`npx comfy-assets-conformance`), the library, its types and the example projects'
 * vitest files (examples/: a tiny server, a Hono app and MSW handlers in-process, Prism's mock).
 * Needs the npm registry or its cache for the dependencies.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { fixtureServer } from '../../fixtures/servers/index.ts';
import { type ReferenceServer, startReferenceServer } from '../../src/server/index.ts';
import { ROOT } from '../helpers/spawn.ts';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
const KEY = 'package-test-key-0123456789';

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end, whatever its exit code. */
async function run(file: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<Ran> {
  try {
    const { stdout, stderr } = await promisify(execFile)(file, args, {
      cwd,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', ...env },
      timeout: 240_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number | string; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const npmInstall = (cwd: string, ...specs: string[]): Promise<Ran> =>
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...specs], cwd);

let work: string;
let tarball: string;
let project: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'package-test-'));
  const packed = await run('npm', ['pack', '--silent', '--pack-destination', work], ROOT);
  expect(packed.code, packed.stderr).toBe(0);
  tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz')) as string);
  project = join(work, 'empty');
  cpSync(join(ROOT, 'tests/package/empty'), project, { recursive: true });
  const installed = await npmInstall(project, tarball);
  expect(installed.code, installed.stderr).toBe(0);
  // for the types' check only: what a TypeScript project of a server author has (devDependencies)
  const dev = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).devDependencies as Record<string, string>;
  const tools = await npmInstall(project, '-D', `@types/node@${dev['@types/node']}`, `vitest@${dev['vitest']}`);
  expect(tools.code, tools.stderr).toBe(0);
}, 300_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  rmSync(join(ROOT, `${pkg.name}-${pkg.version}.tgz`), { force: true });
});

describe('the installed package', () => {
  const bin = (): string => join(project, 'node_modules/.bin/comfy-assets-conformance');

  test('ships the built code, the default spec, README and licence, and no TypeScript runtime', async () => {
    const files = await run('tar', ['-tzf', tarball], work);
    const listed = files.stdout.split('\n');
    for (const f of [
      'dist/cli/main.js',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/vitest.js',
      'spec/openapi-cloud.yaml',
      'schema/report.schema.json',
      'CHANGELOG.md',
    ])
      expect(listed).toContain(`package/${f}`);
    expect(listed).toContain('package/README.md');
    expect(listed).toContain('package/LICENSE');
    expect(listed.filter((f) => /^package\/(src|tests|fixtures)\//.test(f))).toEqual([]);
    // an example installed in place (this tier does it) ships as its sources only
    expect(listed.filter((f) => /\/node_modules\/|package-lock\.json$/.test(f))).toEqual([]);
    const tree = await run('npm', ['ls', '--all', '--parseable', '--omit=dev'], project);
    expect(tree.stdout).toContain('comfy-assets-conformance');
    expect(tree.stdout).not.toMatch(/node_modules\/(tsx|ts-node|typescript|esbuild|@swc)(\/|$)/m);
  });

  test('npx comfy-assets-conformance runs the suite against the embedded server: exit 0', async () => {
    const ran = await run('npx', ['--no-install', 'comfy-assets-conformance', '--seed', '1', '--runs', '20'], project);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toContain('CONFORMS');
    expect(readdirSync(join(project, 'conformance-report'))).toContain('report.html');
  });

  test('--version is the package version; --list and --help answer without a run', async () => {
    expect((await run(bin(), ['--version'], project)).stdout.trim()).toBe(pkg.version);
    const listed = await run(bin(), ['--list'], project);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('A200-STRING-EXACT');
    const help = await run(bin(), ['--help'], project);
    expect(help.stdout).toMatch(/^Usage: npx comfy-assets-conformance \[options\]/);
  });

  test("the action's run step: its inputs become the suite's variables, the key stays the caller's", async () => {
    const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
      runs: { steps: { run?: string; env?: Record<string, string> }[] };
    };
    const step = action.runs.steps.find((s) => s.run?.includes('dist/cli/main.js'));
    const inputs: Record<string, string> = { runs: '5', seed: '3', strict: 'true', 'report-dir': 'action-report' };
    const caller: Record<string, string> = { CONFORMANCE_TIMEOUT_MS: '7000', CONFORMANCE_STRICT: '' };
    // the two forms of expression action.yml uses: `inputs.x || env.X` and `(inputs.x == 'true' && 'true') || env.X`
    const value = (expression: string): string => {
      const m = /^\$\{\{ \(?inputs\.([\w-]+)( == 'true' && 'true'\))? \|\| env\.(\w+) \}\}$/.exec(expression);
      if (!m) throw new Error(`unexpected expression ${expression}`);
      const given = inputs[m[1] as string] ?? '';
      return (m[2] ? (given === 'true' ? 'true' : '') : given) || (caller[m[3] as string] ?? '');
    };
    const env = Object.fromEntries(Object.entries(step?.env ?? {}).map(([k, v]) => [k, value(v)]));
    const ran = await run(bin(), [], project, { ...env, CONFORMANCE_API_KEY: '' });
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stderr).toContain('seed 3, 5 runs per property, strict');
    const report = JSON.parse(readFileSync(join(project, 'action-report/report.json'), 'utf8'));
    expect(report.settings).toMatchObject({ timeoutMs: 7000 });
    expect(report.strict).toBe(true);
  });

  test('a bad option: exit 2 with one line', async () => {
    const ran = await run(bin(), ['--runs', '0'], project);
    expect(ran.code).toBe(2);
    expect(ran.stderr.trim()).toBe('comfy-assets-conformance: --runs must be between 1 and 1000000, got 0');
  });

  describe('against a server of the library', () => {
    let server: ReferenceServer;
    beforeAll(async () => {
      const variant = fixtureServer('name-trimmed')?.variant;
      server = await startReferenceServer({ apiKey: KEY, ...(variant ? { variant } : {}) });
    });
    afterAll(() => server.close());

    test('a mutant fails its requirement: exit 1, a replay line that names the package, the key never shown', async () => {
      const ran = await run(
        bin(),
        ['--base-url', server.baseUrl, '--asset-id', server.assetId, '--seed', '1', '--property', 'valid-update'],
        project,
        { CONFORMANCE_API_KEY: KEY },
      );
      expect(ran.code, ran.stderr).toBe(1);
      expect(ran.stdout).toMatch(/A200-STRING-EXACT\s+MUST\s+FAIL/);
      expect(ran.stdout).toMatch(/replay: npx comfy-assets-conformance --base-url /);
      expect(ran.stdout + ran.stderr).not.toContain(KEY);
    });

    test('a server that echoes the key (header, error messages, the name): redacted in every output and report file', async () => {
      const variant = fixtureServer('echoes-key')?.variant;
      const echoing = await startReferenceServer({ apiKey: KEY, ...(variant ? { variant } : {}) });
      const reportDir = join(work, 'echo-report');
      const ran = await run(
        bin(),
        ['--base-url', echoing.baseUrl, '--asset-id', echoing.assetId, '--seed', '2', '--report-dir', reportDir],
        project,
        { CONFORMANCE_API_KEY: KEY },
      );
      await echoing.close();
      expect(ran.code, ran.stderr).toBe(1);
      const texts = [
        ran.stdout + ran.stderr,
        ...readdirSync(reportDir).map((f) => readFileSync(join(reportDir, f), 'utf8')),
      ];
      for (const text of texts) expect(text).not.toContain(KEY);
      // what the server sent back was there to redact: the failure shows the name it stored, redacted
      expect(ran.stdout).toContain('name for [REDACTED]');
      expect(texts.filter((t) => t.includes('[REDACTED]')).length).toBeGreaterThanOrEqual(4);
    });

    test('a key given by flag through npx is echoed by nothing on the way (npx, the suite, the reports)', async () => {
      const reference = await startReferenceServer({ apiKey: KEY });
      const reportDir = join(work, 'flag-report');
      const ran = await run(
        'npx',
        [
          '--no-install',
          'comfy-assets-conformance',
          '--base-url',
          reference.baseUrl,
          '--asset-id',
          reference.assetId,
          '--api-key',
          KEY,
          '--property',
          'auth',
          '--runs',
          '10',
          '--report-dir',
          reportDir,
        ],
        project,
        { CONFORMANCE_API_KEY: '' },
      );
      await reference.close();
      expect(ran.code, ran.stderr).toBe(0);
      expect(ran.stdout + ran.stderr).not.toContain(KEY);
      for (const file of readdirSync(reportDir)) expect(readFileSync(join(reportDir, file), 'utf8')).not.toContain(KEY);
    });
  });

  test('the library runs from an ES module and from TypeScript, with its types', async () => {
    const ran = await run('node', ['library.mjs'], project);
    expect(ran.code, ran.stderr).toBe(0);
    expect(JSON.parse(ran.stdout)).toEqual({ exitCode: 0, mustFailed: 0, tool: pkg.name, usage: 'UsageError' });
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const typed = await run('node', [tsc, '-p', 'tsconfig.json'], project);
    expect(typed.code, typed.stdout).toBe(0);
  });
});

/** The example projects, each run where it stands in the clone: its passing test, and its one-line fault. */
const EXAMPLES = [
  { dir: 'tiny-server', fault: { TINY_FAULT: 'trim-name' }, fails: ['A200-STRING-EXACT'] },
  { dir: 'hono-app', fault: { HONO_FAULT: 'drop-tags' }, fails: ['A200-ARRAY-SET'] },
  { dir: 'msw-handlers', fault: { MSW_FAULT: 'merge-metadata' }, fails: ['A200-OBJECT-REPLACED'] },
  { dir: 'prism-mock', fault: { PRISM_FAULT: 'no-expectations' }, fails: ['AUTH-401', 'RESP-BODY-SCHEMA'] },
] as const;

for (const ex of EXAMPLES) {
  describe(`the example project (examples/${ex.dir}), where it stands in the clone`, () => {
    let example: string;
    beforeAll(async () => {
      // as its README says: the tarball packed in the root of the clone, installed and run in place
      example = join(ROOT, 'examples', ex.dir);
      const manifest = JSON.parse(readFileSync(join(example, 'package.json'), 'utf8'));
      expect(manifest.devDependencies[pkg.name]).toBe(`file:../../${pkg.name}-${pkg.version}.tgz`);
      copyFileSync(tarball, join(ROOT, `${pkg.name}-${pkg.version}.tgz`));
      const installed = await npmInstall(example);
      expect(installed.code, installed.stderr).toBe(0);
    }, 300_000);

    test('passes with the vitest entry: a test per requirement, the reports written', async () => {
      const ran = await run('npx', ['--no-install', 'vitest', 'run'], example);
      expect(ran.code, ran.stdout + ran.stderr).toBe(0);
      expect(ran.stdout).toMatch(/Tests\s+\S*\d+ passed/);
      expect(readdirSync(join(example, 'conformance-report'))).toContain('junit.xml');
      // its own vitest settings, not the clone's root config (which would find no test here)
      expect(ran.stdout).toMatch(/conformance\.test\.js/);
    });

    test(`fails on exactly ${ex.fails.join(' and ')} with its one-line fault`, async () => {
      const ran = await run('npx', ['--no-install', 'vitest', 'run'], example, ex.fault);
      expect(ran.code).toBe(1);
      const failed = [...(ran.stdout + ran.stderr).matchAll(/FAIL .*> ([A-Z0-9-]+) \((MUST|SHOULD)\)/g)].map(
        (m) => m[1],
      );
      expect([...new Set(failed)].sort()).toEqual([...ex.fails]);
      expect(ran.stdout + ran.stderr).toMatch(/replay: npx comfy-assets-conformance /);
    });
  });
}
