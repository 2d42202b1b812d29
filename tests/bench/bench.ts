/**
 * `npm run bench`: how close the suite comes to the speed of the wire.
 *
 * 1. Loopback, the reference server in its own process: the suite's default run (checked cases per
 *    second, generation, sending, validation and bookkeeping included) against raw undici sending
 *    the very same requests, with the same concurrency (parallel properties in lanes, sequential
 *    ones one at a time, the concurrent property 4 at a time), without checks. Their ratio.
 * 2. A server that adds 50 ms to every response: a whole run (no budget, as --budget 0) against the
 *    floor set by the round trips it needs (sequential requests one by one, parallel lanes at --concurrency).
 * 3. Scale: wall time and peak memory for 100, 1,000 and 10,000 runs per property (each in a
 *    process of its own; the largest is over 100,000 cases).
 * 4. Planned runs (the default --budget 60) against targets 20, 50 and 100 ms away (50 ms also
 *    with 4 assets the run uploads), a jittery one and a rate-limited one: time to verdict, when
 *    the plan was done, requests, cases, and how many requirements and edge rows were exercised.
 * Figures are printed; nothing is asserted (timings are not tests).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Agent } from 'undici';
import { loadContract } from '../../src/contract/load.ts';
import type { OutgoingRequest } from '../../src/exchange/http.ts';
import { PROPERTIES } from '../../src/properties/index.ts';
import type { RunReport } from '../../src/report/model.ts';
import { currentProperty } from '../../src/runner/engine.ts';
import { runConformance } from '../../src/runner/run.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SPEC = `${ROOT}spec/openapi-cloud.yaml`;
const CONCURRENCY = 4;
const args = process.argv.slice(2);
const quick = args.includes('--quick');
/** `--part 1` (or 2, 3, 4): only that measurement; with `--part 4`, `--rows 2,5` only those targets. */
const part = args.includes('--part') ? Number(args[args.indexOf('--part') + 1]) : 0;
const runPart = (n: number): boolean => part === 0 || part === n;
const scales = quick ? [100, 1000] : [100, 1000, 10_000];
/** Loopback: runs before measuring (JIT, connections), then measured runs of each side, alternated. */
const WARMUP = quick ? 3 : 6;
const ROUNDS = quick ? 3 : 7;
/**
 * Loaded (and its validators compiled) once: the timed runs measure throughput, not the one-time
 * load of the spec (about 15 ms; the CLI pays it once per invocation).
 */
const contract = loadContract(SPEC);

interface Server {
  baseUrl: string;
  apiKey: string;
  assetId: string;
  child: ChildProcess;
}

/** A server in its own process: a delay in ms added to every answer, or a mode of tests/bench/server.ts. */
function startServer(delayMs: number | 'jitter' | 'limited'): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/bench/server.ts', String(delayMs)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited (${code})`)));
    child.stdout?.once('data', (chunk: Buffer) =>
      resolve({ ...(JSON.parse(chunk.toString()) as Omit<Server, 'child'>), child }),
    );
  });
}

const stop = (s: Server): void => void s.child.kill('SIGTERM');

interface Group {
  property: string;
  mode: 'parallel' | 'sequential' | 'batches';
  requests: OutgoingRequest[];
}

/**
 * The suite's run. With `capture`, every request it sent, grouped by the property that sent it
 * (labelling costs a hook on every promise: timed runs go without).
 */
async function suiteRun(
  server: Server,
  runs: number,
  capture = false,
): Promise<{ ms: number; report: RunReport; groups: Group[] }> {
  const groups = new Map<string, Group>();
  const started = performance.now();
  const config = {
    specFile: SPEC,
    baseUrl: server.baseUrl,
    apiKey: server.apiKey,
    assetId: server.assetId,
    runs,
    seed: 1,
    strict: false,
    timeoutMs: 10_000,
    concurrency: CONCURRENCY,
  };
  const tap = (request: OutgoingRequest): void => {
    const property = currentProperty.getStore() ?? 'preflight and restore';
    let group = groups.get(property);
    if (!group) {
      const def = PROPERTIES.find((p) => p.name === property);
      group = {
        property,
        mode: def?.parallel ? 'parallel' : property === 'concurrent' ? 'batches' : 'sequential',
        requests: [],
      };
      groups.set(property, group);
    }
    group.requests.push(request);
  };
  const report = await runConformance(capture ? { ...config, tap } : config, contract);
  return { ms: performance.now() - started, report, groups: [...groups.values()] };
}

/**
 * Raw undici: the same requests with the same concurrency, no generation and no checks: the
 * properties that change the asset one after another, beside them the ones that leave it alone
 * (4 at a time), as the suite runs them.
 */
