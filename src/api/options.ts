/**
 * Options of a run, as one table of data: each option's flag, environment variable, default,
 * parser and help. The parser, `--help` and the README's options table are all made from it. A
 * flag wins over its variable. Any problem is a UsageError: the CLI prints its one line and exits 2.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_SPEC } from '../contract/load.ts';
import { DEFAULTS } from '../defaults.ts';
import { UsageError } from '../errors.ts';
import type { ProxySettings } from '../exchange/http.ts';
import { PROPERTY_NAMES } from '../properties/names.ts';
import { tableCell } from '../render/text.ts';
import { ASPECTS, type Aspect } from '../report/fidelity.ts';
import { TOOL } from '../report/model.ts';
import { PROFILE_NAMES, PROFILES, type ProfileName } from '../requirements.ts';

export interface Options {
  baseUrl?: string;
  /** An in-process target: the module and export of a fetch handler (FILE#export), loaded by the CLI. */
  handler?: string;
  apiKey?: string;
  /** The assets the run may modify (several: the properties are dealt out to them and run side by side). */
  assetId?: string[];
  spec: string;
  runs: number;
  seed: number;
  strict: boolean;
  requireCoverage: boolean;
  timeoutMs: number;
  reportDir: string;
  properties?: string[];
  path?: string;
  /** With --path: the asset's values to set first (a JSON object, as a failure printed it). */
  startFrom?: Record<string, unknown>;
  /** Counterexamples kept per requirement, each of a different kind. */
  counterexamples: number;
  list: boolean;
  help: boolean;
  version: boolean;
  color: boolean;
  concurrency: number;
  rate: number;
  maxRequests: number;
  runTimeoutMs: number;
  /** Seconds of wall time the run plans for (0: none). */
  budget: number;
  /** Assets to upload for the run (0: none, --asset-id gives them). */
  createAsset: number;
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
  /** The kind of target judged (requirements.ts, PROFILES). */
  profile: ProfileName;
  /** Headers added to every request (--header, repeatable). */
  headers?: Record<string, string>;
  /** Fields added to the upload form of --create-asset (--upload-field, repeatable). */
  uploadFields?: [string, string][];
  /** Proxies from the standard variables (HTTP_PROXY, HTTPS_PROXY, NO_PROXY), when any is set. */
  proxy?: ProxySettings;
  /** --compare-with: a reference's base URL, or 'embedded'. */
  compareWith?: string;
  compareAssetId?: string;
  compareApiKey?: string;
  /** The aspects whose differences from the reference fail the run. */
  fidelity?: Aspect[];
}

type Parsed = Omit<Options, 'color' | 'proxy'>;

/** One option: where it is read from, its default, how its text is read, what it means. */
export interface OptionDef {
  flag: string;
  key: keyof Parsed;
  env?: string;
  /** A boolean flag takes no value (its variable reads 1/0, true/false). */
  type: 'string' | 'boolean';
  /** The flag may be given several times (its variable holds one value a line); the parser reads them all at once. */
  multiple?: true;
  /** The value's placeholder in --help ('URL', 'N'). */
  value?: string;
  /** The default, as text the parser reads (the one place a default is written). */
  default?: string;
  /** How the default is shown when it is not a plain value ('random, printed'). */
  shownDefault?: string;
  /** Reads the text of the flag or variable; plain text when absent. */
  parse?(text: string, name: string): Parsed[keyof Parsed];
  help: string;
}

function integer(min: number, max: number): (text: string, name: string) => number {
  return (text, name) => {
    if (!/^-?\d+$/.test(text.trim())) throw new UsageError(`--${name} must be a whole number, got "${text}"`);
    const n = Number(text);
    if (n < min || n > max) throw new UsageError(`--${name} must be between ${min} and ${max}, got ${n}`);
    return n;
  };
}

function boolText(name: string, text: string): boolean {
  const t = text.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(t)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(t)) return false;
  throw new UsageError(`${name} must be 1 or 0 (true or false), got "${text}"`);
}

