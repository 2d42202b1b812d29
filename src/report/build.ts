/**
 * Builds the RunReport from the engine's raw results: a verdict per requirement, each failure
 * with its exchanges, curl lines and replay command, and every string redacted.
 */

import type { Contract } from '../contract/load.ts';
import type { Exchange } from '../exchange/perform.ts';
import { schemaKeywords } from '../generators/bodies.ts';
import { EDGE_ROWS } from '../generators/edges.ts';
import { keyLabel, keySecrets } from '../generators/keys.ts';
import { isJsonObject } from '../json.ts';
import {
  isAboutConnection,
  isDerived,
  PROFILES,
  type ProfileName,
  profileHolds,
  REQUIREMENTS,
  type Requirement,
  type RequirementId,
  requirement,
} from '../requirements.ts';
import { curlLine } from './curl.ts';
import type { FidelityReport } from './fidelity.ts';
import {
  type Cleanup,
  type Counterexample,
  type CounterexampleReport,
  type Coverage,
  type ExchangeReport,
  exitCodeOf,
  type Leftover,
  type PropertyResult,
  REPORT_SCHEMA_VERSION,
  type RequestCounts,
  type RequirementReport,
  type RequirementTally,
  type RestoreResult,
  type RunReport,
  summaryOf,
  TOOL,
} from './model.ts';
import { makeRedactor, type Redactor } from './redact.ts';
import { shortened } from './shorten.ts';

export type ReplayCommand = (replay: {
  property: string;
  seed: number;
  path: string;
  /** The asset's values the case met, when they differ from those before the run. */
  state?: Record<string, unknown>;
  /** The asset the case was sent to, when the run had several. */
  assetId?: string;
}) => string;

/** Everything a report is made of. */
export interface ReportInputs {
  contract: Contract;
  seed: number;
  runs: number;
  strict: boolean;
  requireCoverage?: boolean;
  settings: RunReport['settings'];
  shard?: string;
  /** The kind of target judged (absent: server, every requirement). */
  profile?: ProfileName;
  replay: ReplayCommand;
  target: RunReport['target'];
  apiKey: string;
  runId: string;
  stopped: string | null;
  cleanup: Cleanup | undefined;
  leftovers: Leftover[] | null;
  properties: PropertyResult[];
  tallies: Map<RequirementId, RequirementTally>;
  coverage: Map<string, number>;
  requests: RequestCounts;
  startedAt: Date;
  restored: RestoreResult | undefined;
  /** --compare-with: the differences from the reference, and its key (redacted as the run's). */
  fidelity?: { report: FidelityReport; apiKey: string };
}

const MAX_SHOWN_BODY = 8000;
/** A body as a failure shows it: long values cut (shorten.ts), and at most MAX_SHOWN_BODY characters. */
const clip = (text: string): string => {
  const s = shortened(text);
  return s.length > MAX_SHOWN_BODY ? `${s.slice(0, MAX_SHOWN_BODY)}… (${s.length} chars in all)` : s;
};

/** Where the rule comes from: a pointer into the spec, or a section of docs/contract.md. */
function citationText(contract: Contract, id: RequirementId): string[] {
  return requirement(id).cite.map((c) =>
    c.source === 'spec'
      ? `spec ${c.ref.startsWith('#/') ? c.ref : `${contract.pointer}/${c.ref}`}: ${c.quote}`
      : `docs/contract.md, "${c.ref}": ${c.quote}`,
  );
}

function exchangeReport(ex: Exchange, contract: Contract, apiKey: string): ExchangeReport {
  // a repeated field as one, its values joined with commas (RFC 9110 5.3: the same field to a recipient)
  const headers = Object.fromEntries(
    Object.entries(ex.request.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]),
  );
  const auth = contract.auth?.header.toLowerCase();
  const prefix = contract.auth?.prefix ?? '';
  if (auth && headers[auth] === `${prefix}${apiKey}`) headers[auth] = `${prefix}$CONFORMANCE_API_KEY`;
  else if (auth && headers[auth] !== undefined && ex.case.key.kind === 'derived')
    headers[auth] = `${prefix}<${keyLabel(ex.case.key)}>`;
  const o = ex.outcome;
  const body = ex.request.body;
  const shownBody =
    body === undefined ? {} : { body: typeof body === 'string' ? clip(body) : `(${body.length} bytes)` };
  const resent = o.resentAfter ? { resentAfter: o.resentAfter } : {};
  return {
    request: { method: ex.request.method, url: ex.request.url, headers, ...shownBody },
    response:
      o.kind === 'response'
        ? { status: o.status, headers: o.headers, body: clip(o.text), ms: o.ms, ...resent }
        : {
            ...(o.status !== undefined ? { status: o.status, headers: o.headers } : {}),
            failure: `${o.failure}: ${o.message}`,
            ms: o.ms,
            ...resent,
          },
  };
}

