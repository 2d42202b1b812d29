/**
 * An in-process target against the same handler behind a port: the reference server's fetch
 * handler called in the test process (`fetch`), then the same handler served by node:http on
 * loopback (`baseUrl`), a default run each, seeds 1 to N alternating. Prints wall times, requests
 * and the ratio of medians; asserts nothing. `npx tsx tests/bench/in-process.ts [seeds]`
 *
 * Then where a run's time goes: the requests of seed 1's run, recorded, sent again one after another
 * by the suite's client to a fresh handler, in-process and behind a port, with no generating or
 * judging. A run less its replay is the suite's own work; the two replays differ by the socket.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpClient, type OutgoingRequest } from '../../src/exchange/http.ts';
import { IN_PROCESS_ORIGIN } from '../../src/exchange/in-process.ts';
import { createReferenceHandler, runConformance } from '../../src/index.ts';

/**
 * A fetch handler behind node:http: each request read whole into a Request, the Response written
 * back. What `@hono/node-server` and friends do, in a few lines: the same handler on a port.
 */
function toNodeListener(
  handler: (request: Request) => Response | Promise<Response>,
  origin: () => string,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers))
        for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, v);
      const method = req.method ?? 'GET';
      const body = method === 'GET' || method === 'HEAD' ? null : Buffer.concat(chunks);
      Promise.resolve()
        .then(() => handler(new Request(`${origin()}${req.url ?? '/'}`, { method, headers, body })))
        .then(async (response) => {
          const bytes = Buffer.from(await response.arrayBuffer());
          const out: Record<string, string> = {};
          response.headers.forEach((value, name) => {
            out[name] = value;
          });
          res.writeHead(response.status, { ...out, 'content-length': String(bytes.length) });
          res.end(bytes);
        })
        .catch(() => res.destroy());
    });
  };
}

const seeds = Number(process.argv[2] ?? 5);
const KEY = 'bench-key-0123456789abcdef';
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

/** Every request a run sends, as the client would send it (a handler that records, then answers). */
async function recorded(seed: number): Promise<OutgoingRequest[]> {
  const h = createReferenceHandler({ apiKey: KEY });
  const requests: OutgoingRequest[] = [];
  const record = async (request: Request): Promise<Response> => {
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const body = request.method === 'GET' ? undefined : await request.clone().text();
    requests.push({ method: request.method, url: request.url, headers, ...(body ? { body } : {}) });
    return h.fetch(request);
  };
  await runConformance({ fetch: record, apiKey: KEY, assetId: h.assetId, reportDir: '', seed });
  return requests;
}

/** The requests sent again, one after another, by the suite's client: in-process, then behind a port. */
async function replayed(requests: OutgoingRequest[]): Promise<{ inProcess: number; handler: number; port: number }> {
  const options = { timeoutMs: 10_000, maxBodyBytes: 8 << 20, maxRateLimitRetries: 0, maxRetryAfterMs: 0 };
  const direct = createReferenceHandler({ apiKey: KEY });
  let handler = 0;
  const timed = async (request: Request): Promise<Response> => {
    const started = performance.now();
    const response = await direct.fetch(request);
    handler += performance.now() - started;
    return response;
  };
  const inProcessClient = new HttpClient({ ...options, handler: timed });
  let started = performance.now();
  for (const r of requests) await inProcessClient.send(r);
  const inProcess = performance.now() - started;
  await inProcessClient.close();
  const served = createReferenceHandler({ apiKey: KEY });
  let origin = '';
  const server = createServer(toNodeListener(served.fetch, () => origin));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new HttpClient(options);
  started = performance.now();
  for (const r of requests) await client.send({ ...r, url: r.url.replace(IN_PROCESS_ORIGIN, origin) });
  const port = performance.now() - started;
  await client.close();
  server.closeAllConnections();
  await new Promise<void>((done) => server.close(() => done()));
  return { inProcess, handler, port };
}

const requests = await recorded(1);
const replays: { inProcess: number; handler: number; port: number }[] = [];
for (let round = 0; round < 5; round++) replays.push(await replayed(requests));
const replayIn = median(replays.map((r) => r.inProcess));
const replayPort = median(replays.map((r) => r.port));
const runIn = median(runs['in-process'].map((r) => r.ms));
const socket = replayPort - replayIn;
process.stdout.write(
  [
    `seed 1's ${requests.length} requests sent again, nothing generated or judged (median of 5):`,
    `  in-process ${Math.round(replayIn)} ms (the handler itself ${Math.round(median(replays.map((r) => r.handler)))} ms), behind a port ${Math.round(replayPort)} ms: the socket ${Math.round(socket)} ms`,
    `  the suite's own work (in-process run less its replay): about ${Math.round(runIn - replayIn)} ms`,
    // in-process = own + replayIn, behind a port = own + replayIn + socket: twice as fast when own + replayIn <= socket
    `  twice as fast would need the suite's own work within the socket less the in-process replay: ${Math.round(socket - replayIn)} ms`,
    '',
  ].join('\n'),
);
