/**
 * Builds dist/ from src/ (`npm run build`), as the package ships it: the CLI tier, the package
 * tier and the fault bench run the built CLI, as a user's `npx comfy-assets-conformance` does.
 * Used as a vitest globalSetup (the default export) and called by the bench scripts.
 */
import { execFileSync } from 'node:child_process';
import { ROOT } from './spawn.ts';

export function build(): void {
  execFileSync('npm', ['run', '--silent', 'build'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    timeout: 180_000,
  });
}

export default build;