async function rawRun(groups: Group[]): Promise<{ ms: number; requests: number }> {
  const agent = new Agent({ keepAliveTimeout: 10_000, connections: 8 });
  const send = async (r: OutgoingRequest): Promise<void> => {
    const url = new URL(r.url);
    const res = await agent.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: r.method as 'PUT',
      headers: r.headers,
      body: r.body,
    });
    await res.body.arrayBuffer();
  };
  const requests = groups.reduce((n, g) => n + g.requests.length, 0);
  const started = performance.now();
  const chain = async (list: Group[]): Promise<void> => {
    for (const g of list) {
      if (g.mode === 'sequential') for (const r of g.requests) await send(r);
      else if (g.mode === 'batches') {
        for (let i = 0; i < g.requests.length; i += CONCURRENCY + 1) {
          await Promise.all(g.requests.slice(i, i + CONCURRENCY).map(send));
          const read = g.requests[i + CONCURRENCY];
          if (read) await send(read);
        }
      } else {
        let next = 0;
        await Promise.all(
          Array.from({ length: CONCURRENCY }, async () => {
            while (next < g.requests.length) await send(g.requests[next++] as OutgoingRequest);
          }),
        );
      }
    }
  };
  await Promise.all([
    chain(groups.filter((g) => g.mode !== 'parallel')),
    chain(groups.filter((g) => g.mode === 'parallel')),
  ]);
  const ms = performance.now() - started;
  await agent.close();
  return { ms, requests };
}

/**
 * Round trips the run needs at the least: the properties that change the asset one request after
 * another (the concurrent property's 4 at once, then its read), and beside them the ones that
 * leave it alone, 4 at a time: the longer of the two chains.
 */
function roundTrips(groups: Group[]): number {
  const trips = (g: Group): number =>
    g.mode === 'parallel'
      ? Math.ceil(g.requests.length / CONCURRENCY)
      : g.mode === 'batches'
        ? Math.ceil(g.requests.length / (CONCURRENCY + 1)) * 2
        : g.requests.length;
  const sequential = groups.filter((g) => g.mode !== 'parallel').reduce((n, g) => n + trips(g), 0);
  const parallel = groups.filter((g) => g.mode === 'parallel').reduce((n, g) => n + trips(g), 0);
  return Math.max(sequential, parallel);
}

function once(
  server: Server,
  runs: number,
): Promise<{ ms: number; requests: number; cases: number; maxRssMb: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'tests/bench/once.ts', server.baseUrl, server.apiKey, server.assetId, String(runs)],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out) as { ms: number; requests: number; cases: number; maxRssMb: number })
        : reject(new Error(`run exited ${code}`)),
    );
  });
}

const f = (n: number, d = 0): string =>
  n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
const cpu = cpus()[0]?.model ?? 'unknown CPU';
process.stdout.write(`machine: ${cpus().length} cores (${cpu}), Node ${process.version}\n\n`);

// 1. loopback
if (runPart(1)) {
  const server = await startServer(0);
  for (let i = 0; i < WARMUP; i++) await suiteRun(server, 100);
  const { groups } = await suiteRun(server, 100, true);
  await rawRun(groups);
  // Alternate the two sides so that drift (the machine, the server's heap) hits both alike.
  const suite: { ms: number; cpu: number; sent: number }[] = [];
  const raw: { ms: number; cpu: number; requests: number }[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const c0 = process.cpuUsage();
    const s = await suiteRun(server, 100);
    const sc = process.cpuUsage(c0);
    suite.push({ ms: s.ms, cpu: (sc.user + sc.system) / 1000, sent: s.report.requests.sent });
    const c1 = process.cpuUsage();
    const r = await rawRun(groups);
    const rc = process.cpuUsage(c1);
    raw.push({ ms: r.ms, cpu: (rc.user + rc.system) / 1000, requests: r.requests });
  }
  stop(server);
  const median = <T extends { ms: number }>(xs: T[]): T => [...xs].sort((a, b) => a.ms - b.ms)[xs.length >> 1] as T;
  const s = median(suite);
  const r = median(raw);
  const suiteRate = (s.sent / s.ms) * 1000;
  const rawRate = (r.requests / r.ms) * 1000;
  process.stdout.write(
    `1. loopback, default run (100 runs per property, concurrency ${CONCURRENCY}); medians of ${ROUNDS} runs each, after ${WARMUP} warm-up runs\n`,
  );
  process.stdout.write(
    `   raw undici, same ${f(r.requests)} requests, no checks: ${f(r.ms)} ms, ${f(rawRate)} requests/s (CPU ${f(r.cpu)} ms)\n`,
  );
  process.stdout.write(
    `   the suite (generation, sending, validation, checks):  ${f(s.ms)} ms, ${f(suiteRate)} checked cases/s (CPU ${f(s.cpu)} ms)\n`,
  );
  process.stdout.write(`   ratio suite/raw: ${f(suiteRate / rawRate, 2)} (target >= 0.70)\n`);
  process.stdout.write(
    `   per request: raw ${f((r.ms * 1000) / r.requests)} µs of wall time; the suite ${f((s.cpu * 1000) / s.sent)} µs of CPU\n\n`,
  );
}

