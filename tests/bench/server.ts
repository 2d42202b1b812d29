/**
 * The reference server in a process of its own, for benchmarks (so that it does not share the
 * suite's event loop). Prints one JSON line {baseUrl, apiKey, assetId}; stops on SIGTERM.
 * Argument: the delay in ms added to every response (default 0); `jitter` (0 to 150 ms, one answer
 * in 30 takes 800 ms); or `limited` (429 with Retry-After: 1 to every 40th request).
 */
import { fixtureServer } from '../../fixtures/servers/index.ts';
import { startReferenceServer, type Variant } from '../../src/server/index.ts';

function variantOf(arg: string): Variant | undefined {
  if (arg === 'jitter') {
    let n = 0;
    return { name: 'jitter', delayMs: () => (++n % 30 === 0 ? 800 : Math.floor(Math.random() * 151)) };
  }
  if (arg === 'limited') return fixtureServer('rate-limited-seconds')?.variant;
  const delay = Number(arg);
  return delay > 0 ? { name: `delay-${delay}ms`, delayMs: () => delay } : undefined;
}

const variant = variantOf(process.argv[2] ?? '0');
const server = await startReferenceServer(variant ? { variant } : {});
process.stdout.write(
  `${JSON.stringify({ baseUrl: server.baseUrl, apiKey: server.apiKey, assetId: server.assetId })}\n`,
);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
