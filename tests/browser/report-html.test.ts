/** report.html as a person sees it: rendered by headless Chromium (Debian's, installed by .ci/run). */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { fixtureServer } from '../../fixtures/servers/index.ts';
import { runCli } from '../../src/cli/cli.ts';
import type { RunReport } from '../../src/report/model.ts';
import { startReferenceServer } from '../../src/server/index.ts';

const KEY = 'browser-key-0123456789';
const dir = (): string => mkdtempSync(join(tmpdir(), 'browser-'));
async function cli(argv: string[]): Promise<void> {
  await runCli(
    argv,
    { CONFORMANCE_API_KEY: KEY },
    { out: () => undefined, err: () => undefined },
    { signal: new AbortController().signal },
  );
}
const readReport = (d: string): RunReport => JSON.parse(readFileSync(join(d, 'report.json'), 'utf8')) as RunReport;

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

describe('report.html', () => {
  // CI installs Debian's chromium (.ci/run); where it cannot, this shows as skipped, never as passed.
  test.skipIf(!CHROMIUM)(
    'renders the verdict table and a counterexample in headless Chromium',
    async () => {
      const server = await startReferenceServer({ apiKey: KEY, variant: fixtureServer('wrapped-errors')?.variant });
      try {
        const d = dir();
        await cli([
          '--base-url',
          server.baseUrl,
          '--asset-id',
          server.assetId,
          '--seed',
          '2',
          '--runs',
          '20',
          '--report-dir',
          d,
        ]);
        const profile = mkdtempSync(join(tmpdir(), 'chromium-'));
        const dom = execFileSync(
          CHROMIUM as string,
          [
            '--headless',
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            `--user-data-dir=${profile}`,
            '--dump-dom',
            `file://${join(d, 'report.html')}`,
          ],
          { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'ignore'] },
        );
        rmSync(profile, { recursive: true, force: true });
        const rows = dom.match(/<tr class="(pass|fail|warn|skip|fixed)">/g) ?? [];
        expect(rows.length).toBe(readReport(d).requirements.length);
        // the coverage tables, a row no exchange exercised marked as such
        expect(dom).toContain('<h2>Coverage</h2>');
        expect(dom).toMatch(/<tr class="unexercised"><td><code>key-spaces<\/code>/);
        expect(dom).toMatch(/<tr class="fail"><td><a href="#RESP-BODY-SCHEMA">RESP-BODY-SCHEMA<\/a>/);
        expect(dom).toMatch(
          /<section id="RESP-BODY-SCHEMA">[\s\S]*<b>Request<\/b>[\s\S]*<b>Response<\/b>[\s\S]*curl -sS -i -X PUT/,
        );
        expect(dom).not.toContain(KEY);
      } finally {
        await server.close();
      }
    },
    120_000,
  );
});
