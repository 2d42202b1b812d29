/**
 * Options of a run, from flags and environment variables (a flag wins over its variable).
 * Any problem is a UsageError: the CLI prints its one line and exits with code 2.
 */
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { PROPERTIES } from '../properties/index.ts';

export class UsageError extends Error {
  override name = 'UsageError';
}

export const DEFAULT_SPEC = fileURLToPath(new URL('../../spec/openapi-cloud.yaml', import.meta.url));

export interface Options {
  baseUrl?: string;
  apiKey?: string;
  assetId?: string;
  spec: string;
  runs: number;
  seed: number;
  seedGiven: boolean;
  strict: boolean;
  timeoutMs: number;
  reportDir: string;
  properties?: string[];
  path?: string;
  list: boolean;
  help: boolean;
  color: boolean;
  concurrency: number;
  rate: number;
  maxRequests: number;
  runTimeoutMs: number;
  createAsset: boolean;
  deleteLeftovers: boolean;
  allowUnrestored: boolean;
  /** Path of a PEM file with certificates to trust. */
  ca?: string;
  expectations?: string;
  updateExpectations: boolean;
  /** This machine's share of the properties: [i, n] for shard i of n. */
  shard?: [number, number];
  /** A report.json whose failures are replayed. */
  replay?: string;
}

interface OptionSpec {
  flag: string;
  env?: string;
  type: 'string' | 'boolean';
  help: string;
  defaultText?: string;
}

export const OPTIONS: readonly OptionSpec[] = [
  { flag: 'base-url', env: 'CONFORMANCE_BASE_URL', type: 'string', help: 'Target server, e.g. https://cloud.comfy.org. Omitted: the embedded reference server.' },
  { flag: 'api-key', env: 'CONFORMANCE_API_KEY', type: 'string', help: 'API key for the target (the environment is the better place: flags show up in process lists).' },
  { flag: 'asset-id', env: 'CONFORMANCE_ASSET_ID', type: 'string', help: 'The asset the run may modify (required with --base-url).' },
  { flag: 'spec', env: 'CONFORMANCE_SPEC', type: 'string', help: 'OpenAPI file to test against.', defaultText: 'spec/openapi-cloud.yaml' },
  { flag: 'runs', env: 'CONFORMANCE_RUNS', type: 'string', help: 'Generated cases per property.', defaultText: '100' },
  { flag: 'seed', env: 'CONFORMANCE_SEED', type: 'string', help: 'Seed of the generators (printed on every run).', defaultText: 'random' },
  { flag: 'strict', env: 'CONFORMANCE_STRICT', type: 'boolean', help: 'SHOULD failures fail the run too (CONFORMANCE_STRICT=1).' },
  { flag: 'timeout-ms', env: 'CONFORMANCE_TIMEOUT_MS', type: 'string', help: 'Per-request timeout in milliseconds.', defaultText: '10000' },
  { flag: 'report-dir', env: 'CONFORMANCE_REPORT_DIR', type: 'string', help: 'Where report.json, report.md, report.html, junit.xml and failures.ndjson are written.', defaultText: 'conformance-report' },
  { flag: 'property', env: 'CONFORMANCE_PROPERTY', type: 'string', help: `Run only these properties (comma-separated): ${PROPERTIES.map((p) => p.name).join(', ')}.` },
  { flag: 'path', env: 'CONFORMANCE_PATH', type: 'string', help: 'Replay one case: the fast-check path a failure printed (with --property and --seed).' },
  { flag: 'create-asset', env: 'CONFORMANCE_CREATE_ASSET', type: 'boolean', help: 'Upload a new asset for the run (tagged conformance-run-<id>) and delete it at the end, instead of --asset-id.' },
  { flag: 'delete-leftovers', env: 'CONFORMANCE_DELETE_LEFTOVERS', type: 'boolean', help: 'With --create-asset: delete assets left by earlier runs (found by their tags).' },
  { flag: 'allow-unrestored', env: 'CONFORMANCE_ALLOW_UNRESTORED', type: 'boolean', help: 'Run even when the asset\'s values cannot be read back to restore them (a target without GET).' },
  { flag: 'concurrency', env: 'CONFORMANCE_CONCURRENCY', type: 'string', help: 'Requests in flight at once for properties that leave the asset alone (stateful ones stay sequential).', defaultText: '4' },
  { flag: 'rate', env: 'CONFORMANCE_RATE', type: 'string', help: 'At most this many requests per second (0: no ceiling).', defaultText: '0' },
  { flag: 'max-requests', env: 'CONFORMANCE_MAX_REQUESTS', type: 'string', help: 'Stop cleanly after this many requests (0: no budget); restoring the asset is not counted.', defaultText: '0' },
  { flag: 'run-timeout-ms', env: 'CONFORMANCE_RUN_TIMEOUT_MS', type: 'string', help: 'Stop cleanly after this long (0: no limit).', defaultText: '0' },
  { flag: 'ca', env: 'CONFORMANCE_CA', type: 'string', help: 'PEM file of certificates to trust for an https target (besides the system\'s).' },
  { flag: 'expectations', env: 'CONFORMANCE_EXPECTATIONS', type: 'string', help: 'YAML file of requirements known to fail on this target: only new failures fail the run.' },
  { flag: 'update-expectations', type: 'boolean', help: 'Rewrite the --expectations file from this run (reasons already written are kept).' },
  { flag: 'shard', env: 'CONFORMANCE_SHARD', type: 'string', help: 'Run shard i of n of the properties (e.g. 2/3); join the reports with `merge`.' },
  { flag: 'replay', type: 'string', help: 'Replay every failure of a report.json against the target (or the embedded server) and say which still fail.' },
  { flag: 'list', type: 'boolean', help: 'List the properties and requirements, send nothing.' },
  { flag: 'help', type: 'boolean', help: 'Show this help.' },
];

