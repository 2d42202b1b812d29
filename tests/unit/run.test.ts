/**
 * One run from start to end (src/runner/run.ts): the replay command it prints, what counts as
 * loopback, the events of its set-up, the settings and counts its report states, how it stops, the
 * recorded state a replay starts from, the reference ids it may send, and an uploaded asset's hash.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, test } from 'vitest';
import { fixtureServer } from '../../fixtures/servers/index.ts';
import { DEFAULTS } from '../../src/defaults.ts';
import { RunError } from '../../src/errors.ts';
import { isJsonObject } from '../../src/json.ts';
import { counterexamplesOf, TOOL } from '../../src/report/model.ts';
import { currentProperty } from '../../src/runner/engine.ts';
import { defaultReplayCommand, isLoopback, type RunConfig, runConformance } from '../../src/runner/run.ts';
import { json, type ReferenceServer, type Variant } from '../../src/server/index.ts';
import { assetMetadata, SPEC, SPEC_2026_08 } from '../helpers/helpers.ts';
import { referenceServers } from '../helpers/reference.ts';

const KEY = 'run-key-0123456789';

/** The preview_id a PUT body sends, as a list of none or one (a body that is not JSON sends none). */
function previewIn(text: string): unknown[] {
  try {
    const body: unknown = JSON.parse(text);
    return isJsonObject(body) && Object.hasOwn(body, 'preview_id') ? [body['preview_id']] : [];
  } catch {
    return [];
  }
}
const { server, config } = referenceServers(KEY);

describe('the replay command', () => {
  const base: RunConfig = { specFile: SPEC, runs: 30, seed: 5, strict: false, timeoutMs: 1000 };
  const line = { property: 'auth', seed: 9, path: '3:1:0' };

  test.each([
    ['the embedded server', base, undefined, `${TOOL.command} --property auth --seed 9 --runs 30 --path '3:1:0'`],
    [
      'a target and its asset',
      { ...base, baseUrl: 'https://x.test', assetId: 'a-1' },
      undefined,
      `${TOOL.command} --base-url https://x.test --asset-id a-1 --property auth --seed 9 --runs 30 --path '3:1:0'`,
    ],
    [
      'a target and an asset it creates, another spec',
      { ...base, baseUrl: 'https://x.test', createAsset: true, specFile: SPEC_2026_08 },
      undefined,
      `${TOOL.command} --base-url https://x.test --create-asset --spec ${SPEC_2026_08} --property auth --seed 9 --runs 30 --path '3:1:0'`,
    ],
    [
      'a target without an asset id, a recorded state with a quote',
      { ...base, baseUrl: 'https://x.test' },
      { name: "it's" },
      `${TOOL.command} --base-url https://x.test --asset-id  --property auth --seed 9 --runs 30 --path '3:1:0' --start-from '{"name":"it'\\''s"}'`,
    ],
  ])('%s', (_, cfg, state, expected) => {
    expect(defaultReplayCommand(cfg)({ ...line, ...(state ? { state } : {}) })).toBe(expected);
  });
});

test.each([
  ['http://localhost:8080', true],
  ['http://127.0.0.1', true],
  ['http://127.200.3.4:1', true],
  ['http://127.10.20.30', true],
  ['http://[::1]:8080', true],
  ['http://[0:0:0:0:0:0:0:1]/', true],
  ['http://127.0.0.1.nip.io', false],
  ['http://my-localhost', false],
  ['http://localhost.example', false],
  ['http://128.0.0.1', false],
  ['http://[::2]', false],
  ['https://cloud.comfy.org', false],
])('loopback: %s is %s', (url, expected) => {
  expect(isLoopback(url)).toBe(expected);
});

