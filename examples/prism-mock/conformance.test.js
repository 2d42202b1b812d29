/**
 * The conformance suite as this project's vitest tests, against Prism's mock of the contract that
 * comfy-assets-conformance ships (spec/openapi-cloud.yaml), judged as a stateless mock: the wire
 * (statuses, content types, shapes, auth, malformed input), not what an update does to the asset.
 * Prism's own deviations are known failures (prism.expectations.yaml), each with its reason.
 *
 * PRISM_FAULT=no-expectations npm test runs without them: RESP-BODY-SCHEMA and AUTH-401 fail.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { describeConformance } from 'comfy-assets-conformance/vitest';

const require = createRequire(import.meta.url);
const spec = join(dirname(require.resolve('comfy-assets-conformance/package.json')), 'spec/openapi-cloud.yaml');
const prism = join(dirname(require.resolve('@stoplight/prism-cli/package.json')), 'dist/index.js');

/** A loopback port nobody listens on. */
const freePort = () =>
  new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });

/** Prism on a free loopback port, once it says it listens. */
async function startPrism() {
  const port = await freePort();
  const child = spawn(process.execPath, [prism, 'mock', '-h', '127.0.0.1', '-p', String(port), spec], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`Prism did not start within 60 s:\n${log}`)), 60_000);
    const onData = (chunk) => {
      log += chunk;
      if (!log.includes('Prism is listening')) return;
      clearTimeout(timer);
      resolve({
        baseUrl: `http://127.0.0.1:${port}`,
        // Prism checks that X-API-Key is there, not what it is: any key will do
        apiKey: 'any-key-prism-accepts',
        assetId: '6f1c2a9e-4b7d-4c3a-9e8f-0a1b2c3d4e5f',
        close: () => child.kill(),
      });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`Prism exited (${code}):\n${log}`)));
  });
}

describeConformance({
  server: startPrism,
  profile: 'stateless-mock',
  ...(process.env.PRISM_FAULT === 'no-expectations' ? {} : { expectations: 'prism.expectations.yaml' }),
  seed: Number(process.env.CONFORMANCE_SEED ?? 1),
  runs: 100,
  reportDir: 'conformance-report',
});
