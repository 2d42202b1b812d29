/** The client turns every misbehaviour of a target into data, in bounded time. */

import { createRequire } from 'node:module';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, test } from 'vitest';
import { HttpClient, retryAfterMs, UNDICI_MODULES } from '../../src/exchange/http.ts';
import { closedPort, httpServer, type Running, tcpServer } from '../helpers/faults.ts';

let running: Running | undefined;
let client: HttpClient | undefined;
afterEach(async () => {
  await client?.close();
  await running?.close();
  running = undefined;
});

const put = (url: string) => ({
  method: 'PUT',
  url: `${url}/api/assets/x`,
  headers: { 'content-type': 'application/json' },
  body: '{"name":"x"}',
});

describe('faults of the target', () => {
  test('a hang is a timeout, within the timeout', async () => {
    running = await httpServer(() => undefined);
    client = new HttpClient({ timeoutMs: 300 });
    const started = Date.now();
    const { outcome } = await client.send(put(running.url));
    expect(outcome).toMatchObject({ kind: 'failure', failure: 'timeout' });
    expect(Date.now() - started).toBeLessThan(3000);
  });
  test('headers then a stalled body is a timeout too', async () => {
    running = await httpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"id":');
    });
    client = new HttpClient({ timeoutMs: 300 });
    expect((await client.send(put(running.url))).outcome).toMatchObject({ kind: 'failure', failure: 'timeout' });
  });
  test('a body that trickles (each byte within the idle timeout) still ends at the overall timeout', async () => {
    let timer: NodeJS.Timeout | undefined;
    running = await httpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100000' });
      timer = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(timer));
    });
    client = new HttpClient({ timeoutMs: 400 });
    const started = Date.now();
    expect((await client.send(put(running.url))).outcome).toMatchObject({
      kind: 'failure',
      failure: 'timeout',
      status: 200,
    });
    expect(Date.now() - started).toBeLessThan(2000);
    clearInterval(timer);
  });
  test('a declared length with a body in many chunks is read whole, as UTF-8 across chunk edges', async () => {
    const text = JSON.stringify({ name: '😀'.repeat(40_000) });
    const bytes = Buffer.from(text);
    running = await httpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(bytes.length) });
      // Split inside a 4-byte character.
      res.write(bytes.subarray(0, 10));
      setTimeout(() => res.end(bytes.subarray(10)), 10);
    });
    client = new HttpClient({ timeoutMs: 2000 });
    expect((await client.send(put(running.url))).outcome).toMatchObject({
      kind: 'response',
      status: 200,
      text,
      bytes: bytes.length,
    });
  });
  test('a keep-alive connection the server closed just as a request went out: sent once more, not a verdict', async () => {
    // Each connection answers its first request, then dies on the next one without a word.
    const OK = 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}';
    let requests = 0;
    running = await tcpServer((socket) => {
      requests++;
      socket.write(OK);
      socket.once('data', () => {
        requests++;
        socket.destroy();
      });
    });
    client = new HttpClient({ timeoutMs: 2000, connections: 1 });
    expect((await client.send(put(running.url))).outcome).toMatchObject({ kind: 'response', status: 200 });
    // The second goes out on the kept-alive connection, which dies: sent again on a new one, both attempts recorded.
    const again = (await client.send(put(running.url))).outcome;
    expect(again).toMatchObject({ kind: 'response', status: 200 });
    expect(again.resentAfter).toMatch(
      /^connection closed or reset .*, before any answer .*; sent again on a new connection$/,
    );
    expect(client.stats.resetRetries).toBe(1);
    expect(requests).toBe(3);
    // Not for POST, which is not idempotent: the close is the answer (a new pooled connection first, then POST on it).
    expect((await client.send(put(running.url))).outcome).toMatchObject({ kind: 'response', status: 200 });
    expect((await client.send({ ...put(running.url), method: 'POST' })).outcome).toMatchObject({
      kind: 'failure',
      failure: 'reset',
    });
    expect(client.stats.resetRetries).toBe(1);
  });
  test('a server that resets every request is a reset, after one more try', async () => {
    let requests = 0;
    running = await httpServer((req) => {
      requests++;
      req.socket.destroy();
    });
    client = new HttpClient({ timeoutMs: 2000 });
    expect((await client.send(put(running.url))).outcome).toMatchObject({ kind: 'failure', failure: 'reset' });
    expect(requests).toBe(2);
    expect(client.stats.resetRetries).toBe(1);
  });
  test('a reset before any answer', async () => {
    running = await httpServer((req) => req.socket.destroy());
    client = new HttpClient({ timeoutMs: 2000 });
    expect((await client.send(put(running.url))).outcome).toMatchObject({ kind: 'failure', failure: 'reset' });
  });
  test('a reset mid-body keeps the status it saw', async () => {
    running = await httpServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"id":"');
      setTimeout(() => req.socket.destroy(), 20);
    });
    client = new HttpClient({ timeoutMs: 2000 });
    expect((await client.send(put(running.url))).outcome).toMatchObject({
      kind: 'failure',
      failure: 'reset',
      status: 200,
    });
  });
  test('a body over the cap is cut and reported', async () => {
    running = await httpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let sent = 0;
      const pump = (): void => {
        while (sent < 64 && res.write(chunk)) sent++;
        if (sent < 64) res.once('drain', pump);
        else res.end();
      };
      pump();
    });
    client = new HttpClient({ timeoutMs: 5000, maxBodyBytes: 256 * 1024 });
    expect((await client.send(put(running.url))).outcome).toMatchObject({
      kind: 'failure',
      failure: 'too-large',
      status: 200,
    });
  });
  test('invalid HTTP', async () => {
    running = await tcpServer((socket) => socket.end('this is not http\r\n\r\n'));
    client = new HttpClient({ timeoutMs: 2000 });
    const { outcome } = await client.send(put(running.url));
    expect(outcome.kind).toBe('failure');
    expect(['protocol', 'reset']).toContain(outcome.kind === 'failure' ? outcome.failure : '');
  });
  test('a refused connection', async () => {
    const url = await closedPort();
    client = new HttpClient({ timeoutMs: 2000 });
    expect((await client.send(put(url))).outcome).toMatchObject({ kind: 'failure', failure: 'refused' });
  });
  test('garbage with a JSON content type is a response (the checks judge it)', async () => {
    running = await httpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('<html>oops</html>');
    });
    client = new HttpClient({ timeoutMs: 2000 });
    expect((await client.send(put(running.url))).outcome).toMatchObject({
      kind: 'response',
      status: 200,
      text: '<html>oops</html>',
    });
  });
});

