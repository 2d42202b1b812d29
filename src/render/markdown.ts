/** report.md: the verdict per requirement, then each failure with its request, response and repro. */
import { type RequirementReport, type RunReport, failsRun } from '../report/model.ts';

const tableCell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const fence = (s: string): string => {
  const ticks = '`'.repeat(Math.max(3, ...[...s.matchAll(/`+/g)].map((m) => m[0].length + 1)));
  return `${ticks}\n${s}\n${ticks}`;
};

export function verdictLabel(r: RequirementReport, strict: boolean): string {
  if (r.outcome === 'fixed') return 'pass (FIXED: known to fail)';
  if (r.outcome === 'intermittent')
    return r.status === 'fail' ? 'fail (known intermittent)' : `${r.status} (known intermittent)`;
  if (r.outcome === 'expected-failure') return 'fail (expected)';
  if (r.status === 'pass') return 'pass';
  if (r.status === 'skip') return 'skip';
  const label = failsRun(r, strict) ? 'FAIL' : 'FAIL (SHOULD, not fatal)';
  return r.outcome === 'new-failure' ? `${label}, NEW` : label;
}

export function renderMarkdown(report: RunReport): string {
  const lines: string[] = [];
  const verdict = report.exitCode === 0 ? 'PASS' : 'FAIL';
  lines.push(`# Conformance report: ${verdict}`, '');
  lines.push(
    `- Target: ${report.target.embedded ? 'embedded reference server' : report.target.baseUrl} (asset \`${report.target.assetId}\`${report.target.hasGet ? ', serves GET' : ''})`,
  );
  lines.push(
    `- Spec: \`${report.spec.file}\` (${report.spec.title} ${report.spec.version}, operation \`${report.spec.operationId}\`, sha256 \`${report.spec.sha256.slice(0, 12)}…\`)`,
  );
  lines.push(
    `- Seed ${report.seed}, ${report.runs} runs per property, ${report.strict ? 'strict (SHOULD failures fail the run)' : 'default mode (SHOULD failures are reported, not fatal)'}`,
  );
  lines.push(
    `- ${report.requests.sent} requests in ${(report.durationMs / 1000).toFixed(1)} s; rate limited ${report.requests.rateLimited} times (${report.requests.retries} retries)${report.requests.resetRetries ? `; ${report.requests.resetRetries} sent again after the connection closed before any answer` : ''}`,
  );
  if (report.stopped) lines.push(`- **Stopped early**: ${report.stopped}`);
  if (report.cleanup)
    lines.push(
      `- Created asset: ${report.cleanup.status === 'deleted' ? report.cleanup.message : `**NOT DELETED**: ${report.cleanup.message}`}`,
    );
  else
    lines.push(
      `- Asset afterwards: ${report.restore.status === 'restored' ? report.restore.message : `**NOT RESTORED**: ${report.restore.message}. Values before the run: \`${JSON.stringify(report.restore.original)}\``}`,
    );
  lines.push(
    `- Pacing: concurrency ${report.settings.concurrency}, ${report.settings.rate ? `at most ${report.settings.rate} requests/s` : 'no rate ceiling'}, ${report.settings.maxRequests ? `budget ${report.settings.maxRequests} requests` : 'no request budget'}, timeout ${report.settings.timeoutMs} ms per request`,
  );
  if (report.expectations) {
    const e = report.expectations;
    lines.push(
      `- Expectations \`${e.file}\`: ${e.newFailures} new failure(s), ${e.expectedFailures} expected, ${e.fixed} fixed, ${e.intermittent} known intermittent`,
    );
  }
  lines.push(
    `- ${report.summary.passed} passed, ${report.summary.mustFailed} MUST failed, ${report.summary.shouldFailed} SHOULD failed, ${report.summary.skipped} skipped`,
    '',
  );
  lines.push('| Requirement | Level | Verdict | Cases | Title |', '|---|---|---|---:|---|');
  for (const r of report.requirements)
    lines.push(
      `| ${r.status === 'fail' ? `[${r.id}](#${r.id.toLowerCase()})` : r.id} | ${r.level} | ${verdictLabel(r, report.strict)} | ${r.cases} | ${tableCell(r.title)} |`,
    );
  const failures = report.requirements.filter((r) => r.counterexample);
  if (failures.length > 0) lines.push('', '## Failures');
  for (const r of failures) {
    const cx = r.counterexample;
    if (!cx) continue;
    lines.push('', `### ${r.id}`, '', `**${r.level}**: ${r.title}`, '');
    for (const c of r.citation) lines.push(`- Source: ${c}`);
    if (r.expected)
      lines.push(`- Known to fail here: ${r.expected.reason}${r.expected.link ? ` (${r.expected.link})` : ''}`);
    lines.push(
      `- Minimal case (property \`${cx.property}\`): ${cx.steps ? `${cx.steps.length} requests` : cx.description}`,
    );
    for (const v of cx.violated)
      lines.push(
        `- ${v.requirement === r.id ? '**' : ''}${v.requirement}${v.requirement === r.id ? '**' : ''}: ${v.message}`,
      );
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
    lines.push(
      '',
      cx.steps ? 'Last request:' : 'Request:',
      '',
      fence(
        `${cx.request.method} ${cx.request.url}\n${Object.entries(cx.request.headers)
          .map(([k, v]) => `${k}: ${v}`)
          .join('\n')}\n\n${cx.request.body ?? ''}`,
      ),
    );
    const res = cx.response;
    lines.push(
      '',
      `Response (${res.ms} ms):`,
      '',
      fence(
        res.failure
          ? `(${res.failure})`
          : `${res.status}\n${Object.entries(res.headers ?? {})
              .map(([k, v]) => `${k}: ${v}`)
              .join('\n')}\n\n${res.body ?? ''}`,
      ),
    );
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
  }
  return `${lines.join('\n')}\n`;
}
