/**
 * The preflight, called directly: what it reads and sends before any property runs, the snapshot it
 * keeps, and the one line (a RunError, exit 2) for each way a target cannot be tested.
 */
import { describe, expect, test } from 'vitest';
import { isObject } from '../../fixtures/servers/helpers.ts';
import { fixtureServer } from '../../fixtures/servers/index.ts';
import { type CheckContext, checkContext } from '../../src/checks/context.ts';
import { type Contract, loadContract } from '../../src/contract/load.ts';
import { RunError } from '../../src/errors.ts';
import { HttpClient } from '../../src/exchange/http.ts';
import { type Preflight, preflight } from '../../src/runner/preflight.ts';
import type { AssetRecord, ReferenceServer, Variant } from '../../src/server/index.ts';
import { closedPort } from '../helpers/faults.ts';
import { assetMetadata, SPEC } from '../helpers/helpers.ts';
import { referenceServers } from '../helpers/reference.ts';

const KEY = 'preflight-key-0123456789';
const { server } = referenceServers(KEY);
const vendored = loadContract(SPEC);
/** The reference, but a body of unknown members only is answered 200 with the asset (the contract allows 200 or 400). */
const unknownOnly200 = fixtureServer('unknown-only-200')?.variant.reply;
/** That, then another rewrite of the reply. */
const showing = (then: NonNullable<Variant['reply']> = (reply) => reply): Partial<Variant> => ({
  reply: (reply, request, store) =>
    then(unknownOnly200 ? unknownOnly200(reply, request, store) : reply, request, store),
});

/** Runs the preflight against a variant of the reference; `sent` lists each request as "METHOD body". */
async function run(
  variant: Partial<Variant> = {},
  options: {
    restorable?: boolean;
    targetId?: string;
    contract?: Contract;
    prepare?: (ctx: CheckContext, client: HttpClient) => void;
    timeoutMs?: number;
  } = {},
) {
  const sent: string[] = [];
  const s: ReferenceServer = await server({
    name: 'preflight',
    ...variant,
    intercept: (request, res, socket) => {
      sent.push(`${request.method} ${request.body}`.trim());
      return variant.intercept?.(request, res, socket) ?? false;
    },
  });
  const ctx = checkContext(options.contract ?? vendored, options.targetId ?? s.assetId);
  const client = new HttpClient({ timeoutMs: options.timeoutMs ?? 2000 });
  options.prepare?.(ctx, client);
  try {
    const result = preflight(ctx, { baseUrl: s.baseUrl, apiKey: KEY }, client, options.restorable ?? false);
    return { result: await result.catch((e: unknown) => e), sent, ctx, s };
  } finally {
    await client.close();
  }
}
const values = (s: ReferenceServer) => {
  const a = assetMetadata(s) as Record<string, unknown>;
  return {
    name: a['name'],
    tags: a['tags'],
    mime_type: a['mime_type'],
    preview_id: a['preview_id'],
    user_metadata: a['user_metadata'],
  };
};
/** Drops body members from 200 answers to some requests. */
const withoutFields = (method: string, drop: string[] | 'all'): Partial<Variant> => ({
  reply: (reply, request) => {
    if (request.method !== method || reply.status !== 200 || !reply.body || !('json' in reply.body)) return reply;
    const json = reply.body.json;
    if (!isObject(json)) return reply;
    const kept = Object.fromEntries(Object.entries(json).filter(([k]) => drop !== 'all' && !drop.includes(k)));
    return { ...reply, body: { json: kept } };
  },
});