describe('interim 1xx answers (RFC 9110 15.2: a client MUST parse one it did not ask for)', () => {
  test('an unsolicited 100 Continue: read with node:http, the final answer judged; later requests go there at once', async () => {
    let requests = 0;
    running = await httpServer((req, res) => {
      requests++;
      res.writeContinue();
      res.writeEarlyHints({ link: '</a.css>; rel=preload' });
      const body = JSON.stringify({ n: requests, gzip: req.headers['accept-encoding'] ?? null });
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipSync(body));
    });
    client = new HttpClient({ timeoutMs: 2000 });
    const request = { ...put(running.url), headers: { ...put(running.url).headers, 'accept-encoding': 'gzip' } };
    const first = (await client.send(request)).outcome;
    expect(first).toMatchObject({ kind: 'response', status: 200, text: '{"n":2,"gzip":"gzip"}' });
    expect(first.resentAfter).toMatch(/^undici could not read the answer \(bad response: an interim 1xx answer/);
    // the next one is sent once, to node:http straight away
    const second = (await client.send(request)).outcome;
    expect(second).toMatchObject({ kind: 'response', status: 200, text: '{"n":3,"gzip":"gzip"}' });
    expect(second.resentAfter).toBeUndefined();
    expect([requests, client.stats.requests, client.stats.resetRetries]).toEqual([3, 3, 1]);
  });

  test('read with node:http, a target keeps its faults: a body over the cap, a hang', async () => {
    let n = 0;
    running = await httpServer((_req, res) => {
      n++;
      res.writeContinue();
      // (the first request is answered twice: undici refuses the answer, node:http reads the second)
      if (n === 4) return; // no final answer
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(n === 3 ? `"${'x'.repeat(4096)}"` : '{}');
    });
    client = new HttpClient({ timeoutMs: 300, maxBodyBytes: 1024 });
    expect((await client.send(put(running.url))).outcome).toMatchObject({ kind: 'response', status: 200 });
    expect((await client.send(put(running.url))).outcome).toMatchObject({ kind: 'failure', failure: 'too-large' });
    expect((await client.send(put(running.url))).outcome).toMatchObject({ kind: 'failure', failure: 'timeout' });
  });
});

