/** One report from the reports of shards of the same run (each shard ran some of the properties). */
import { UsageError } from '../errors.ts';
import { REQUIREMENTS } from '../requirements.ts';
import {
  type Coverage,
  type CoverageRow,
  exitCodeOf,
  type RequirementReport,
  type RunReport,
  summaryOf,
} from './model.ts';

function mergeRequirement(id: string, reports: RunReport[]): RequirementReport {
  const req = REQUIREMENTS.find((r) => r.id === id) as (typeof REQUIREMENTS)[number];
  const all = reports
    .map((r) => r.requirements.find((x) => x.id === id))
    .filter((x): x is RequirementReport => x !== undefined);
  const failed = all.find((r) => r.status === 'fail');
  const cases = all.reduce((n, r) => n + r.cases, 0);
  const base = all[0] ?? {
    id: req.id,
    level: req.level,
    title: req.title,
    status: 'skip' as const,
    cases: 0,
    citation: [],
  };
  if (failed) return { ...failed, cases };
  if (all.some((r) => r.status === 'pass')) {
    const { reason: _reason, ...rest } = base;
    return { ...rest, status: 'pass', cases };
  }
  return {
    ...base,
    status: 'skip',
    cases,
    reason: all.map((r) => r.reason).filter(Boolean)[0] ?? 'not judged in any shard',
  };
}

/** Coverage tables of shards: the same rows, the cases added up (rows any shard has, in first-seen order). */
function mergeRows<R extends CoverageRow>(tables: (readonly R[])[]): R[] {
  const rows = new Map<string, R>();
  for (const table of tables)
    for (const row of table) {
      const known = rows.get(row.name);
      rows.set(row.name, known ? { ...known, cases: known.cases + row.cases } : { ...row });
    }
  return [...rows.values()];
}

function mergeCoverage(reports: RunReport[]): Coverage | undefined {
  const all = reports.map((r) => r.coverage).filter((c): c is Coverage => c !== undefined);
  if (all.length === 0) return undefined;
  return {
    keywords: mergeRows(all.map((c) => c.keywords)),
    statuses: mergeRows(all.map((c) => c.statuses)),
    edges: mergeRows(all.map((c) => c.edges)),
  };
}

export function mergeReports(reports: RunReport[]): RunReport {
  const [first] = reports;
  if (!first) throw new UsageError('merge needs at least one report');
  const requirements = REQUIREMENTS.map((req) => mergeRequirement(req.id, reports));
  const strict = reports.some((r) => r.strict);
  const requireCoverage = reports.some((r) => r.requireCoverage === true);
  const sum = (f: (r: RunReport) => number): number => reports.reduce((n, r) => n + f(r), 0);
  return {
    ...first,
    durationMs: Math.max(...reports.map((r) => r.durationMs)),
    requests: {
      sent: sum((r) => r.requests.sent),
      rateLimited: sum((r) => r.requests.rateLimited),
      retries: sum((r) => r.requests.retries),
      resetRetries: sum((r) => r.requests.resetRetries ?? 0),
    },
    properties: reports.flatMap((r) => r.properties),
    requirements,
    ...(mergeCoverage(reports) ? { coverage: mergeCoverage(reports) } : {}),
    stopped: reports.map((r) => r.stopped).filter(Boolean)[0] ?? null,
    summary: summaryOf(requirements),
    exitCode: exitCodeOf(requirements, { strict, requireCoverage }),
    shard: `merged from ${reports.length} report(s)`,
  };
}
