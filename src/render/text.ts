/** Text pieces every renderer shares: a verdict's label, and an exchange written out as HTTP. */
import type { FidelityDifference, FidelityReport } from '../report/fidelity.ts';
import {
  type Coverage,
  type CoverageRow,
  type ExchangeReport,
  failsRun,
  type RequirementReport,
  type RunMode,
  type RunReport,
  type Summary,
  unexercised,
} from '../report/model.ts';

export function verdictLabel(r: RequirementReport, mode: RunMode): string {
  if (r.outcome === 'fixed') return 'pass (FIXED: known to fail)';
  if (r.outcome === 'intermittent')
    return r.status === 'fail' ? 'fail (known intermittent)' : `${r.status} (known intermittent)`;
  if (r.outcome === 'expected-failure') return 'fail (expected)';
  if (r.status === 'pass') return 'pass';
  if (r.notRequired) return 'not required';
  if (r.status === 'skip') return failsRun(r, mode) ? 'NOT EXERCISED' : 'not exercised';
  if (r.followsFrom) return `fail (follows from ${r.followsFrom})`;
  const label = failsRun(r, mode) ? 'FAIL' : 'FAIL (SHOULD, not fatal)';
  return r.outcome === 'new-failure' ? `${label}, NEW` : label;
}

/** What a counterexample that depends on more than the asset's values says of its replay. */
export const HISTORY =
  'tried again from these values it did not show: it depends on more of the history, and a replay may not show it';

/** Text for one cell of a Markdown table: pipes escaped, line breaks made spaces. */
export const tableCell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

const headerLines = (headers: Record<string, string>): string =>
  Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');

/** The request as HTTP text: request line, headers, body. */
export function requestText(ex: ExchangeReport): string {
  return `${ex.request.method} ${ex.request.url}\n${headerLines(ex.request.headers)}\n\n${ex.request.body ?? ''}`;
}

/** The response as HTTP text (status, headers, body), or how it failed. */
export function responseText(ex: ExchangeReport): string {
  const res = ex.response;
  return res.failure ? `(${res.failure})` : `${res.status}\n${headerLines(res.headers ?? {})}\n\n${res.body ?? ''}`;
}

/** "2 not exercised (1 MUST)": the requirements no case exercised, never counted as passes. */
export const notExercised = (s: Summary): string =>
  `${s.skipped} not exercised${s.mustSkipped ? ` (${s.mustSkipped} MUST)` : ''}`;

/** The summary line's counts: "34 passed, 1 MUST failed, 0 SHOULD failed, 2 not exercised" (and the followers). */
export function summaryCounts(s: Summary): string {
  const following = s.following ? `, ${s.following} following from another failure` : '';
  const notRequired = s.notRequired ? `, ${s.notRequired} not required by the profile` : '';
  return `${s.passed} passed, ${s.mustFailed} MUST failed, ${s.shouldFailed} SHOULD failed${following}, ${notExercised(s)}${notRequired}`;
}

/** One line per coverage table: how much of it the run exercised, and what it did not. */
export function coverageLines(c: Coverage): string[] {
  const line = (label: string, rows: readonly CoverageRow[]): string => {
    const missed = unexercised(rows);
    const tried = rows.length - missed.length;
    return `${label}: ${tried} of ${rows.length}${missed.length ? `; not exercised: ${missed.map((r) => r.name).join(', ')}` : ''}`;
  };
  return [
    line('schema constraints broken', c.keywords),
    line('statuses received', c.statuses),
    line('edge classes', c.edges),
  ];
}

/** The run's assets as a report names them: "asset ID", or "assets ID, ID" for a run on several (`code` wraps each id). */
export function assetsText(target: RunReport['target'], code: (id: string) => string = (id) => id): string {
  const ids = target.assetIds ?? [target.assetId];
  return `${ids.length > 1 ? 'assets' : 'asset'} ${ids.map(code).join(', ')}`;
}

/** What became of the run's asset, in the words every output uses (terminal, report.md, report.html, junit.xml). */
export interface AssetAfterwards {
  ok: boolean;
  headline: string;
  /** When not ok: what may differ, and the values before the run where the suite saw them. */
  detail: string | null;
}

export function assetAfterwards(report: RunReport): AssetAfterwards {
  const { cleanup, restore, target } = report;
  if (cleanup)
    return cleanup.status === 'deleted'
      ? { ok: true, headline: cleanup.message, detail: null }
      : { ok: false, headline: `THE ASSET CREATED BY THIS RUN WAS NOT DELETED: ${cleanup.message}`, detail: null };
  const assets = assetsText(target);
  if (restore.status === 'restored')
    return { ok: true, headline: target.assetIds ? restore.message : `${assets}: ${restore.message}`, detail: null };
  const detail =
    Object.keys(restore.original).length > 0
      ? `The ${assets} may differ from before the run. Values before the run: ${JSON.stringify(restore.original)}`
      : `The ${assets} may differ from before the run; the earlier values were never shown to the suite.`;
  return { ok: false, headline: `THE ASSET WAS NOT RESTORED: ${restore.message}`, detail };
}

/** --compare-with, in one line: the reference, the cases compared and the differences by tag. */
export function fidelityLine(f: FidelityReport): string {
  const reference = f.reference.embedded ? 'the embedded reference server' : f.reference.baseUrl;
  const chosen = f.failOn ? `; --fidelity ${f.failOn.join(',')}: ${f.fails ? 'FAILS the run' : 'none found'}` : '';
  return `fidelity against ${reference}: ${f.compared} cases compared, ${f.differences.length} difference(s): ${f.counts.fault} fault, ${f.counts.allowedDiffers} allowed (differs), ${f.counts.referenceFault} reference fault${chosen}`;
}

/** One difference, as a line: its tag, what differs, in which cases, and what each answered. */
export const differenceLine = (d: FidelityDifference): string =>
  `${d.tag}: ${d.aspect} in ${d.caseClass} (${d.count} case${d.count === 1 ? '' : 's'}): target ${d.example.target}; reference ${d.example.reference}`;

/** The target in words: the embedded reference server, an in-process handler, or its base URL. */
export const targetText = (target: {
  embedded: boolean;
  inProcess?: true;
  handler?: string;
  baseUrl: string;
}): string =>
  target.embedded
    ? 'embedded reference server'
    : target.inProcess || target.handler !== undefined
      ? `an in-process handler${target.handler ? ` (${target.handler})` : ''}`
      : target.baseUrl;
