/** report.md: the verdict per requirement, then each failure with its request, response and repro. */
import type { FidelityReport } from '../report/fidelity.ts';
import {
  type CounterexampleReport,
  type Coverage,
  type CoverageRow,
  counterexampleHeading,
  counterexamplesOf,
  type RequirementReport,
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
  tableCell,
  targetText,
  verdictLabel,
} from './text.ts';

const fence = (s: string): string => {
  const ticks = '`'.repeat(Math.max(3, ...[...s.matchAll(/`+/g)].map((m) => m[0].length + 1)));
  return `${ticks}\n${s}\n${ticks}`;
};

function header(report: RunReport): string[] {
  const { target, spec, requests, settings, summary } = report;
  const lines = [
    `# Conformance report: ${report.exitCode === 0 ? 'PASS' : 'FAIL'}`,
    '',
    `- Target: ${targetText(target)} (${assetsText(target, (id) => `\`${id}\``)}${target.hasGet ? ', serves GET' : ''}${target.latencyMs !== undefined ? `, answers in ${target.latencyMs} ms` : ''})`,
    `- Spec: \`${spec.file}\` (${spec.title} ${spec.version}, operation \`${spec.operationId}\`, sha256 \`${spec.sha256.slice(0, 12)}…\`)`,
    `- Seed ${report.seed}, ${report.runs} runs per property, ${report.strict ? 'strict (SHOULD failures fail the run)' : 'default mode (SHOULD failures are reported, not fatal)'}`,
    `- ${requests.sent} requests in ${(report.durationMs / 1000).toFixed(1)} s; rate limited ${requests.rateLimited} times (${requests.retries} retries)${requests.resetRetries ? `; ${requests.resetRetries} sent again after the connection closed before any answer` : ''}`,
  ];
  if (report.stopped) lines.push(`- **Stopped early**: ${report.stopped}`);
  const asset = assetAfterwards(report);
  lines.push(
    `- ${report.cleanup ? 'Created asset' : 'Asset afterwards'}: ${asset.ok ? asset.headline : `**${asset.headline}**${asset.detail ? ` ${asset.detail}` : ''}`}`,
  );
  lines.push(
    `- Pacing: concurrency ${settings.concurrency}, ${settings.rate ? `at most ${settings.rate} requests/s` : 'no rate ceiling'}, ${settings.maxRequests ? `budget ${settings.maxRequests} requests` : 'no request budget'}, timeout ${settings.timeoutMs} ms per request, ${settings.budgetMs ? `planned for ${settings.budgetMs / 1000} s (--budget)` : 'no time budget'}`,
  );
  const cut = report.properties.filter((p) => p.interrupted);
  if (cut.length > 0)
    lines.push(`- Cut short: ${cut.map((p) => `${p.name} (${p.cut ?? 'time limit reached'})`).join('; ')}`);
  const e = report.expectations;
  if (e)
    lines.push(
      `- Expectations \`${e.file}\`: ${e.newFailures} new failure(s), ${e.expectedFailures} expected, ${e.fixed} fixed, ${e.intermittent} known intermittent`,
    );
  lines.push(`- ${summaryCounts(summary)}`, '');
  return lines;
}

function verdictTable(report: RunReport): string[] {
  const lines = ['| Requirement | Level | Verdict | Cases | Title |', '|---|---|---|---:|---|'];
  for (const r of report.requirements) {
    const id = r.status === 'fail' ? `[${r.id}](#${r.id.toLowerCase()})` : r.id;
    lines.push(`| ${id} | ${r.level} | ${verdictLabel(r, report)} | ${r.cases} | ${tableCell(r.title)} |`);
  }
  return lines;
}

function failure(r: RequirementReport): string[] {
  if (!r.counterexample) return [];
  const lines = ['', `### ${r.id}`, '', `**${r.level}**: ${r.title}`, ''];
  for (const c of r.citation) lines.push(`- Source: ${c}`);
  if (r.expected)
    lines.push(`- Known to fail here: ${r.expected.reason}${r.expected.link ? ` (${r.expected.link})` : ''}`);
  counterexamplesOf(r).forEach((cx, i) => {
    const heading = counterexampleHeading(r, i);
    if (heading) lines.push('', `#### ${heading[0]?.toUpperCase()}${heading.slice(1)}`, '');
    lines.push(...counterexampleSection(r, cx));
  });
  return lines;
}

