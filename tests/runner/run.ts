/**
 * One conformance run, start to end: load the contract, start the embedded server when no
 * target is given, check the target is usable, run the properties, and build the report model
 * (with the API key redacted everywhere). The CLI and the vitest suite both call this.
 */
import type { CheckContext, Exchange } from '../checks/checks.ts';
import { REQUIREMENTS, type Level, type RequirementId, requirement } from '../checks/requirements.ts';
import { HttpClient, type OutgoingRequest } from '../client/http.ts';
import { type SuiteContext, isReference } from '../properties/properties.ts';
import { curlLine } from '../reports/curl.ts';
import { type Redactor, makeRedactor } from '../reports/redact.ts';
import { compileValidators } from '../schemas/compile.ts';
import { type Contract, bodyProperties, isJsonObject, loadContract, updatableProperties } from '../spec/load.ts';
import { startReferenceServer, type Variant } from '../../fixtures/reference-server/server.ts';
import { type EngineResult, type PropertyResult, type RunEvent, runProperties } from './engine.ts';
import { randomBytes } from 'node:crypto';
import { blake3 } from '@noble/hashes/blake3.js';
import { type Cleanup, type Created, type Leftover, createAsset, deleteAsset, findLeftovers } from './create.ts';
import { preflight } from './preflight.ts';
import { type RestoreResult, restore, restoreBody } from './restore.ts';

export const TOOL = { name: 'comfy-assets-conformance', version: '0.1.0' };

export interface RunConfig {
  specFile: string;
  /** Absent: the embedded reference server is started for the run. */
  baseUrl?: string;
  apiKey?: string;
  assetId?: string;
  runs: number;
  seed: number;
  strict: boolean;
  timeoutMs: number;
  maxBodyBytes?: number;
  /** Upper bound for one property (shrinking and masked re-runs included). */
  propertyTimeLimitMs?: number;
  only?: readonly string[];
  path?: string;
  /** Behaviour of the embedded server (tests only; default: the reference). */
  embeddedVariant?: Variant;
  /** Lanes for the properties that leave the asset alone (default 1). */
  concurrency?: number;
  /** Requests per second, at most (0 or absent: no ceiling). */
  rate?: number;
  /** Requests the run may send (restore and clean-up excepted). */
  maxRequests?: number;
  /** The whole run's time limit: after it nothing more is sent, the asset is restored and the report written. */
  runTimeoutMs?: number;
  /** Aborting it stops the run the same way (Ctrl-C). */
  signal?: AbortSignal;
  /** PEM certificates to trust for an https target. */
  ca?: string;
  /** Upload a new asset for the run and delete it at the end, instead of --asset-id. */
  createAsset?: boolean;
  /** With createAsset: delete the leftovers of earlier runs found by their tags. */
  deleteLeftovers?: boolean;
  /** Run against a non-loopback target whose asset's values cannot be read back. */
  allowUnrestored?: boolean;
  /** "i/n" when this run is one shard of the properties (for the report). */
  shard?: string;
  /** Sees every request sent (benchmarks). */
  tap?: (request: OutgoingRequest) => void;
  /** How the run was asked for, to print replay commands that reproduce a failure. */
  replayCommand?: (replay: { property: string; seed: number; path: string }) => string;
  onEvent?: (event: RunEvent | SetupEvent) => void;
}

export type SetupEvent =
  | { type: 'preflight'; hasGet: boolean; baseUrl: string }
  | { type: 'snapshot'; assetId: string; values: Record<string, unknown> }
  | { type: 'created'; id: string }
  | { type: 'leftovers'; leftovers: Leftover[]; deleting: boolean };

export type Status = 'pass' | 'fail' | 'skip';

export interface ExchangeReport {
  request: { method: string; url: string; headers: Record<string, string>; body?: string };
  response: { status?: number; headers?: Record<string, string>; body?: string; failure?: string; ms: number };
}

export interface CounterexampleReport extends ExchangeReport {
  property: string;
  seed: number;
  path: string;
  /** What the last request sent (the one that showed the violation). */
  description: string;
  /** For a sequence: every request, numbered, with its curl line and the exchange. */
  steps?: ({ n: number; line: string; curl: string } & ExchangeReport)[];
  violated: { requirement: string; message: string }[];
  curl: string;
  replay: string;
}

