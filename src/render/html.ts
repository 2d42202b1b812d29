/**
 * report.html: self-contained (no external assets): the verdict table, then each failure with
 * its citation, the numbered sequence when there is one, the minimal request and response side by
 * side, the curl line and the replay command.
 */
import type { FidelityReport } from '../report/fidelity.ts';
import {
  type CounterexampleReport,
  type Coverage,
  type CoverageRow,
  counterexampleHeading,
  counterexamplesOf,
  type ExchangeReport,
  failsRun,
  type RequirementReport,
  type RunMode,
  type RunReport,
} from '../report/model.ts';
import {
  assetAfterwards,
  assetsText,
  coverageLines,
  fidelityLine,
  HISTORY,
  requestText,
  responseText,
  summaryCounts,
  targetText,
  verdictLabel,
} from './text.ts';

export const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem;color:#1d2330;background:#fff}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem}h3{font-size:1.05rem;margin:1.6rem 0 .4rem}
table{border-collapse:collapse;margin:.8rem 0}th,td{border:1px solid #d5d9e2;padding:.3rem .6rem;text-align:left;vertical-align:top}
th{background:#f2f4f8}td.num{text-align:right}
.pass{background:#e8f6ec}.fail{background:#fde8e8}.warn{background:#fff4d6}.skip,.unexercised{color:#707888}.fixed{background:#e2f3fb}
pre{background:#f6f7f9;border:1px solid #e1e4ea;padding:.6rem;overflow:auto;white-space:pre-wrap;word-break:break-all;margin:.3rem 0}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:1rem}.meta li{margin:.15rem 0}code{background:#f2f4f8;padding:0 .2rem}
`;

function cls(r: RequirementReport, mode: RunMode): string {
  if (r.outcome === 'fixed') return 'fixed';
  if (r.status === 'pass') return 'pass';
  if (r.status === 'skip') return failsRun(r, mode) ? 'fail' : 'skip';
  return failsRun(r, mode) ? 'fail' : 'warn';
}

function exchangeHtml(ex: ExchangeReport): string {
  const request = `<div><b>Request</b><pre>${escapeHtml(requestText(ex))}</pre></div>`;
  const response = `<div><b>Response</b> (${ex.response.ms} ms)<pre>${escapeHtml(responseText(ex))}</pre></div>`;
  return `<div class="pair">${request}${response}</div>`;
}

function counterexampleHtml(r: RequirementReport, cx: CounterexampleReport, heading: string): string {
  const steps = cx.steps
    ? `<p>Sequence (the last request showed the violation):</p><ol>${cx.steps.map((s) => `<li><code>${escapeHtml(s.line)}</code></li>`).join('')}</ol>`
    : '';
  const state = cx.stateBefore
    ? `<li>The asset before the case (a replay sets it first): <code>${escapeHtml(JSON.stringify(cx.stateBefore))}</code>${cx.history ? ` (${escapeHtml(HISTORY)})` : ''}</li>`
    : '';
  return `${heading ? `<h4>${escapeHtml(heading)}</h4>` : ''}<ul class="meta"><li>Minimal case (property <code>${escapeHtml(cx.property)}</code>): ${escapeHtml(cx.description)}</li>${state}
${cx.violated.map((v) => `<li>${v.requirement === r.id ? '<b>' : ''}${escapeHtml(v.requirement)}${v.requirement === r.id ? '</b>' : ''}: ${escapeHtml(v.message)}</li>`).join('')}</ul>
${steps}${exchangeHtml(cx)}<p>curl (export CONFORMANCE_API_KEY first):</p><pre>${escapeHtml(cx.steps ? cx.steps.map((s) => `# ${s.n}\n${s.curl}`).join('\n') : cx.curl)}</pre><p>Replay:</p><pre>${escapeHtml(cx.replay)}</pre>`;
}

/** The coverage tables; a row no exchange exercised is marked. */
function coverageHtml(c: Coverage | undefined): string {
  if (!c) return '';
  const table = (title: string, rows: readonly CoverageRow[]): string =>
    `<h3>${escapeHtml(title)}</h3><table class="coverage"><thead><tr><th>Row</th><th>Cases</th><th>Note</th></tr></thead><tbody>${rows
      .map(
        (r) =>
          `<tr${r.cases === 0 ? ' class="unexercised"' : ''}><td><code>${escapeHtml(r.name)}</code></td><td class="num">${r.cases === 0 ? '0 (not exercised)' : r.cases}</td><td>${escapeHtml(r.note ?? '')}</td></tr>`,
      )
      .join('')}</tbody></table>`;
  const edges = c.edges.map((e) => ({ ...e, note: `${e.standard}; judged by ${e.requirement}; ${e.note ?? ''}` }));
  return `<h2>Coverage</h2><ul class="meta">${coverageLines(c)
    .map((l) => `<li>${escapeHtml(l)}</li>`)
    .join(
      '',
    )}</ul>${table('Constraints of the body schema, broken', c.keywords)}${table('Statuses received', c.statuses)}${table('Edge classes', edges)}`;
}

/** --compare-with: the differences from the reference, a row each, faults in red. */
function fidelityHtml(f: FidelityReport | undefined): string {
  if (!f) return '';
  const rows = f.differences
    .map(
      (d) =>
        `<tr${d.tag === 'fault' ? ' class="fail"' : ''}><td>${escapeHtml(d.tag)}</td><td>${escapeHtml(d.aspect)}</td><td>${escapeHtml(d.caseClass)}</td><td class="num">${d.count}</td><td><code>${escapeHtml(d.example.target)}</code></td><td><code>${escapeHtml(d.example.reference)}</code></td></tr>`,
    )
    .join('');
  const table = rows
    ? `<table id="fidelity"><thead><tr><th>Tag</th><th>Aspect</th><th>Cases of</th><th>Count</th><th>Target</th><th>Reference</th></tr></thead><tbody>${rows}</tbody></table>`
    : '';
  return `<h2>Fidelity</h2><ul class="meta"><li>${escapeHtml(fidelityLine(f))}</li></ul>${table}`;
}

/** What became of the asset: a line, or (not restored, not deleted) a red block as loud as the terminal's. */
function assetHtml(report: RunReport): string {
  const { ok, headline, detail } = assetAfterwards(report);
  return ok
    ? `<li>${escapeHtml(headline)}</li>`
    : `<li class="fail" id="asset-afterwards"><b>${escapeHtml(headline)}</b>${detail ? `<br>${escapeHtml(detail)}` : ''}</li>`;
}

export function renderHtml(report: RunReport): string {
  const verdict = report.exitCode === 0 ? 'PASS' : 'FAIL';
  const rows = report.requirements
    .map(
      (r) =>
        `<tr class="${cls(r, report)}"><td>${r.counterexample ? `<a href="#${r.id}">${r.id}</a>` : r.id}</td><td>${r.level}</td><td>${escapeHtml(verdictLabel(r, report))}</td><td class="num">${r.cases}</td><td>${escapeHtml(r.title)}</td></tr>`,
    )
    .join('\n');
  const failures = report.requirements
    .filter((r) => r.counterexample)
    .map(
      (r) =>
        `<section id="${r.id}"><h3>${r.id} <small>(${r.level})</small></h3><p>${escapeHtml(r.title)}</p>
<ul class="meta">${r.citation.map((c) => `<li>Source: ${escapeHtml(c)}</li>`).join('')}${r.expected ? `<li>Known to fail here: ${escapeHtml(r.expected.reason)}${r.expected.link ? ` (<a href="${escapeHtml(r.expected.link)}">${escapeHtml(r.expected.link)}</a>)` : ''}</li>` : ''}</ul>
${counterexamplesOf(r)
  .map((cx, i) => counterexampleHtml(r, cx, counterexampleHeading(r, i)))
  .join('\n')}</section>`,
    )
    .join('\n');
  const target = targetText(report.target);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Conformance report: ${verdict}</title><style>${STYLE}</style></head>
<body><h1>Conformance report: ${verdict}</h1>
<ul class="meta"><li>Target: ${escapeHtml(target)} (${assetsText(report.target, (id) => `<code>${escapeHtml(id)}</code>`)})</li>
<li>Spec: <code>${escapeHtml(report.spec.file)}</code> (${escapeHtml(report.spec.title)} ${escapeHtml(report.spec.version)})</li>
<li>Seed ${report.seed}, ${report.runs} runs per property${report.strict ? ', strict' : ''}; ${report.requests.sent} requests in ${(report.durationMs / 1000).toFixed(1)} s</li>
${report.stopped ? `<li><b>Stopped early</b>: ${escapeHtml(report.stopped)}</li>` : ''}
${assetHtml(report)}
<li>${summaryCounts(report.summary)}</li></ul>
<table id="verdicts"><thead><tr><th>Requirement</th><th>Level</th><th>Verdict</th><th>Cases</th><th>Title</th></tr></thead><tbody>
${rows}
</tbody></table>
${coverageHtml(report.coverage)}
${fidelityHtml(report.fidelity)}
${failures ? `<h2>Failures</h2>\n${failures}` : ''}
</body></html>
`;
}

/** failures.ndjson: one line per request of every counterexample (a request log a tool can replay). */
export function renderNdjson(report: RunReport): string {
  const lines: string[] = [];
  for (const r of report.requirements)
    for (const cx of counterexamplesOf(r)) {
      const steps = cx.steps ?? [
        { n: 1, line: cx.description, curl: cx.curl, request: cx.request, response: cx.response },
      ];
      for (const s of steps)
        lines.push(
          JSON.stringify({
            requirement: r.id,
            property: cx.property,
            seed: cx.seed,
            path: cx.path,
            step: s.n,
            of: steps.length,
            sent: s.line,
            request: s.request,
            response: s.response,
            curl: s.curl,
          }),
        );
    }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