/** Every string in a value, redacted. */
function redactDeep<T>(value: T, redact: Redactor): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, redact)) as T;
  if (isJsonObject(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [redact(k), redactDeep(v, redact)])) as T;
  return value;
}

function counterexampleReport(cx: Counterexample, inputs: ReportInputs): CounterexampleReport {
  const { contract, apiKey } = inputs;
  const last = cx.exchanges[cx.exchanges.length - 1] as Exchange;
  const steps = cx.steps.map((line, i) => {
    const ex = cx.exchanges[i] as Exchange;
    return {
      n: i + 1,
      line,
      curl: curlLine(ex.request, contract.auth, apiKey, ex.case.key),
      ...exchangeReport(ex, contract, apiKey),
    };
  });
  return {
    property: cx.property,
    seed: cx.seed,
    path: cx.path,
    description: cx.steps[cx.steps.length - 1] ?? '',
    ...(cx.steps.length > 1 ? { steps } : {}),
    ...exchangeReport(last, contract, apiKey),
    violated: cx.violations.map((v) => ({ requirement: v.requirement, message: v.message })),
    ...(cx.kind ? { kind: cx.kind } : {}),
    ...(cx.stateBefore ? { stateBefore: cx.stateBefore } : {}),
    ...(cx.history ? { history: true } : {}),
    ...(cx.assetId ? { assetId: cx.assetId } : {}),
    curl: curlLine(last.request, contract.auth, apiKey, last.case.key),
    replay: inputs.replay({
      property: cx.property,
      seed: cx.seed,
      path: cx.path,
      ...(cx.stateBefore ? { state: cx.stateBefore } : {}),
      ...(cx.assetId ? { assetId: cx.assetId } : {}),
    }),
  };
}

/**
 * The requirement a failure follows from: for a derived one, an earlier violation in the same
 * counterexample, of a requirement that is not derived, about the same fields (a sequence's model
 * built on an answer that its own requirement already blamed); for a stricter form of another
 * requirement (Requirement.refines), that one failing on the same fields of the same exchange.
 */
function antecedent(cx: Counterexample, id: RequirementId): RequirementId | null {
  const at = cx.violations.findIndex((v) => v.requirement === id);
  const fields = (cx.violations[at]?.kind ?? '').split(', ').filter(Boolean);
  const covers = (w: Counterexample['violations'][number]): boolean =>
    fields.every((f) => (w.kind ?? '').split(', ').includes(f));
  // a stricter form of another requirement, failing with it on the same fields of the same exchange
  const base = requirement(id).refines;
  if (base && fields.length > 0)
    return cx.violations.find((w) => w.requirement === base && covers(w))?.requirement ?? null;
  if (!isDerived(id) || fields.length === 0) return null;
  const earlier = cx.violations.slice(0, at).find((w) => !isDerived(w.requirement) && covers(w));
  return earlier?.requirement ?? null;
}

/** A derived failure follows from another when every one of its counterexamples does. */
function followsFrom(tally: RequirementTally, id: RequirementId): RequirementId | null {
  const from = tally.counterexamples.map((cx) => antecedent(cx, id));
  return from.length > 0 && from.every((f) => f !== null) ? (from[0] ?? null) : null;
}