export interface RequirementReport {
  id: RequirementId;
  level: Level;
  title: string;
  status: Status;
  cases: number;
  /** Where the rule comes from. */
  citation: string[];
  /** With --expectations: the entry for this requirement, and what the verdict means against it. */
  expected?: { reason: string; link?: string; intermittent?: boolean };
  outcome?: 'new-failure' | 'expected-failure' | 'fixed' | 'intermittent';
  /** Why nothing was judged (status skip). */
  reason?: string;
  counterexample?: CounterexampleReport;
}

export interface RunReport {
  tool: typeof TOOL;
  target: { baseUrl: string; embedded: boolean; assetId: string; hasGet: boolean; createdAsset: boolean };
  runId: string;
  /** Why the run stopped before its end (interrupt, request budget, run time limit), or null. */
  stopped: string | null;
  /** With --create-asset: whether the asset was deleted; leftovers of earlier runs found. */
  cleanup?: Cleanup;
  leftovers?: Leftover[];
  settings: { concurrency: number; rate: number; maxRequests: number; timeoutMs: number };
  spec: { file: string; sha256: string; title: string; version: string; operationId: string };
  seed: number;
  runs: number;
  strict: boolean;
  startedAt: string;
  durationMs: number;
  requests: { sent: number; rateLimited: number; retries: number; /** Sent again after a connection died before any answer (absent in older reports). */ resetRetries?: number };
  properties: PropertyResult[];
  requirements: RequirementReport[];
  /** Whether the asset's values were put back after the run. */
  restore: RestoreResult;
  summary: { mustFailed: number; shouldFailed: number; passed: number; skipped: number };
  /** With --expectations: how the verdicts compare with what is known. */
  expectations?: { file: string; newFailures: number; expectedFailures: number; fixed: number; intermittent: number };
  /** With --shard: which share of the properties this report covers. */
  shard?: string;
  /** 0: every MUST (with strict, every SHOULD) holds, or, with expectations, nothing new failed; 1: otherwise. */
  exitCode: 0 | 1;
}

const MAX_SHOWN_BODY = 8000;
const clip = (s: string): string => (s.length > MAX_SHOWN_BODY ? `${s.slice(0, MAX_SHOWN_BODY)}… (${s.length} chars in all)` : s);

function citationText(contract: Contract, id: RequirementId): string[] {
  return requirement(id).cite.map((c) => (c.source === 'spec' ? `spec ${contract.pointer}/${c.ref}: ${c.quote}` : `contract notes, "${c.ref}": ${c.quote}`));
}

function exchangeReport(ex: Exchange, contract: Contract, apiKey: string): ExchangeReport {
  const headers = { ...ex.request.headers };
  const auth = contract.auth?.header.toLowerCase();
  if (auth && headers[auth] === `${contract.auth?.prefix ?? ''}${apiKey}`) headers[auth] = `${contract.auth?.prefix ?? ''}$CONFORMANCE_API_KEY`;
  const o = ex.outcome;
  return {
    request: { method: ex.request.method, url: ex.request.url, headers, ...(ex.request.body !== undefined ? { body: typeof ex.request.body === 'string' ? clip(ex.request.body) : `(${ex.request.body.length} bytes)` } : {}) },
    response:
      o.kind === 'response'
        ? { status: o.status, headers: o.headers, body: clip(o.text), ms: o.ms }
        : { ...(o.status !== undefined ? { status: o.status, headers: o.headers } : {}), failure: `${o.failure}: ${o.message}`, ms: o.ms },
  };
}

/** Every string in a value, redacted. */
export function redactDeep<T>(value: T, redact: Redactor): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, redact)) as T;
  if (isJsonObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [redact(k), redactDeep(v, redact)])) as T;
  return value;
}