// 2. 50 ms per response
if (runPart(2)) {
  const server = await startServer(50);
  const suite = await suiteRun(server, 100, true);
  stop(server);
  const trips = roundTrips(suite.groups);
  const floor = trips * 50;
  process.stdout.write('2. a server that adds 50 ms to every response, default run\n');
  process.stdout.write(
    `   ${f(suite.report.requests.sent)} requests, ${f(trips)} round trips at concurrency ${CONCURRENCY}: floor ${f(floor / 1000, 1)} s\n`,
  );
  process.stdout.write(
    `   the suite: ${f(suite.ms / 1000, 1)} s, ${f(suite.ms / floor, 2)}x the floor (target <= 1.30)\n\n`,
  );
}

// 3. scale and memory
if (runPart(3)) {
  const server = await startServer(0);
  process.stdout.write('3. scale (loopback, each run in its own process)\n');
  process.stdout.write('   runs/property   requests   wall s   requests/s   peak RSS MB\n');
  for (const runs of scales) {
    const r = await once(server, runs);
    process.stdout.write(
      `   ${String(runs).padStart(13)}   ${f(r.requests).padStart(8)}   ${f(r.ms / 1000, 1).padStart(6)}   ${f((r.requests / r.ms) * 1000).padStart(10)}   ${f(r.maxRssMb).padStart(11)}\n`,
    );
  }
  stop(server);
}

// 4. planned runs
if (runPart(4)) {
  process.stdout.write('4. planned runs (default --budget 60, concurrency 4) against slow and rate-limiting targets\n');
  process.stdout.write(
    '   target                          wall s   plan done s   requests      cases   requirements   edge rows   exit\n',
  );
  // [label, server mode, assets, runs]: several assets are uploaded by the run (--create-asset 4);
  // --runs 1000 lets the budget alone bound the exploration (at 100, 4 assets end their runs early)
  const targets: [string, number | 'jitter' | 'limited', number, number][] = [
    ['20 ms an answer', 20, 1, 100],
    ['50 ms an answer', 50, 1, 100],
    ['50 ms, 4 assets', 50, 4, 100],
    ['50 ms, --runs 1000', 50, 1, 1000],
    ['50 ms, --runs 1000, 4 assets', 50, 4, 1000],
    ['100 ms an answer', 100, 1, 100],
    ['0-150 ms (1 in 30: 800 ms)', 'jitter', 1, 100],
    ['429 every 40th, wait 1 s', 'limited', 1, 100],
  ];
  const only = args.includes('--rows') ? (args[args.indexOf('--rows') + 1] ?? '').split(',').map(Number) : null;
  for (const [i, [label, mode, assets, runs]] of targets.entries()) {
    if (only && !only.includes(i + 1)) continue;
    const server = await startServer(mode);
    const started = performance.now();
    let planDone = 0;
    const report = await runConformance(
      {
        specFile: SPEC,
        baseUrl: server.baseUrl,
        apiKey: server.apiKey,
        ...(assets > 1 ? { createAsset: assets } : { assetId: server.assetId }),
        runs,
        seed: 1,
        strict: false,
        timeoutMs: 10_000,
        concurrency: CONCURRENCY,
        budgetMs: 60_000,
        onEvent: (e) => {
          if (e.type === 'property-end' && e.pass === 'plan') planDone = performance.now() - started;
        },
      },
      contract,
    );
    const ms = performance.now() - started;
    stop(server);
    const judged = report.requirements.filter((r) => r.status !== 'skip').length;
    const edges = report.coverage?.edges ?? [];
    const tried = edges.filter((r) => r.cases > 0).length;
    const cases = report.properties.reduce((n, p) => n + p.cases, 0);
    process.stdout.write(
      `   ${label.padEnd(31)} ${f(ms / 1000, 1).padStart(6)}   ${f(planDone / 1000, 1).padStart(11)}   ${f(report.requests.sent).padStart(8)}   ${f(cases).padStart(8)}   ${`${judged} of ${report.requirements.length}`.padStart(12)}   ${`${tried} of ${edges.length}`.padStart(9)}   ${report.exitCode}\n`,
    );
  }
  process.stdout.write('\n');
}
