/**
 * The reference server in a process of its own, for benchmarks (so that it does not share the
 * suite's event loop). Prints one JSON line {baseUrl, apiKey, assetId}; stops on SIGTERM.
 * Argument: the delay in ms added to every response (default 0).
 */
import { startReferenceServer } from '../../src/server/index.ts';

const delay = Number(process.argv[2] ?? 0);
const server = await startReferenceServer(
  delay > 0 ? { variant: { name: `delay-${delay}ms`, delayMs: () => delay } } : {},
);
process.stdout.write(
  `${JSON.stringify({ baseUrl: server.baseUrl, apiKey: server.apiKey, assetId: server.assetId })}\n`,
);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