function baseUrl(text: string, name = 'base-url'): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--${name} "${text}" is not a URL (expected e.g. http://127.0.0.1:8188)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--${name} must be an http or https URL, got "${url.protocol}"`);
  if (url.search || url.hash) throw new UsageError(`--${name} must not carry a query or a fragment`);
  return text;
}

/** Headers a user may not set: the contract's key header is checked against the spec, these here. */
const OWN_HEADERS = ['host', 'content-length', 'content-type', 'transfer-encoding', 'connection', 'accept-encoding'];

/** --header "Name: value", one a line. */
function headerLines(text: string, name: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n').filter((l) => l.trim() !== '')) {
    const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*$/.exec(line);
    if (!m) throw new UsageError(`--${name} must be "Name: value", got "${line}"`);
    const field = (m[1] as string).toLowerCase();
    if (OWN_HEADERS.includes(field))
      throw new UsageError(`--${name} cannot set ${m[1]}: the suite sets it per request`);
    out[field] = m[2] as string;
  }
  return out;
}

/** --upload-field NAME=VALUE, one a line. */
function fieldLines(text: string, name: string): [string, string][] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line) => {
      const eq = line.indexOf('=');
      if (eq <= 0) throw new UsageError(`--${name} must be NAME=VALUE, got "${line}"`);
      return [line.slice(0, eq).trim(), line.slice(eq + 1)];
    });
}

/** Assets a run may take at once. */
const MAX_ASSETS = 16;

function assetList(text: string, name: string): string[] {
  const ids = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (ids.length === 0) throw new UsageError(`--${name} must name at least one asset, got "${text}"`);
  if (ids.length > MAX_ASSETS) throw new UsageError(`--${name} takes at most ${MAX_ASSETS} assets, got ${ids.length}`);
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice !== undefined) throw new UsageError(`--${name} names ${twice} twice: each asset runs its own properties`);
  return ids;
}

/** --create-asset: a count of assets, or a switch (the bare flag, 1 or true: one; 0 or false: none). */
function assetCount(text: string, name: string): number {
  const t = text.trim().toLowerCase();
  if (['true', 'yes', 'on'].includes(t)) return 1;
  if (['false', 'no', 'off', ''].includes(t)) return 0;
  return integer(0, MAX_ASSETS)(text, name);
}

/** A flag that may go bare stands for its value `1` when no number follows it (--create-asset). */
const COUNT_FLAGS = ['--create-asset'];
const withBareCounts = (argv: readonly string[]): string[] =>
  argv.map((a, i) => (COUNT_FLAGS.includes(a) && !/^\d+$/.test(argv[i + 1] ?? '') ? `${a}=1` : a));

function propertyList(text: string): string[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const known: readonly string[] = PROPERTY_NAMES;
  for (const p of names)
    if (!known.includes(p)) throw new UsageError(`unknown property "${p}" (known: ${known.join(', ')})`);
  return names;
}

function shard(text: string): [number, number] {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m || Number(m[1]) < 1 || Number(m[1]) > Number(m[2]))
    throw new UsageError(`--shard must be i/n with 1 <= i <= n, e.g. 2/3, got "${text}"`);
  return [Number(m[1]), Number(m[2])];
}

function replayPath(text: string): string {
  // fast-check's path, after the kind of value of a plan's case (s3/); for a sequence of commands, its replay path after a '|'.
  if (!/^(s\d+\/)?\d+(:\d+)*(\|[\w+/=:-]*)?$/.test(text))
    throw new UsageError(`--path must look like 12:0:3 or 12:0:3|AB:C (as printed with a failure), got "${text}"`);
  return text;
}

