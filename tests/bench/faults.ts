/**
 * Wall time of a default CLI run (child process, as a user runs it) against each fault of
 * tests/helpers/fault-cases.ts, and against the reference server for comparison. Prints figures;
 * asserts nothing (the CLI tier does). `npx tsx tests/bench/faults.ts [name ...]`
 */
import { fixtureServer } from '../../fixtures/servers/index.ts';
import { startReferenceServer } from '../../src/server/index.ts';
import { build } from '../helpers/build.ts';
import { FAULT_CASES } from '../helpers/fault-cases.ts';
import { spawnCli } from '../helpers/spawn.ts';

build();
const KEY = 'fault-bench-key-0123456789';
const only = process.argv.slice(2);
const cases = [{ server: 'reference', title: 'no fault', prepare: undefined }, ...FAULT_CASES].filter(
  (c) => only.length === 0 || only.includes(c.server),
);
for (const c of cases) {
  const variant = c.server === 'reference' ? undefined : fixtureServer(c.server)?.variant;
  const server = await startReferenceServer({ apiKey: KEY, ...(variant ? { variant } : {}) });
  c.prepare?.(server);
  const started = Date.now();
  const run = spawnCli(['--base-url', server.baseUrl, '--asset-id', server.assetId, '--seed', '12'], {
    CONFORMANCE_API_KEY: KEY,
  });
  const limit = setTimeout(() => run.child.kill('SIGKILL'), 300_000);
  const code = await run.exited;
  clearTimeout(limit);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const failed = [...run.output().matchAll(/^(\S+)\s+(MUST|SHOULD)\s+FAIL/gm)].map((m) => m[1]).join(' ');
  const preview = server.store.assets.get(server.assetId)?.preview_id;
  process.stdout.write(
    `${c.server.padEnd(28)} exit ${String(code).padEnd(4)} ${seconds.padStart(6)} s  ${failed}  preview_id after: ${preview}\n`,
  );
  await server.close();
}
