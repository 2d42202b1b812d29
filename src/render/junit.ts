/** junit.xml: one test case per requirement; a SHOULD failure outside strict mode is reported as skipped with its message. */
import {
  counterexampleHeading,
  counterexamplesOf,
  failsRun,
  isKnownFailure,
  type NotRunReport,
  type RunReport,
} from '../report/model.ts';
import { type AssetAfterwards, assetAfterwards, targetText } from './text.ts';

const xml = (s: string): string =>
  s
    .toWellFormed()
    // characters XML 1.0 cannot carry at all, written as \uXXXX
    .replace(
      /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    )
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

/** The test case of what became of the asset: failing when it was not restored (or not deleted). */
function assetCase(report: RunReport, asset: AssetAfterwards): string[] {
  return [
    `    <testcase classname="RUN" name="${xml(`asset afterwards: ${report.cleanup ? 'deleted' : 'restored'}`)}">`,
    asset.ok
      ? `      <system-out>${xml(asset.headline)}</system-out>`
      : `      <failure message="${xml(asset.headline)}" type="ASSET">${xml(asset.detail ?? '')}</failure>`,
    '    </testcase>',
  ];
}

export function renderJunit(report: RunReport): string {
  // one test case more: what became of the asset (restored, or deleted), failing as loudly as the terminal's block
  const asset = assetAfterwards(report);
  const failures = report.requirements.filter((r) => failsRun(r, report)).length + (asset.ok ? 0 : 1);
  const tests = report.requirements.length + 1;
  const skipped = report.requirements.filter(
    (r) => (r.status === 'skip' || r.status === 'fail') && !failsRun(r, report),
  ).length;
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(
    `<testsuites name="conformance" tests="${tests}" failures="${failures}" skipped="${skipped}" time="${(report.durationMs / 1000).toFixed(3)}">`,
  );
  out.push(
    `  <testsuite name="${xml(`${report.spec.operationId} @ ${report.target.baseUrl}`)}" tests="${tests}" failures="${failures}" skipped="${skipped}" timestamp="${report.startedAt}" time="${(report.durationMs / 1000).toFixed(3)}">`,
  );
  out.push(
    `    <properties><property name="seed" value="${report.seed}"/><property name="runs" value="${report.runs}"/><property name="strict" value="${report.strict}"/><property name="spec" value="${xml(report.spec.file)}"/></properties>`,
  );
  for (const r of report.requirements) {
    out.push(`    <testcase classname="${r.level}" name="${xml(`${r.id}: ${r.title}`)}">`);
    const cx = r.counterexample;
    const detail = [
      ...counterexamplesOf(r).flatMap((c, i) => [
        ...(counterexampleHeading(r, i) ? [`-- ${counterexampleHeading(r, i)}`] : []),
        c.description,
        ...c.violated.map((v) => `${v.requirement}: ${v.message}`),
        `curl: ${c.curl}`,
        `replay: ${c.replay}`,
      ]),
      ...(cx ? r.citation : []),
    ].join('\n');
    if (r.outcome === 'fixed' && report.strict)
      out.push(
        `      <failure message="${xml(`known to fail here (${r.expected?.reason ?? ''}) but passed: update the expectations`)}" type="FIXED"/>`,
      );
    else if (r.status === 'fail' && isKnownFailure(r))
      out.push(
        `      <skipped message="${xml(`known failure: ${r.expected?.reason ?? ''}${r.expected?.link ? ` (${r.expected.link})` : ''}`)}"/>`,
        `      <system-out>${xml(detail)}</system-out>`,
      );
    else if (r.status === 'skip' && failsRun(r, report))
      out.push(
        `      <failure message="${xml(`not exercised (--require-coverage): ${r.reason ?? ''}`)}" type="NOT-EXERCISED"/>`,
      );
    else if (failsRun(r, report))
      out.push(
        `      <failure message="${xml(cx?.violated.find((v) => v.requirement === r.id)?.message ?? 'failed')}" type="${r.level}">${xml(detail)}</failure>`,
      );
    else if (r.status === 'fail')
      out.push(
        `      <skipped message="${xml(`SHOULD not met (fails the run only with --strict): ${cx?.violated.find((v) => v.requirement === r.id)?.message ?? ''}`)}"/>`,
        `      <system-out>${xml(detail)}</system-out>`,
      );
    else if (r.status === 'skip') out.push(`      <skipped message="${xml(r.reason ?? 'not exercised')}"/>`);
    out.push('    </testcase>');
  }
  out.push(...assetCase(report, asset), '  </testsuite>', '</testsuites>');
  return `${out.join('\n')}\n`;
}

/** junit.xml of a run that could not start: one failing test that says why. */
export function renderNotRunJunit(report: NotRunReport): string {
  const { stage, reason } = report.notRun;
  const where = targetText(report.target);
  return `${[
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<testsuites name="conformance" tests="1" failures="1" skipped="0" time="0.000">',
    `  <testsuite name="${xml(`conformance @ ${where}`)}" tests="1" failures="1" skipped="0" timestamp="${report.startedAt}" time="0.000">`,
    `    <testcase classname="RUN" name="${xml(`the run could start (stopped at: ${stage})`)}">`,
    `      <failure message="${xml(reason)}" type="NOT-RUN">${xml(`exit 2: ${reason}`)}</failure>`,
    '    </testcase>',
    '  </testsuite>',
    '</testsuites>',
  ].join('\n')}\n`;
}
