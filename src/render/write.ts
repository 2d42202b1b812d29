/** Writes report.json, report.md, report.html, junit.xml and failures.ndjson into the report directory (every byte redacted). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NotRunReport, RunReport } from '../report/model.ts';
import type { Redactor } from '../report/redact.ts';
import { renderHtml, renderNdjson } from './html.ts';
import { renderJunit, renderNotRunJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';

export function writeReports(dir: string, report: RunReport, redact: Redactor): string[] {
  mkdirSync(dir, { recursive: true });
  const files: [string, string][] = [
    ['report.json', `${JSON.stringify(report, null, 2)}\n`],
    ['report.md', renderMarkdown(report)],
    ['report.html', renderHtml(report)],
    ['junit.xml', renderJunit(report)],
    ['failures.ndjson', renderNdjson(report)],
  ];
  for (const [name, text] of files) writeFileSync(join(dir, name), redact(text));
  return files.map(([name]) => join(dir, name));
}

/** report.json and junit.xml of a run that could not start (the other reports have nothing to show). */
export function writeNotRun(dir: string, report: NotRunReport, redact: Redactor): string[] {
  mkdirSync(dir, { recursive: true });
  const files: [string, string][] = [
    ['report.json', `${JSON.stringify(report, null, 2)}\n`],
    ['junit.xml', renderNotRunJunit(report)],
  ];
  for (const [name, text] of files) writeFileSync(join(dir, name), redact(text));
  return files.map(([name]) => join(dir, name));
}
