/**
 * Safe and robust against real targets: created assets are deleted, existing ones restored (also
 * when interrupted), pacing and budgets hold, and every fault of a target ends in a clear verdict
 * or exit 2 with one line, in bounded time.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { bodyOf, isObject } from '../../fixtures/servers/helpers.ts';
import { fixtureServer } from '../../fixtures/servers/index.ts';
import { checkContext } from '../../src/checks/context.ts';
import { runCli } from '../../src/cli/cli.ts';
import { loadContract } from '../../src/contract/load.ts';
import { HttpClient } from '../../src/exchange/http.ts';
import { preflight } from '../../src/runner/preflight.ts';
import { isLoopback, runConformance } from '../../src/runner/run.ts';
import { type AssetRecord, error, json, type ReferenceServer, updatedBody } from '../../src/server/index.ts';
import { httpServer, tcpServer } from '../helpers/faults.ts';
import { assetMetadata, SPEC } from '../helpers/helpers.ts';
import { referenceServers } from '../helpers/reference.ts';

const KEY = 'safety-key-0123456789';

const { server, config } = referenceServers(KEY);

async function cli(
  argv: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    [...argv, '--report-dir', mkdtempSync(join(tmpdir(), 'safety-'))],
    env,
    { out: (l) => out.push(l), err: (l) => err.push(l) },
    { signal: new AbortController().signal },
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('--create-asset', () => {
  test('uploads a new asset, checks its hash, runs on it, deletes it, and leaves the others alone', async () => {
    const s = await server();
    const before = assetMetadata(s);
    const report = await runConformance(config(s, { assetId: undefined, createAsset: true }));
    expect(report.exitCode).toBe(0);
    expect(report.target.createdAsset).toBe(true);
    expect(report.target.assetId).not.toBe(s.assetId);
    expect(report.requirements.find((r) => r.id === 'CREATE-HASH-BLAKE3')).toMatchObject({ status: 'pass', cases: 1 });
    expect(report.cleanup).toMatchObject({ status: 'deleted', id: report.target.assetId });
    expect([...s.store.assets.keys()]).toEqual([s.assetId]);
    expect(assetMetadata(s)).toEqual(before);
  });

  test('never adopts an existing asset: an upload answered with one is refused, and nothing is deleted', async () => {
    const s = await server({
      name: 'returns-existing',
      reply: (reply, request, store) =>
        request.method === 'POST'
          ? { ...reply, status: 200, body: { json: { ...[...store.assets.values()][0], created_new: false } } }
          : reply,
    });
    await expect(runConformance(config(s, { assetId: undefined, createAsset: true }))).rejects.toThrow(
      /existing asset .*refusing to use or delete it/,
    );
    expect(s.store.assets.has(s.assetId)).toBe(true);
  });

  test('finds leftovers of earlier runs by their tags, and deletes them only when asked', async () => {
    const s = await server();
    const seeded = s.store.assets.get(s.assetId);
    if (!seeded) throw new Error('no seeded asset');
    s.store.assets.set('11111111-1111-4111-8111-111111111111', {
      ...seeded,
      id: '11111111-1111-4111-8111-111111111111',
      tags: ['conformance-suite', 'conformance-run-0123456789ab'],
      asset_hash: `blake3:${'1'.repeat(64)}`,
    });
    const events: string[] = [];
    await runConformance(
      config(s, {
        assetId: undefined,
        createAsset: true,
        runs: 5,
        onEvent: (e) => e.type === 'leftovers' && events.push(`${e.leftovers.map((l) => l.id).join()} ${e.deleting}`),
      }),
    );
    expect(events).toEqual(['11111111-1111-4111-8111-111111111111 false']);
    expect(s.store.assets.has('11111111-1111-4111-8111-111111111111')).toBe(true);
    await runConformance(
      config(s, {
        assetId: undefined,
        createAsset: true,
        deleteLeftovers: true,
        runs: 5,
        onEvent: (e) => e.type === 'leftovers' && events.push(`${e.leftovers.length} ${e.deleting}`),
      }),
    );
    expect(events.at(-1)).toBe('1 true');
    // found again, with nobody listening for events
    s.store.assets.set('22222222-2222-4222-8222-222222222222', {
      ...seeded,
      id: '22222222-2222-4222-8222-222222222222',
      tags: ['conformance-suite', 'conformance-run-0123456789ab'],
    });
    const quiet = await runConformance(
      config(s, { assetId: undefined, createAsset: true, deleteLeftovers: true, runs: 5 }),
    );
    expect(quiet.leftovers?.map((l) => l.id)).toEqual(['22222222-2222-4222-8222-222222222222']);
    expect([...s.store.assets.keys()]).toEqual([s.assetId]);
  });
});

describe('mass assignment: what a faulty server took from the body is sent back', () => {
  const own = (s: ReferenceServer) => {
    const a = s.store.assets.get(s.assetId) as AssetRecord;
    return { id: a.id, asset_hash: a.asset_hash, size: a.size, created_at: a.created_at };
  };
  test('its hash, size and creation time: the failure is reported and the asset has its own values again', async () => {
    const s = await server(fixtureServer('mass-assignment')?.variant);
    const before = own(s);
    const report = await runConformance(config(s, { only: ['edges'] }));
    expect(report.requirements.find((r) => r.id === 'STATE-OWN-FIELDS')?.status).toBe('fail');
    expect(own(s)).toEqual(before);
    expect(report.restore?.status).toBe('restored');
  });
  test('its id: the asset is found at the id sent and moved back', async () => {
    // a server that takes the id too: the asset moves to the id sent
    const s = await server({
      name: 'takes-the-id',
      reply: (reply, request, store) => {
        const asset = request.id ? store.assets.get(request.id.toLowerCase()) : undefined;
        const body = bodyOf(request);
        if (
          request.method !== 'PUT' ||
          reply.status !== 200 ||
          !asset ||
          !isObject(body) ||
          typeof body['id'] !== 'string'
        )
          return reply;
        store.assets.delete(asset.id);
        asset.id = body['id'].toLowerCase();
        store.assets.set(asset.id, asset);
        return json(200, updatedBody(asset));
      },
    });
    const report = await runConformance(config(s, { only: ['edges'] }));
    expect(report.requirements.find((r) => r.id === 'STATE-OWN-FIELDS')?.counterexample?.violated[0]?.message).toMatch(
      /^Received: id "[0-9a-f-]{36}" in the 200/,
    );
    expect([...s.store.assets.keys()]).toEqual([s.assetId]);
    expect(report.restore?.status).toBe('restored');
  });
});

describe('--asset-id without a way to read the values back', () => {
  test('a non-loopback target without GET is refused before anything changes', async () => {
    const s = await server({ name: 'no-get', get: false });
    const contract = loadContract(SPEC);
    const ctx = checkContext(contract, s.assetId);
    const client = new HttpClient({ timeoutMs: 2000 });
    const before = assetMetadata(s);
    await expect(preflight(ctx, { baseUrl: s.baseUrl, apiKey: KEY }, client, true)).rejects.toThrow(
      /--allow-unrestored/,
    );
    await client.close();
    expect(assetMetadata(s)).toEqual(before);
    expect(isLoopback('http://127.0.0.1:8080')).toBe(true);
    expect(isLoopback('http://[::1]:8080')).toBe(true);
    expect(isLoopback('https://cloud.comfy.org')).toBe(false);
  });
});

describe('pacing', () => {
  test('a request budget stops the run cleanly and says so', async () => {
    const s = await server();
    const report = await runConformance(config(s, { maxRequests: 120, runs: 100 }));
    expect(report.stopped).toMatch(/request budget \(--max-requests 120\)/);
    expect(report.requests.sent).toBeLessThanOrEqual(120 + 4); // + restore and its check
    expect(report.restore.status).toBe('restored');
    expect(report.requirements.some((r) => r.status === 'skip' && /not judged|not run/.test(`${r.reason}`))).toBe(true);
  });
  test('a run time limit stops the run cleanly', async () => {
    const s = await server({ name: 'slow', delayMs: () => 5 });
    const started = Date.now();
    const report = await runConformance(config(s, { runTimeoutMs: 700, runs: 1000 }));
    expect(report.stopped).toMatch(/run time limit/);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(report.restore.status).toBe('restored');
  });
  test('the rate ceiling spaces requests', async () => {
    const s = await server();
    const client = new HttpClient({ timeoutMs: 2000, rate: 50 });
    const started = Date.now();
    for (let i = 0; i < 11; i++)
      await client.send({ method: 'GET', url: `${s.baseUrl}/api/assets/${s.assetId}`, headers: { 'x-api-key': KEY } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    await client.close();
  });
  test('lanes: requests overlap on the server with --concurrency 4, never with 1, and the verdict is the same', async () => {
    // in flight: from the server's delay (after the request was read) to its reply
    const overlap = async (concurrency: number): Promise<{ most: number; exitCode: number }> => {
      let open = 0;
      let most = 0;
      const s = await server({
        name: 'counts-in-flight',
        delayMs: () => {
          open++;
          most = Math.max(most, open);
          return 2;
        },
        reply: (reply) => {
          open--;
          return reply;
        },
      });
      const report = await runConformance(config(s, { concurrency, runs: 40, only: ['invalid-body', 'malformed-id'] }));
      expect(report.settings.concurrency).toBe(concurrency);
      return { most, exitCode: report.exitCode };
    };
    const one = await overlap(1);
    const four = await overlap(4);
    expect(one).toEqual({ most: 1, exitCode: 0 });
    expect(four.most).toBeGreaterThanOrEqual(3);
    expect(four.exitCode).toBe(0);
  });
});

describe('faults of the target: exit 2 with one line, or a verdict', () => {
  test('DNS failure', async () => {
    const r = await cli(
      ['--base-url', 'http://no-such-host.invalid', '--asset-id', '6f1c2a9e-4b7d-4c3a-9e8f-0a1b2c3d4e5f'],
      { CONFORMANCE_API_KEY: KEY },
    );
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/target unreachable: .*(host name not resolved|connection)/);
  });
  test('TLS: a certificate the client does not trust is exit 2; with --ca the https target works', async () => {
    const s = await server(undefined, { tls: true });
    const bad = await cli(['--base-url', s.baseUrl, '--asset-id', s.assetId, '--runs', '5'], {
      CONFORMANCE_API_KEY: KEY,
    });
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/target unreachable: .*TLS error/);
    const good = await cli(
      [
        '--base-url',
        s.baseUrl,
        '--asset-id',
        s.assetId,
        '--runs',
        '5',
        '--ca',
        fileURLToPath(new URL('../../fixtures/tls/localhost-cert.pem', import.meta.url)),
      ],
      { CONFORMANCE_API_KEY: KEY },
    );
    expect(good.code).toBe(0);
  });
  test('a redirect is not followed: exit 2 saying where it points', async () => {
    const r0 = await httpServer((_req, res) => {
      res.writeHead(301, { location: 'https://elsewhere.example/api' });
      res.end();
    });
    try {
      const r = await cli(['--base-url', r0.url, '--asset-id', '6f1c2a9e-4b7d-4c3a-9e8f-0a1b2c3d4e5f'], {
        CONFORMANCE_API_KEY: KEY,
      });
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/redirects \(301 to https:\/\/elsewhere.example\/api\)/);
    } finally {
      await r0.close();
    }
  });
  test('invalid HTTP', async () => {
    const t = await tcpServer((socket) => socket.end('SSH-2.0-OpenSSH_9.6\r\n'));
    try {
      const r = await cli(['--base-url', t.url, '--asset-id', '6f1c2a9e-4b7d-4c3a-9e8f-0a1b2c3d4e5f'], {
        CONFORMANCE_API_KEY: KEY,
      });
      expect(r.code).toBe(2);
      // the run's header line, then one line that says why; no stack trace
      expect(r.err.split('\n').filter((l) => l.startsWith('comfy-assets-conformance: target'))).toHaveLength(1);
      expect(r.err).not.toMatch(/^\s+at /m);
      expect(r.err).toMatch(/target unreachable: .*(invalid HTTP|closed or reset)/);
    } finally {
      await t.close();
    }
  });
  test('a body over the cap is RESP-COMPLETE, a 503 with Retry-After is waited out like a 429', async () => {
    let n = 0;
    const s = await server({
      name: 'huge-and-busy',
      reply: (reply, request) => {
        n++;
        if (request.id && !request.id.startsWith('6f1c') && reply.status === 404)
          return { ...reply, body: { text: JSON.stringify({ code: 'NOT_FOUND', message: 'x'.repeat(300_000) }) } };
        return n % 9 === 0
          ? { ...error(503, 'BUSY', 'busy'), headers: { 'content-type': 'application/json', 'retry-after': '0' } }
          : reply;
      },
    });
    const report = await runConformance(config(s, { maxBodyBytes: 100_000, only: ['unknown-id', 'valid-update'] }));
    expect(report.requirements.find((r) => r.id === 'RESP-COMPLETE')?.counterexample?.response.failure).toMatch(
      /^too-large/,
    );
    expect(report.requests.rateLimited).toBeGreaterThan(0);
    expect(report.requirements.find((r) => r.id === 'RESP-NO-5XX')?.status).toBe('pass');
  });
});