export function defaultReplayCommand(config: RunConfig): (r: { property: string; seed: number; path: string }) => string {
  return ({ property, seed, path }) =>
    [
      'npm run conformance --',
      ...(config.baseUrl ? [`--base-url ${config.baseUrl}`, config.createAsset ? '--create-asset' : `--asset-id ${config.assetId ?? ''}`] : []),
      ...(config.specFile.endsWith('spec/openapi-cloud.yaml') ? [] : [`--spec ${config.specFile}`]),
      `--property ${property}`,
      `--seed ${seed}`,
      `--runs ${config.runs}`,
      `--path '${path}'`,
    ].join(' ');
}

interface ReportContext {
  baseUrl: string;
  embedded: boolean;
  assetId: string;
  apiKey: string;
  hasGet: boolean;
  runId: string;
  created: boolean;
  stopped: string | null;
  cleanup: Cleanup | undefined;
  leftovers: Leftover[] | null;
}

function buildReport(config: RunConfig, contract: Contract, ctx: ReportContext, engine: EngineResult, client: HttpClient, startedAt: Date, restored: RestoreResult | undefined): RunReport {
  const replay = config.replayCommand ?? defaultReplayCommand(config);
  const requirements: RequirementReport[] = REQUIREMENTS.map((r) => {
    const tally = engine.tallies.get(r.id) ?? { cases: 0 };
    const base = { id: r.id, level: r.level, title: r.title, cases: tally.cases, citation: citationText(contract, r.id) };
    if (tally.counterexample) {
      const cx = tally.counterexample;
      const lastExchange = cx.exchanges[cx.exchanges.length - 1] as Exchange;
      const exchange = exchangeReport(lastExchange, contract, ctx.apiKey);
      return {
        ...base,
        status: 'fail' as const,
        counterexample: {
          property: cx.property,
          seed: cx.seed,
          path: cx.path,
          description: cx.steps[cx.steps.length - 1] ?? '',
          ...(cx.steps.length > 1 ? { steps: cx.steps.map((line, i) => ({ n: i + 1, line, curl: curlLine((cx.exchanges[i] as Exchange).request, contract.auth, ctx.apiKey), ...exchangeReport(cx.exchanges[i] as Exchange, contract, ctx.apiKey) })) } : {}),
          ...exchange,
          violated: cx.violations.map((v) => ({ requirement: v.requirement, message: v.message })),
          curl: curlLine(lastExchange.request, contract.auth, ctx.apiKey),
          replay: replay({ property: cx.property, seed: cx.seed, path: cx.path }),
        },
      };
    }
    if (tally.cases === 0) {
      const skipped = engine.properties.filter((p) => p.status === 'skip').map((p) => `${p.name}: ${p.skipReason}`);
      const reason =
        r.id === 'CREATE-HASH-BLAKE3' && !ctx.created
          ? 'judged only with --create-asset'
          : ctx.stopped
            ? `not judged: ${ctx.stopped}`
            : skipped.length > 0
              ? `no exchange it applies to (skipped properties: ${skipped.join('; ')})`
              : 'no exchange it applies to in this run';
      return { ...base, status: 'skip' as const, reason };
    }
    return { ...base, status: 'pass' as const };
  });
  const mustFailed = requirements.filter((r) => r.status === 'fail' && r.level === 'MUST').length;
  const shouldFailed = requirements.filter((r) => r.status === 'fail' && r.level === 'SHOULD').length;
  const report: RunReport = {
    tool: TOOL,
    target: { baseUrl: ctx.baseUrl, embedded: ctx.embedded, assetId: ctx.assetId, hasGet: ctx.hasGet, createdAsset: ctx.created },
    runId: ctx.runId,
    stopped: ctx.stopped,
    ...(ctx.cleanup ? { cleanup: ctx.cleanup } : {}),
    ...(ctx.leftovers && ctx.leftovers.length > 0 ? { leftovers: ctx.leftovers } : {}),
    settings: { concurrency: config.concurrency ?? 1, rate: config.rate ?? 0, maxRequests: config.maxRequests ?? 0, timeoutMs: config.timeoutMs },
    ...(config.shard ? { shard: config.shard } : {}),
    spec: { file: contract.file, sha256: contract.sha256, title: contract.title, version: contract.version, operationId: contract.operationId },
    seed: config.seed,
    runs: config.runs,
    strict: config.strict,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    requests: { sent: client.stats.requests, rateLimited: client.stats.rateLimited, retries: client.stats.retries, resetRetries: client.stats.resetRetries },
    properties: engine.properties,
    requirements,
    restore: restored ?? { status: 'not-possible', fields: [], original: {}, message: 'the run ended before the restore' },
    summary: { mustFailed, shouldFailed, passed: requirements.filter((r) => r.status === 'pass').length, skipped: requirements.filter((r) => r.status === 'skip').length },
    exitCode: mustFailed > 0 || (config.strict && shouldFailed > 0) ? 1 : 0,
  };
  return redactDeep(report, makeRedactor([ctx.apiKey]));
}