describe('the set-up and its report', () => {
  test('events: the values read before the run, then the preflight, then the properties', async () => {
    const s = await server();
    const before = assetMetadata(s);
    const events: string[] = [];
    let values: unknown;
    const report = await runConformance(
      config(s, {
        runs: 2,
        only: ['auth'],
        onEvent: (e) => {
          if (e.type === 'snapshot') values = e.values;
          events.push(
            e.type === 'snapshot'
              ? `snapshot ${e.assetId}`
              : e.type === 'preflight'
                ? `preflight ${e.hasGet} ${e.baseUrl}`
                : e.type,
          );
        },
      }),
    );
    expect(events.slice(0, 3)).toEqual([`snapshot ${s.assetId}`, `preflight true ${s.baseUrl}`, 'property-start']);
    expect(events.at(-1)).toBe('property-end');
    // every body property, as the asset held it
    const seeded = s.store.assets.get(s.assetId) as unknown as Record<string, unknown>;
    const read = values as Record<string, unknown>;
    expect(Object.keys(read).sort()).toEqual(['mime_type', 'name', 'preview_id', 'tags', 'user_metadata']);
    for (const [k, v] of Object.entries(read)) expect(v).toEqual(seeded[k]);
    expect(assetMetadata(s)).toEqual(before);
    expect(report.target).toEqual({
      baseUrl: s.baseUrl,
      embedded: false,
      assetId: s.assetId,
      hasGet: true,
      latencyMs: expect.any(Number),
      createdAsset: false,
    });
  });

  test('settings as given, or their defaults; the requests the target received', async () => {
    let received = 0;
    const s = await server({
      name: 'counts',
      reply: (reply) => {
        received++;
        return reply;
      },
    });
    const plain = await runConformance(config(s, { runs: 3, only: ['auth'] }));
    // the default concurrency is the options table's (src/defaults.ts), not a fallback of the runner's own
    expect(plain.settings).toEqual({ concurrency: DEFAULTS.concurrency, rate: 0, maxRequests: 0, timeoutMs: 2000 });
    // the default time limit of a property (a minute at least) cuts nothing short here
    expect(plain.properties.map((p) => p.interrupted)).toEqual([false]);
    expect(plain.requests).toEqual({ sent: received, rateLimited: 0, retries: 0, resetRetries: 0 });
    const set = await runConformance(
      config(s, { runs: 3, only: ['auth'], concurrency: 3, rate: 5000, maxRequests: 900, timeoutMs: 1500 }),
    );
    expect(set.settings).toEqual({ concurrency: 3, rate: 5000, maxRequests: 900, timeoutMs: 1500 });
    expect(set.runs).toBe(3);
    expect(set.seed).toBe(5);
  });

  test('the embedded server when no target is given, closed at the end', async () => {
    const report = await runConformance({
      specFile: SPEC,
      runs: 2,
      seed: 1,
      strict: false,
      timeoutMs: 2000,
      only: ['auth'],
      shard: '2/3',
    });
    expect(report.target.embedded).toBe(true);
    expect(report.target.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(report.exitCode).toBe(0);
    expect(report.shard).toBe('2/3');
    await expect(fetch(`${report.target.baseUrl}/api/assets/x`)).rejects.toThrow();
  });

  test('a tap sees every request, labelled with the property that sent it', async () => {
    const s = await server();
    const labels: (string | undefined)[] = [];
    const report = await runConformance(
      config(s, { runs: 2, only: ['malformed-id'], tap: () => labels.push(currentProperty.getStore()) }),
    );
    expect(labels.length).toBe(report.requests.sent);
    expect(labels).toContain('malformed-id');
    expect(labels.filter((l) => l !== undefined && l !== 'malformed-id')).toEqual([]);
  });

  test('the rate ceiling holds for the whole run', async () => {
    const s = await server();
    const started = Date.now();
    const report = await runConformance(config(s, { runs: 8, only: ['malformed-id'], rate: 40 }));
    // the preflight's and the restore's requests (4) are not paced: they must go out whatever the ceiling
    const paced = report.requests.sent - 4;
    expect(paced).toBeGreaterThanOrEqual(8);
    expect(Date.now() - started).toBeGreaterThanOrEqual(((paced - 1) / 40) * 1000);
  });
});

describe('how a run stops', () => {
  test('a signal aborted before the start: nothing is run, the reason is given', async () => {
    const s = await server();
    const controller = new AbortController();
    controller.abort('Ctrl-C');
    const report = await runConformance(config(s, { signal: controller.signal }));
    expect(report.stopped).toBe('interrupted (Ctrl-C)');
    expect(report.properties.every((p) => p.status === 'skip')).toBe(true);
  });

  test("a bare abort() from code says so, never an AbortError's text", async () => {
    const s = await server();
    const controller = new AbortController();
    controller.abort();
    const report = await runConformance(config(s, { signal: controller.signal }));
    expect(report.stopped).toBe('interrupted (aborted by the caller)');
    expect(JSON.stringify(report)).not.toContain('AbortError');
  });

  test('a signal aborted during the run: nothing more is sent, the reason is given, the asset is put back', async () => {
    const controller = new AbortController();
    let puts = 0;
    const s = await server({
      name: 'aborts-after-five',
      reply: (reply, request) => {
        if (request.method === 'PUT' && ++puts === 5) controller.abort('mid-run');
        return reply;
      },
    });
    const before = assetMetadata(s);
    const report = await runConformance(config(s, { runs: 100, signal: controller.signal }));
    expect(report.stopped).toBe('interrupted (mid-run)');
    expect(report.requests.sent).toBeLessThan(12);
    expect(report.restore.status).toBe('restored');
    expect(assetMetadata(s)).toEqual(before);
  });

  test('the run time limit names its option and value', async () => {
    const s = await server({ name: 'slow', delayMs: () => 5 });
    const report = await runConformance(config(s, { runTimeoutMs: 300, runs: 1000 }));
    expect(report.stopped).toBe('the run time limit (--run-timeout-ms 300) was reached');
  });
});

describe('--start-from', () => {
  test('the recorded state is put first, and the values before the run are put back at the end', async () => {
    // the asset's name when each request of the property arrived (to a malformed id: not the asset)
    const names: string[] = [];
    const s = await server({
      name: 'records',
      reply: (reply, request, store) => {
        if (request.method === 'PUT' && request.id !== s.assetId) names.push(store.assets.get(s.assetId)?.name ?? '');
        return reply;
      },
    });
    const before = assetMetadata(s);
    const report = await runConformance(
      config(s, { runs: 5, only: ['malformed-id'], startFrom: { name: 'recorded' } }),
    );
    expect(names.length).toBeGreaterThanOrEqual(5);
    expect(new Set(names)).toEqual(new Set(['recorded']));
    expect(report.restore.status).toBe('restored');
    expect(assetMetadata(s)).toEqual(before);
  });

  test('a state the target refuses: the run cannot be made, and the asset is as before', async () => {
    const s = await server();
    const before = assetMetadata(s);
    const run = runConformance(config(s, { runs: 1, only: ['auth'], startFrom: { name: 5 } }));
    await expect(run).rejects.toThrow(RunError);
    await expect(run).rejects.toThrow(
      'could not put the asset in the recorded state (--start-from): the update was not accepted',
    );
    expect(assetMetadata(s)).toEqual(before);
  });
});

describe('reference ids (preview_id)', () => {
  const previews = async (
    preview: string | null,
  ): Promise<{ sent: unknown[]; skip: string | undefined; assetId: string }> => {
    const sent: unknown[] = [];
    const s = await server({
      name: 'records-previews',
      reply: (reply, request) => {
        if (request.method === 'PUT') sent.push(...previewIn(request.body));
        return reply;
      },
    });
    const seeded = s.store.assets.get(s.assetId);
    if (seeded) seeded.preview_id = preview;
    const report = await runConformance(config(s, { runs: 40, only: ['reference-update'] }));
    return { sent, skip: report.properties[0]?.skipReason, assetId: s.assetId };
  };

  test('one the run can put back: the asset may name itself', async () => {
    const { sent, skip, assetId } = await previews('11111111-2222-4333-8444-555555555555');
    expect(skip).toBeUndefined();
    expect(sent).toContain(assetId);
    expect(sent.filter((p) => p !== assetId).length).toBeGreaterThan(0);
  });

  test('one the run cannot put back (null, and the schema has no null): no value is sent, the property says why', async () => {
    const { sent, skip } = await previews(null);
    expect(sent).toEqual([]);
    expect(skip).toMatch(/^not exercised, to do no harm: the asset's preview_id before the run cannot be sent back/);
  });
});

/** Whether 127.0.0.1 answers at its IPv4-mapped IPv6 address (not on a kernel without IPv6). */
async function mappedReachable(): Promise<boolean> {
  const probe = createServer((_, res) => res.end()).listen(0, '127.0.0.1');
  await once(probe, 'listening');
  try {
    await fetch(`http://[::ffff:127.0.0.1]:${(probe.address() as AddressInfo).port}/`);
    return true;
  } catch {
    return false;
  } finally {
    probe.close();
  }
}

describe.skipIf(!(await mappedReachable()))('a target whose values cannot be read back', () => {
  // no GET, and a 200 that lists none of the values
  const unreadable: Variant = { name: 'unreadable', get: false, updatedBody: (a) => ({ id: a.id }) };
  // an address that is not loopback by its name, and reaches this machine all the same
  const mapped = (s: ReferenceServer): string => s.baseUrl.replace('127.0.0.1', '[::ffff:127.0.0.1]');

  test('not loopback: refused before anything is sent that could change it, unless --allow-unrestored', async () => {
    const s = await server(unreadable);
    const before = assetMetadata(s);
    await expect(runConformance(config(s, { baseUrl: mapped(s), runs: 2 }))).rejects.toThrow(/--allow-unrestored/);
    expect(assetMetadata(s)).toEqual(before);
    const report = await runConformance(
      config(s, { baseUrl: mapped(s), runs: 2, only: ['auth'], allowUnrestored: true }),
    );
    expect(report.restore.status).not.toBe('restored');
  });

  test('loopback, or an asset the run created: the run goes on', async () => {
    const previews: unknown[] = [];
    const s = await server({
      ...unreadable,
      reply: (reply, request) => {
        if (request.method === 'PUT') previews.push(...previewIn(request.body));
        return reply;
      },
    });
    const report = await runConformance(config(s, { runs: 20, only: ['auth', 'reference-update'] }));
    expect(report.properties.map((p) => p.status)).not.toContain('skip');
    // values it cannot put back: the asset is never named as its own preview
    expect(previews.length).toBeGreaterThan(0);
    expect(previews).not.toContain(s.assetId);
    const created = await runConformance(
      config(s, { baseUrl: mapped(s), assetId: undefined, createAsset: true, runs: 2, only: ['auth'] }),
    );
    expect(created.target.createdAsset).toBe(true);
  });
});

describe('--create-asset', () => {
  test('the created asset may name itself as its preview (the run deletes it anyway)', async () => {
    let created = '';
    const previews: unknown[] = [];
    const s = await server({
      name: 'records-previews',
      reply: (reply, request) => {
        if (request.method === 'POST' && reply.body && 'json' in reply.body)
          created = String((reply.body.json as Record<string, unknown>)['id']);
        if (request.method === 'PUT' && request.id === created) previews.push(...previewIn(request.body));
        return reply;
      },
    });
    const report = await runConformance(
      config(s, { assetId: undefined, createAsset: true, runs: 40, only: ['reference-update'] }),
    );
    expect(report.properties[0]?.status).toBe('pass');
    expect(previews).toContain(created);
  });

  test('an upload answered with another hash: CREATE-HASH-BLAKE3 fails with the upload as its case', async () => {
    const s = await server({
      name: 'wrong-hash',
      reply: (reply, request) => {
        if (request.method !== 'POST' || !reply.body || !('json' in reply.body)) return reply;
        return json(reply.status, { ...(reply.body.json as object), asset_hash: `blake3:${'0'.repeat(64)}` });
      },
    });
    const events: string[] = [];
    const report = await runConformance(
      config(s, {
        assetId: undefined,
        createAsset: true,
        runs: 2,
        only: ['auth'],
        onEvent: (e) => {
          if (e.type === 'created' || e.type === 'snapshot' || e.type === 'leftovers') events.push(`${e.type}`);
        },
      }),
    );
    // no leftovers of earlier runs, no values to put back
    expect(events).toEqual(['created']);
    expect(report.restore).toEqual({
      status: 'not-possible',
      fields: [],
      original: {},
      message: 'the run used an asset it created (deleted at the end)',
    });
    const r = report.requirements.find((q) => q.id === 'CREATE-HASH-BLAKE3');
    expect(r).toMatchObject({ status: 'fail', cases: 1 });
    const [cx] = r ? counterexamplesOf(r) : [];
    expect(cx).toMatchObject({ property: 'create-asset', seed: 0, path: '' });
    // one kind of hash failure: no kind shown
    expect(cx).not.toHaveProperty('kind');
    expect(cx?.description ?? '').toMatch(/^POST \/api\/assets with \d+ random bytes$/);
    expect(cx?.violated.map((v) => v.message)).toEqual([
      expect.stringMatching(
        new RegExp(`^Received: asset_hash blake3:${'0'.repeat(64)} / Expected: blake3:[0-9a-f]{64}$`),
      ),
    ]);
    expect([...s.store.assets.keys()]).toEqual([s.assetId]);
  });

  test('an upload answered without a hash: CREATE-HASH-BLAKE3 has no case', async () => {
    const s = await server({
      name: 'no-hash',
      reply: (reply, request) => {
        if (request.method !== 'POST' || !reply.body || !('json' in reply.body)) return reply;
        const { asset_hash: _, ...rest } = reply.body.json as Record<string, unknown>;
        return json(reply.status, rest);
      },
    });
    const report = await runConformance(config(s, { assetId: undefined, createAsset: true, runs: 2, only: ['auth'] }));
    expect(report.requirements.find((q) => q.id === 'CREATE-HASH-BLAKE3')).toMatchObject({ status: 'skip', cases: 0 });
  });

  test('a failure after the upload, before the properties: the created asset is deleted all the same', async () => {
    const s = await server({
      name: 'redirects-new-assets',
      reply: (reply, request) =>
        request.method === 'GET' && request.id !== undefined && request.id !== s.assetId
          ? { status: 302, headers: { location: 'https://elsewhere.test/' } }
          : reply,
    });
    await expect(runConformance(config(s, { assetId: undefined, createAsset: true, runs: 2 }))).rejects.toThrow(
      RunError,
    );
    expect([...s.store.assets.keys()]).toEqual([s.assetId]);
  });
});

describe('several assets', () => {
  const SECOND = '0b5e2a44-7c1d-4e8f-9a3b-6d2c1e0f4a57';
  /** A reference server holding a second asset beside its own, a copy of it under another id. */
  async function twoAssets(variant?: Variant): Promise<ReferenceServer> {
    const s = await server(variant);
    const own = s.store.assets.get(s.assetId);
    if (!own) throw new Error('no seeded asset');
    s.store.assets.set(SECOND, { ...structuredClone(own), id: SECOND, preview_id: SECOND });
    return s;
  }

  test('the properties are dealt out to the assets: each sends to one, both are used, both put back', async () => {
    const s = await twoAssets();
    const before = structuredClone([...s.store.assets.values()]);
    const sentTo = new Map<string, Set<string>>();
    const report = await runConformance(
      config(s, {
        assetId: [s.assetId, SECOND],
        runs: 10,
        concurrency: 2,
        tap: (r) => {
          const property = currentProperty.getStore();
          const asset = [s.assetId, SECOND].find((id) => r.url.includes(id));
          if (!property || !asset) return;
          sentTo.set(property, (sentTo.get(property) ?? new Set()).add(asset));
        },
      }),
    );
    expect(report.exitCode).toBe(0);
    expect(report.target).toMatchObject({ assetId: s.assetId, assetIds: [s.assetId, SECOND] });
    // a property's whole sequence stays on its asset, and each asset has its share of the properties
    for (const [property, assets] of sentTo) expect([property, assets.size]).toEqual([property, 1]);
    const byAsset = [...sentTo.values()].map((a) => [...a][0]);
    expect(new Set(byAsset)).toEqual(new Set([s.assetId, SECOND]));
    expect(report.restore.status).toBe('restored');
    expect(report.restore.message).toContain(`asset ${s.assetId}: put back`);
    expect(report.restore.message).toContain(`asset ${SECOND}: put back`);
    const after = [...s.store.assets.values()].map(({ updated_at: _, ...a }) => a);
    expect(after).toEqual(before.map(({ updated_at: _, ...a }) => a));
  });

  test('a counterexample names the asset it was sent to, and its replay line that asset', async () => {
    const s = await twoAssets(fixtureServer('accepts-invalid')?.variant);
    const report = await runConformance(config(s, { assetId: [s.assetId, SECOND], runs: 20, seed: 3 }));
    const found = report.requirements
      .flatMap((r) => counterexamplesOf(r))
      .filter((cx) => cx.property !== 'create-asset');
    expect(found.length).toBeGreaterThan(0);
    for (const cx of found) {
      expect([s.assetId, SECOND]).toContain(cx.assetId);
      expect(cx.replay).toContain(`--asset-id ${cx.assetId} `);
    }
    // both assets showed a failure (invalid bodies taken: on each asset's properties)
    expect(new Set(found.map((cx) => cx.assetId)).size).toBe(2);
  });

  test('an asset that cannot be put back: the restore is failed, and names that asset with its values', async () => {
    let restoring = false;
    const s = await twoAssets({
      name: 'second-refuses-the-restore',
      reply: (reply, request) =>
        restoring && request.method === 'PUT' && request.id === SECOND ? { status: 503, headers: {} } : reply,
    });
    const report = await runConformance(
      config(s, {
        assetId: [s.assetId, SECOND],
        runs: 5,
        only: ['valid-update', 'reference-update'],
        onEvent: (e) => {
          if (e.type === 'property-end' && e.pass === 'all' && e.result.name === 'reference-update') restoring = true;
        },
      }),
    );
    expect(report.restore.status).toBe('failed');
    expect(Object.keys(report.restore.original)).toEqual([SECOND]);
    expect(report.restore.message).toMatch(new RegExp(`asset ${s.assetId}: put back.*; asset ${SECOND}: `));
  });
});