function startState(text: string, name: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError(`--${name} must be a JSON object of the asset's values, got "${text.slice(0, 80)}"`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new UsageError(`--${name} must be a JSON object of the asset's values, got "${text.slice(0, 80)}"`);
  return value as Record<string, unknown>;
}

const env = (name: string): string => `CONFORMANCE_${name}`;

/** What `handler` holds for a run from code given a `fetch` function: a target, with no module to name. */
export const FETCH_OPTION = 'the fetch option';

export const OPTIONS: readonly OptionDef[] = [
  {
    flag: 'base-url',
    key: 'baseUrl',
    env: env('BASE_URL'),
    type: 'string',
    value: 'URL',
    shownDefault: 'embedded server',
    parse: baseUrl,
    help: 'Target server (http or https). Omitted: the embedded reference server.',
  },
  {
    flag: 'handler',
    key: 'handler',
    env: env('HANDLER'),
    type: 'string',
    value: 'FILE[#EXPORT]',
    help: 'An in-process target instead of --base-url: a JavaScript module exporting a fetch handler, (Request) => Response (default export, or the one named; an object with a fetch method, a Hono app say, or an array of MSW handlers, run with the msw the module finds). Requirements about the HTTP connection are reported as not exercised.',
  },
  {
    flag: 'api-key',
    key: 'apiKey',
    env: env('API_KEY'),
    type: 'string',
    value: 'KEY',
    help: 'Key for the target; prefer the variable (flags show up in process lists).',
  },
  {
    flag: 'asset-id',
    key: 'assetId',
    env: env('ASSET_ID'),
    type: 'string',
    value: 'UUID[,UUID...]',
    parse: assetList,
    help: 'The asset the run may modify; required with --base-url (or --create-asset). Several, comma-separated: the properties are dealt out to them and run side by side, each asset restored at the end.',
  },
  {
    flag: 'spec',
    key: 'spec',
    env: env('SPEC'),
    type: 'string',
    value: 'FILE',
    default: DEFAULT_SPEC,
    shownDefault: 'spec/openapi-cloud.yaml',
    help: 'OpenAPI 3.0/3.1 document holding operation updateAsset.',
  },
  {
    flag: 'runs',
    key: 'runs',
    env: env('RUNS'),
    type: 'string',
    value: 'N',
    default: String(DEFAULTS.runs),
    parse: integer(1, 1_000_000),
    help: 'Generated cases per property, at most (with --budget, the exploration stops earlier when its time is up).',
  },
  {
    flag: 'seed',
    key: 'seed',
    env: env('SEED'),
    type: 'string',
    value: 'N',
    shownDefault: 'random (printed)',
    parse: integer(-(2 ** 31), 2 ** 31 - 1),
    help: 'Seed of the generators: the same seed sends the same requests.',
  },
  { flag: 'strict', key: 'strict', env: env('STRICT'), type: 'boolean', help: 'SHOULD failures fail the run too.' },
  {
    flag: 'require-coverage',
    key: 'requireCoverage',
    env: env('REQUIRE_COVERAGE'),
    type: 'boolean',
    help: 'A MUST requirement that no case exercised (a short --budget, a target that stops answering) fails the run.',
  },
  {
    flag: 'timeout-ms',
    key: 'timeoutMs',
    env: env('TIMEOUT_MS'),
    type: 'string',
    value: 'N',
    default: String(DEFAULTS.timeoutMs),
    parse: integer(1, 600_000),
    help: 'Per-request timeout in milliseconds.',
  },
  {
    flag: 'report-dir',
    key: 'reportDir',
    env: env('REPORT_DIR'),
    type: 'string',
    value: 'DIR',
    default: DEFAULTS.reportDir,
    help: 'Where report.json, report.md, report.html, junit.xml and failures.ndjson are written.',
  },
  {
    flag: 'property',
    key: 'properties',
    env: env('PROPERTY'),
    type: 'string',
    value: 'A,B',
    shownDefault: 'all',
    parse: propertyList,
    help: `Run only these properties (comma-separated): ${PROPERTY_NAMES.join(', ')}.`,
  },
  {
    flag: 'path',
    key: 'path',
    env: env('PATH'),
    type: 'string',
    value: 'P',
    parse: replayPath,
    help: 'Replay one case: the fast-check path a failure printed (with --property and --seed).',
  },
  {
    flag: 'start-from',
    key: 'startFrom',
    env: env('START_FROM'),
    type: 'string',
    value: 'JSON',
    parse: startState,
    help: 'With --path: put the asset in this state first (the values the failing case met, as printed); it is restored at the end.',
  },
  {
    flag: 'counterexamples',
    key: 'counterexamples',
    env: env('COUNTEREXAMPLES'),
    type: 'string',
    value: 'N',
    default: String(DEFAULTS.counterexamples),
    parse: integer(1, 20),
    help: 'Counterexamples kept per requirement, each of a different kind (keyword and pointer, field, status received).',
  },
  {
    flag: 'create-asset',
    key: 'createAsset',
    env: env('CREATE_ASSET'),
    type: 'string',
    value: '[N]',
    default: '0',
    shownDefault: 'off',
    parse: assetCount,
    help: 'Upload a new asset for the run (tagged conformance-run-<id>) and delete it at the end, instead of --asset-id; N assets (default 1) run the properties side by side.',
  },
  {
    flag: 'delete-leftovers',
    key: 'deleteLeftovers',
    env: env('DELETE_LEFTOVERS'),
    type: 'boolean',
    help: 'With --create-asset: delete assets left by earlier runs (found by their tags).',
  },
  {
    flag: 'allow-unrestored',
    key: 'allowUnrestored',
    env: env('ALLOW_UNRESTORED'),
    type: 'boolean',
    help: "Run on a non-loopback target even when the asset's values cannot be read back to restore them.",
  },
  {
    flag: 'concurrency',
    key: 'concurrency',
    env: env('CONCURRENCY'),
    type: 'string',
    value: 'N',
    default: String(DEFAULTS.concurrency),
    parse: integer(1, 64),
    help: 'Requests in flight at once for the properties that leave the asset alone; the others stay sequential.',
  },
  {
    flag: 'rate',
    key: 'rate',
    env: env('RATE'),
    type: 'string',
    value: 'N',
    default: '0',
    parse: integer(0, 100_000),
    help: 'At most N requests per second (0: no ceiling).',
  },
  {
    flag: 'max-requests',
    key: 'maxRequests',
    env: env('MAX_REQUESTS'),
    type: 'string',
    value: 'N',
    default: '0',
    parse: integer(0, 100_000_000),
    help: 'Stop cleanly after N requests (0: no budget); restoring the asset is not counted.',
  },
  {
    flag: 'budget',
    key: 'budget',
    env: env('BUDGET'),
    type: 'string',
    value: 'S',
    default: String(DEFAULTS.budgetSeconds),
    parse: integer(0, 7 * 24 * 3600),
    help: 'Plan the run for S seconds of wall time: every property first, then exploration (up to --runs) in the time left; waiting on 429 and 503 takes at most a quarter (0: no plan, every property runs its --runs whole).',
  },
  {
    flag: 'run-timeout-ms',
    key: 'runTimeoutMs',
    env: env('RUN_TIMEOUT_MS'),
    type: 'string',
    value: 'N',
    default: '0',
    parse: integer(0, 7 * 24 * 3600 * 1000),
    help: 'Stop cleanly after N ms (0: no limit).',
  },
  {
    flag: 'ca',
    key: 'ca',
    env: env('CA'),
    type: 'string',
    value: 'FILE',
    help: "PEM certificates to trust for an https target, besides the system's.",
  },
  {
    flag: 'expectations',
    key: 'expectations',
    env: env('EXPECTATIONS'),
    type: 'string',
    value: 'FILE',
    help: 'Requirements known to fail on this target: only a change fails the run.',
  },
  {
    flag: 'update-expectations',
    key: 'updateExpectations',
    type: 'boolean',
    help: 'Rewrite the --expectations file from this run, keeping the reasons already written.',
  },
  {
    flag: 'shard',
    key: 'shard',
    env: env('SHARD'),
    type: 'string',
    value: 'i/n',
    parse: shard,
    help: 'Run shard i of n of the properties (e.g. 2/3); join the reports with `merge`.',
  },
  {
    flag: 'profile',
    key: 'profile',
    env: env('PROFILE'),
    type: 'string',
    value: 'NAME',
    default: 'server',
    parse: (text, name) => {
      if (!(PROFILE_NAMES as string[]).includes(text))
        throw new UsageError(`--${name} must be one of ${PROFILE_NAMES.join(', ')}, got "${text}"`);
      return text as ProfileName;
    },
    help: `The kind of target: ${PROFILE_NAMES.map((p) => `${p} (${PROFILES[p].title})`).join('; ')}. A requirement the profile does not hold is reported as not required, by name.`,
  },
  {
    flag: 'compare-with',
    key: 'compareWith',
    env: env('COMPARE_WITH'),
    type: 'string',
    value: 'URL',
    parse: (text, name) => (text === 'embedded' ? text : baseUrl(text, name)),
    help: 'A reference every case is also sent to (a staging cloud, or `embedded`: the embedded reference server): the report lists where the two answer differently, each difference tagged fault, allowed (differs) or reference fault. Its key: CONFORMANCE_COMPARE_API_KEY.',
  },
  {
    flag: 'compare-asset-id',
    key: 'compareAssetId',
    env: env('COMPARE_ASSET_ID'),
    type: 'string',
    value: 'UUID',
    help: "The reference's asset, which stands for the run's; required with a --compare-with URL, and put back at the end.",
  },
  {
    flag: 'compare-api-key',
    key: 'compareApiKey',
    env: env('COMPARE_API_KEY'),
    type: 'string',
    value: 'KEY',
    help: "The reference's key; prefer the variable.",
  },
  {
    flag: 'fidelity',
    key: 'fidelity',
    env: env('FIDELITY'),
    type: 'string',
    value: 'ASPECT[,ASPECT...]',
    parse: (text, name) => {
      const list = text === 'all' ? [...ASPECTS] : text.split(',').map((a) => a.trim());
      const unknown = list.filter((a) => !(ASPECTS as readonly string[]).includes(a));
      if (unknown.length > 0)
        throw new UsageError(`--${name} takes all or aspects among ${ASPECTS.join(', ')}; not ${unknown.join(', ')}`);
      return list as Aspect[];
    },
    help: `With --compare-with: the differences that fail the run (exit 1) even where the contract allows both answers: all, or aspects among ${ASPECTS.join(', ')}.`,
  },
  {
    flag: 'header',
    key: 'headers',
    env: env('HEADERS'),
    type: 'string',
    multiple: true,
    value: '"NAME: VALUE"',
    parse: headerLines,
    help: "A header added to every request (a gateway's tenant, tracing); repeatable, one a line in the variable. Never the key's header.",
  },
  {
    flag: 'upload-field',
    key: 'uploadFields',
    env: env('UPLOAD_FIELDS'),
    type: 'string',
    multiple: true,
    value: 'NAME=VALUE',
    parse: fieldLines,
    help: "With --create-asset: a field added to the upload form (POST /api/assets), e.g. tags=input; repeatable, one a line in the variable. A field the suite sets (name, mime_type, user_metadata) is replaced; tags are added to the run's own.",
  },
  {
    flag: 'replay',
    key: 'replay',
    type: 'string',
    value: 'REPORT',
    help: 'Run every failure of a report.json again and say which still fail.',
  },
  { flag: 'list', key: 'list', type: 'boolean', help: 'List the properties and requirements; send nothing.' },
  { flag: 'help', key: 'help', type: 'boolean', help: 'Show this help.' },
  { flag: 'version', key: 'version', type: 'boolean', help: "Print the suite's version." },
];

const EXIT_CODES =
  'Exit codes: 0 every MUST holds (and with --strict every SHOULD); 1 a requirement failed (or, with --require-coverage, a MUST was not exercised); 2 the run could not be made; 130/143 interrupted (SIGINT/SIGTERM) after restoring.';

export function usage(): string {
  const lines = [
    `Usage: ${TOOL.command} [options]`,
    `       ${TOOL.command} compare [label=]A/report.json [label=]B/report.json ... [--out DIR]`,
    `       ${TOOL.command} merge shard1/report.json shard2/report.json ... [--report-dir DIR]`,
    '',
    'Options (each also read from the environment variable shown):',
  ];
  for (const o of OPTIONS) {
    const name = `--${o.flag}${o.value ? ` ${o.value}` : ''}`;
    const shown = o.shownDefault ?? o.default;
    lines.push(
      `  ${name.padEnd(24)} ${o.help}${shown ? ` Default: ${shown}.` : ''}${o.env ? ` [${o.env}${o.type === 'boolean' ? '=1' : ''}]` : ''}`,
    );
  }
  lines.push('', EXIT_CODES);
  return lines.join('\n');
}

/** The README's options table (generated by `npm run docs`). */
export function optionsTable(): string {
  const lines = ['| Option | Variable | Default | Meaning |', '|---|---|---|---|'];
  for (const o of OPTIONS) {
    const name = `\`--${o.flag}${o.value ? ` ${o.value}` : ''}\``;
    const variable = o.env ? `\`${o.env}${o.type === 'boolean' ? '=1' : ''}\`` : '';
    const shown = o.shownDefault ?? o.default ?? (o.type === 'boolean' ? 'off' : '');
    lines.push(
      `| ${name} | ${variable} | ${tableCell(shown.includes('/') && !shown.includes(' ') ? `\`${shown}\`` : shown)} | ${tableCell(o.help)} |`,
    );
  }
  return lines.join('\n');
}

/** The options a CI action takes as inputs: each with a variable, but the key (only ever from the environment). */
const actionOptions = (): OptionDef[] => OPTIONS.filter((o) => o.env !== undefined && o.key !== 'apiKey');

/** The action's inputs (action.yml, generated by `npm run docs`): an input per option, named as its flag. */
export function actionInputs(): string {
  const lines: string[] = [];
  for (const o of actionOptions()) {
    const shown = o.shownDefault ?? o.default;
    lines.push(`  ${o.flag}:`);
    lines.push(`    description: ${JSON.stringify(`${o.help}${shown ? ` Default: ${shown}.` : ''} (--${o.flag})`)}`);
    lines.push('    required: false');
    lines.push(`    default: ${o.type === 'boolean' ? "'false'" : "''"}`);
  }
  return lines.join('\n');
}

/**
 * The run step's environment in action.yml: each input to its variable, or else the variable as the
 * caller's environment has it (an empty one is unset).
 */
export function actionEnvironment(): string {
  return actionOptions()
    .map((o) => {
      const fallback = o.type === 'boolean' ? `(inputs.${o.flag} == 'true' && 'true')` : `inputs.${o.flag}`;
      return `        ${o.env}: \${{ ${fallback} || env.${o.env} }}`;
    })
    .join('\n');
}

/** Where an option's text came from: its flag, or else its variable (an empty variable is unset). */
interface Given {
  text: string | boolean;
  byFlag: boolean;
}

function givenValues(argv: readonly string[], environment: NodeJS.ProcessEnv): Map<keyof Parsed, Given> {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    const options = Object.fromEntries(
      OPTIONS.map((o) => [o.flag, { type: o.type, ...(o.multiple ? { multiple: true } : {}) }]),
    );
    ({ values } = parseArgs({ args: withBareCounts(argv), strict: true, allowPositionals: false, options }) as {
      values: typeof values;
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split('\n')[0]} (see --help)`);
  }
  const out = new Map<keyof Parsed, Given>();
  for (const o of OPTIONS) {
    const flag = values[o.flag];
    const fromEnv = o.env ? environment[o.env] : undefined;
    // a repeated flag: its values one a line, as its variable holds them
    if (flag !== undefined) out.set(o.key, { text: Array.isArray(flag) ? flag.join('\n') : flag, byFlag: true });
    else if (o.type === 'boolean' && fromEnv !== undefined)
      out.set(o.key, { text: boolText(o.env ?? o.flag, fromEnv), byFlag: false });
    else if (fromEnv !== undefined && fromEnv !== '') out.set(o.key, { text: fromEnv, byFlag: false });
  }
  return out;
}

