/**
 * One conformance run, start to end: load the contract, start the embedded server when no
 * target is given, check the target is usable, run the properties, put the asset back, and build
 * the report (with the API key redacted everywhere). The CLI and the vitest suite both call this.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { blake3 } from '@noble/hashes/blake3.js';
import { checkContext } from '../checks/context.ts';
import { type Contract, DEFAULT_SPEC, loadContract } from '../contract/load.ts';
import { DEFAULTS } from '../defaults.ts';
import { RunError } from '../errors.ts';
import { HttpClient, type OutgoingRequest, type ProxySettings } from '../exchange/http.ts';
import { type FetchHandler, IN_PROCESS_ORIGIN } from '../exchange/in-process.ts';
import type { Target } from '../exchange/perform.ts';
import { isJsonObject } from '../json.ts';
import { isReference, type RunEnv, type SuiteContext } from '../properties/property.ts';
import { buildReport, type ReplayCommand } from '../report/build.ts';
import type { FidelityReport } from '../report/fidelity.ts';
import { type Cleanup, type Leftover, type RestoreResult, type RunReport, TOOL } from '../report/model.ts';
import type { ProfileName } from '../requirements.ts';
import { type ReferenceServer, startReferenceServer, type Variant } from '../server/index.ts';
import { type Created, createAsset, deleteAsset, findLeftovers } from './create.ts';
import { type EngineResult, type RunEvent, runProperties } from './engine.ts';
import { preflight, type Snapshot } from './preflight.ts';
import { type CompareWith, closeReference, openReference, type Reference } from './reference.ts';
import { putState, restoreBody, restoreOrSay } from './restore.ts';

export interface RunConfig {
  specFile: string;
  /** Absent (and no handler): the embedded reference server is started for the run. */
  baseUrl?: string;
  /** An in-process target: a fetch handler called with each request, instead of a base URL. */
  handler?: FetchHandler;
  /** Where the handler came from (`--handler FILE#export`), for replay commands. */
  handlerSource?: string;
  apiKey?: string;
  /** The asset the run may modify; several: the properties are dealt out to them (see runProperties). */
  assetId?: string | readonly string[];
  runs: number;
  seed: number;
  strict: boolean;
  timeoutMs: number;
  maxBodyBytes?: number;
  /** A MUST requirement that no case exercised fails the run. */
  requireCoverage?: boolean;
  /** Upper bound for one property (shrinking and masked re-runs included). */
  propertyTimeLimitMs?: number;
  /**
   * The run's time budget (absent: none). The properties share it, each reached by a short plan pass
   * before any explores the rest of its runs, and waiting on 429 and 503 answers may take a quarter.
   */
  budgetMs?: number;
  only?: readonly string[];
  path?: string;
  /** Counterexamples kept per requirement, each of a different kind (default 3). */
  counterexamples?: number;
  /**
   * Replaying a case: the asset's values to set before the properties run (the state the case
   * met when it was found); the asset is put back at the end as always.
   */
  startFrom?: Record<string, unknown>;
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
  /** Headers added to every request (a gateway's tenant header, tracing); never the key's header. */
  headers?: Record<string, string>;
  /** Proxies for the requests (the CLI reads HTTP_PROXY, HTTPS_PROXY and NO_PROXY); absent: none. */
  proxy?: ProxySettings;
  /** With createAsset: fields added to the upload form (a field the suite sets is replaced; tags are added). */
  uploadFields?: readonly (readonly [string, string])[];
  /** Upload new assets for the run (true: one) and delete them at the end, instead of --asset-id. */
  createAsset?: boolean | number;
  /** With createAsset: delete the leftovers of earlier runs found by their tags. */
  deleteLeftovers?: boolean;
  /** Run against a non-loopback target whose asset's values cannot be read back. */
  allowUnrestored?: boolean;
  /** "i/n" when this run is one shard of the properties (for the report). */
  shard?: string;
  /** The kind of target judged: a stateless mock is not held to what an update does (requirements.ts, PROFILES). */
  profile?: ProfileName;
  /** --compare-with: a reference every case is also sent to, and the differences reported (reference.ts). */
  compareWith?: CompareWith;
  /** Sees every request sent (benchmarks). */
  tap?: (request: OutgoingRequest) => void;
  /** How the run was asked for, to print replay commands that reproduce a failure. */
  replayCommand?: ReplayCommand;
  onEvent?: (event: RunEvent | SetupEvent) => void;
}

