/**
 * An in-process target (exchange/in-process.ts, through HttpClient): whatever a fetch handler does
 * comes back as data, judged as a server's misbehaviour is, and never crashes or hangs the run.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { HttpClient, type Outcome, type OutgoingRequest } from '../../src/exchange/http.ts';
import { type FetchHandler, IN_PROCESS_ORIGIN } from '../../src/exchange/in-process.ts';
import { renderSummary } from '../../src/render/terminal.ts';
import { runConformance } from '../../src/runner/run.ts';
import { createReferenceHandler } from '../../src/server/index.ts';
import { SPEC } from '../helpers/helpers.ts';

const put: OutgoingRequest = {
  method: 'PUT',
  url: `${IN_PROCESS_ORIGIN}/api/assets/x`,
  headers: { 'content-type': 'application/json' },
};

async function outcomeOf(handler: FetchHandler, request = put, timeoutMs = 2000): Promise<Outcome> {
  const client = new HttpClient({ handler, timeoutMs, maxBodyBytes: 1024 });
  try {
    return await client.sendOnce({ ...request, body: '{"name":"a"}' });
  } finally {
    await client.close();
  }
}

describe('a fetch handler as the target', () => {
  test('its Response is the answer: status, headers in lower case, the body as text', async () => {
    let seen: Request | undefined;
    const o = await outcomeOf(async (request) => {
      seen = request;
      return Response.json({ ok: true }, { status: 201, headers: { 'X-Thing': 'y' } });
    });
    expect(o).toMatchObject({ kind: 'response', status: 201, text: '{"ok":true}' });
    expect(o.kind === 'response' && o.headers['x-thing']).toBe('y');
    expect(seen?.method).toBe('PUT');
    expect(await seen?.text()).toBe('{"name":"a"}');
    expect(seen?.headers.get('content-type')).toBe('application/json');
  });

  test('a header sent twice reaches the handler as both values', async () => {
    let value: string | null = null;
    await outcomeOf(
      (request) => {
        value = request.headers.get('x-api-key');
        return new Response('{}');
      },
      { ...put, headers: { ...put.headers, 'x-api-key': ['a', 'b'] } },
    );
    expect(value).toBe('a, b');
  });

  test('a handler that throws, rejects or answers something else has given no response (RESP-COMPLETE)', async () => {
    const thrown = await outcomeOf(() => {
      throw new TypeError('boom');
    });
    expect(thrown).toMatchObject({ kind: 'failure', failure: 'error' });
    expect(thrown.kind === 'failure' && thrown.message).toBe(
      'the handler threw instead of answering (TypeError: boom)',
    );
    const rejected = await outcomeOf(() => Promise.reject(new Error('no')));
    expect(rejected.kind === 'failure' && rejected.message).toMatch(/threw instead of answering \(Error: no\)/);
    const other = await outcomeOf(() => ({ status: 'ok' }) as unknown as Response);
    expect(other.kind === 'failure' && other.message).toBe('the handler answered an object (status), not a Response');
  });

  test('a handler that never answers is a timeout; one whose body never ends too', async () => {
    const never = await outcomeOf(() => new Promise<Response>(() => undefined), put, 200);
    expect(never).toMatchObject({ kind: 'failure', failure: 'timeout' });
    const endless = await outcomeOf(
      () => new Response(new ReadableStream({ pull: () => new Promise(() => undefined) })),
      put,
      200,
    );
    expect(endless).toMatchObject({ kind: 'failure', failure: 'timeout' });
  });

  test('a body that breaks, or runs past the cap, fails after its status', async () => {
    const broken = await outcomeOf(
      () =>
        new Response(
          new ReadableStream({
            start(controller) {
              controller.enqueue(new TextEncoder().encode('{"a":'));
              controller.error(new Error('gone'));
            },
          }),
          { status: 200 },
        ),
    );
    expect(broken).toMatchObject({ kind: 'failure', failure: 'error', status: 200 });
    const large = await outcomeOf(() => new Response('x'.repeat(5000)));
    expect(large).toMatchObject({ kind: 'failure', failure: 'too-large' });
  });

  test('a body in a content coding the request allowed is decoded; one it did not allow is a fault', async () => {
    const gz = await outcomeOf(() => new Response(gzipSync('{"a":1}'), { headers: { 'content-encoding': 'gzip' } }), {
      ...put,
      headers: { ...put.headers, 'accept-encoding': 'gzip' },
    });
    expect(gz).toMatchObject({ kind: 'response', text: '{"a":1}' });
    const zstd = await outcomeOf(() => new Response('{}', { headers: { 'content-encoding': 'zstd' } }), {
      ...put,
      headers: { ...put.headers, 'accept-encoding': 'gzip' },
    });
    expect(zstd).toMatchObject({ kind: 'failure', failure: 'coding' });
  });

  test('a request that no fetch Request can carry is unsent, never blamed on the handler', async () => {
    let called = false;
    const o = await outcomeOf(
      () => {
        called = true;
        return new Response('{}');
      },
      { ...put, headers: { ...put.headers, 'x-api-key': 'a\nb' } },
    );
    expect(o).toMatchObject({ kind: 'failure', failure: 'unsent' });
    expect(called).toBe(false);
  });

  test('each call waits a turn of the event loop: what the last call set to run next has run', async () => {
    const order: string[] = [];
    let calls = 0;
    const client = new HttpClient({
      timeoutMs: 2000,
      handler: () => {
        calls++;
        setImmediate(() => order.push(`immediate ${calls}`));
        order.push(`call ${calls}`);
        return new Response('{}');
      },
    });
    await client.sendOnce(put);
    await client.sendOnce(put);
    await client.close();
    expect(order.slice(0, 3)).toEqual(['call 1', 'immediate 1', 'call 2']);
  });
});

describe('the terminal says why a requirement was not exercised', () => {
  test('RESP-HTTP for an in-process handler, the rest by their reason, each reason once', async () => {
    const target = createReferenceHandler();
    const report = await runConformance({
      specFile: SPEC,
      runs: 3,
      seed: 1,
      strict: false,
      timeoutMs: 3000,
      only: ['valid-update'],
      handler: target.fetch,
      apiKey: target.apiKey,
      assetId: target.assetId,
    });
    const text = renderSummary(report, null, false);
    const why = text.split('\n\n').find((block) => block.startsWith('not exercised, and why:')) ?? '';
    const lines = why.split('\n').slice(1);
    expect(lines).toContain(
      '  RESP-HTTP: an in-process handler has no HTTP connection to judge (run it behind a port for this)',
    );
    expect(lines).toContain('  CREATE-HASH-BLAKE3: judged only with --create-asset');
    // every requirement the run skipped is named once, under its reason
    const named = lines.flatMap((l) => (l.split(': ')[0] ?? '').trim().split(', '));
    const skipped = report.requirements.filter((r) => r.status === 'skip').map((r) => r.id);
    expect(named.sort()).toEqual(skipped.sort());
    expect(new Set(lines.map((l) => l.slice(l.indexOf(': ')))).size).toBe(lines.length);
  });
});
