/**
 * Reports side by side (Autobahn's matrix): a column per target, a row per requirement.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { UsageError } from '../errors.ts';
import { failsRun, type NotRunReport, type RunReport } from '../report/model.ts';
import { REQUIREMENTS } from '../requirements.ts';
import { escapeHtml, STYLE } from './html.ts';

export interface Column {
  label: string;
  report: RunReport;
}

/** `label=path/report.json` or `path/report.json` (labelled by its target). */
export function readColumn(arg: string): Column {
  const eq = arg.indexOf('=');
  const [label, file] = eq > 0 && !arg.slice(0, eq).includes('/') ? [arg.slice(0, eq), arg.slice(eq + 1)] : [null, arg];
  let report: RunReport;
  try {
    report = JSON.parse(readFileSync(file, 'utf8')) as RunReport;
  } catch (error) {
    throw new UsageError(
      `cannot read report ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  const notRun = (report as unknown as Partial<NotRunReport>).notRun;
  if (notRun) throw new UsageError(`${file}: the run could not start (${notRun.stage}): ${notRun.reason}`);
  if (!Array.isArray(report.requirements) || !report.target)
    throw new UsageError(`${file} is not a report.json of this suite`);
  return {
    label:
      label ?? (report.target.embedded ? 'reference (embedded)' : report.target.baseUrl || basename(dirname(file))),
    report,
  };
}

/** A requirement's verdict in one column: FAIL only where it fails that run (the one rule, failsRun). */
function compareCell(report: RunReport, id: string): string {
  const r = report.requirements.find((x) => x.id === id);
  if (!r) return '-';
  if (r.outcome === 'expected-failure') return 'expected fail';
  if (r.outcome === 'fixed') return 'pass (fixed)';
  if (r.status === 'fail') return failsRun(r, report) ? 'FAIL' : `fail (${r.level})`;
  return r.status;
}

export function compareMarkdown(columns: Column[]): string {
  const lines = [
    `| Requirement | Level | ${columns.map((c) => c.label.replace(/\|/g, '\\|')).join(' | ')} |`,
    `|---|---|${columns.map(() => '---').join('|')}|`,
  ];
  for (const req of REQUIREMENTS) {
    lines.push(`| \`${req.id}\` | ${req.level} | ${columns.map((c) => compareCell(c.report, req.id)).join(' | ')} |`);
  }
  lines.push(`| **exit code** | | ${columns.map((c) => String(c.report.exitCode)).join(' | ')} |`);
  return `${lines.join('\n')}\n`;
}

export function compareHtml(columns: Column[]): string {
  const klass = (v: string): string =>
    v === 'pass' || v.startsWith('pass') ? 'pass' : v === 'FAIL' ? 'fail' : v === 'skip' || v === '-' ? 'skip' : 'warn';
  const rows = REQUIREMENTS.map(
    (req) =>
      `<tr><td>${req.id}</td><td>${req.level}</td>${columns
        .map((c) => {
          const v = compareCell(c.report, req.id);
          return `<td class="${klass(v)}">${escapeHtml(v)}</td>`;
        })
        .join('')}</tr>`,
  ).join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Conformance comparison</title><style>${STYLE}</style></head><body>
<h1>Conformance comparison</h1>
<table id="comparison"><thead><tr><th>Requirement</th><th>Level</th>${columns.map((c) => `<th>${escapeHtml(c.label)}<br><small>seed ${c.report.seed}, ${c.report.runs} runs</small></th>`).join('')}</tr></thead><tbody>
${rows}
<tr><th>exit code</th><th></th>${columns.map((c) => `<th>${c.report.exitCode}</th>`).join('')}</tr>
</tbody></table></body></html>
`;
}