/** The coverage tables: every constraint, status and edge row, with the exchanges that exercised it. */
function coverageOf(contract: Contract, counts: Map<string, number>): Coverage {
  const seen = (prefix: string): string[] =>
    [...counts.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
  const keywords = [...new Set([...schemaKeywords(contract.requestBody.schema), ...seen('keyword:')])];
  const documented = contract.responses.map((r) => r.status);
  const statuses = [...new Set([...documented, ...seen('status:')])].sort();
  return {
    keywords: keywords.map((name) => ({
      name,
      cases: counts.get(`keyword:${name}`) ?? 0,
      ...(name.startsWith('json ') ? { note: 'malformed JSON (not a schema keyword)' } : {}),
    })),
    statuses: statuses.map((name) => ({
      name,
      cases: counts.get(`status:${name}`) ?? 0,
      note: documented.includes(name) ? 'documented' : 'not documented',
    })),
    edges: EDGE_ROWS.map((row) => ({
      name: row.id,
      standard: row.standard,
      requirement: row.requirement,
      cases: counts.get(`edge:${row.id}`) ?? 0,
      note: row.elsewhere ? `${row.title}; ${row.elsewhere}` : row.title,
    })),
  };
}

/** Why a requirement was not judged. */
function skipReason(r: Requirement, inputs: ReportInputs): string {
  if (r.id === 'CREATE-HASH-BLAKE3' && !inputs.target.createdAsset) return 'judged only with --create-asset';
  if (inputs.stopped) return `not judged: ${inputs.stopped}`;
  const skipped = inputs.properties.filter((p) => p.status === 'skip').map((p) => `${p.name}: ${p.skipReason}`);
  if (skipped.length > 0) return `no exchange it applies to (skipped properties: ${skipped.join('; ')})`;
  // what it judges: a requirement about some answers (a 200 to unknown members only) may meet none
  return `no exchange it applies to in this run (it judges ${r.scope})`;
}

function requirementReport(r: Requirement, inputs: ReportInputs): RequirementReport {
  const tally = inputs.tallies.get(r.id as RequirementId) ?? { cases: 0, counterexamples: [] };
  const base = {
    id: r.id as RequirementId,
    level: r.level,
    title: r.title,
    cases: tally.cases,
    citation: citationText(inputs.contract, r.id as RequirementId),
  };
  const profile = inputs.profile ?? 'server';
  if (!profileHolds(profile, r.id as RequirementId))
    return {
      ...base,
      status: 'skip',
      notRequired: true,
      reason: `not required by the profile ${profile} (${PROFILES[profile].title})`,
    };
  if (inputs.target.inProcess && isAboutConnection(r.id as RequirementId))
    return {
      ...base,
      cases: 0,
      status: 'skip',
      unexercisable: true,
      reason: 'an in-process handler has no HTTP connection to judge (run it behind a port for this)',
    };
  const [first, ...more] = tally.counterexamples.map((cx) => counterexampleReport(cx, inputs));
  const follows = followsFrom(tally, r.id as RequirementId);
  if (first)
    return {
      ...base,
      status: 'fail',
      ...(follows ? { followsFrom: follows } : {}),
      counterexample: first,
      ...(more.length > 0 ? { more } : {}),
    };
  if (tally.cases === 0) return { ...base, status: 'skip', reason: skipReason(r, inputs) };
  return { ...base, status: 'pass' };
}

export function buildReport(inputs: ReportInputs): RunReport {
  const { contract } = inputs;
  const requirements = REQUIREMENTS.map((r) => requirementReport(r, inputs));
  const report: RunReport = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: TOOL,
    target: inputs.target,
    runId: inputs.runId,
    stopped: inputs.stopped,
    ...(inputs.cleanup ? { cleanup: inputs.cleanup } : {}),
    ...(inputs.leftovers && inputs.leftovers.length > 0 ? { leftovers: inputs.leftovers } : {}),
    settings: inputs.settings,
    ...(inputs.shard ? { shard: inputs.shard } : {}),
    ...(inputs.profile && inputs.profile !== 'server' ? { profile: inputs.profile } : {}),
    spec: {
      file: contract.file,
      sha256: contract.sha256,
      title: contract.title,
      version: contract.version,
      operationId: contract.operationId,
    },
    seed: inputs.seed,
    runs: inputs.runs,
    strict: inputs.strict,
    ...(inputs.requireCoverage ? { requireCoverage: true } : {}),
    startedAt: inputs.startedAt.toISOString(),
    durationMs: Date.now() - inputs.startedAt.getTime(),
    requests: inputs.requests,
    properties: inputs.properties,
    requirements,
    coverage: coverageOf(contract, inputs.coverage),
    restore: inputs.restored ?? {
      status: 'not-possible',
      fields: [],
      original: {},
      message: 'the run ended before the restore',
    },
    summary: summaryOf(requirements),
    ...(inputs.fidelity ? { fidelity: inputs.fidelity.report } : {}),
    exitCode: exitCodeOf(requirements, {
      strict: inputs.strict,
      ...(inputs.requireCoverage ? { requireCoverage: true } : {}),
      ...(inputs.fidelity ? { fidelity: inputs.fidelity.report } : {}),
    }),
  };
  const secrets = keySecrets(inputs.apiKey, inputs.fidelity?.apiKey);
  return redactDeep(report, makeRedactor(secrets));
}