describe('rate limiting', () => {
  test('429 with Retry-After is waited out and retried', async () => {
    let calls = 0;
    running = await httpServer((_req, res) => {
      calls++;
      if (calls <= 2) {
        res.writeHead(429, { 'retry-after': '0', 'content-type': 'application/json' });
        res.end('{"code":"RATE","message":"slow"}');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      }
    });
    client = new HttpClient({ timeoutMs: 2000 });
    const { outcome, rateLimited } = await client.send(put(running.url));
    expect(rateLimited).toBe(false);
    expect(outcome).toMatchObject({ kind: 'response', status: 200 });
    expect(client.stats).toMatchObject({ requests: 3, rateLimited: 2, retries: 2 });
  });
  test('a 429 that does not end is given up after the bounded retries', async () => {
    running = await httpServer((_req, res) => {
      res.writeHead(429, { 'retry-after': '0' });
      res.end();
    });
    client = new HttpClient({ timeoutMs: 2000, maxRateLimitRetries: 2 });
    const { rateLimited } = await client.send(put(running.url));
    expect(rateLimited).toBe(true);
    expect(client.stats.requests).toBe(3);
  });
  test('a 503 with Retry-After that lasts through the retries is the answer, judged (never 5xx)', async () => {
    running = await httpServer((_req, res) => {
      res.writeHead(503, { 'retry-after': '0' });
      res.end();
    });
    client = new HttpClient({ timeoutMs: 2000, maxRateLimitRetries: 2 });
    const { outcome, rateLimited } = await client.send(put(running.url));
    expect(rateLimited).toBe(false);
    expect(outcome).toMatchObject({ kind: 'response', status: 503 });
    expect(client.stats).toMatchObject({ requests: 3, rateLimited: 3, retries: 2 });
  });
  test('waiting is bounded by the run: Retry-After is honoured until maxWaitMs is spent, then not at all', async () => {
    running = await httpServer((_req, res) => {
      res.writeHead(429, { 'retry-after': '1' });
      res.end();
    });
    client = new HttpClient({ timeoutMs: 2000, maxRateLimitRetries: 5, maxWaitMs: 1500 });
    const started = Date.now();
    // one wait of 1 s fits, the second does not: given up at once, not judged
    expect((await client.send(put(running.url))).rateLimited).toBe(true);
    expect(client.stats).toMatchObject({ requests: 2, retries: 1, waitedMs: 1000 });
    expect((await client.send(put(running.url))).rateLimited).toBe(true);
    expect(client.stats).toMatchObject({ requests: 3, retries: 1, waitedMs: 1000 });
    expect(Date.now() - started).toBeLessThan(1900);
  });
  test("a restore or a clean-up (essential) is waited out past the run's time for waiting, within its retries", async () => {
    let calls = 0;
    running = await httpServer((_req, res) => {
      calls++;
      res.writeHead(calls === 1 ? 503 : 200, { 'retry-after': '1', 'content-type': 'application/json' });
      res.end('{}');
    });
    // no time for waiting left at all: a request of the run is not waited for, a restore is
    client = new HttpClient({ timeoutMs: 2000, maxWaitMs: 0 });
    const { outcome, rateLimited } = await client.send(put(running.url), true);
    expect(rateLimited).toBe(false);
    expect(outcome).toMatchObject({ kind: 'response', status: 200 });
    expect(client.stats).toMatchObject({ requests: 2, retries: 1, waitedMs: 1000 });
  });
  test('past the time for waiting: a lone 503 goes unjudged, one that keeps coming is judged', async () => {
    let calls = 0;
    let down = 1;
    running = await httpServer((_req, res) => {
      calls++;
      if (calls <= down) {
        res.writeHead(503, { 'retry-after': '1' });
        res.end();
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      }
    });
    client = new HttpClient({ timeoutMs: 2000, maxWaitMs: 0 });
    expect((await client.send(put(running.url))).rateLimited).toBe(true);
    expect((await client.send(put(running.url))).outcome).toMatchObject({ status: 200 });
    // the count of 503s in a row started again after the 200: nine go unjudged, the tenth is the answer
    down = 12;
    const results = [];
    for (let i = 0; i < 10; i++) results.push((await client.send(put(running.url))).rateLimited);
    expect(results).toEqual([...Array(9).fill(true), false]);
    expect(client.stats.retries).toBe(0);
    expect(client.stoppedReason).toBeNull();
  });
  test('past the time for waiting, 429s that keep coming stop the run (never more minutes)', async () => {
    running = await httpServer((_req, res) => {
      res.writeHead(429, { 'retry-after': '1' });
      res.end();
    });
    client = new HttpClient({ timeoutMs: 2000, maxWaitMs: 0 });
    for (let i = 0; i < 10; i++) expect((await client.send(put(running.url))).rateLimited).toBe(true);
    expect(client.stoppedReason).toMatch(/kept answering 429 \(10 in a row\) after the run had waited 0\.0 s/);
    await expect(client.send(put(running.url))).rejects.toThrow(/kept answering 429/);
    expect(client.stats.requests).toBe(10);
  });
  test('Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMs('soon')).toBeNull();
    expect(retryAfterMs(undefined)).toBeNull();
  });
});

