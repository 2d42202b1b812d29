/**
 * --create-asset, called directly: the upload (what it sends, what it accepts back, each refusal in
 * one line), the delete and its check, and the leftovers of earlier runs.
 */
import { describe, expect, test } from 'vitest';
import { isObject } from '../../fixtures/servers/helpers.ts';
import { checkContext } from '../../src/checks/context.ts';
import { loadContract } from '../../src/contract/load.ts';
import { HttpClient } from '../../src/exchange/http.ts';
import { createAsset, deleteAsset, findLeftovers } from '../../src/runner/create.ts';
import { json, type ReferenceServer, type Variant } from '../../src/server/index.ts';
import { SPEC } from '../helpers/helpers.ts';
import { referenceServers } from '../helpers/reference.ts';

const KEY = 'create-key-0123456789';
const { server } = referenceServers(KEY);
const contract = loadContract(SPEC);

async function setup(variant: Partial<Variant> = {}, slash = '') {
  const requests: { method: string; path: string; query: string; body: string }[] = [];
  const s: ReferenceServer = await server({
    name: 'create',
    ...variant,
    intercept: (request, res, socket) => {
      requests.push({ method: request.method, path: request.path, query: request.query, body: request.body });
      return variant.intercept?.(request, res, socket) ?? false;
    },
  });
  const ctx = checkContext(contract, s.assetId);
  const client = new HttpClient({ timeoutMs: 2000 });
  const target = { baseUrl: `${s.baseUrl}${slash}`, apiKey: KEY };
  return { s, ctx, client, target, requests };
}
/** The upload's answer rewritten. */
const uploadAnswer = (rewrite: (json: Record<string, unknown>, status: number) => { status: number; json: unknown }) =>
  ({
    reply: (reply, request) => {
      if (request.method !== 'POST' || !reply.body || !('json' in reply.body) || !isObject(reply.body.json))
        return reply;
      const r = rewrite(reply.body.json, reply.status);
      return json(r.status, r.json);
    },
  }) satisfies Partial<Variant>;

describe('createAsset', () => {
  test('uploads 256 random bytes as a form, tagged with the suite and the run; the new id and its hash', async () => {
    const { ctx, client, target, requests, s } = await setup({}, '//');
    const created = await createAsset(ctx, target, client, 'r1');
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /api/assets']);
    const form = requests[0]?.body ?? '';
    for (const field of [
      'name="file"; filename="conformance-r1.bin"',
      'Content-Type: application/octet-stream',
      'name="name"\r\n\r\nconformance-r1.bin',
      'name="tags"\r\n\r\nconformance-suite',
      'name="tags"\r\n\r\nconformance-run-r1',
      'name="mime_type"\r\n\r\napplication/octet-stream',
      'name="user_metadata"\r\n\r\n{"created_by":"comfy-assets-conformance","run":"r1"}',
    ])
      expect(form).toContain(field);
    expect(created.bytes).toHaveLength(256);
    expect(created.id).toBe(created.id.toLowerCase());
    expect(s.store.assets.get(created.id)?.tags).toEqual(['conformance-suite', 'conformance-run-r1']);
    expect(created.hashFields).toEqual(['asset_hash']);
    expect(created.hashMismatch).toEqual([]);
    await client.close();
  });
  test('an id in capitals is kept in lower case; a hash field that is not blake3 of the bytes is named', async () => {
    const { ctx, client, target } = await setup(
      uploadAnswer((a, status) => ({
        status,
        json: { ...a, id: String(a['id']).toUpperCase(), hash: 'blake3:00', rehash: 'x', file_hash: 5 },
      })),
    );
    const created = await createAsset(ctx, target, client, 'r2');
    expect(created.id).toBe(created.id.toLowerCase());
    expect(created.hashFields).toEqual(['asset_hash', 'hash']);
    expect(created.hashMismatch).toEqual(['hash']);
    await client.close();
  });
  test.each([
    [
      'the key refused',
      () => ({ status: 401, json: { code: 'x', message: 'y' } }),
      'the API key was rejected (401) on the upload of a new asset: check --api-key or CONFORMANCE_API_KEY',
    ],
    [
      'another status',
      () => ({ status: 400, json: { code: 'ROLE', message: 'a destination role' } }),
      'the upload of a new asset (POST /api/assets) was answered 400: {"code":"ROLE","message":"a destination role"}',
    ],
    [
      'no id',
      () => ({ status: 201, json: { name: 'n' } }),
      "the upload of a new asset did not answer with the asset's id",
    ],
    [
      'an id that is no uuid',
      () => ({ status: 201, json: { id: 'x' } }),
      "the upload of a new asset did not answer with the asset's id",
    ],
    [
      'not an object',
      () => ({ status: 201, json: ['x'] }),
      "the upload of a new asset did not answer with the asset's id",
    ],
  ] as const)('%s: one line', async (_, answer, message) => {
    const { ctx, client, target } = await setup(uploadAnswer(() => answer()));
    await expect(createAsset(ctx, target, client, 'r3')).rejects.toThrow(message);
    await client.close();
  });
  test('an existing asset (200, or created_new false) is never adopted', async () => {
    const existing = await setup(uploadAnswer((a) => ({ status: 200, json: a })));
    await expect(createAsset(existing.ctx, existing.target, existing.client, 'r4')).rejects.toThrow(
      /^the upload answered with an existing asset \([0-9a-f-]{36}, status 200, created_new \w+\): refusing to use or delete it$/,
    );
    await existing.client.close();
    const notNew = await setup(uploadAnswer((a) => ({ status: 201, json: { ...a, created_new: false } })));
    await expect(createAsset(notNew.ctx, notNew.target, notNew.client, 'r5')).rejects.toThrow(
      /status 201, created_new false\): refusing/,
    );
    await notNew.client.close();
  });
  test('unreachable, and sent even once the run has stopped sending', async () => {
    const { ctx, client, target } = await setup({ intercept: (request) => request.method === 'POST' });
    const quick = new HttpClient({ timeoutMs: 300 });
    await expect(createAsset(ctx, target, quick, 'r6')).rejects.toThrow(
      new RegExp(`^target unreachable: ${target.baseUrl}: `),
    );
    await quick.close();
    const stopped = await setup();
    stopped.client.stop('interrupted');
    await expect(createAsset(stopped.ctx, stopped.target, stopped.client, 'r7')).resolves.toMatchObject({
      hashMismatch: [],
    });
    await stopped.client.close();
    await client.close();
  });
});

