/**
 * Start-up of the package as users get it: `npm pack`, the tarball installed in an empty project,
 * then the wall time of `comfy-assets-conformance --list` and of a default run against the
 * embedded server (the bin itself, and through npx), as medians. Prints figures; asserts nothing.
 * `npx tsx tests/bench/startup.ts [repeats]`
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/spawn.ts';

const repeats = Number(process.argv[2] ?? 7);
const work = mkdtempSync(join(tmpdir(), 'startup-bench-'));
execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: ROOT, stdio: 'ignore' });
const tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz')) as string);
const project = join(work, 'empty');
cpSync(join(ROOT, 'tests/package/empty'), project, { recursive: true });
execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], {
  cwd: project,
  stdio: 'ignore',
});

const bin = join(project, 'node_modules/.bin/comfy-assets-conformance');
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

function time(label: string, file: string, args: string[]): void {
  const walls: number[] = [];
  let requests = '';
  for (let i = 0; i < repeats; i++) {
    const started = process.hrtime.bigint();
    const ran = spawnSync(file, args, { cwd: project, encoding: 'utf8' });
    walls.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (ran.status !== 0) throw new Error(`${label}: exit ${ran.status}\n${ran.stderr}`);
    requests = /(\d[\d,]*) requests in ([\d.]+) s/.exec(ran.stdout)?.slice(1).join(' requests in ') ?? requests;
  }
  const range = `${Math.round(Math.min(...walls))} to ${Math.round(Math.max(...walls))}`;
  process.stdout.write(
    `${label.padEnd(52)} median ${Math.round(median(walls))} ms (${range} ms, ${repeats} runs)${requests ? `; last: ${requests} s of requests` : ''}\n`,
  );
}

time('comfy-assets-conformance --list', bin, ['--list']);
time('npx comfy-assets-conformance --list', 'npx', ['--no-install', 'comfy-assets-conformance', '--list']);
time('comfy-assets-conformance --seed 1 (embedded server)', bin, ['--seed', '1']);
time('npx comfy-assets-conformance --seed 1 (embedded server)', 'npx', [
  '--no-install',
  'comfy-assets-conformance',
  '--seed',
  '1',
]);
rmSync(work, { recursive: true, force: true });