describe('content codings (RFC 9110, 8.4 and 12.5.3)', () => {
  const coded = (coding: string, bytes: Buffer) =>
    httpServer((_req, res) => {
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-encoding': coding,
        'content-length': String(bytes.length),
      });
      res.end(bytes);
    });
  const asking = (url: string) => ({
    ...put(url),
    headers: { ...put(url).headers, 'accept-encoding': 'gzip, deflate, br' },
  });

  test('an answer in a coding the request allowed is decoded before it is judged', async () => {
    for (const [coding, encode] of [
      ['gzip', gzipSync],
      ['deflate', deflateSync],
      ['br', brotliCompressSync],
    ] as const) {
      running = await coded(coding, encode(Buffer.from('{"id":"é"}')));
      client = new HttpClient({ timeoutMs: 2000 });
      expect((await client.send(asking(running.url))).outcome, coding).toMatchObject({
        kind: 'response',
        text: '{"id":"é"}',
      });
      await client.close();
      await running.close();
    }
    running = undefined;
  });
  test('a coding the request did not allow is a fault of the answer, not a body to parse', async () => {
    running = await coded('zstd', Buffer.from('{}'));
    client = new HttpClient({ timeoutMs: 2000 });
    const { outcome } = await client.send(asking(running.url));
    expect(outcome).toMatchObject({ kind: 'failure', failure: 'coding', status: 200 });
    expect(outcome.kind === 'failure' && outcome.message).toMatch(
      /Content-Encoding zstd, which the request did not allow \(Accept-Encoding: gzip, deflate, br\)/,
    );
  });
  test('the body cap holds for the decoded size (a small gzip of a large body)', async () => {
    running = await coded('gzip', gzipSync(Buffer.alloc(5_000_000, 0x20)));
    client = new HttpClient({ timeoutMs: 2000, maxBodyBytes: 1024 * 1024 });
    expect((await client.send(asking(running.url))).outcome).toMatchObject({ kind: 'failure', failure: 'too-large' });
  });
});

describe('after a timeout, the deadline comes from the answers seen', () => {
  test('later requests of the run wait 4x the slowest answer (at least 1 s), marked as not a verdict; a restore waits the full timeout', async () => {
    running = await httpServer((req, res) => {
      if (req.url?.includes('hang')) return;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '2' });
      res.end('{}');
    });
    client = new HttpClient({ timeoutMs: 3000 });
    const hang = { ...put(running.url), url: `${running.url}/api/assets/hang` };
    expect((await client.send(put(running.url))).outcome).toMatchObject({ kind: 'response' });
    const first = (await client.send(hang)).outcome;
    expect(first).toMatchObject({ kind: 'failure', failure: 'timeout' });
    expect(first.kind === 'failure' && first.shortened).toBeFalsy();
    let started = Date.now();
    const second = (await client.send(hang)).outcome;
    expect(second).toMatchObject({ kind: 'failure', failure: 'timeout', shortened: true });
    expect(Date.now() - started).toBeLessThan(2000);
    started = Date.now();
    expect((await client.send(hang, true)).outcome).toMatchObject({ kind: 'failure', failure: 'timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(2900);
  });
});

describe("undici's modules", () => {
  test("the client's Agent, Client and errors are undici's own (loaded from their modules, not the index)", async () => {
    const undici = await import('undici');
    const require = createRequire(import.meta.url);
    expect(require(UNDICI_MODULES.Agent)).toBe(undici.Agent);
    expect(require(UNDICI_MODULES.Client)).toBe(undici.Client);
    expect(require(UNDICI_MODULES.errors).SocketError).toBe(undici.errors.SocketError);
    expect(require(UNDICI_MODULES.errors).HeadersTimeoutError).toBe(undici.errors.HeadersTimeoutError);
  });
});