export type SetupEvent =
  | { type: 'preflight'; hasGet: boolean; baseUrl: string; assetId: string; latencyMs: number }
  | { type: 'snapshot'; assetId: string; values: Record<string, unknown> }
  | { type: 'created'; id: string }
  | { type: 'leftovers'; leftovers: Leftover[]; deleting: boolean }
  /** --compare-with: the reference reached (baseUrl null: the embedded reference server). */
  | { type: 'reference'; baseUrl: string | null; assetId: string };

export function defaultReplayCommand(config: RunConfig): ReplayCommand {
  const [first = ''] = assetsOf(config).ids;
  return ({ property, seed, path, state, assetId }) =>
    [
      TOOL.command,
      ...targetFlags(config, assetId ?? first),
      ...(resolve(config.specFile) === DEFAULT_SPEC ? [] : [`--spec ${config.specFile}`]),
      `--property ${property}`,
      `--seed ${seed}`,
      `--runs ${config.runs}`,
      `--path '${path}'`,
      ...(state ? [`--start-from '${JSON.stringify(state).replaceAll("'", "'\\''")}'`] : []),
    ].join(' ');
}

/** What names the target in a replay command: none for the embedded server. */
function targetFlags(config: RunConfig, assetId: string): string[] {
  const asset = config.createAsset ? '--create-asset' : `--asset-id ${assetId}`;
  if (config.handler) return [`--handler ${config.handlerSource ?? '<the module exporting your handler>'}`, asset];
  return config.baseUrl ? [`--base-url ${config.baseUrl}`, asset] : [];
}

