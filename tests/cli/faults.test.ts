/**
 * Every class of target fault, through the real CLI in a child process with default settings, as
 * a user runs it (tests/helpers/fault-cases.ts): the exit code, the report, the requirements that
 * fail, the time bound, the asset left as it was (or a loud word that it could not be), and the key
 * in no output and no report file.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { fixtureServer } from '../../fixtures/servers/index.ts';
import { keySecrets } from '../../src/generators/keys.ts';
import type { RunReport } from '../../src/report/model.ts';
import { type ReferenceServer, startReferenceServer } from '../../src/server/index.ts';
import { FAULT_CASES } from '../helpers/fault-cases.ts';
import { assetMetadata } from '../helpers/helpers.ts';
import { spawnCli } from '../helpers/spawn.ts';

const KEY = 'sk-fault-Key/With+chars&0123456789';
const servers: ReferenceServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

// One at a time: each run is timed, and two CPU-bound runs on 2 cores would time each other.
describe('a default run against each fault ends with a clear verdict, in bounded time', () => {
  for (const c of FAULT_CASES) {
    test(`${c.server}: ${c.title} -> exit ${c.exit} within ${c.boundS} s`, async () => {
      const variant = fixtureServer(c.server)?.variant;
      expect(variant, `no library server ${c.server}`).toBeDefined();
      const server = await startReferenceServer({ apiKey: KEY, ...(variant ? { variant } : {}) });
      servers.push(server);
      c.prepare?.(server);
      const before = assetMetadata(server);
      const dir = mkdtempSync(join(tmpdir(), `fault-${c.server}-`));
      const started = Date.now();
      const run = spawnCli(
        ['--base-url', server.baseUrl, '--asset-id', server.assetId, '--seed', '12', '--report-dir', dir],
        {
          CONFORMANCE_API_KEY: KEY,
        },
      );
      const code = await run.exited;
      const seconds = (Date.now() - started) / 1000;
      expect(code, run.output().slice(-2000)).toBe(c.exit);
      expect(seconds).toBeLessThan(c.boundS);
      expect(existsSync(join(dir, 'report.json'))).toBe(true);
      const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as RunReport;
      const failed = report.requirements.filter((r) => r.status === 'fail').map((r) => r.id);
      for (const id of c.fails ?? []) expect(failed).toContain(id);
      if (c.only) expect([...failed].sort()).toEqual([...(c.fails ?? [])].sort());
      if (c.exit === 0)
        expect(failed.filter((id) => report.requirements.find((r) => r.id === id)?.level === 'MUST')).toEqual([]);
      // The asset is put back and verified, and is as it was (a value the run could not put back was
      // never sent); or, where the fault keeps the run from writing or reading it back, the run says so loudly.
      if ((c.restore ?? 'restored') === 'restored') {
        expect(report.restore.status, report.restore.message).toBe('restored');
        expect(report.restore.message).toMatch(/verified by GET/);
        expect(assetMetadata(server)).toEqual(before);
      } else {
        expect(report.restore.status).not.toBe('restored');
        expect(run.output()).toContain('!!! THE ASSET WAS NOT RESTORED');
      }
      for (const text of [run.output(), ...readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8'))]) {
        // neither the key nor a key derived from it
        for (const secret of keySecrets(KEY))
          expect(text.includes(secret) || text.includes(encodeURIComponent(secret)), secret).toBe(false);
      }
    });
  }
});

test('429s are waited out, counted in the report, and never judged', async () => {
  const server = await startReferenceServer({ apiKey: KEY, variant: fixtureServer('rate-limited-seconds')?.variant });
  servers.push(server);
  const dir = mkdtempSync(join(tmpdir(), 'fault-429-'));
  const run = spawnCli(
    // (--budget 120: a quarter of it, 30 s, for waiting holds every 1 s wait of the ~650 requests; past
    // the share a 429 is no longer waited for, see the bounded-waiting tests)
    [
      '--base-url',
      server.baseUrl,
      '--asset-id',
      server.assetId,
      '--runs',
      '20',
      '--seed',
      '3',
      '--budget',
      '120',
      '--report-dir',
      dir,
    ],
    {
      CONFORMANCE_API_KEY: KEY,
    },
  );
  expect(await run.exited).toBe(0);
  const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as RunReport;
  expect(report.requests.rateLimited).toBeGreaterThan(0);
  expect(report.requests.retries).toBe(report.requests.rateLimited);
  expect(run.output()).toContain('CONFORMS');
});

test('an asset whose preview_id cannot be put back: preview ids are not sent, and the report says why and how', async () => {
  const server = await startReferenceServer({ apiKey: KEY, variant: fixtureServer('preview-any-uuid')?.variant });
  servers.push(server);
  const asset = server.store.assets.get(server.assetId);
  if (asset) asset.preview_id = null;
  const dir = mkdtempSync(join(tmpdir(), 'fault-preview-'));
  const run = spawnCli(
    ['--base-url', server.baseUrl, '--asset-id', server.assetId, '--runs', '30', '--seed', '4', '--report-dir', dir],
    {
      CONFORMANCE_API_KEY: KEY,
    },
  );
  expect(await run.exited).toBe(0);
  expect(server.store.assets.get(server.assetId)?.preview_id).toBeNull();
  const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as RunReport;
  const property = report.properties.find((p) => p.name === 'reference-update');
  expect(property?.status).toBe('skip');
  expect(property?.skipReason).toMatch(/to do no harm.*preview_id.*--create-asset/);
  expect(report.requirements.find((r) => r.id === 'UPD-REFERENCE')?.status).toBe('skip');
});