describe('a target that serves GET', () => {
  test('reads the asset, keeps its values, then sends a no-op update of a known value', async () => {
    const { result, sent, ctx, s } = await run();
    const before = values(s);
    const a = s.store.assets.get(s.assetId) as AssetRecord;
    expect(result).toEqual({
      hasGet: true,
      snapshot: { values: before, source: 'GET' },
      baseline: before,
      latencyMs: expect.any(Number),
      // the asset's own fields as the GET showed them: what a body must never set (mass assignment)
      own: {
        id: a.id,
        asset_hash: a.asset_hash,
        size: a.size,
        created_at: a.created_at,
        updated_at: expect.any(String),
      },
    });
    expect(sent).toEqual(['GET', `PUT ${JSON.stringify({ name: before.name })}`]);
    expect(ctx.known).toMatchObject(before);
  });
  test("the target's latency: the quickest answer of the preflight (the first may open the connection)", async () => {
    let n = 0;
    const { result } = await run({ delayMs: () => (++n === 1 ? 300 : 40) });
    const { latencyMs } = result as Preflight;
    expect(latencyMs).toBeGreaterThanOrEqual(39);
    expect(latencyMs).toBeLessThan(300);
  });
  test('sent even once the run has stopped sending (the requests of the preflight are essential)', async () => {
    const { result } = await run({}, { prepare: (_, client) => client.stop('interrupted') });
    expect(result).toMatchObject({ hasGet: true });
  });
  test('a GET whose asset has no id is no GET', async () => {
    const { result } = await run(withoutFields('GET', ['id']));
    expect(result).toMatchObject({ hasGet: false, snapshot: null });
  });
  test('without GET, sent too once the run has stopped sending', async () => {
    const { result } = await run({ get: false, ...showing() }, { prepare: (_, client) => client.stop('interrupted') });
    expect(result).toMatchObject({ hasGet: false, snapshot: { source: 'PUT' } });
  });
  test('the no-op update uses the first known value the body schema takes', async () => {
    const { sent } = await run({
      reply: (reply, request) =>
        request.method === 'GET' && reply.body && 'json' in reply.body && isObject(reply.body.json)
          ? { ...reply, body: { json: { ...reply.body.json, name: 5, tags: ['t'] } } }
          : reply,
    });
    expect(sent[1]).toBe('PUT {"tags":["t"]}');
  });
  test('a GET that shows another asset is no GET: the values come from an update of unknown members', async () => {
    const { result, sent } = await run(
      showing((reply, request) =>
        request.method === 'GET' && reply.body && 'json' in reply.body && isObject(reply.body.json)
          ? { ...reply, body: { json: { ...reply.body.json, id: '00000000-0000-4000-8000-000000000000' } } }
          : reply,
      ),
    );
    expect(sent[1]).toBe('PUT {"conformance_preflight":true}');
    expect(result).toMatchObject({ hasGet: false, snapshot: { source: 'PUT' } });
  });
  test('a 304 to the read is not a reason to stop', async () => {
    const { result } = await run(
      showing((reply, request) => (request.method === 'GET' ? { status: 304, headers: {} } : reply)),
    );
    expect(result).toMatchObject({ hasGet: false, snapshot: { source: 'PUT' } });
  });
});

describe('a target without GET', () => {
  test('the values a 200 to unknown members shows are the snapshot', async () => {
    const { result, sent, s } = await run({ get: false, ...showing() });
    expect(sent.slice(0, 2)).toEqual(['GET', 'PUT {"conformance_preflight":true}']);
    // what the 200 shows: the update's answer leaves preview_id out
    const { preview_id: _preview, ...shown } = values(s);
    expect(result).toMatchObject({ hasGet: false, snapshot: { values: shown, source: 'PUT' } });
  });
  test('nothing shows the values: refused when the asset must be put back, else a plain update with a string', async () => {
    const hidden = { get: false, ...withoutFields('PUT', 'all') };
    const refused = await run(hidden, { restorable: true });
    expect(refused.result).toBeInstanceOf(RunError);
    expect((refused.result as Error).message).toBe(
      `the asset's values cannot be read (no GET /api/assets/{id}, and no 200 body lists them), so the run could not put them back: use --create-asset, or --allow-unrestored to modify asset ${refused.s.assetId} anyway`,
    );
    expect(refused.sent).toHaveLength(2);
    const allowed = await run(hidden);
    expect(allowed.result).toEqual({
      hasGet: false,
      snapshot: null,
      baseline: null,
      latencyMs: expect.any(Number),
      own: {},
    });
    expect(allowed.sent[2]).toBe('PUT {"name":"conformance-preflight"}');
  });
  test('nothing known: the first updatable string without a format', async () => {
    const { sent } = await run(
      { get: false, ...withoutFields('PUT', 'all') },
      {
        prepare: (ctx) => {
          ctx.bodyProperties = { stamp: { type: 'string', format: 'date-time' }, ...ctx.bodyProperties };
          ctx.updatable = null;
        },
      },
    );
    expect(sent[2]).toBe('PUT {"name":"conformance-preflight"}');
  });
  test('a 200 that shows only some fields: the baseline is what the plain update showed', async () => {
    const { result } = await run({
      get: false,
      ...withoutFields('PUT', ['name', 'tags', 'mime_type', 'preview_id', 'user_metadata']),
    });
    expect(result).toMatchObject({ snapshot: null });
  });
  test('a body schema that refuses unknown members: no such update is sent', async () => {
    const closed = {
      ...vendored,
      requestBody: { ...vendored.requestBody, schema: { ...vendored.requestBody.schema, additionalProperties: false } },
    };
    const { sent, result } = await run({ get: false }, { contract: closed });
    expect(sent).toEqual(['GET', 'PUT {"name":"conformance-preflight"}']);
    expect(result).toMatchObject({ hasGet: false, snapshot: null });
    expect((result as { baseline: Record<string, unknown> }).baseline).toMatchObject({ name: 'conformance-preflight' });
  });
});

