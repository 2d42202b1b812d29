/** What the CLI prints: progress while it runs, a table of verdicts at the end. */
import { show } from '../json.ts';
import {
  type CounterexampleReport,
  counterexampleHeading,
  counterexamplesOf,
  failsRun,
  isKnownFailure,
  type RequirementReport,
  type RunReport,
} from '../report/model.ts';
import type { RunEvent } from '../runner/engine.ts';
import {
  assetAfterwards,
  coverageLines,
  differenceLine,
  fidelityLine,
  HISTORY,
  notExercised,
  verdictLabel,
} from './text.ts';

const color = (code: number, s: string, on: boolean): string => (on ? `\u001b[${code}m${s}\u001b[0m` : s);

export function progressLine(event: RunEvent, colors: boolean): string | null {
  if (event.type === 'property-start')
    return `[${event.pass === 'all' ? '' : `${event.pass} `}${event.index + 1}/${event.total}] ${event.property.name}: ${event.property.title}${event.asset ? ` (asset ${event.asset})` : ''}`;
  if (event.type === 'property-end') {
    const r = event.result;
    const mark =
      r.status === 'pass'
        ? color(32, 'ok', colors)
        : r.status === 'skip'
          ? color(33, 'skipped', colors)
          : color(31, 'FAILED', colors);
    const extra = r.status === 'skip' ? ` (${r.skipReason})` : r.failed.length > 0 ? ` ${r.failed.join(', ')}` : '';
    return `      ${mark} ${r.name}: ${r.cases} cases${r.discarded ? `, ${r.discarded} discarded` : ''}, ${(r.ms / 1000).toFixed(1)} s${r.interrupted ? `, cut short: ${r.cut ?? 'time limit reached'}` : ''}${r.gaveUp ? ', gave up: too few cases could be judged' : ''}${extra}`;
  }
  return null;
}

type Paint = (code: number, s: string) => string;

