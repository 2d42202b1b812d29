/**
 * The restore at the end of a run: the asset's values put back and verified by a read, or reported
 * loudly with the original values; and putting the asset in a recorded state (--start-from).
 */
import type { Socket } from 'node:net';
import { describe, expect, test } from 'vitest';
import { bodyOf, isObject } from '../../fixtures/servers/helpers.ts';
import { fixtureServer } from '../../fixtures/servers/index.ts';
import { checkContext } from '../../src/checks/context.ts';
import { loadContract } from '../../src/contract/load.ts';
import { HttpClient } from '../../src/exchange/http.ts';
import { putState, restore, restoreBody, restoreOrSay } from '../../src/runner/restore.ts';
import { runConformance } from '../../src/runner/run.ts';
import { applyUpdate, error, type Variant } from '../../src/server/index.ts';
import { assetMetadata, SPEC } from '../helpers/helpers.ts';
import { referenceServers } from '../helpers/reference.ts';

const KEY = 'restore-key-0123456789';
const { server, config } = referenceServers(KEY);

describe('the restore: put back, then verified', () => {
  /**
   * The reference, but the restoring update (every value the asset started with, 3 fields or more)
   * is ignored (200, nothing changes), refused (500), never answered, or followed by reads that fail.
   */
  const atRestore = (answer: 'ignore' | 'refuse' | 'hang' | 'unreadable'): Variant => {
    let original: Record<string, unknown> | undefined;
    let restoring = false;
    const isRestore = (body: unknown): boolean =>
      isObject(body) &&
      Object.keys(body).length >= 3 &&
      Object.entries(body).every(([k, v]) => JSON.stringify(v) === JSON.stringify(original?.[k]));
    return {
      name: `${answer}-at-restore`,
      applyUpdate: (asset, update) => {
        original ??= JSON.parse(JSON.stringify(asset)) as Record<string, unknown>;
        if (!(answer === 'ignore' && isRestore(update))) applyUpdate(asset, update);
      },
      intercept: (request) => {
        restoring ||= request.method === 'PUT' && isRestore(bodyOf(request));
        // no answer at all to the restoring update
        return answer === 'hang' && restoring;
      },
      reply: (reply, request) => {
        if (answer === 'refuse' && request.method === 'PUT' && isRestore(bodyOf(request)))
          return error(500, 'INTERNAL', 'no');
        return answer === 'unreadable' && restoring && request.method === 'GET' ? error(500, 'INTERNAL', 'no') : reply;
      },
    };
  };

  test('a restore answered 200 but not applied is caught by the read that follows it', async () => {
    const s = await server(atRestore('ignore'));
    const before = assetMetadata(s);
    const report = await runConformance(config(s, { only: ['valid-update'], runs: 10 }));
    expect(assetMetadata(s)).not.toEqual(before);
    expect(report.restore.status).toBe('failed');
    expect(report.restore.message).toMatch(/after the restore .* still differs? from the original/);
    expect(report.restore.original).toMatchObject({ name: (before as { name: string }).name });
  });

  test('a restoring update whose answer is cut off is sent again, and a read shows it was applied', async () => {
    const s = await server(fixtureServer('truncates-mime-type-answers')?.variant);
    const before = assetMetadata(s);
    const report = await runConformance(config(s, { only: ['valid-update'], runs: 10 }));
    expect(report.restore.status, report.restore.message).toBe('restored');
    expect(report.restore.message).toMatch(/verified by GET \(the restoring update got no complete answer: /);
    expect(assetMetadata(s)).toEqual(before);
  });

  test('a restoring update answered with another status than 200 is reported, with the original values', async () => {
    const s = await server(atRestore('refuse'));
    const report = await runConformance(config(s, { only: ['valid-update'], runs: 5 }));
    expect(report.restore).toMatchObject({
      status: 'failed',
      message: 'the restoring update was not accepted (status 500)',
    });
    expect(report.restore.original).toMatchObject({ name: 'reference-asset.png' });
  });

  test('a restoring update never answered is sent again once, and a silent target is not read back', async () => {
    const s = await server(atRestore('hang'));
    const sent: string[] = [];
    const report = await runConformance(
      config(s, {
        only: ['valid-update'],
        runs: 5,
        timeoutMs: 400,
        tap: (r) => sent.push(`${r.method} ${typeof r.body === 'string' ? Object.keys(JSON.parse(r.body)).length : 0}`),
      }),
    );
    expect(report.restore.status).toBe('failed');
    expect(report.restore.message).toMatch(/^the restoring update was not accepted \(.*(timeout|within)/);
    // the whole body twice (the second on a new connection), then nothing: no field alone, no read
    const whole = `PUT ${report.restore.fields.length}`;
    expect(sent.slice(-2)).toEqual([whole, whole]);
  });

  test('a restore whose read-back fails says the asset could not be read back', async () => {
    const s = await server(atRestore('unreadable'));
    const report = await runConformance(config(s, { only: ['valid-update'], runs: 5 }));
    expect(report.restore).toMatchObject({
      status: 'failed',
      message: 'the asset could not be read back after the restore',
    });
  });

  test('without GET, the values shown by a 200 are put back and verified by the answer', async () => {
    const s = await server({
      ...fixtureServer('unknown-only-200')?.variant,
      name: 'no-get-200',
      get: false,
    } as Variant);
    const before = assetMetadata(s);
    const report = await runConformance(config(s, { only: ['valid-update'], runs: 5 }));
    expect(report.restore.status, report.restore.message).toBe('restored');
    expect(report.restore.message).toMatch(/^put back name, tags, mime_type, user_metadata, verified by the answer$/);
    expect(assetMetadata(s)).toEqual(before);
  });

  test('a value that cannot be sent back is named, and left alone', async () => {
    const s = await server();
    const asset = s.store.assets.get(s.assetId);
    if (asset) asset.preview_id = null;
    const report = await runConformance(config(s, { only: ['valid-update'], runs: 5 }));
    expect(report.restore.status).toBe('restored');
    expect(report.restore.fields).not.toContain('preview_id');
    expect(report.restore.message).toMatch(
      /verified by GET; preview_id cannot be sent back as it was \(preview_id null\): the run left it alone/,
    );
    expect(s.store.assets.get(s.assetId)?.preview_id).toBeNull();
  });

  test('a restore that is applied is reported restored, and the asset is as it was', async () => {
    const s = await server();
    const before = assetMetadata(s);
    const report = await runConformance(config(s, { only: ['valid-update'], runs: 10 }));
    expect(report.restore.status).toBe('restored');
    expect(report.restore.message).toMatch(/verified by GET/);
    expect(assetMetadata(s)).toEqual(before);
  });
});

describe('putting the asset in a state (--start-from, and a failure tried again from its state)', () => {
  test('only the fields a body may carry, unless exact; true only for a 200, and what the answer showed is known', async () => {
    const s = await server();
    const ctx = checkContext(loadContract(SPEC), s.assetId);
    const target = { baseUrl: s.baseUrl, apiKey: KEY };
    const client = new HttpClient({ timeoutMs: 2000 });
    const values = { name: 'from a state', tags: ['a'], preview_id: null, user_metadata: { k: 1 } };
    expect(restoreBody(ctx, { values, source: 'GET' })).toEqual({
      name: 'from a state',
      tags: ['a'],
      user_metadata: { k: 1 },
    });
    expect(await putState(ctx, target, client, values)).toBe(true);
    expect(s.store.assets.get(s.assetId)).toMatchObject({ name: 'from a state', tags: ['a'], user_metadata: { k: 1 } });
    expect(ctx.known).toMatchObject({ name: 'from a state', tags: ['a'] });
    // exact: the null goes too, and the reference refuses it
    expect(await putState(ctx, target, client, values, true)).toBe(false);
    expect(s.store.assets.get(s.assetId)?.name).toBe('from a state');
    // sent even once the run has stopped sending (its budget spent, or interrupted)
    client.stop('the request budget is spent');
    expect(await putState(ctx, target, client, { name: 'after the stop' })).toBe(true);
    await client.close();
    await s.close();
    // no answer at all
    const closed = new HttpClient({ timeoutMs: 500 });
    expect(await putState(ctx, target, closed, { name: 'x' })).toBe(false);
    await closed.close();
  });
});

describe('restore(), called directly: what it sends, and what it says', () => {
  /** The reference (or a variant), a context for its asset, and a client; `sockets` names each request's connection. */
  async function setup(variant: Partial<Variant> = {}) {
    const sockets = new Map<Socket, number>();
    const closed = new Set<number>();
    const requests: { method: string; socket: number; body: unknown }[] = [];
    const s = await server({
      name: 'restore-direct',
      ...variant,
      intercept: (request, res, socket) => {
        if (!sockets.has(socket)) {
          const n = sockets.size;
          sockets.set(socket, n);
          socket.once('close', () => closed.add(n));
        }
        requests.push({ method: request.method, socket: sockets.get(socket) ?? -1, body: bodyOf(request) });
        return variant.intercept?.(request, res, socket) ?? false;
      },
    });
    const ctx = checkContext(loadContract(SPEC), s.assetId);
    const client = new HttpClient({ timeoutMs: 1000 });
    const target = { baseUrl: s.baseUrl, apiKey: KEY };
    const run = (values: Record<string, unknown> | null, hasGet = true) =>
      restore(ctx, target, client, values && { values, source: 'GET' }, hasGet);
    /** Whether the connection of each request (of a method) was closed: a pooled one stays open until the client closes. */
    const closedOf = async (method: string): Promise<boolean[]> => {
      // a close reaches the server a moment after the client's: wait until none has come for 150 ms (at most 2 s)
      for (let quiet = 0, waited = 0, seen = closed.size; quiet < 150 && waited < 2000; waited += 10) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        quiet = closed.size === seen ? quiet + 10 : 0;
        seen = closed.size;
      }
      return requests.filter((r) => r.method === method).map((r) => closed.has(r.socket));
    };
    return { s, ctx, client, target, requests, run, closedOf };
  }

  test('no snapshot, or no value a body can carry: not possible, and nothing is sent', async () => {
    const { run, requests, client } = await setup();
    expect(await run(null)).toEqual({
      status: 'not-possible',
      fields: [],
      original: {},
      message: "the asset's values were never shown (no GET, and no 200 body listed them): nothing could be put back",
    });
    expect(await run({ preview_id: null })).toEqual({
      status: 'not-possible',
      fields: [],
      original: { preview_id: null },
      message: 'no field of the snapshot can be sent back',
    });
    expect(requests).toEqual([]);
    await client.close();
  });

  test('a restore whose sending throws is a failed restore, with the values to put back by hand', async () => {
    const contract = loadContract(SPEC);
    const ctx = checkContext(contract, '6f1c2a9e-4b7d-4c3a-9e8f-0a1b2c3d4e5f');
    const broken = {
      send: () => Promise.reject(new Error('the client is gone')),
    } as unknown as HttpClient;
    const values = { name: 'before.png', tags: ['a'] };
    const target = { baseUrl: 'http://127.0.0.1:9', apiKey: KEY };
    const snapshot = { values, source: 'GET' as const };
    await expect(restore(ctx, target, broken, snapshot, true)).rejects.toThrow('the client is gone');
    expect(await restoreOrSay(ctx, target, broken, snapshot, true)).toEqual({
      status: 'failed',
      fields: [],
      original: values,
      message: 'restore failed: Error: the client is gone',
    });
  });

  test('put back and read once, on pooled connections, even when the run has spent its budget', async () => {
    const { run, requests, client, s, closedOf } = await setup();
    client.stop('the request budget is spent');
    expect(await run({ name: 'back', tags: ['a'] })).toEqual({
      status: 'restored',
      fields: ['name', 'tags'],
      original: { name: 'back', tags: ['a'] },
      message: 'put back name, tags, verified by GET',
    });
    expect(requests.map((r) => r.method)).toEqual(['PUT', 'GET']);
    expect([...(await closedOf('PUT')), ...(await closedOf('GET'))]).toEqual([false, false]);
    expect(s.store.assets.get(s.assetId)).toMatchObject({ name: 'back', tags: ['a'] });
    expect((await run({ name: 'again' }, false)).message).toBe('put back name, verified by the answer');
    expect(requests.map((r) => r.method)).toEqual(['PUT', 'GET', 'PUT']);
    await client.close();
  });

  test('what it could not send back, and what the read did not show, are named (one, or several)', async () => {
    const { run, client } = await setup({
      reply: (reply, request) =>
        request.method === 'GET' && isObject(reply.body) && 'json' in reply.body && isObject(reply.body.json)
          ? { ...reply, body: { json: { ...reply.body.json, tags: undefined, mime_type: undefined } } }
          : reply,
    });
    expect((await run({ name: 'back', tags: ['a'], mime_type: 'image/png', preview_id: null })).message).toBe(
      'put back name, tags, mime_type, verified by GET (not shown: tags, mime_type); preview_id cannot be sent back as it was (preview_id null): the run left it alone unless the target accepted another value',
    );
    expect((await run({ name: 'back', preview_id: null, mime_type: 5 })).message).toBe(
      'put back name, verified by GET; preview_id, mime_type cannot be sent back as they were (preview_id null, mime_type 5): the run left them alone unless the target accepted another value',
    );
    await client.close();
  });

  test('an update answered 200 and not applied: the fields still different are named (one, or several)', async () => {
    const { run, client } = await setup({ applyUpdate: () => undefined });
    expect(await run({ name: 'back', tags: ['a'] })).toEqual({
      status: 'failed',
      fields: ['name', 'tags'],
      original: { name: 'back', tags: ['a'] },
      message: 'after the restore name, tags still differ from the original',
    });
    expect((await run({ name: 'back' })).message).toBe('after the restore name still differs from the original');
    await client.close();
  });

  /**
   * The first `times` whole bodies (two fields or more) get half an answer and the connection closed,
   * or (reset) the connection closed before any answer.
   */
  const cutsWholeBodies = (times: number, how: 'cut' | 'reset' = 'cut'): Partial<Variant> => {
    let cut = 0;
    return {
      intercept: (request, res, socket) => {
        const body = bodyOf(request);
        if (request.method !== 'PUT' || !isObject(body) || Object.keys(body).length < 2 || cut++ >= times) return false;
        if (how === 'reset') return Boolean(socket.destroy());
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('{"id":');
        socket.end();
        return true;
      },
    };
  };
  const values = { name: 'back', tags: ['a'], user_metadata: { k: 1 } };

  test('an answer cut off: the whole body is sent again once, on a connection of its own', async () => {
    const { run, requests, client, s, closedOf } = await setup(cutsWholeBodies(1));
    const result = await run(values);
    expect(result).toMatchObject({
      status: 'restored',
      message: 'put back name, tags, user_metadata, verified by GET',
    });
    expect(requests.map((r) => r.method)).toEqual(['PUT', 'PUT', 'GET']);
    // the first closed by the server, the second by the client after its answer
    expect(await closedOf('PUT')).toEqual([true, true]);
    expect(await closedOf('GET')).toEqual([false]);
    expect(s.store.assets.get(s.assetId)).toMatchObject(values);
    await client.close();
  });

  test('cut off twice: each field alone, on pooled connections, then a read', async () => {
    const { run, requests, client, s, closedOf } = await setup(cutsWholeBodies(2));
    const result = await run(values);
    expect(result.status, result.message).toBe('restored');
    expect(result.message).toMatch(
      /^put back name, tags, user_metadata, verified by GET \(the restoring update got no complete answer: .*; each field was sent alone\)$/,
    );
    const puts = requests.filter((r) => r.method === 'PUT');
    expect(puts.map((r) => Object.keys(r.body as object).join())).toEqual([
      'name,tags,user_metadata',
      'name,tags,user_metadata',
      'name',
      'tags',
      'user_metadata',
    ]);
    expect(await closedOf('PUT')).toEqual([true, true, false, false, false]);
    expect(s.store.assets.get(s.assetId)).toMatchObject(values);
    await client.close();
  });

  test('a whole body that never gets an answer (the connection closed each time): each field alone, then a read', async () => {
    const { run, requests, client, s } = await setup(cutsWholeBodies(Number.POSITIVE_INFINITY, 'reset'));
    const result = await run(values);
    expect(result.status, result.message).toBe('restored');
    expect(result.message).toMatch(/\(the restoring update got no complete answer: .*; each field was sent alone\)$/);
    expect(requests.filter((r) => r.method === 'PUT').map((r) => Object.keys(r.body as object).length)).toEqual([
      3, 3, 3, 3, 1, 1, 1,
    ]);
    expect(s.store.assets.get(s.assetId)).toMatchObject(values);
    await client.close();
  });

  test('putState: an answer cut off after its status line is not a 200', async () => {
    const { ctx, target, client } = await setup(cutsWholeBodies(1));
    expect(await putState(ctx, target, client, values)).toBe(false);
    expect(await putState(ctx, target, client, values)).toBe(true);
    await client.close();
  });
});
