/**
 * --compare-with: the reference a run sends every case to as well (exchange/mirror.ts). It is
 * checked like the target (its asset read, its values kept), and put back at the end as the
 * target's asset is: a staging cloud given as the reference is never left changed.
 */
import { checkContext } from '../checks/context.ts';
import type { Contract } from '../contract/load.ts';
import { HttpClient, type ProxySettings } from '../exchange/http.ts';
import type { Mirror, Target } from '../exchange/perform.ts';
import { type Aspect, type FidelityReport, fidelityOf } from '../report/fidelity.ts';
import { type ReferenceServer, startReferenceServer } from '../server/index.ts';
import { preflight, type Snapshot } from './preflight.ts';
import { restoreOrSay } from './restore.ts';

export interface CompareWith {
  /** Absent: the embedded reference server, started for the run. */
  baseUrl?: string;
  apiKey?: string;
  /** The reference's asset, which stands for the run's (required with a base URL). */
  assetId?: string;
  /** --fidelity: the aspects whose differences fail the run. */
  failOn?: readonly Aspect[];
}

/** The reference of a run, checked and ready: what sends to it, and what puts it back. */
export interface Reference {
  mirror: Mirror;
  embedded: ReferenceServer | null;
  snapshot: Snapshot | null;
  hasGet: boolean;
}

interface Settings {
  timeoutMs: number;
  /** The run's ceiling on requests per second, which the reference is held to as well (0: none). */
  rate?: number;
  /** Time the run may spend waiting on the reference's 429 and 503 answers, as on the target's. */
  maxWaitMs: number;
  ca?: string;
  proxy?: ProxySettings;
  headers?: Record<string, string>;
  /** Whether the reference's asset must be restorable (a reference that is not on this machine). */
  mustRestore: (baseUrl: string) => boolean;
}

/** Starts (or reaches) the reference and reads its asset, for the run's asset `assetId`. */
export async function openReference(
  compare: CompareWith,
  contract: Contract,
  assetId: string,
  settings: Settings,
): Promise<Reference> {
  const embedded = compare.baseUrl === undefined ? await startReferenceServer() : null;
  const target: Target = {
    baseUrl: embedded?.baseUrl ?? (compare.baseUrl as string),
    apiKey: embedded?.apiKey ?? compare.apiKey ?? '',
    ...(settings.headers ? { headers: settings.headers } : {}),
  };
  const referenceAssetId = embedded?.assetId ?? (compare.assetId as string);
  const client = new HttpClient({
    timeoutMs: settings.timeoutMs,
    ...(settings.rate ? { rate: settings.rate } : {}),
    maxWaitMs: settings.maxWaitMs,
    ...(settings.ca ? { ca: settings.ca } : {}),
    ...(settings.proxy ? { proxy: settings.proxy } : {}),
  });
  try {
    const ctx = checkContext(contract, referenceAssetId);
    const restorable = embedded === null && settings.mustRestore(target.baseUrl);
    const { snapshot, hasGet } = await preflight(ctx, target, client, restorable);
    return { mirror: { target, client, assetId, referenceAssetId, pairs: [] }, embedded, snapshot, hasGet };
  } catch (error) {
    await client.close();
    await embedded?.close();
    throw error;
  }
}

/** Puts the reference's asset back, closes it, and says what differed. */
export async function closeReference(
  reference: Reference,
  contract: Contract,
  failOn: readonly Aspect[] | undefined,
  targetApiKey: string,
  strict: boolean,
): Promise<{ report: FidelityReport; apiKey: string }> {
  const { mirror, embedded, snapshot, hasGet } = reference;
  const ctx = checkContext(contract, mirror.referenceAssetId);
  const restored = embedded ? null : await restoreOrSay(ctx, mirror.target, mirror.client, snapshot, hasGet);
  await mirror.client.close();
  await embedded?.close();
  const report = fidelityOf({
    contract,
    pairs: mirror.pairs,
    assetId: mirror.assetId,
    apiKey: targetApiKey,
    strict,
    reference: {
      baseUrl: embedded ? 'embedded' : mirror.target.baseUrl,
      embedded: embedded !== null,
      assetId: mirror.referenceAssetId,
      apiKey: mirror.target.apiKey,
    },
    ...(failOn ? { failOn } : {}),
  });
  return {
    report: { ...report, ...(restored ? { restore: { status: restored.status, message: restored.message } } : {}) },
    apiKey: mirror.target.apiKey,
  };
}
