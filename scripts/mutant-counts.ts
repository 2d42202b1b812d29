/**
 * How many requirements fail per mutant of the library, and whether `--replay report.json`
 * reproduces them: runs the real CLI (in child processes, default settings) against each mutant,
 * then replays its report. Prints one line per mutant and the mean; writes the figures as JSON.
 * ROOT is a checkout of this repository (default: this one), so that two commits can be compared.
 *
 *   npx tsx scripts/mutant-counts.ts OUT.json [ROOT] [--no-replay] [NAME ...]
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

interface Variantish {
  name: string;
}
interface MutantLike {
  variant: Variantish;
  breaks: string;
  runWith?: { createAsset?: boolean };
}
interface ServerLike {
  baseUrl: string;
  assetId: string;
  close(): Promise<void>;
}

const KEY = 'mutant-counts-key-0123456789';
const [out, ...rest] = process.argv.slice(2);
if (!out) throw new Error('usage: npx tsx scripts/mutant-counts.ts OUT.json [ROOT] [--no-replay] [NAME ...]');
const root = resolve(rest[0] && !rest[0].startsWith('-') && rest[0].includes('/') ? (rest.shift() as string) : '.');
const replay = !rest.includes('--no-replay');
const names = rest.filter((a) => !a.startsWith('--'));

const fixtures = (await import(pathToFileURL(join(root, 'fixtures/servers/index.ts')).href)) as {
  MUTANTS: readonly MutantLike[];
};
const server = (await import(pathToFileURL(join(root, 'src/server/index.ts')).href)) as {
  startReferenceServer(o: { apiKey: string; variant: Variantish }): Promise<ServerLike>;
};

function cli(args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', ...args],
      { cwd: root, env: { ...process.env, CONFORMANCE_API_KEY: KEY }, maxBuffer: 64 << 20 },
      (error, stdout) => done({ code: error ? Number(error.code ?? 1) : 0, stdout: String(stdout) }),
    );
  });
}

interface Row {
  name: string;
  breaks: string;
  exit: number;
  failing: string[];
  /** Failures that follow from another (reported, not judged on their own). */
  following: string[];
  reproduced?: number;
  replayed?: number;
  missed?: string[];
}

const rows: Row[] = [];
for (const m of fixtures.MUTANTS.filter((x) => names.length === 0 || names.includes(x.variant.name))) {
  const dir = mkdtempSync(join(tmpdir(), 'mutant-counts-'));
  const s = await server.startReferenceServer({ apiKey: KEY, variant: m.variant });
  const target = [
    '--base-url',
    s.baseUrl,
    ...(m.runWith?.createAsset ? ['--create-asset'] : ['--asset-id', s.assetId]),
  ];
  const run = await cli([...target, '--report-dir', dir]);
  const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as {
    requirements: { id: string; status: string; followsFrom?: string }[];
  };
  const row: Row = {
    name: m.variant.name,
    breaks: m.breaks,
    exit: run.code,
    failing: report.requirements.filter((r) => r.status === 'fail' && !r.followsFrom).map((r) => r.id),
    following: report.requirements.filter((r) => r.followsFrom).map((r) => `${r.id}<-${r.followsFrom}`),
  };
  if (replay && row.failing.length > 0) {
    const again = await cli([...target, '--replay', join(dir, 'report.json'), '--report-dir', join(dir, 'replay')]);
    const lines = again.stdout.split('\n');
    row.reproduced = lines.filter((l) => l.startsWith('REPRODUCED')).length;
    row.replayed = lines.filter((l) => /^(REPRODUCED|not reproduced)/.test(l)).length;
    row.missed = lines.filter((l) => l.startsWith('not reproduced')).map((l) => l.split(/\s+/)[2] ?? l);
  }
  await s.close();
  rmSync(dir, { recursive: true, force: true });
  rows.push(row);
  const replayed = row.replayed === undefined ? '' : `  replay ${row.reproduced}/${row.replayed}`;
  const missed = row.missed?.length ? ` (missed ${row.missed.join(', ')})` : '';
  const following = row.following.length ? ` following: ${row.following.join(' ')}` : '';
  process.stdout.write(
    `${row.name}: ${row.failing.length} failing [${row.failing.join(' ')}]${following}${replayed}${missed}\n`,
  );
}
const mean = rows.reduce((n, r) => n + r.failing.length, 0) / Math.max(1, rows.length);
process.stdout.write(`mean ${mean.toFixed(2)} failing requirements over ${rows.length} mutants\n`);
writeFileSync(out, `${JSON.stringify({ root, mean, rows }, null, 1)}\n`);