function verdictRows(report: RunReport, paint: Paint, oneCase: boolean): string[] {
  const heads = ['Requirement', 'Level', 'Verdict', 'Cases'];
  // one case replayed (--path): only what it exercised; the rest would be a table of skips
  const shown = oneCase ? report.requirements.filter((r) => r.status !== 'skip') : report.requirements;
  const rows = shown.map((r) => [r.id, r.level, verdictLabel(r, report), String(r.cases)]);
  const widths = heads.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const pad = (row: string[]): string =>
    row.map((c, i) => (i === 3 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ');
  const out = ['', pad(heads)];
  for (const [i, r] of shown.entries()) {
    const line = pad(rows[i] as string[]);
    if (r.status === 'fail') out.push(paint(failsRun(r, report) ? 31 : 33, line));
    else if (r.outcome === 'fixed') out.push(paint(36, line));
    else if (r.status === 'skip') out.push(paint(90, line));
    else out.push(line);
  }
  const hidden = report.requirements.length - shown.length;
  if (hidden > 0) out.push(paint(90, `(${hidden} requirements this case does not exercise are not listed)`));
  return out;
}

/**
 * Why each requirement the run did not exercise was not (the table says only that it was not), one
 * line per reason with the requirements it holds for; those the profile does not hold are counted
 * in the totals and left out here.
 */
function unexercisedLines(report: RunReport, paint: Paint): string[] {
  const byReason = new Map<string, string[]>();
  for (const r of report.requirements.filter((x) => x.status === 'skip' && !x.notRequired)) {
    const reason = r.reason ?? 'no reason given';
    byReason.set(reason, [...(byReason.get(reason) ?? []), r.id]);
  }
  if (byReason.size === 0) return [];
  const cut = (s: string): string => (s.length > 240 ? `${s.slice(0, 240)}… (full text in report.md)` : s);
  return [
    '',
    'not exercised, and why:',
    ...[...byReason].map(([reason, ids]) => paint(90, `  ${ids.join(', ')}: ${cut(reason)}`)),
  ];
}

/** Each failure that is not known: the minimal case, the violation, curl and replay. */
function failures(report: RunReport, paint: Paint): string[] {
  const out: string[] = [];
  // Known failures are listed in the table; their details are in report.md.
  for (const r of report.requirements.filter((x) => x.counterexample && !isKnownFailure(x))) {
    out.push('', paint(1, `${r.id} (${r.level}): ${r.title}`));
    counterexamplesOf(r).forEach((cx, i) => {
      const heading = counterexampleHeading(r, i);
      if (heading) out.push(`  -- ${heading}`);
      out.push(...counterexampleLines(r, cx));
    });
  }
  return out;
}

function counterexampleLines(r: RequirementReport, cx: CounterexampleReport): string[] {
  const out: string[] = [];
  if (cx.steps)
    for (const step of cx.steps)
      out.push(
        `  ${String(step.n).padStart(2)}. ${step.line.length > 160 ? `${step.line.slice(0, 160)}…` : step.line}`,
      );
  else out.push(`  case:   ${cx.description}`);
  if (cx.stateBefore) out.push(`  asset before: ${show(cx.stateBefore, 200)}`);
  if (cx.history) out.push(`  (${HISTORY})`);
  for (const v of cx.violated.filter((v) => v.requirement === r.id)) out.push(`  ${v.message}`);
  out.push(`  curl:   ${cx.curl.length > 400 ? `${cx.curl.slice(0, 400)}… (full line in report.md)` : cx.curl}`);
  out.push(`  replay: ${cx.replay}`);
  return out;
}

/** What became of the asset: deleted, restored, or loudly not. */
function assetLines(report: RunReport, paint: Paint): string[] {
  const { ok, headline, detail } = assetAfterwards(report);
  if (ok) return ['', headline];
  return ['', paint(31, `!!! ${headline}`), ...(detail ? [paint(31, `!!! ${detail}`)] : [])];
}

function totals(report: RunReport, reportDir: string | null, paint: Paint): string[] {
  const s = report.summary;
  const out = [
    '',
    `${s.passed} passed, ${s.mustFailed} MUST failed, ${s.shouldFailed} SHOULD failed${report.strict ? '' : ' (not fatal without --strict)'}${s.following ? `, ${s.following} following from another failure` : ''}, ${notExercised(s)}${report.requireCoverage ? ' (fatal with --require-coverage)' : ''}; ${report.requests.sent} requests in ${(report.durationMs / 1000).toFixed(1)} s, seed ${report.seed}`,
  ];
  const resent = report.requests.resetRetries;
  if (resent)
    out.push(
      `${resent} request(s) sent again after the connection closed before any answer (a second close is a verdict)`,
    );
  const e = report.expectations;
  if (e) {
    const hint = e.fixed ? ' (remove them from the file, or run --update-expectations)' : '';
    out.push(
      `expectations ${e.file}: ${e.newFailures} new failure(s), ${e.expectedFailures} expected, ${e.fixed} fixed${hint}, ${e.intermittent} known intermittent`,
    );
  }
  if (reportDir) out.push(`reports: ${reportDir}/report.json, report.md, report.html, junit.xml, failures.ndjson`);
  const [good, bad] = e
    ? ['NO CHANGE FROM THE EXPECTATIONS', 'CHANGED FROM THE EXPECTATIONS']
    : ['CONFORMS', 'DOES NOT CONFORM'];
  out.push(report.exitCode === 0 ? paint(32, good) : paint(31, bad));
  return out;
}

/** The most differences the terminal lists (report.md has them all). */
const SHOWN_DIFFERENCES = 12;

/** --compare-with: the line of counts, then the differences, faults first. */
function fidelityLines(report: RunReport, paint: Paint): string[] {
  const f = report.fidelity;
  if (!f) return [];
  const order = ['fault', 'reference fault', 'allowed, differs'];
  const sorted = [...f.differences].sort((a, b) => order.indexOf(a.tag) - order.indexOf(b.tag));
  const more = sorted.length - SHOWN_DIFFERENCES;
  return [
    '',
    fidelityLine(f),
    ...sorted
      .slice(0, SHOWN_DIFFERENCES)
      .map((d) => `  ${d.tag === 'fault' ? paint(31, differenceLine(d)) : differenceLine(d)}`),
    ...(more > 0 ? [`  ... and ${more} more in report.md`] : []),
  ];
}

/** `oneCase`: the run replayed one case (--path), so the table lists only the requirements it exercised. */
export function renderSummary(report: RunReport, reportDir: string | null, colors: boolean, oneCase = false): string {
  const paint: Paint = (code, s) => color(code, s, colors);
  const stopped = report.stopped
    ? ['', paint(33, `stopped early: ${report.stopped}; requirements not reached are skipped`)]
    : [];
  const coverage = report.coverage ? ['', ...coverageLines(report.coverage).map((l) => `coverage, ${l}`)] : [];
  return [
    ...verdictRows(report, paint, oneCase),
    ...(oneCase ? [] : unexercisedLines(report, paint)),
    ...(oneCase ? [] : coverage),
    ...fidelityLines(report, paint),
    ...failures(report, paint),
    ...stopped,
    ...assetLines(report, paint),
    ...totals(report, reportDir, paint),
  ].join('\n');
}
