/** The real CLI in a child process, as a user runs it: exit code, output, and how long it took. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Spawned {
  child: ChildProcess;
  /** Everything printed so far (stdout and stderr, interleaved). */
  output(): string;
  exited: Promise<number | null>;
}

/**
 * Starts the built CLI (`dist/cli/main.js`, what the package's bin runs; see build.ts) with these
 * arguments (and a fresh report directory unless one is given).
 */
export function spawnCli(args: string[], env: Record<string, string> = {}): Spawned {
  const reportDir = args.includes('--report-dir') ? [] : ['--report-dir', mkdtempSync(join(tmpdir(), 'spawned-'))];
  let output = '';
  const child = spawn(process.execPath, ['dist/cli/main.js', ...args, ...reportDir], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

export async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
}
