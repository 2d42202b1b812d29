/**
 * What a real target's setting needs, through the real CLI: headers added to every request
 * (--header), the form fields a server requires of an upload (--upload-field), and proxies from the
 * standard variables, with a real proxy in between that every request is shown to go through.
 */
import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { answer } from '../../fixtures/servers/helpers.ts';
import { type ReferenceServer, startReferenceServer, type Variant } from '../../src/server/index.ts';
import { spawnCli } from '../helpers/spawn.ts';

const KEY = 'target-options-key-0123456789';
const closing: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closing.splice(0).map((close) => close()));
});

async function serve(variant: Variant): Promise<ReferenceServer> {
  const s = await startReferenceServer({ apiKey: KEY, variant });
  closing.push(() => s.close());
  return s;
}

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string }> {
  const run = spawnCli(args, { CONFORMANCE_API_KEY: KEY, ...env });
  const code = await run.exited;
  return { code, out: run.output() };
}

describe('--header', () => {
  test('every request carries the headers given; the key header cannot be one of them', async () => {
    const seen: Record<string, string | string[] | undefined>[] = [];
    const s = await serve({
      name: 'records-headers',
      intercept: (request) => {
        seen.push(request.headers);
        return false;
      },
    });
    const target = ['--base-url', s.baseUrl, '--asset-id', s.assetId, '--runs', '5', '--seed', '1'];
    const run = await cli([...target, '--header', 'X-Tenant: acme', '--header', 'traceparent: 00-abc-def-01']);
    expect(run.code, run.out).toBe(0);
    expect(seen.length).toBeGreaterThan(100);
    expect(seen.filter((h) => h['x-tenant'] !== 'acme' || h['traceparent'] !== '00-abc-def-01')).toEqual([]);
    // the curl lines a failure prints would carry them too: they are part of each request sent
    const refused = await cli([...target, '--header', 'x-api-key: something']);
    expect(refused.code).toBe(2);
    expect(refused.out).toMatch(/--header cannot set X-API-Key, the key's header/);
    const malformed = await cli([...target, '--header', 'no colon here']);
    expect(malformed.code).toBe(2);
    expect(malformed.out).toMatch(/--header must be "Name: value"/);
  });
});

describe('--upload-field', () => {
  // like the ComfyUI routes: an upload needs a destination role among its tags
  const roleRequired: Variant = {
    name: 'upload-role-required',
    intercept: (request, res) =>
      request.method === 'POST' && !/name="tags"\r\n\r\n(input|models|output)\r\n/.test(request.body)
        ? answer(res, 400, {
            code: 'INVALID_UPLOAD',
            message: 'uploads require exactly one destination role: input, models, or output',
          })
        : false,
  };

  test('an upload refused with 400 names the option and --asset-id; with the field the run goes on and deletes its asset', async () => {
    const s = await serve(roleRequired);
    const before = [...s.store.assets.keys()];
    const target = ['--base-url', s.baseUrl, '--create-asset', '--runs', '5', '--seed', '1'];
    const refused = await cli(target);
    expect(refused.code).toBe(2);
    expect(refused.out).toMatch(/answered 400: .*destination role.*--upload-field NAME=VALUE .*--asset-id/);
    const run = await cli([...target, '--upload-field', 'tags=input']);
    expect(run.code, run.out).toBe(0);
    expect(run.out).toMatch(/created asset [0-9a-f-]{36} for this run/);
    expect([...s.store.assets.keys()]).toEqual(before);
  });
});

/** An HTTP proxy of a few lines: CONNECT tunnels, each upstream socket's local port recorded. */
async function proxy(): Promise<{ url: string; ports: Set<number>; tunnels: () => number }> {
  const ports = new Set<number>();
  let tunnels = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req, client: Socket, head: Buffer) => {
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      tunnels++;
      if (upstream.localPort) ports.add(upstream.localPort);
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closing.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, ports, tunnels: () => tunnels };
}

describe('proxies from HTTP_PROXY, HTTPS_PROXY and NO_PROXY', () => {
  test('every request goes through the proxy; a host NO_PROXY names is reached directly', async () => {
    const from: number[] = [];
    const s = await serve({
      name: 'records-peers',
      intercept: (_request, _res, socket) => {
        from.push(socket.remotePort ?? 0);
        return false;
      },
    });
    const p = await proxy();
    const target = ['--base-url', s.baseUrl, '--asset-id', s.assetId, '--runs', '5', '--seed', '1'];
    const run = await cli(target, { HTTP_PROXY: p.url });
    expect(run.code, run.out).toBe(0);
    expect(from.length).toBeGreaterThan(100);
    expect(p.tunnels()).toBeGreaterThan(0);
    // each request came in on a connection the proxy opened
    expect(from.filter((port) => !p.ports.has(port))).toEqual([]);
    from.length = 0;
    const direct = await cli(target, { HTTP_PROXY: p.url, NO_PROXY: '127.0.0.1' });
    expect(direct.code, direct.out).toBe(0);
    expect(from.length).toBeGreaterThan(100);
    expect(from.filter((port) => p.ports.has(port))).toEqual([]);
  });
});