/** Builds the checks' context from a contract. */
export function checkContext(contract: Contract, targetId: string): CheckContext {
  const validators = compileValidators(contract);
  const ok = contract.responses.find((r) => r.status === '200')?.schema;
  const okProps = ok && isJsonObject(ok['properties']) ? ok['properties'] : {};
  return {
    contract,
    validators,
    targetId,
    bodyProperties: bodyProperties(contract),
    updatable: updatableProperties(contract),
    known: {},
    timestampFields: Object.entries(okProps).filter(([, s]) => isJsonObject(s) && s['format'] === 'date-time').map(([n]) => n),
    hashFields: Object.entries(okProps).filter(([n, s]) => /(^|_)hash$/i.test(n) || (isJsonObject(s) && String(s['pattern'] ?? '').includes('blake3'))).map(([n]) => n),
  };
}

export function isLoopback(baseUrl: string): boolean {
  const host = new URL(baseUrl).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Runs the suite. Throws SpecError or RunError (exit 2) when the run cannot be made. */
export async function runConformance(config: RunConfig, contract: Contract = loadContract(config.specFile)): Promise<RunReport> {
  const startedAt = new Date();
  const runId = randomBytes(6).toString('hex');
  const embedded = config.baseUrl === undefined ? await startReferenceServer(config.embeddedVariant ? { variant: config.embeddedVariant } : {}) : null;
  const baseUrl = embedded?.baseUrl ?? (config.baseUrl as string);
  const apiKey = embedded?.apiKey ?? config.apiKey ?? '';
  const client = new HttpClient({
    timeoutMs: config.timeoutMs,
    ...(config.maxBodyBytes ? { maxBodyBytes: config.maxBodyBytes } : {}),
    ...(config.rate ? { rate: config.rate } : {}),
    ...(config.maxRequests ? { maxRequests: config.maxRequests } : {}),
    ...(config.ca ? { ca: config.ca } : {}),
    connections: Math.max(8, (config.concurrency ?? 1) * 2),
    ...(config.tap ? { tap: config.tap } : {}),
  });
  const onAbort = (): void => client.stop(`interrupted (${String(config.signal?.reason ?? 'signal')})`);
  config.signal?.addEventListener('abort', onAbort, { once: true });
  if (config.signal?.aborted) onAbort();
  const runTimer = config.runTimeoutMs ? setTimeout(() => client.stop(`the run time limit (--run-timeout-ms ${config.runTimeoutMs}) was reached`), config.runTimeoutMs) : undefined;
  runTimer?.unref();
  const target = { baseUrl, apiKey };
  let created: Created | null = null;
  let cleanup: Cleanup | undefined;
  let restored: RestoreResult | undefined;
  try {
    // The contract's validators are compiled once per run; the asset id is set when it is known.
    const probe = checkContext(contract, embedded?.assetId ?? config.assetId ?? '00000000-0000-0000-0000-000000000000');
    let leftovers: Leftover[] | null = null;
    if (config.createAsset) {
      leftovers = await findLeftovers(probe, target, client, runId);
      if (leftovers && leftovers.length > 0) config.onEvent?.({ type: 'leftovers', leftovers, deleting: config.deleteLeftovers === true });
      if (config.deleteLeftovers) for (const l of leftovers ?? []) await deleteAsset(probe, target, client, l.id, false);
      created = await createAsset(probe, target, client, runId);
      config.onEvent?.({ type: 'created', id: created.id });
    }
    const assetId = created?.id ?? embedded?.assetId ?? (config.assetId as string);
    const ctx: SuiteContext = { ...probe, targetId: assetId, known: {}, apiKey };
    const restorable = !created && !embedded && !config.allowUnrestored && !isLoopback(baseUrl);
    const { hasGet, snapshot, baseline: shown } = await preflight(ctx, target, client, restorable);
    if (snapshot && !created) config.onEvent?.({ type: 'snapshot', assetId, values: snapshot.values });
    config.onEvent?.({ type: 'preflight', hasGet, baseUrl });
    const baseline = shown ? restoreBody(ctx, { values: shown, source: 'PUT' }) : undefined;
    const references = Object.entries(ctx.bodyProperties).filter(([, schema]) => isReference(schema)).map(([name]) => name);
    ctx.selfReference = created !== null || (snapshot !== null && references.every((name) => Object.hasOwn(restoreBody(ctx, snapshot), name)));
    let engine: EngineResult;
    try {
      engine = await runProperties({ ctx, target, client, hasGet, ...(baseline && Object.keys(baseline).length > 0 ? { baseline } : {}) }, {
        seed: config.seed,
        runs: config.runs,
        propertyTimeLimitMs: config.propertyTimeLimitMs ?? Math.max(60_000, 6 * config.timeoutMs),
        concurrency: config.concurrency ?? 1,
        ...(config.tap ? { labelRequests: true } : {}),
        ...(config.only ? { only: config.only } : {}),
        ...(config.path !== undefined ? { path: config.path } : {}),
        ...(config.onEvent ? { onEvent: config.onEvent } : {}),
      });
    } finally {
      if (created) {
        cleanup = await deleteAsset(ctx, target, client, created.id, hasGet).catch((error: unknown) => ({ status: 'failed' as const, id: created?.id ?? '', message: `delete failed: ${String(error)}` }));
        restored = { status: 'not-possible', fields: [], original: {}, message: 'the run used an asset it created (deleted at the end)' };
      } else {
        restored = await restore(ctx, target, client, snapshot, hasGet).catch((error: unknown) => ({ status: 'failed' as const, fields: [], original: snapshot?.values ?? {}, message: `restore failed: ${String(error)}` }));
      }
    }
    if (created) recordUpload(engine, created);
    return buildReport(config, contract, { baseUrl, embedded: embedded !== null, assetId, apiKey, hasGet, runId, created: created !== null, stopped: client.stoppedReason, cleanup, leftovers }, engine, client, startedAt, restored);
  } catch (error) {
    // A failure before the properties ran: still delete what the run created.
    if (created && !cleanup) await deleteAsset(checkContext(contract, created.id), target, client, created.id, false).catch(() => undefined);
    throw error;
  } finally {
    config.signal?.removeEventListener('abort', onAbort);
    if (runTimer) clearTimeout(runTimer);
    await client.close();
    await embedded?.close();
  }
}

/** The upload of --create-asset, judged for CREATE-HASH-BLAKE3. */
function recordUpload(engine: EngineResult, created: Created): void {
  const tally = engine.tallies.get('CREATE-HASH-BLAKE3');
  if (!tally || created.hashFields.length === 0) return;
  tally.cases++;
  if (created.hashMismatch.length === 0 || tally.counterexample) return;
  const answer = created.exchange.body?.ok && isJsonObject(created.exchange.body.value) ? created.exchange.body.value : {};
  tally.counterexample = {
    requirement: 'CREATE-HASH-BLAKE3',
    property: 'create-asset',
    seed: 0,
    path: '',
    masked: [],
    steps: [`POST /api/assets with ${created.bytes.length} random bytes`],
    exchanges: [created.exchange],
    violations: created.hashMismatch.map((f) => ({ requirement: 'CREATE-HASH-BLAKE3' as const, message: `Received: ${f} ${String(answer[f])} / Expected: blake3:${Buffer.from(blake3(created.bytes)).toString('hex')}` })),
  };
}
