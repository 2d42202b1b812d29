/** `compare` and `merge`: read reports, write a table of them or one merged report. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.ts';
import { compareHtml, compareMarkdown, readColumn } from '../render/compare.ts';
import { renderSummary } from '../render/terminal.ts';
import { writeReports } from '../render/write.ts';
import { mergeReports } from '../report/merge.ts';
import { TOOL } from '../report/model.ts';
import type { Redactor } from '../report/redact.ts';

/** The report files and the output directory of `compare A B --out DIR` / `merge A B --report-dir DIR`. */
function filesAndDir(command: string, rest: readonly string[]): { files: string[]; dir: string } {
  const flag = command === 'compare' ? '--out' : '--report-dir';
  const at = rest.indexOf(flag);
  const dir = at >= 0 ? rest[at + 1] : command === 'compare' ? 'conformance-report/compare' : 'conformance-report';
  if (dir === undefined) throw new UsageError(`${flag} needs a directory`);
  const files = rest.filter((_, i) => i !== at && i !== at + 1);
  const unknown = files.find((f) => f.startsWith('--'));
  if (unknown) throw new UsageError(`${command}: unknown option ${unknown} (only ${flag})`);
  if (files.length === 0)
    throw new UsageError(`${command} needs report.json files: ${TOOL.command} ${command} A/report.json B/report.json`);
  return { files, dir };
}

export function reportCommand(argv: readonly string[], out: (line: string) => void, redact: Redactor): number {
  const [command = '', ...rest] = argv;
  const { files, dir } = filesAndDir(command, rest);
  const columns = files.map(readColumn);
  mkdirSync(dir, { recursive: true });
  if (command === 'compare') {
    const md = compareMarkdown(columns);
    writeFileSync(join(dir, 'compare.md'), md);
    writeFileSync(join(dir, 'compare.html'), compareHtml(columns));
    out(md);
    out(`written: ${dir}/compare.md, compare.html`);
    return 0;
  }
  const merged = mergeReports(columns.map((c) => c.report));
  writeReports(dir, merged, redact);
  out(renderSummary(merged, dir, false));
  return merged.exitCode;
}