describe('a target that cannot be tested: one line', () => {
  test('unreachable', async () => {
    const baseUrl = await closedPort();
    const ctx = checkContext(vendored, '6f1c2a9e-4b7d-4c3a-9e8f-0a1b2c3d4e5f');
    const client = new HttpClient({ timeoutMs: 2000 });
    await expect(preflight(ctx, { baseUrl, apiKey: KEY }, client)).rejects.toThrow(
      new RegExp(`^target unreachable: ${baseUrl}: `),
    );
    await client.close();
  });
  test('unreachable after the read: an update that never answers', async () => {
    const { result, s } = await run({ intercept: (request) => request.method === 'PUT' }, { timeoutMs: 300 });
    expect((result as Error).message).toMatch(new RegExp(`^target unreachable: ${s.baseUrl}: `));
  });
  test('a read that never answers: stopped there, nothing else sent', async () => {
    const { result, sent, s } = await run({ intercept: () => true }, { timeoutMs: 300 });
    expect((result as Error).message).toMatch(new RegExp(`^target unreachable: ${s.baseUrl}: `));
    expect(sent).toEqual(['GET']);
  });
  test('the key refused', async () => {
    const { result, s } = await run({ authorize: () => false });
    expect((result as Error).message).toBe(
      `the API key was rejected (401) on an update of unknown properties only of asset ${s.assetId}: check --api-key or CONFORMANCE_API_KEY`,
    );
  });
  test('no such asset', async () => {
    const id = '11111111-2222-4333-8444-555555555555';
    const { result } = await run({}, { targetId: id });
    expect((result as Error).message).toBe(
      `asset ${id} not found (404 on an update of unknown properties only): check --asset-id or CONFORMANCE_ASSET_ID`,
    );
  });
  test('a redirect, on the read or on an update: where it points', async () => {
    const redirect = (method: string, status: number): Partial<Variant> => ({
      reply: (reply, request) => (request.method === method ? { status, headers: { location: '/elsewhere' } } : reply),
    });
    expect(((await run(redirect('GET', 302))).result as Error).message).toBe(
      'the target redirects (302 to /elsewhere) on a read of the asset; redirects are not followed: give the final address as --base-url',
    );
    const onPut = await run(redirect('PUT', 307));
    expect((onPut.result as Error).message).toBe(
      'the target redirects (307 to /elsewhere) on a plain valid update; redirects are not followed: give the final address as --base-url',
    );
    expect(((await run(redirect('PUT', 300))).result as Error).message).toMatch(/^the target redirects \(300 to/);
    expect(((await run(redirect('GET', 300))).result as Error).message).toMatch(/^the target redirects \(300 to/);
    const get400 = await run({
      reply: (reply, request) => (request.method === 'GET' ? { status: 400, headers: { location: '/x' } } : reply),
    });
    expect(get400.result).not.toBeInstanceOf(Error);
    // a 3xx without a location, or a 4xx with one, is not a redirect
    const noLocation = await run({
      reply: (reply, request) => (request.method === 'PUT' ? { status: 300, headers: {} } : reply),
    });
    expect(noLocation.result).not.toBeInstanceOf(Error);
    const located400 = await run({
      reply: (reply, request) =>
        request.method === 'PUT' ? { ...reply, status: 400, headers: { ...reply.headers, location: '/x' } } : reply,
    });
    expect(located400.result).not.toBeInstanceOf(Error);
  });
});
