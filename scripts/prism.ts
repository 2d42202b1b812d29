/**
 * `npm run conformance:prism`: the suite against Prism's mock of the spec (a "verify mock
 * servers" case). Prism (@stoplight/prism-cli 5.14.2, ~90 MB) is kept out of the project's
 * dependencies: it is installed on first use into node_modules/.cache and started on a free
 * loopback port. Extra arguments go to the suite (e.g. --seed, --runs, --spec).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { runCli } from '../src/cli/cli.ts';
import { DEFAULT_SPEC } from '../src/contract/load.ts';

const PRISM = '@stoplight/prism-cli@5.14.2';
const root = fileURLToPath(new URL('../..', import.meta.url));
const prefix = `${root}node_modules/.cache/prism-5.14.2`;
const bin = `${prefix}/node_modules/.bin/prism`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

if (!existsSync(bin)) {
  process.stderr.write(`installing ${PRISM} into ${prefix} (once)\n`);
  execFileSync('npm', ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', PRISM], {
    stdio: 'inherit',
  });
}

const args = process.argv.slice(2);
const specIndex = args.indexOf('--spec');
const spec = specIndex >= 0 ? (args[specIndex + 1] ?? DEFAULT_SPEC) : DEFAULT_SPEC;
const port = await freePort();
const prism = spawn(bin, ['mock', '-h', '127.0.0.1', '-p', String(port), spec], { stdio: ['ignore', 'pipe', 'pipe'] });
let log = '';
await new Promise<void>((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`Prism did not start within 60 s:\n${log}`)), 60_000);
  const onData = (chunk: Buffer): void => {
    log += chunk.toString();
    if (log.includes('Prism is listening')) {
      clearTimeout(timer);
      resolve();
    }
  };
  prism.stdout.on('data', onData);
  prism.stderr.on('data', onData);
  prism.once('exit', (code) => reject(new Error(`Prism exited (${code}):\n${log}`)));
});
process.stderr.write(`Prism ${PRISM.split('@').pop()} mocks ${spec} on http://127.0.0.1:${port}\n`);
try {
  // Prism cannot know keys: any value passes its security check, so any key will do.
  process.exitCode = await runCli(
    [
      '--base-url',
      `http://127.0.0.1:${port}`,
      '--asset-id',
      '6f1c2a9e-4b7d-4c3a-9e8f-0a1b2c3d4e5f',
      '--report-dir',
      'conformance-report/prism',
      '--expectations',
      'fixtures/expectations/prism.yaml',
      ...args,
    ],
    { ...process.env, CONFORMANCE_API_KEY: 'any-key-prism-accepts' },
  );
} finally {
  prism.kill();
}
