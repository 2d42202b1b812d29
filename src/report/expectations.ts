/**
 * Known failures per target (the web-platform-tests model): a YAML file lists the requirements
 * known to fail there, each with a reason and a link, optionally intermittent. With it a run fails
 * only on a change: a new failure fails it; a known failure does not; a known failure that now
 * passes is reported as fixed (and fails the run only in strict mode).
 *
 *   target: cloud-staging
 *   requirements:
 *     AUTH-FIRST-401:
 *       reason: validates the body before the key
 *       link: https://github.com/org/repo/issues/12
 *     STATE-CONCURRENT-ONE-WINS:
 *       reason: last writer wins per field
 *       intermittent: true
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { UsageError } from '../errors.ts';
import { isJsonObject } from '../json.ts';
import { isRequirementId, type RequirementId } from '../requirements.ts';
import {
  type ExpectationOutcome,
  exitCodeOf,
  type KnownFailure,
  type RequirementReport,
  type RunReport,
} from './model.ts';

export interface ExpectationsFile {
  target?: string;
  requirements: Partial<Record<RequirementId, KnownFailure>>;
}

export const TODO_REASON = 'TODO: say why this is known to fail, and link the issue';

export function readExpectations(file: string): ExpectationsFile {
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(
      `cannot read expectations file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message.split('\n')[0]}`,
    );
  }
  if (raw === null || raw === undefined) return { requirements: {} };
  if (
    !isJsonObject(raw) ||
    (raw['requirements'] !== undefined && raw['requirements'] !== null && !isJsonObject(raw['requirements']))
  ) {
    throw new UsageError(`expectations file ${file}: expected a mapping with "requirements:" (see the README)`);
  }
  const out: ExpectationsFile = {
    ...(typeof raw['target'] === 'string' ? { target: raw['target'] } : {}),
    requirements: {},
  };
  for (const [id, entry] of Object.entries(isJsonObject(raw['requirements']) ? raw['requirements'] : {})) {
    if (!isRequirementId(id))
      throw new UsageError(`expectations file ${file}: "${id}" is not a requirement of the catalogue (see --list)`);
    const e = isJsonObject(entry) ? entry : {};
    if (typeof e['reason'] !== 'string' || e['reason'].trim() === '')
      throw new UsageError(`expectations file ${file}: ${id} needs a "reason"`);
    out.requirements[id] = {
      reason: e['reason'],
      ...(typeof e['link'] === 'string' && e['link'] ? { link: e['link'] } : {}),
      ...(e['intermittent'] === true ? { intermittent: true } : {}),
    };
  }
  return out;
}

export function loadExpectations(file: string, mayBeMissing: boolean): ExpectationsFile {
  if (mayBeMissing && !existsSync(file)) return { requirements: {} };
  return readExpectations(file);
}

function outcomeOf(r: RequirementReport, e: KnownFailure | undefined): ExpectationOutcome | undefined {
  if (!e) return r.status === 'fail' ? 'new-failure' : undefined;
  if (e.intermittent) return 'intermittent';
  if (r.status === 'fail') return 'expected-failure';
  if (r.status === 'pass') return 'fixed';
  return undefined; // not judged this run: nothing learnt
}

/** Marks each requirement with what its verdict means, and recomputes the exit code. */
export function applyExpectations(report: RunReport, expectations: ExpectationsFile, file: string): RunReport {
  const requirements = report.requirements.map((r) => {
    const e = expectations.requirements[r.id];
    const outcome = outcomeOf(r, e);
    return { ...r, ...(e ? { expected: e } : {}), ...(outcome ? { outcome } : {}) };
  });
  const counts = (o: ExpectationOutcome): number => requirements.filter((r) => r.outcome === o).length;
  return {
    ...report,
    requirements,
    expectations: {
      file,
      newFailures: counts('new-failure'),
      expectedFailures: counts('expected-failure'),
      fixed: counts('fixed'),
      intermittent: counts('intermittent'),
    },
    exitCode: exitCodeOf(requirements, report),
  };
}

/** The expectations this run shows: every failing requirement, keeping the reasons already written. */
export function updatedExpectations(report: RunReport, old: ExpectationsFile): ExpectationsFile {
  const requirements: ExpectationsFile['requirements'] = {};
  for (const r of report.requirements) {
    const before = old.requirements[r.id];
    const keep = r.status === 'fail' || before?.intermittent === true || (r.status === 'skip' && before !== undefined);
    if (keep) requirements[r.id] = before ?? { reason: TODO_REASON };
  }
  return { ...(old.target ? { target: old.target } : {}), requirements };
}

export function writeExpectations(file: string, expectations: ExpectationsFile, report: RunReport): void {
  const header = [
    `# Known failures of ${expectations.target ?? report.target.baseUrl} (comfy-assets-conformance expectations).`,
    `# Written by --update-expectations on ${report.startedAt.slice(0, 10)} (seed ${report.seed}); reasons and links are kept on rewrite.`,
    '',
  ].join('\n');
  writeFileSync(
    file,
    `${header}${stringify({ ...(expectations.target ? { target: expectations.target } : {}), requirements: expectations.requirements })}`,
  );
}