export function isLoopback(baseUrl: string): boolean {
  const host = new URL(baseUrl).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The share of a run's time budget that waiting on 429 and 503 answers may take. */
const WAIT_SHARE = 0.25;
/** Time a run without a budget may spend waiting on 429 and 503 answers: bounded all the same. */
const UNPLANNED_WAIT_MS = 30_000;
/**
 * The share of a run's time budget kept for what follows the properties: the values in flight when
 * their time is up, the restore, the report.
 */
const END_SHARE = 0.1;

/** Why a run was aborted, in words: the signal's name (SIGINT), or the caller's reason; a bare abort() says so. */
function abortReason(reason: unknown): string {
  if (typeof reason === 'string') return reason;
  if (reason instanceof Error) return reason.name === 'AbortError' ? 'aborted by the caller' : reason.message;
  return reason === undefined ? 'aborted by the caller' : String(reason);
}

/** The time a run may spend waiting on 429 and 503 answers (of the target, and apart of the reference). */
const waitBound = (config: RunConfig): number => (config.budgetMs ? config.budgetMs * WAIT_SHARE : UNPLANNED_WAIT_MS);

/** The client of a run, with its pacing, budget and stop conditions (signal, run time limit). */
function runClient(config: RunConfig, assets: number): { client: HttpClient; dispose(): void } {
  const client = new HttpClient({
    timeoutMs: config.timeoutMs,
    ...(config.maxBodyBytes ? { maxBodyBytes: config.maxBodyBytes } : {}),
    ...(config.rate ? { rate: config.rate } : {}),
    ...(config.maxRequests ? { maxRequests: config.maxRequests } : {}),
    ...(config.ca ? { ca: config.ca } : {}),
    ...(config.proxy ? { proxy: config.proxy } : {}),
    // each lane of each asset its own connection, and as many again for a request sent while another closes
    connections: Math.max(8, (config.concurrency ?? DEFAULTS.concurrency) * assets * 2),
    ...(config.tap ? { tap: config.tap } : {}),
    ...(config.handler ? { handler: config.handler } : {}),
    maxWaitMs: waitBound(config),
  });
  const onAbort = (): void => client.stop(`interrupted (${abortReason(config.signal?.reason)})`);
  config.signal?.addEventListener('abort', onAbort, { once: true });
  if (config.signal?.aborted) onAbort();
  const limit = config.runTimeoutMs;
  const runTimer = limit
    ? setTimeout(() => client.stop(`the run time limit (--run-timeout-ms ${limit}) was reached`), limit)
    : undefined;
  runTimer?.unref();
  return {
    client,
    dispose: () => {
      config.signal?.removeEventListener('abort', onAbort);
      if (runTimer) clearTimeout(runTimer);
    },
  };
}

/** What a run has set up and found, as it goes. */
interface RunState {
  config: RunConfig;
  /** When the properties should be done (with a budget). */
  deadline?: number;
  contract: Contract;
  runId: string;
  embedded: ReferenceServer | null;
  target: Target;
  client: HttpClient;
  /** The assets the run uploaded (--create-asset), in order. */
  created: Created[];
  leftovers: Leftover[] | null;
  /** Per created asset: whether it was deleted. */
  cleanups: Cleanup[];
  /** Per asset: whether it was put back, in the order of the assets. */
  restores: (RestoreResult & { assetId: string })[];
}

/** One asset of the run, checked and read: its environment for the properties and what puts it back. */
interface AssetRun {
  env: RunEnv;
  snapshot: Snapshot | null;
  created: Created | null;
  /** The quickest answer of its preflight (ms). */
  latencyMs: number;
}

/** The assets a run works on: the ids given (one for a replay), or the number to create. */
function assetsOf(config: RunConfig): { ids: string[]; create: number } {
  const one = config.path !== undefined;
  const given =
    config.assetId === undefined ? [] : typeof config.assetId === 'string' ? [config.assetId] : [...config.assetId];
  const create = config.createAsset === true ? 1 : typeof config.createAsset === 'number' ? config.createAsset : 0;
  return { ids: one ? given.slice(0, 1) : given, create: one ? Math.min(1, create) : create };
}

/** --create-asset: list (and maybe delete) the leftovers of earlier runs, then upload the run's assets. */
async function setUpCreatedAssets(state: RunState, count: number): Promise<void> {
  const { config, target, client, runId } = state;
  const probe = checkContext(
    state.contract,
    state.embedded?.assetId ?? assetsOf(config).ids[0] ?? '00000000-0000-0000-0000-000000000000',
  );
  state.leftovers = await findLeftovers(probe, target, client, runId);
  if (state.leftovers && state.leftovers.length > 0)
    config.onEvent?.({ type: 'leftovers', leftovers: state.leftovers, deleting: config.deleteLeftovers === true });
  if (config.deleteLeftovers)
    for (const l of state.leftovers ?? []) await deleteAsset(probe, target, client, l.id, false);
  for (let i = 0; i < count; i++) {
    const created = await createAsset(probe, target, client, runId);
    state.created.push(created);
    config.onEvent?.({ type: 'created', id: created.id });
  }
}

/** Preflight of one asset: whether it can be read, its values to put back, what the properties may send it. */
async function prepareAsset(state: RunState, assetId: string): Promise<AssetRun> {
  const { config, target, client, embedded } = state;
  const created = state.created.find((c) => c.id === assetId) ?? null;
  const ctx: SuiteContext = { ...checkContext(state.contract, assetId), apiKey: target.apiKey };
  // an in-process handler lives in the caller's process, as a loopback server on the caller's machine
  const local = embedded !== null || config.handler !== undefined || isLoopback(target.baseUrl);
  const mustRestore = !created && !local && !config.allowUnrestored;
  const { hasGet, snapshot, baseline: shown, latencyMs, own } = await preflight(ctx, target, client, mustRestore);
  ctx.own = own;
  if (snapshot && !created) config.onEvent?.({ type: 'snapshot', assetId, values: snapshot.values });
  config.onEvent?.({ type: 'preflight', hasGet, baseUrl: target.baseUrl, assetId, latencyMs });
  const baseline = shown ? restoreBody(ctx, { values: shown, source: 'PUT' }) : undefined;
  const references = Object.entries(ctx.bodyProperties)
    .filter(([, schema]) => isReference(schema))
    .map(([name]) => name);
  // A reference the run cannot put back is never sent a value a server could accept (do no harm);
  // one it can put back may even name the asset itself, an id that certainly exists.
  const sendBack = snapshot ? restoreBody(ctx, snapshot) : null;
  ctx.selfReference = created !== null || (sendBack !== null && references.every((n) => Object.hasOwn(sendBack, n)));
  ctx.withheld = created || !sendBack ? [] : references.filter((n) => !Object.hasOwn(sendBack, n));
  const env = { ctx, target, client, hasGet, ...(baseline && Object.keys(baseline).length > 0 ? { baseline } : {}) };
  return { env, snapshot, created, latencyMs };
}

/** The end of one asset's part: the created asset deleted, or the asset put back and read again. */
async function finishAsset(
  state: RunState,
  asset: AssetRun,
): Promise<{ restore: RestoreResult & { assetId: string }; cleanup?: Cleanup }> {
  const { target, client } = state;
  const { ctx, hasGet } = asset.env;
  const { created, snapshot } = asset;
  if (created) {
    const failed = (error: unknown): Cleanup => ({
      status: 'failed',
      id: created.id,
      message: `delete failed: ${String(error)}`,
    });
    return {
      cleanup: await deleteAsset(ctx, target, client, created.id, hasGet).catch(failed),
      restore: {
        assetId: created.id,
        status: 'not-possible',
        fields: [],
        original: {},
        message: 'the run used an asset it created (deleted at the end)',
      },
    };
  }
  return { restore: { assetId: ctx.targetId, ...(await restoreOrSay(ctx, target, client, snapshot, hasGet)) } };
}

/** Preflight of every asset, the properties on them, then the restore (or the deletion) of each. */
async function runOnAssets(
  state: RunState,
  ids: readonly string[],
): Promise<{ engine: EngineResult; hasGet: boolean; latencyMs: number }> {
  const { config, target, client } = state;
  const assets: AssetRun[] = [];
  try {
    for (const id of ids) assets.push(await prepareAsset(state, id));
    const first = assets[0]?.env as RunEnv;
    if (config.startFrom && !(await putState(first.ctx, target, client, config.startFrom, true)))
      throw new RunError('could not put the asset in the recorded state (--start-from): the update was not accepted');
    const engine = await runProperties(
      assets.map((a) => a.env),
      {
        seed: config.seed,
        runs: config.runs,
        propertyTimeLimitMs: config.propertyTimeLimitMs ?? Math.max(60_000, 6 * config.timeoutMs),
        concurrency: config.concurrency ?? DEFAULTS.concurrency,
        ...(state.deadline !== undefined ? { deadline: state.deadline } : {}),
        ...(config.counterexamples !== undefined ? { counterexamples: config.counterexamples } : {}),
        ...(config.tap ? { labelRequests: true } : {}),
        ...(config.only ? { only: config.only } : {}),
        ...(config.path !== undefined ? { path: config.path } : {}),
        ...(config.onEvent ? { onEvent: config.onEvent } : {}),
      },
    );
    return { engine, hasGet: first.hasGet, latencyMs: assets[0]?.latencyMs ?? 0 };
  } finally {
    // (in the order of the assets, whichever ends first)
    for (const end of await Promise.all(assets.map((a) => finishAsset(state, a)))) {
      state.restores.push(end.restore);
      if (end.cleanup) state.cleanups.push(end.cleanup);
    }
    // an asset created but never checked (its preflight was not reached): deleted all the same
    for (const c of state.created.filter((c) => !assets.some((a) => a.created === c)))
      state.cleanups.push(
        await deleteAsset(checkContext(state.contract, c.id), target, client, c.id, false).catch(
          (error: unknown): Cleanup => ({ status: 'failed', id: c.id, message: `delete failed: ${String(error)}` }),
        ),
      );
  }
}

/** The restores of several assets as one: restored when every one was; what was not, by asset. */
function restoreOf(restores: readonly (RestoreResult & { assetId: string })[]): RestoreResult | undefined {
  if (restores.length <= 1) {
    const [only] = restores;
    if (!only) return undefined;
    const { assetId: _, ...result } = only;
    return result;
  }
  const worst = restores.find((r) => r.status === 'failed') ?? restores.find((r) => r.status === 'not-possible');
  const notRestored = restores.filter((r) => r.status !== 'restored');
  return {
    status: worst?.status ?? 'restored',
    fields: [...new Set(restores.flatMap((r) => r.fields))],
    original: Object.fromEntries(notRestored.map((r) => [r.assetId, r.original])),
    message: restores.map((r) => `asset ${r.assetId}: ${r.message}`).join('; '),
  };
}

/** The deletions of several created assets as one: deleted when every one was. */
function cleanupOf(cleanups: readonly Cleanup[]): Cleanup | undefined {
  if (cleanups.length <= 1) return cleanups[0];
  const failed = cleanups.filter((c) => c.status !== 'deleted');
  const ids = cleanups.map((c) => c.id).join(', ');
  return {
    status: failed.length === 0 ? 'deleted' : 'failed',
    id: ids,
    message:
      failed.length === 0
        ? `deleted the ${cleanups.length} assets the run created (${ids})`
        : failed.map((c) => c.message).join('; '),
  };
}

function report(
  state: RunState,
  ids: string[],
  found: { engine: EngineResult; hasGet: boolean; latencyMs: number },
  startedAt: Date,
  fidelity?: { report: FidelityReport; apiKey: string },
): RunReport {
  const { engine, hasGet, latencyMs } = found;
  const { config, client } = state;
  return buildReport({
    contract: state.contract,
    seed: config.seed,
    runs: config.runs,
    strict: config.strict,
    ...(config.requireCoverage ? { requireCoverage: true } : {}),
    settings: {
      concurrency: config.concurrency ?? DEFAULTS.concurrency,
      rate: config.rate ?? 0,
      maxRequests: config.maxRequests ?? 0,
      timeoutMs: config.timeoutMs,
      ...(config.budgetMs ? { budgetMs: config.budgetMs } : {}),
    },
    ...(config.shard ? { shard: config.shard } : {}),
    ...(config.profile ? { profile: config.profile } : {}),
    replay: config.replayCommand ?? defaultReplayCommand(config),
    target: {
      baseUrl: state.target.baseUrl,
      embedded: state.embedded !== null,
      ...(config.handler ? { inProcess: true as const } : {}),
      assetId: ids[0] ?? '',
      ...(ids.length > 1 ? { assetIds: ids } : {}),
      hasGet,
      latencyMs,
      createdAsset: state.created.length > 0,
    },
    apiKey: state.target.apiKey,
    runId: state.runId,
    stopped: client.stoppedReason,
    cleanup: cleanupOf(state.cleanups),
    leftovers: state.leftovers,
    properties: engine.properties,
    tallies: engine.tallies,
    coverage: engine.coverage,
    requests: {
      sent: client.stats.requests,
      rateLimited: client.stats.rateLimited,
      retries: client.stats.retries,
      resetRetries: client.stats.resetRetries,
    },
    startedAt,
    restored: restoreOf(state.restores),
    ...(fidelity ? { fidelity } : {}),
  });
}

/** Runs the suite. Throws SpecError or RunError (exit 2) when the run cannot be made. */
export async function runConformance(
  config: RunConfig,
  contract: Contract = loadContract(config.specFile),
): Promise<RunReport> {
  const startedAt = new Date();
  const embedded =
    config.baseUrl === undefined && config.handler === undefined
      ? await startReferenceServer(config.embeddedVariant ? { variant: config.embeddedVariant } : {})
      : null;
  const target: Target = {
    baseUrl: embedded?.baseUrl ?? (config.handler ? IN_PROCESS_ORIGIN : (config.baseUrl as string)),
    apiKey: embedded?.apiKey ?? config.apiKey ?? '',
    ...(config.headers ? { headers: config.headers } : {}),
    ...(config.uploadFields ? { uploadFields: config.uploadFields } : {}),
  };
  const assets = assetsOf(config);
  const { client, dispose } = runClient(config, Math.max(1, assets.ids.length, assets.create));
  const state: RunState = {
    config,
    ...(config.budgetMs ? { deadline: startedAt.getTime() + config.budgetMs * (1 - END_SHARE) } : {}),
    contract,
    runId: randomBytes(6).toString('hex'),
    embedded,
    target,
    client,
    created: [],
    leftovers: null,
    cleanups: [],
    restores: [],
  };
  let reference: Reference | null = null;
  try {
    if (assets.create > 0) await setUpCreatedAssets(state, assets.create);
    const ids = state.created.length > 0 ? state.created.map((c) => c.id) : embedded ? [embedded.assetId] : assets.ids;
    if (config.compareWith) {
      reference = await openReference(config.compareWith, contract, ids[0] as string, {
        timeoutMs: config.timeoutMs,
        ...(config.rate ? { rate: config.rate } : {}),
        maxWaitMs: waitBound(config),
        ...(config.ca ? { ca: config.ca } : {}),
        ...(config.proxy ? { proxy: config.proxy } : {}),
        ...(config.headers ? { headers: config.headers } : {}),
        mustRestore: (url) => !isLoopback(url) && !config.allowUnrestored,
      });
      target.mirror = reference.mirror;
      config.onEvent?.({
        type: 'reference',
        baseUrl: reference.embedded ? null : reference.mirror.target.baseUrl,
        assetId: reference.mirror.referenceAssetId,
      });
    }
    const found = await runOnAssets(state, ids);
    for (const c of state.created) recordUpload(found.engine, c);
    delete target.mirror;
    const fidelity = reference
      ? await closeReference(reference, contract, config.compareWith?.failOn, target.apiKey, config.strict)
      : undefined;
    reference = null;
    return report(state, ids, found, startedAt, fidelity);
  } catch (error) {
    // A failure before the properties ran: still delete what the run created.
    for (const c of state.created.filter((c) => !state.cleanups.some((x) => x.id === c.id)))
      await deleteAsset(checkContext(contract, c.id), target, client, c.id, false).catch(() => undefined);
    throw error;
  } finally {
    dispose();
    await client.close();
    await embedded?.close();
    // a run that failed before its end still puts the reference's asset back
    if (reference) await closeReference(reference, contract, undefined, target.apiKey, false).catch(() => undefined);
  }
}

/** The upload of --create-asset, judged for CREATE-HASH-BLAKE3. */
function recordUpload(engine: EngineResult, created: Created): void {
  const tally = engine.tallies.get('CREATE-HASH-BLAKE3');
  if (!tally || created.hashFields.length === 0) return;
  tally.cases++;
  if (created.hashMismatch.length === 0 || tally.counterexamples.length > 0) return;
  const answer =
    created.exchange.body?.ok && isJsonObject(created.exchange.body.value) ? created.exchange.body.value : {};
  const expected = `blake3:${Buffer.from(blake3(created.bytes)).toString('hex')}`;
  tally.counterexamples.push({
    property: 'create-asset',
    seed: 0,
    path: '',
    steps: [`POST /api/assets with ${created.bytes.length} random bytes`],
    exchanges: [created.exchange],
    violations: created.hashMismatch.map((f) => ({
      requirement: 'CREATE-HASH-BLAKE3' as const,
      message: `Received: ${f} ${String(answer[f])} / Expected: ${expected}`,
    })),
    kind: '',
  });
}