function counterexampleSection(r: RequirementReport, cx: CounterexampleReport): string[] {
  const lines: string[] = [];
  lines.push(
    `- Minimal case (property \`${cx.property}\`): ${cx.steps ? `${cx.steps.length} requests` : cx.description}`,
  );
  if (cx.stateBefore)
    lines.push(
      `- The asset before the case (a replay sets it first): \`${tableCell(JSON.stringify(cx.stateBefore))}\``,
    );
  if (cx.history) lines.push(`- ${HISTORY[0]?.toUpperCase()}${HISTORY.slice(1)}.`);
  for (const v of cx.violated) {
    const id = v.requirement === r.id ? `**${v.requirement}**` : v.requirement;
    lines.push(`- ${id}: ${v.message}`);
  }
  if (cx.steps) {
    lines.push('', 'Sequence (the last request showed the violation):', '');
    for (const step of cx.steps) lines.push(`${step.n}. ${tableCell(step.line)}`);
    lines.push(
      '',
      'The same requests with curl:',
      '',
      fence(cx.steps.map((step) => `# ${step.n}\n${step.curl}`).join('\n')),
    );
  }
  lines.push('', cx.steps ? 'Last request:' : 'Request:', '', fence(requestText(cx)));
  lines.push('', `Response (${cx.response.ms} ms):`, '', fence(responseText(cx)));
  lines.push(
    '',
    'Reproduce with curl (export CONFORMANCE_API_KEY first):',
    '',
    fence(cx.curl),
    '',
    'Replay the case:',
    '',
    fence(cx.replay),
  );
  return lines;
}

/** The coverage tables: what the run exercised, every row listed (a row with 0 cases was not tried). */
function coverageTables(c: Coverage | undefined): string[] {
  if (!c) return [];
  const table = (title: string, rows: readonly CoverageRow[], extra?: (r: CoverageRow) => string): string[] => [
    '',
    `### ${title}`,
    '',
    `| ${title.split(' ')[0]} | Cases | Note |`,
    '|---|---:|---|',
    ...rows.map(
      (r) =>
        `| ${tableCell(r.name)} | ${r.cases === 0 ? '**0 (not exercised)**' : r.cases} | ${tableCell(extra ? extra(r) : (r.note ?? ''))} |`,
    ),
  ];
  return [
    '',
    '## Coverage',
    '',
    ...coverageLines(c).map((l) => `- ${l}`),
    ...table('Constraints of the body schema, broken', c.keywords),
    ...table('Statuses received', c.statuses),
    ...table('Edge classes (docs/contract.md, "Edges of the wire")', c.edges, (r) => {
      const e = c.edges.find((x) => x.name === r.name);
      return `${e?.standard ?? ''}; judged by ${e?.requirement ?? ''}; ${r.note ?? ''}`;
    }),
  ];
}

/** --compare-with: every difference, grouped, with a curl line for each side of its first case. */
function fidelitySection(f: FidelityReport | undefined): string[] {
  if (!f) return [];
  const rows = f.differences.map(
    (d) =>
      `| ${d.tag} | ${d.aspect} | ${tableCell(d.caseClass)} | ${d.count} | ${tableCell(d.example.target)} | ${tableCell(d.example.reference)} |`,
  );
  const examples = f.differences.flatMap((d) => [
    '',
    `### ${d.tag}: ${d.aspect} in ${d.caseClass}`,
    '',
    `Case: ${d.example.case}`,
    '',
    '```sh',
    `# the target`,
    d.example.curl.target,
    `# the reference`,
    d.example.curl.reference,
    '```',
  ]);
  return [
    '',
    '## Fidelity',
    '',
    fidelityLine(f),
    ...(rows.length > 0
      ? [
          '',
          '| Tag | Aspect | Cases of | Count | Target | Reference |',
          '|---|---|---|---|---|---|',
          ...rows,
          ...examples,
        ]
      : []),
  ];
}

export function renderMarkdown(report: RunReport): string {
  const failures = report.requirements.filter((r) => r.counterexample);
  const lines = [
    ...header(report),
    ...verdictTable(report),
    ...coverageTables(report.coverage),
    ...fidelitySection(report.fidelity),
    ...(failures.length > 0 ? ['', '## Failures'] : []),
    ...failures.flatMap(failure),
  ];
  return `${lines.join('\n')}\n`;
}
