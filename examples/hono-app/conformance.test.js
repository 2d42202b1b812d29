/**
 * The conformance suite as this project's vitest tests, against the Hono app called in-process
 * (`fetch: app.fetch`): one test per requirement. RESP-HTTP (framing and resets, which only a
 * connection shows) is skipped as not exercised.
 *
 * HONO_FAULT=drop-tags npm test shows a failure (A200-ARRAY-SET).
 */
import { describeConformance } from 'comfy-assets-conformance/vitest';
import { createApp } from './app.js';

const { app, apiKey, assetId } = createApp({ fault: process.env.HONO_FAULT });

describeConformance({
  fetch: app.fetch,
  apiKey,
  assetId,
  seed: Number(process.env.CONFORMANCE_SEED ?? 20261203),
  runs: 100,
  reportDir: 'conformance-report',
});
