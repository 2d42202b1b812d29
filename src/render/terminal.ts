/** What the CLI prints: progress while it runs, a table of verdicts at the end. */
import { type RunReport, failsRun, isKnownFailure } from '../report/model.ts';
import type { RunEvent } from '../runner/engine.ts';
import { verdictLabel } from './markdown.ts';

const color = (code: number, s: string, on: boolean): string => (on ? `\u001b[${code}m${s}\u001b[0m` : s);

export function progressLine(event: RunEvent, colors: boolean): string | null {
  if (event.type === 'property-start')
    return `[${event.index + 1}/${event.total}] ${event.property.name}: ${event.property.title}`;
  if (event.type === 'property-end') {
    const r = event.result;
    const mark =
      r.status === 'pass'
        ? color(32, 'ok', colors)
        : r.status === 'skip'
          ? color(33, 'skipped', colors)
          : color(31, 'FAILED', colors);
    const extra = r.status === 'skip' ? ` (${r.skipReason})` : r.failed.length > 0 ? ` ${r.failed.join(', ')}` : '';
    return `      ${mark} ${r.name}: ${r.cases} cases${r.discarded ? `, ${r.discarded} discarded` : ''}, ${(r.ms / 1000).toFixed(1)} s${r.interrupted ? ', time limit reached' : ''}${r.gaveUp ? ', gave up: too few cases could be judged' : ''}${extra}`;
  }
  return null;
}

export function renderSummary(report: RunReport, reportDir: string | null, colors: boolean): string {
  const rows = report.requirements.map((r) => [r.id, r.level, verdictLabel(r, report.strict), String(r.cases)]);
  const widths = [0, 1, 2, 3].map((i) =>
    Math.max(['Requirement', 'Level', 'Verdict', 'Cases'][i]?.length ?? 0, ...rows.map((row) => row[i]?.length ?? 0)),
  );
  const pad = (row: string[]): string =>
    row.map((c, i) => (i === 3 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ');
  const out = ['', pad(['Requirement', 'Level', 'Verdict', 'Cases'])];
  for (const [i, row] of rows.entries()) {
    const r = report.requirements[i];
    const line = pad(row);
    const fatal = r !== undefined && failsRun(r, report.strict);
    out.push(
      r?.status === 'fail'
        ? color(fatal ? 31 : 33, line, colors)
        : r?.outcome === 'fixed'
          ? color(36, line, colors)
          : r?.status === 'skip'
            ? color(90, line, colors)
            : line,
    );
  }
  // Known failures are listed in the table; their details are in report.md.
  const failed = report.requirements.filter((r) => r.counterexample && !isKnownFailure(r));
  for (const r of failed) {
    const cx = r.counterexample;
    if (!cx) continue;
    out.push('', color(1, `${r.id} (${r.level}): ${r.title}`, colors));
    if (cx.steps)
      for (const step of cx.steps)
        out.push(
          `  ${String(step.n).padStart(2)}. ${step.line.length > 160 ? `${step.line.slice(0, 160)}…` : step.line}`,
        );
    else out.push(`  case:   ${cx.description}`);
    for (const v of cx.violated.filter((v) => v.requirement === r.id)) out.push(`  ${v.message}`);
    out.push(`  curl:   ${cx.curl.length > 400 ? `${cx.curl.slice(0, 400)}… (full line in report.md)` : cx.curl}`);
    out.push(`  replay: ${cx.replay}`);
  }
  if (report.stopped)
    out.push('', color(33, `stopped early: ${report.stopped}; requirements not reached are skipped`, colors));
  const restore = report.restore;
  if (report.cleanup) {
    if (report.cleanup.status === 'deleted') out.push('', report.cleanup.message);
    else
      out.push('', color(31, `!!! THE ASSET CREATED BY THIS RUN WAS NOT DELETED: ${report.cleanup.message}`, colors));
  } else if (restore.status === 'restored') out.push('', `asset ${report.target.assetId}: ${restore.message}`);
  else {
    out.push('', color(31, `!!! THE ASSET WAS NOT RESTORED: ${restore.message}`, colors));
    if (Object.keys(restore.original).length > 0) {
      out.push(
        color(
          31,
          `!!! Asset ${report.target.assetId} may differ from before the run. Its values before the run were:`,
          colors,
        ),
        JSON.stringify(restore.original, null, 2),
      );
    } else
      out.push(
        color(
          31,
          `!!! Asset ${report.target.assetId} may differ from before the run; its earlier values were never shown to the suite.`,
          colors,
        ),
      );
  }
  const s = report.summary;
  out.push(
    '',
    `${s.passed} passed, ${s.mustFailed} MUST failed, ${s.shouldFailed} SHOULD failed${report.strict ? '' : ' (not fatal without --strict)'}, ${s.skipped} skipped; ${report.requests.sent} requests in ${(report.durationMs / 1000).toFixed(1)} s, seed ${report.seed}`,
  );
  if (report.requests.resetRetries)
    out.push(
      `${report.requests.resetRetries} request(s) sent again after the connection closed before any answer (a second close is a verdict)`,
    );
  if (report.expectations) {
    const e = report.expectations;
    out.push(
      `expectations ${e.file}: ${e.newFailures} new failure(s), ${e.expectedFailures} expected, ${e.fixed} fixed${e.fixed ? ' (remove them from the file, or run --update-expectations)' : ''}, ${e.intermittent} known intermittent`,
    );
  }
  if (reportDir) out.push(`reports: ${reportDir}/report.json, report.md, report.html, junit.xml, failures.ndjson`);
  if (report.expectations)
    out.push(
      report.exitCode === 0
        ? color(32, 'NO CHANGE FROM THE EXPECTATIONS', colors)
        : color(31, 'CHANGED FROM THE EXPECTATIONS', colors),
    );
  else out.push(report.exitCode === 0 ? color(32, 'CONFORMS', colors) : color(31, 'DOES NOT CONFORM', colors));
  return out.join('\n');
}