/** Options that go together, or exclude each other. */
function checkCombinations(o: Parsed, given: Map<keyof Parsed, Given>): void {
  const fail = (message: string): never => {
    throw new UsageError(message);
  };
  if (o.createAsset > 0 && o.assetId !== undefined)
    fail('--create-asset and --asset-id exclude each other: the run uses either new assets or the ones given');
  if (o.deleteLeftovers && o.createAsset === 0) fail('--delete-leftovers goes with --create-asset');
  if (o.baseUrl !== undefined && o.handler !== undefined)
    fail('--base-url and --handler exclude each other: each is a target');
  const target = o.baseUrl !== undefined ? '--base-url' : o.handler !== undefined ? '--handler' : undefined;
  if (target !== undefined && o.assetId === undefined && o.createAsset === 0)
    fail(`${target} needs --asset-id (or CONFORMANCE_ASSET_ID), the asset the run may modify, or --create-asset`);
  // (a replay may take the base URL from its report)
  if (target === undefined && o.assetId !== undefined && o.replay === undefined)
    fail('--asset-id needs --base-url (or --handler): without a target the embedded server and its own asset are used');
  if (target === undefined && given.get('apiKey')?.byFlag && o.replay === undefined)
    fail('--api-key needs --base-url (or --handler): the embedded server makes its own key');
  if (o.path !== undefined && o.properties?.length !== 1) fail('--path replays one case: give exactly one --property');
  if (o.path !== undefined && !given.has('seed')) fail('--path replays one case: give the --seed it was printed with');
  if (o.path !== undefined && ((o.assetId?.length ?? 0) > 1 || o.createAsset > 1))
    fail('--path replays one case on one asset: give one --asset-id (the replay line names it)');
  if (o.startFrom !== undefined && o.path === undefined) fail('--start-from goes with --path (the replay of one case)');
  if (o.updateExpectations && o.expectations === undefined)
    fail('--update-expectations needs --expectations FILE (the file to write)');
  if (o.replay !== undefined && (o.path !== undefined || o.shard !== undefined))
    fail('--replay replays the failures of a report: it goes without --path and --shard');
  if (o.ca !== undefined && !o.baseUrl?.startsWith('https:')) fail('--ca goes with an https --base-url');
  if (o.uploadFields !== undefined && o.createAsset === 0)
    fail('--upload-field goes with --create-asset (the form of its upload)');
  checkComparison(o);
}

