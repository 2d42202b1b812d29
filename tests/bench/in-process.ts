/**
 * An in-process target against the same handler behind a port: the reference server's fetch
 * handler called in the test process (`fetch`), then the same handler served by node:http on
 * loopback (`baseUrl`), a default run each, seeds 1 to N alternating. Prints wall times, requests
 * and the ratio of medians; asserts nothing. `npx tsx tests/bench/in-process.ts [seeds]`
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createReferenceHandler, runConformance } from '../../src/index.ts';
import { toNodeListener } from '../../src/server/fetch.ts';

const seeds = Number(process.argv[2] ?? 5);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function inProcess(seed: number): Promise<{ ms: number; sent: number; exit: number }> {
  const h = createReferenceHandler();
  const started = performance.now();
  const r = await runConformance({ fetch: h.fetch, apiKey: h.apiKey, assetId: h.assetId, reportDir: '', seed });
  return { ms: performance.now() - started, sent: r.requests.sent, exit: r.exitCode };
}

async function behindAPort(seed: number): Promise<{ ms: number; sent: number; exit: number }> {
  const h = createReferenceHandler();
  let origin = '';
  const server = createServer(toNodeListener(h.fetch, () => origin));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const started = performance.now();
  const r = await runConformance({ baseUrl: origin, apiKey: h.apiKey, assetId: h.assetId, reportDir: '', seed });
  const ms = performance.now() - started;
  server.closeAllConnections();
  await new Promise<void>((done) => server.close(() => done()));
  return { ms, sent: r.requests.sent, exit: r.exitCode };
}

const runs: Record<'in-process' | 'behind a port', { ms: number; sent: number; exit: number }[]> = {
  'in-process': [],
  'behind a port': [],
};
await inProcess(0); // warm-up: module loading and JIT, not counted
for (let seed = 1; seed <= seeds; seed++) {
  runs['in-process'].push(await inProcess(seed));
  runs['behind a port'].push(await behindAPort(seed));
}
for (const [label, rs] of Object.entries(runs)) {
  const ms = rs.map((r) => r.ms);
  process.stdout.write(
    `${label.padEnd(14)} median ${Math.round(median(ms))} ms (${Math.round(Math.min(...ms))} to ${Math.round(Math.max(...ms))} ms), requests ${rs.map((r) => r.sent).join('/')}, exits ${rs.map((r) => r.exit).join('')}\n`,
  );
}
const ratio = median(runs['behind a port'].map((r) => r.ms)) / median(runs['in-process'].map((r) => r.ms));
process.stdout.write(`behind a port / in-process: ${ratio.toFixed(2)}x\n`);