export function usage(): string {
  const lines = [
    'Usage: npm run conformance -- [options]',
    '       npm run conformance -- compare [label=]A/report.json [label=]B/report.json ... [--out DIR]',
    '       npm run conformance -- merge shard1/report.json shard2/report.json ... [--report-dir DIR]',
    '',
    'Options (each also read from the environment variable shown):',
  ];
  for (const o of OPTIONS) {
    const name = `--${o.flag}${o.type === 'string' ? ' VALUE' : ''}`;
    lines.push(`  ${name.padEnd(22)} ${o.help}${o.defaultText ? ` Default: ${o.defaultText}.` : ''}${o.env ? ` [${o.env}]` : ''}`);
  }
  lines.push('', 'Exit codes: 0 every MUST holds (and with --strict every SHOULD); 1 a requirement failed; 2 the run could not be made; 130/143 interrupted (SIGINT/SIGTERM) after restoring.');
  return lines.join('\n');
}

function integer(name: string, text: string, min: number, max: number): number {
  if (!/^-?\d+$/.test(text.trim())) throw new UsageError(`--${name} must be a whole number, got "${text}"`);
  const n = Number(text);
  if (n < min || n > max) throw new UsageError(`--${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function bool(name: string, text: string): boolean {
  const t = text.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(t)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(t)) return false;
  throw new UsageError(`${name} must be 1 or 0 (true or false), got "${text}"`);
}

export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv): Options {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: Object.fromEntries(OPTIONS.map((o) => [o.flag, { type: o.type }])),
    }) as { values: Record<string, string | boolean | undefined> });
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split('\n')[0]} (see --help)`);
  }
  const flagOrEnv = (flag: string): boolean => {
    if (values[flag] === true) return true;
    const spec = OPTIONS.find((o) => o.flag === flag);
    const fromEnv = spec?.env ? env[spec.env] : undefined;
    return fromEnv !== undefined && bool(spec?.env ?? flag, fromEnv);
  };
  const get = (flag: string): string | undefined => {
    const v = values[flag];
    if (typeof v === 'string') return v;
    const spec = OPTIONS.find((o) => o.flag === flag);
    const fromEnv = spec?.env ? env[spec.env] : undefined;
    return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
  };

  const baseUrl = get('base-url');
  if (baseUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch {
      throw new UsageError(`--base-url "${baseUrl}" is not a URL (expected e.g. http://127.0.0.1:8188)`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--base-url must be an http or https URL, got "${url.protocol}"`);
    if (url.search || url.hash) throw new UsageError('--base-url must not carry a query or a fragment');
  }
  const assetId = get('asset-id');
  const apiKey = get('api-key');
  const createAsset = flagOrEnv('create-asset');
  const deleteLeftovers = flagOrEnv('delete-leftovers');
  if (createAsset && assetId !== undefined) throw new UsageError('--create-asset and --asset-id exclude each other: the run uses either a new asset or the one given');
  if (deleteLeftovers && !createAsset) throw new UsageError('--delete-leftovers goes with --create-asset');
  if (baseUrl !== undefined && assetId === undefined && !createAsset) throw new UsageError('--base-url needs --asset-id (or CONFORMANCE_ASSET_ID), the asset the run may modify, or --create-asset');
  if (baseUrl === undefined && assetId !== undefined) throw new UsageError('--asset-id needs --base-url: without a target the embedded server and its own asset are used');
  if (baseUrl === undefined && apiKey !== undefined && values['api-key'] !== undefined) throw new UsageError('--api-key needs --base-url: the embedded server makes its own key');

  const seedText = get('seed');
  const properties = get('property')?.split(',').map((s) => s.trim()).filter(Boolean);
  for (const p of properties ?? []) {
    if (!PROPERTIES.some((d) => d.name === p)) throw new UsageError(`unknown property "${p}" (known: ${PROPERTIES.map((d) => d.name).join(', ')})`);
  }
  const path = get('path');
  if (path !== undefined) {
    if (!/^\d+(:\d+)*$/.test(path)) throw new UsageError(`--path must look like 12:0:3 (as printed with a failure), got "${path}"`);
    if (properties?.length !== 1) throw new UsageError('--path replays one case: give exactly one --property');
    if (seedText === undefined) throw new UsageError('--path replays one case: give the --seed it was printed with');
  }
  const expectations = get('expectations');
  const updateExpectations = values['update-expectations'] === true;
  if (updateExpectations && expectations === undefined) throw new UsageError('--update-expectations needs --expectations FILE (the file to write)');
  const shardText = get('shard');
  let shard: [number, number] | undefined;
  if (shardText !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(shardText.trim());
    if (!m || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) throw new UsageError(`--shard must be i/n with 1 <= i <= n, e.g. 2/3, got "${shardText}"`);
    shard = [Number(m[1]), Number(m[2])];
  }
  const replay = get('replay');
  if (replay !== undefined && (path !== undefined || shard !== undefined)) throw new UsageError('--replay replays the failures of a report: it goes without --path and --shard');
  const ca = get('ca');
  let caText: string | undefined;
  if (ca !== undefined) {
    if (baseUrl === undefined || !baseUrl.startsWith('https:')) throw new UsageError('--ca goes with an https --base-url');
    caText = ca;
  }
  return {
    ...(baseUrl !== undefined ? { baseUrl } : {}),
    ...(apiKey !== undefined && baseUrl !== undefined ? { apiKey } : {}),
    ...(assetId !== undefined ? { assetId } : {}),
    spec: get('spec') ?? DEFAULT_SPEC,
    runs: integer('runs', get('runs') ?? '100', 1, 1_000_000),
    seed: seedText === undefined ? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0 : integer('seed', seedText, -(2 ** 31), 2 ** 31 - 1),
    seedGiven: seedText !== undefined,
    strict: flagOrEnv('strict'),
    timeoutMs: integer('timeout-ms', get('timeout-ms') ?? '10000', 1, 600_000),
    reportDir: get('report-dir') ?? 'conformance-report',
    ...(properties && properties.length > 0 ? { properties } : {}),
    ...(path !== undefined ? { path } : {}),
    list: values['list'] === true,
    concurrency: integer('concurrency', get('concurrency') ?? '4', 1, 64),
    rate: integer('rate', get('rate') ?? '0', 0, 100_000),
    maxRequests: integer('max-requests', get('max-requests') ?? '0', 0, 100_000_000),
    runTimeoutMs: integer('run-timeout-ms', get('run-timeout-ms') ?? '0', 0, 7 * 24 * 3600 * 1000),
    createAsset,
    deleteLeftovers,
    allowUnrestored: flagOrEnv('allow-unrestored'),
    ...(caText !== undefined ? { ca: caText } : {}),
    ...(expectations !== undefined ? { expectations } : {}),
    updateExpectations,
    ...(shard ? { shard } : {}),
    ...(replay !== undefined ? { replay } : {}),
    help: values['help'] === true,
    color: Boolean(process.stdout.isTTY) && env['NO_COLOR'] === undefined,
  };
}