/** --compare-with and what goes with it. */
function checkComparison(o: Parsed): void {
  const fail = (message: string): never => {
    throw new UsageError(message);
  };
  if (o.compareWith === undefined) {
    const lone = o.compareAssetId !== undefined ? '--compare-asset-id' : o.fidelity !== undefined ? '--fidelity' : null;
    if (lone) fail(`${lone} goes with --compare-with (the reference)`);
    return;
  }
  if (o.compareWith !== 'embedded' && o.compareAssetId === undefined)
    fail("--compare-with URL needs --compare-asset-id (or CONFORMANCE_COMPARE_ASSET_ID), the reference's asset");
  if ((o.assetId?.length ?? 0) > 1 || o.createAsset > 0)
    fail('--compare-with compares one asset with one: give one --asset-id, not several or --create-asset');
  if (o.replay !== undefined) fail('--compare-with goes without --replay (a replay re-runs failures of one target)');
}

/** The standard proxy variables (either case, as curl reads them); none set: no proxy. */
function proxyOf(environment: NodeJS.ProcessEnv): ProxySettings | null {
  const read = (name: string): string | undefined => environment[name] || environment[name.toLowerCase()] || undefined;
  const proxy: ProxySettings = {
    ...(read('HTTP_PROXY') ? { http: read('HTTP_PROXY') } : {}),
    ...(read('HTTPS_PROXY') ? { https: read('HTTPS_PROXY') } : {}),
    ...(read('NO_PROXY') ? { noProxy: read('NO_PROXY') } : {}),
  };
  return proxy.http || proxy.https ? proxy : null;
}

