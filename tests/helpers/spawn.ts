/** The real CLI in a child process, as a user runs it: exit code, output, and how long it took. */

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reportSchemaErrors } from './report-schema.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Spawned {
  child: ChildProcess;
  /** Everything printed so far (stdout and stderr, interleaved). */
  output(): string;
  exited: Promise<number | null>;
}

/** Requirements a report shows as passed with no case that exercised them (there must be none). */
function hollowPasses(reportFile: string): string[] {
  if (!existsSync(reportFile)) return [];
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as {
    requirements?: { id: string; status: string; cases: number }[];
  };
  // every report of the tier is also held to the shipped schema of report.json
  const invalid = reportSchemaErrors(report);
  if (invalid.length > 0) return [`(not valid by schema/report.schema.json: ${invalid.slice(0, 5).join('; ')})`];
  return (report.requirements ?? []).filter((r) => r.status === 'pass' && r.cases === 0).map((r) => r.id);
}

/** The machine's proxy variables are not the tests' (their targets are on loopback); a test that wants one passes it. */
function withoutProxies(environment: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const proxies = /^(https?_proxy|no_proxy|all_proxy)$/i;
  return Object.fromEntries(Object.entries(environment).filter(([name]) => !proxies.test(name)));
}

/**
 * Starts the built CLI (`dist/cli/main.js`, what the package's bin runs; see build.ts) with these
 * arguments (and a fresh report directory unless one is given). Its exit rejects when the report
 * it wrote shows a requirement passed with no case: a hollow pass fails every test of the tier.
 */
export function spawnCli(args: string[], env: Record<string, string> = {}): Spawned {
  const given = args.indexOf('--report-dir');
  const dir = given >= 0 ? (args[given + 1] ?? '') : mkdtempSync(join(tmpdir(), 'spawned-'));
  const reportDir = given >= 0 ? [] : ['--report-dir', dir];
  let output = '';
  const child = spawn(process.execPath, ['dist/cli/main.js', ...args, ...reportDir], {
    cwd: ROOT,
    env: { ...withoutProxies(process.env), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  const exited = new Promise<number | null>((resolve, reject) =>
    child.on('exit', (code) => {
      const hollow = dir ? hollowPasses(join(dir, 'report.json')) : [];
      if (hollow.length > 0)
        reject(new Error(`${dir}/report.json shows as passed with 0 cases, or is malformed: ${hollow.join(', ')}`));
      else resolve(code);
    }),
  );
  return { child, output: () => output, exited };
}

export async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
}
