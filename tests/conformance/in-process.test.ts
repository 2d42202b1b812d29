/**
 * The vitest entry on in-process targets, as the examples use it: the Hono app's `app.fetch` and
 * the MSW handlers through MSW's `getResponse` (examples/hono-app, examples/msw-handlers), each a
 * test per requirement, with the tier's seed. RESP-HTTP is skipped there as not exercised.
 */
import { getResponse, type RequestHandler } from 'msw';
import { describeConformance } from '../../src/vitest.ts';
import { SEED } from './define.ts';

interface Mock {
  apiKey: string;
  assetId: string;
}
// the examples are plain JavaScript, as their users' projects: their shapes stated here
// @ts-expect-error: no declaration file (the shape is stated here)
const { createApp } = (await import('../../examples/hono-app/app.js')) as {
  createApp(): Mock & { app: { fetch(request: Request): Response | Promise<Response> } };
};
// @ts-expect-error: no declaration file (the shape is stated here)
const { createHandlers } = (await import('../../examples/msw-handlers/handlers.js')) as {
  createHandlers(): Mock & { handlers: RequestHandler[] };
};

const hono = createApp();
describeConformance({
  name: `a Hono app, in-process (seed ${SEED})`,
  fetch: hono.app.fetch,
  apiKey: hono.apiKey,
  assetId: hono.assetId,
  seed: SEED,
  reportDir: '',
});

const msw = createHandlers();
describeConformance({
  name: `MSW handlers, in-process (seed ${SEED})`,
  fetch: async (request) => (await getResponse(msw.handlers, request)) ?? new Response(null, { status: 501 }),
  apiKey: msw.apiKey,
  assetId: msw.assetId,
  seed: SEED,
  reportDir: '',
});