export function parseOptions(argv: readonly string[], environment: NodeJS.ProcessEnv): Options {
  const given = givenValues(argv, environment);
  const parsed: Record<string, unknown> = {};
  for (const o of OPTIONS) {
    const text = given.get(o.key)?.text ?? o.default ?? (o.type === 'boolean' ? false : undefined);
    if (text !== undefined) parsed[o.key] = typeof text === 'boolean' || !o.parse ? text : o.parse(text, o.flag);
  }
  const proxy = proxyOf(environment);
  return {
    ...checked(parsed as unknown as Parsed, given),
    color: Boolean(process.stdout.isTTY) && environment['NO_COLOR'] === undefined,
    ...(proxy ? { proxy } : {}),
  };
}

/** The options as the run takes them: combinations checked, the key kept only for a target, a seed drawn when none is given. */
function checked(options: Parsed, given: Map<keyof Parsed, Given>): Omit<Options, 'color'> {
  checkCombinations(options, given);
  // The embedded server makes its own key; an empty list of properties is all of them.
  if (options.baseUrl === undefined && options.handler === undefined && options.replay === undefined)
    delete options.apiKey;
  if (options.properties?.length === 0) delete options.properties;
  return { ...options, seed: given.has('seed') ? options.seed : (Date.now() ^ (Math.random() * 0x7fffffff)) | 0 };
}

