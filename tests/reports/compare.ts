/**
 * Reports side by side (Autobahn's matrix): a column per target, a row per requirement; and the
 * merge of shard reports into one.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { UsageError } from '../cli/options.ts';
import { REQUIREMENTS } from '../checks/requirements.ts';
import type { RequirementReport, RunReport } from '../runner/run.ts';
import { STYLE, esc } from './html.ts';

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
    throw new UsageError(`cannot read report ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (!Array.isArray(report.requirements) || !report.target) throw new UsageError(`${file} is not a report.json of this suite`);
  return { label: label ?? (report.target.embedded ? 'reference (embedded)' : report.target.baseUrl || basename(dirname(file))), report };
}

export function cell(r: RequirementReport | undefined): string {
  if (!r) return '-';
  if (r.outcome === 'expected-failure') return 'expected fail';
  if (r.outcome === 'fixed') return 'pass (fixed)';
  if (r.status === 'fail') return r.level === 'SHOULD' ? 'fail (SHOULD)' : 'FAIL';
  return r.status;
}

export function compareMarkdown(columns: Column[]): string {
  const lines = [`| Requirement | Level | ${columns.map((c) => c.label.replace(/\|/g, '\\|')).join(' | ')} |`, `|---|---|${columns.map(() => '---').join('|')}|`];
  for (const req of REQUIREMENTS) {
    lines.push(`| \`${req.id}\` | ${req.level} | ${columns.map((c) => cell(c.report.requirements.find((r) => r.id === req.id))).join(' | ')} |`);
  }
  lines.push(`| **exit code** | | ${columns.map((c) => String(c.report.exitCode)).join(' | ')} |`);
  return `${lines.join('\n')}\n`;
}

export function compareHtml(columns: Column[]): string {
  const klass = (v: string): string => (v === 'pass' || v.startsWith('pass') ? 'pass' : v === 'FAIL' ? 'fail' : v === 'skip' || v === '-' ? 'skip' : 'warn');
  const rows = REQUIREMENTS.map((req) => `<tr><td>${req.id}</td><td>${req.level}</td>${columns.map((c) => {
    const v = cell(c.report.requirements.find((r) => r.id === req.id));
    return `<td class="${klass(v)}">${esc(v)}</td>`;
  }).join('')}</tr>`).join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Conformance comparison</title><style>${STYLE}</style></head><body>
<h1>Conformance comparison</h1>
<table id="comparison"><thead><tr><th>Requirement</th><th>Level</th>${columns.map((c) => `<th>${esc(c.label)}<br><small>seed ${c.report.seed}, ${c.report.runs} runs</small></th>`).join('')}</tr></thead><tbody>
${rows}
<tr><th>exit code</th><th></th>${columns.map((c) => `<th>${c.report.exitCode}</th>`).join('')}</tr>
</tbody></table></body></html>
`;
}

/** One report from the reports of shards of the same run (each shard ran some of the properties). */
export function mergeReports(reports: RunReport[]): RunReport {
  const [first] = reports;
  if (!first) throw new UsageError('merge needs at least one report');
  const requirements = REQUIREMENTS.map((req): RequirementReport => {
    const all = reports.map((r) => r.requirements.find((x) => x.id === req.id)).filter((x): x is RequirementReport => x !== undefined);
    const failed = all.find((r) => r.status === 'fail');
    const cases = all.reduce((n, r) => n + r.cases, 0);
    const base = all[0] ?? { id: req.id, level: req.level, title: req.title, status: 'skip' as const, cases: 0, citation: [] };
    if (failed) return { ...failed, cases };
    if (all.some((r) => r.status === 'pass')) {
      const { reason: _reason, ...rest } = base;
      return { ...rest, status: 'pass', cases };
    }
    return { ...base, status: 'skip', cases, reason: all.map((r) => r.reason).filter(Boolean)[0] ?? 'not judged in any shard' };
  });
  const mustFailed = requirements.filter((r) => r.status === 'fail' && r.level === 'MUST' && r.outcome !== 'expected-failure' && r.outcome !== 'intermittent').length;
  const shouldFailed = requirements.filter((r) => r.status === 'fail' && r.level === 'SHOULD').length;
  const strict = reports.some((r) => r.strict);
  return {
    ...first,
    durationMs: Math.max(...reports.map((r) => r.durationMs)),
    requests: { sent: reports.reduce((n, r) => n + r.requests.sent, 0), rateLimited: reports.reduce((n, r) => n + r.requests.rateLimited, 0), retries: reports.reduce((n, r) => n + r.requests.retries, 0), resetRetries: reports.reduce((n, r) => n + (r.requests.resetRetries ?? 0), 0) },
    properties: reports.flatMap((r) => r.properties),
    requirements,
    stopped: reports.map((r) => r.stopped).filter(Boolean)[0] ?? null,
    summary: { mustFailed, shouldFailed, passed: requirements.filter((r) => r.status === 'pass').length, skipped: requirements.filter((r) => r.status === 'skip').length },
    exitCode: mustFailed > 0 || (strict && (shouldFailed > 0 || requirements.some((r) => r.outcome === 'fixed'))) ? 1 : 0,
    shard: `merged from ${reports.length} report(s)`,
  };
}
