/**
 * Same seed, same verdicts: runs the real CLI (in child processes) against the embedded server and
 * four library servers with fixed seeds, and writes each report.json with what varies from run to
 * run taken out (times, run id, ports, the random content hash, timestamps). Run it before and after
 * a change that should not change behaviour, then `diff -r BEFORE AFTER`.
 *
 *   npx tsx scripts/verdicts.ts /tmp/before
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fixtureServer } from '../fixtures/servers/index.ts';
import { type ReferenceServer, startReferenceServer } from '../src/server/index.ts';

const KEY = 'same-verdicts-key-0123';
const VARYING = new Set(['ms', 'durationMs', 'startedAt', 'runId', 'date', 'keep-alive', 'connection', 'tool']);

function steady(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(steady);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !VARYING.has(k))
        .map(([k, v]) => [k, steady(v)]),
    );
  }
  if (typeof value !== 'string') return value;
  return value
    .replace(/blake3:[0-9a-f]{64}/g, 'blake3:H')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?/g, 'T')
    .replace(/"content-length": ?"\d+"/g, '')
    .replace(/after \d+(\.\d+)? ms/g, 'after N ms')
    .replace(/ref-[A-Za-z0-9_-]{24}/g, 'KEY')
    .replace(/127\.0\.0\.1:\d+/g, 'HOST')
    .replace(/\/tmp\/\S+|conformance-report\/[\w-]+/g, 'DIR');
}

const RUNS: [label: string, server: string | null, seed: number][] = [
  ['embedded', null, 1],
  ['wrapped-errors', 'wrapped-errors', 2],
  ['loses-every-third', 'loses-every-third', 3],
  ['no-get', 'no-get', 4],
  ['merges-metadata', 'merges-metadata', 5],
];

const out = process.argv[2];
if (!out) throw new Error('usage: npx tsx scripts/verdicts.ts OUT_DIR');
mkdirSync(out, { recursive: true });
for (const [label, name, seed] of RUNS) {
  const dir = join(out, label);
  const args = [
    '--import',
    'tsx',
    'src/cli/main.ts',
    '--seed',
    String(seed),
    '--report-dir',
    dir,
    '--concurrency',
    '1',
  ];
  let server: ReferenceServer | null = null;
  if (name) {
    server = await startReferenceServer({ apiKey: KEY, variant: fixtureServer(name)?.variant });
    args.push('--base-url', server.baseUrl, '--asset-id', server.assetId);
  }
  const code = await promisify(execFile)(process.execPath, args, { env: { ...process.env, CONFORMANCE_API_KEY: KEY } })
    .then(() => 0)
    .catch((e: { code: number }) => e.code);
  await server?.close();
  const report = steady(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')));
  writeFileSync(join(out, `${label}.json`), `${JSON.stringify(report, null, 1)}\n`);
  process.stdout.write(`${label}: exit ${code}\n`);
}
