/**
 * The CLI as a user runs it, in a child process: the README's command, and interrupts (Ctrl-C
 * restores the asset; a second one exits at once and says what is left to clean). In-process tests
 * cannot see what only a real process does (signals, exit codes, an event loop left empty).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, test } from 'vitest';
import { type ReferenceServer, startReferenceServer, type Variant } from '../../src/server/index.ts';
import { assetMetadata } from '../helpers/helpers.ts';
import { ROOT, spawnCli, waitFor } from '../helpers/spawn.ts';

const KEY = 'spawned-key-0123456789';
const servers: ReferenceServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function server(variant: Variant): Promise<ReferenceServer> {
  const s = await startReferenceServer({ apiKey: KEY, variant });
  servers.push(s);
  return s;
}
const against = (s: ReferenceServer, runs = '1000'): string[] => [
  '--base-url',
  s.baseUrl,
  '--asset-id',
  s.assetId,
  '--runs',
  runs,
];

test('`npm run conformance` works as the README says', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'conformance-report-'));
  const { stdout } = await promisify(execFile)(
    'npm',
    ['run', '--silent', 'conformance', '--', '--runs', '10', '--seed', '1', '--report-dir', dir],
    {
      cwd: ROOT,
      timeout: 60_000,
    },
  );
  expect(stdout).toContain('CONFORMS');
});

describe('interrupts', () => {
  test('Ctrl-C mid-run restores the asset before exiting (130)', async () => {
    const s = await server({ name: 'slowish', delayMs: () => 2 });
    const before = assetMetadata(s);
    const { child, output, exited } = spawnCli(against(s), { CONFORMANCE_API_KEY: KEY });
    await waitFor(() => output().includes('[2/'), 30_000);
    child.kill('SIGINT');
    const code = await exited;
    expect(output()).toContain('SIGINT: stopping');
    expect(code).toBe(130);
    expect(assetMetadata(s)).toEqual(before);
    expect(output()).toMatch(/put back name, tags, mime_type, preview_id, user_metadata/);
    expect(output()).not.toContain(KEY);
  }, 60_000);

  test('a second Ctrl-C exits at once and says what is left to clean', async () => {
    const s = await server({ name: 'slow-restore', delayMs: (r) => (r.method === 'PUT' ? 300 : 0) });
    const { child, output, exited } = spawnCli(against(s), { CONFORMANCE_API_KEY: KEY });
    await waitFor(() => output().includes('[1/'), 30_000);
    child.kill('SIGINT');
    await waitFor(() => output().includes('SIGINT: stopping'), 5000);
    child.kill('SIGINT');
    const code = await exited;
    expect(code).toBe(130);
    expect(output()).toMatch(
      /SIGINT again: exiting now\. asset .* may not be restored; its values before the run were: \{"name":"reference-asset.png"/,
    );
  }, 60_000);
});
