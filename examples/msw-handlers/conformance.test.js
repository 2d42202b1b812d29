/**
 * The conformance suite as this project's vitest tests, against the MSW handlers run in-process
 * through MSW's `getResponse`: one test per requirement. RESP-HTTP (framing and resets, which only
 * a connection shows) is skipped as not exercised.
 *
 * MSW_FAULT=merge-metadata npm test shows a failure (A200-OBJECT-REPLACED).
 */
import { describeConformance } from 'comfy-assets-conformance/vitest';
import { getResponse } from 'msw';
import { createHandlers } from './handlers.js';

const { handlers, apiKey, assetId } = createHandlers({ fault: process.env.MSW_FAULT });

describeConformance({
  // getResponse answers undefined for a request no handler takes: the last handler takes them all
  fetch: async (request) => (await getResponse(handlers, request)) ?? new Response(null, { status: 501 }),
  apiKey,
  assetId,
  seed: Number(process.env.CONFORMANCE_SEED ?? 20261203),
  runs: 100,
  reportDir: 'conformance-report',
});