/** A typed value as its option's text: a list comma-separated, headers one a line, fields NAME=VALUE a line. */
function textOf(value: unknown): string {
  if (Array.isArray(value))
    return value.every(Array.isArray) ? value.map((f) => (f as string[]).join('=')).join('\n') : value.join(',');
  if (value !== null && typeof value === 'object')
    return Object.entries(value)
      .map(([k, v]) => `${k}: ${String(v)}`)
      .join('\n');
  return String(value);
}

/**
 * Options given as values (the library, the vitest entry): each read and checked by its row of the
 * same table as the command line's flags, the defaults and the combinations the same. Keys that
 * are not options are ignored; `proxy` is taken as given.
 */
export function optionsFromValues(
  values: Readonly<Partial<Record<keyof Parsed, unknown>>> & { proxy?: ProxySettings },
): Options {
  const given = new Map<keyof Parsed, Given>();
  const parsed: Record<string, unknown> = {};
  for (const o of OPTIONS) {
    const value = values[o.key];
    if (value !== undefined && !(o.type === 'boolean' && value === false))
      given.set(o.key, { text: true, byFlag: true });
    if (o.type === 'boolean') {
      if (value !== undefined && typeof value !== 'boolean') throw new UsageError(`${o.key} must be true or false`);
      parsed[o.key] = value ?? false;
    } else {
      const text = value !== undefined ? textOf(value) : o.default;
      if (text !== undefined) parsed[o.key] = o.parse ? o.parse(text, o.flag) : text;
    }
  }
  return {
    ...checked(parsed as unknown as Parsed, given),
    color: false,
    ...(values.proxy ? { proxy: values.proxy } : {}),
  };
}