describe('deleteAsset', () => {
  test('deleted, and a read says so; sent even once the run has stopped', async () => {
    const { ctx, client, target, requests, s } = await setup();
    const created = await createAsset(ctx, target, client, 'd1');
    client.stop('interrupted');
    expect(await deleteAsset(ctx, target, client, created.id, true)).toEqual({
      status: 'deleted',
      id: created.id,
      message: `deleted the asset the run created (${created.id})`,
    });
    expect(requests.slice(1).map((r) => r.method)).toEqual(['DELETE', 'GET']);
    expect(s.store.assets.has(created.id)).toBe(false);
    await client.close();
  });
  test('a DELETE refused, or an asset still there, is a failure that says what to do', async () => {
    const refuses = await setup({ reply: (reply, request) => (request.method === 'DELETE' ? json(403, {}) : reply) });
    const id = refuses.s.assetId;
    expect(await deleteAsset(refuses.ctx, refuses.target, refuses.client, id, true)).toEqual({
      status: 'failed',
      id,
      message: `DELETE answered 403: delete asset ${id} by hand`,
    });
    await refuses.client.close();
    // answered 204, and nothing deleted
    const kept = await setup({
      intercept: (request, res) => {
        if (request.method !== 'DELETE') return false;
        res.writeHead(204).end();
        return true;
      },
    });
    const id2 = kept.s.assetId;
    expect(await deleteAsset(kept.ctx, kept.target, kept.client, id2, true)).toEqual({
      status: 'failed',
      id: id2,
      message: `asset ${id2} is still there after DELETE 204`,
    });
    // without GET, the DELETE's answer is taken
    expect((await deleteAsset(kept.ctx, kept.target, kept.client, id2, false)).status).toBe('deleted');
    await kept.client.close();
  });
  test('no answer: failed, with the reason', async () => {
    const { ctx, target } = await setup({ intercept: (request) => request.method === 'DELETE' });
    const quick = new HttpClient({ timeoutMs: 300 });
    const result = await deleteAsset(ctx, target, quick, 'x', true);
    expect(result.status).toBe('failed');
    expect(result.message).toMatch(/^DELETE answered .+: delete asset x by hand$/);
    await quick.close();
  });
});

describe('findLeftovers', () => {
  test("the suite's assets of other runs, not this run's, not others' assets", async () => {
    const { ctx, client, target, requests, s } = await setup();
    const mine = await createAsset(ctx, target, client, 'now');
    const old = await createAsset(ctx, target, client, 'before');
    const tagged = s.store.assets.get(s.assetId);
    if (tagged) tagged.tags = ['conformance-suite', 'not-a-run-tag'];
    const leftovers = await findLeftovers(ctx, target, client, 'now');
    expect(leftovers).toEqual([
      { id: old.id, name: 'conformance-before.bin', tags: ['conformance-suite', 'conformance-run-before'] },
    ]);
    expect(leftovers?.some((l) => l.id === mine.id)).toBe(false);
    expect(requests.at(-1)).toMatchObject({
      method: 'GET',
      path: '/api/assets',
      query: 'include_tags=conformance-suite&limit=500',
    });
    await client.close();
  });
  test('a list that is not one (another status, not JSON, no assets array): not known', async () => {
    for (const answer of [
      json(404, { assets: [{ id: 'b', tags: ['conformance-suite', 'conformance-run-z'] }] }),
      { status: 200, headers: {}, body: { text: 'x' } },
      json(200, { items: [] }),
    ]) {
      const { ctx, client, target } = await setup({
        reply: (reply, request) => (request.method === 'GET' && request.path === '/api/assets' ? answer : reply),
      });
      expect(await findLeftovers(ctx, target, client, 'now')).toBeNull();
      await client.close();
    }
  });
  test('entries without a name or tags are read as empty', async () => {
    const { ctx, client, target } = await setup({
      reply: (reply, request) =>
        request.method === 'GET' && request.path === '/api/assets'
          ? json(200, {
              assets: [
                { id: 'a' },
                'x',
                { id: 'b', name: 'n', tags: ['conformance-suite', 'conformance-run-z'] },
                { id: 'c', tags: ['conformance-suite', 'conformance-run-y'] },
              ],
            })
          : reply,
    });
    expect(await findLeftovers(ctx, target, client, 'now')).toEqual([
      { id: 'b', name: 'n', tags: ['conformance-suite', 'conformance-run-z'] },
      { id: 'c', name: '', tags: ['conformance-suite', 'conformance-run-y'] },
    ]);
    await client.close();
  });
});
