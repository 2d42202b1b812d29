/** Reference servers started by a test file, closed after each test, and the run configuration that targets one. */
import { readFileSync } from 'node:fs';
import { afterEach } from 'vitest';
import type { RunConfig } from '../../src/runner/run.ts';
import { type ReferenceServer, startReferenceServer, type Variant } from '../../src/server/index.ts';
import { SPEC } from './helpers.ts';

const cert = readFileSync(new URL('../../fixtures/tls/localhost-cert.pem', import.meta.url), 'utf8');
const key = readFileSync(new URL('../../fixtures/tls/localhost-key.pem', import.meta.url), 'utf8');

export function referenceServers(apiKey: string): {
  server(variant?: Variant, extra?: { tls?: boolean }): Promise<ReferenceServer>;
  config(s: ReferenceServer, extra?: Partial<RunConfig>): RunConfig;
} {
  const servers: ReferenceServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  return {
    async server(variant, extra = {}) {
      const s = await startReferenceServer({
        apiKey,
        ...(variant ? { variant } : {}),
        ...(extra.tls ? { tls: { cert, key } } : {}),
      });
      servers.push(s);
      return s;
    },
    config: (s, extra = {}) => ({
      specFile: SPEC,
      baseUrl: s.baseUrl,
      apiKey,
      assetId: s.assetId,
      runs: 30,
      seed: 5,
      strict: false,
      timeoutMs: 2000,
      ...extra,
    }),
  };
}
