/**
 * The edge table (src/generators/edges.ts): every row either generates cases from the schema or
 * says where it is judged instead; each generated case is what its row claims (exact text that is
 * or is not JSON, a control that is a valid body), and numbers are compared as decimal text.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { canonicalDecimal } from '../../src/checks/checks.ts';
import { EDGE_ROWS } from '../../src/generators/edges.ts';
import { generatedRows } from '../../src/properties/edges.ts';
import { renderMarkdown } from '../../src/render/markdown.ts';
import { unexercised } from '../../src/report/model.ts';
import { runConformance } from '../../src/runner/run.ts';
import { context, SPEC, SPEC_2026_08 } from '../helpers/helpers.ts';

const parses = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

describe('the edge table', () => {
  test('each row is generated or says where it is judged instead', () => {
    for (const row of EDGE_ROWS) {
      expect(row.arbitrary !== null || (row.elsewhere ?? '').length > 0, row.id).toBe(true);
      expect(row.standard, row.id).toMatch(/^RFC \d+/);
    }
    expect(new Set(EDGE_ROWS.map((r) => r.id)).size).toBe(EDGE_ROWS.length);
  });

  for (const spec of [SPEC, SPEC_2026_08]) {
    test(`every generated case is what its row claims (${spec.split('/').pop()})`, () => {
      const ctx = { ...context(spec), apiKey: 'k' };
      const rows = generatedRows(ctx);
      expect(rows.length).toBeGreaterThanOrEqual(10);
      for (const { row, arbitrary } of rows)
        for (const cases of fc.sample(arbitrary, { seed: 7, numRuns: 10 }))
          for (const c of cases) {
            expect(c.row).toBe(row.id);
            expect(ctx.validators.body(c.control), `${row.id}: the control is a valid body`).toEqual([]);
            expect(c.text).not.toBe(JSON.stringify(c.control));
            // malformed text never parses; the BOM row is text a parser may refuse; the rest is JSON
            if (c.malformed || row.id === 'bom')
              expect(parses(c.text), `${row.id}: ${c.text.slice(0, 80)}`).toBe(false);
            else expect(parses(c.text), `${row.id}: ${c.text.slice(0, 80)}`).toBe(true);
          }
    });
  }

  test('every form of a row comes in every run (the forms are covered, their places sampled)', () => {
    const ctx = { ...context(), apiKey: 'k' };
    const malformed = generatedRows(ctx).find((r) => r.row.id === 'malformed-token');
    const [first] = malformed ? fc.sample(malformed.arbitrary, { seed: 1, numRuns: 1 }) : [];
    const whats = new Set((first ?? []).map((c) => c.description));
    for (const token of ['NaN', 'Infinity', '-Infinity', 'a trailing comma', 'a block comment', 'single quotes'])
      expect(
        [...whats].some((w) => w.startsWith(token)),
        token,
      ).toBe(true);
  });
});

describe('numbers compared as decimal text', () => {
  test('the same number written differently is equal; a rounded one is not', () => {
    expect(canonicalDecimal('9007199254740993')).toBe(canonicalDecimal('9007199254740993.0'));
    expect(canonicalDecimal('9007199254740993')).toBe(canonicalDecimal('9.007199254740993e15'));
    expect(canonicalDecimal('1E2')).toBe(canonicalDecimal('100'));
    expect(canonicalDecimal('-0.50')).toBe(canonicalDecimal('-5e-1'));
    expect(canonicalDecimal('9007199254740993')).not.toBe(canonicalDecimal('9007199254740992'));
    expect(canonicalDecimal('12345678901234567890')).not.toBe(canonicalDecimal('12345678901234567000'));
  });
});

/** The ids of the edge table as docs/judging.md publishes it: `(`id`)` at the end of each row's first cell. */
function documentedEdgeRows(): string[] {
  const doc = readFileSync(new URL('../../docs/judging.md', import.meta.url), 'utf8');
  const table = doc.slice(doc.indexOf('<!-- edges:start'), doc.indexOf('<!-- edges:end -->'));
  const ids = [...table.matchAll(/^\| .*\(`([a-z0-9-]+)`\) \|/gm)].map((m) => m[1] as string);
  expect(ids.length).toBeGreaterThanOrEqual(15);
  return ids;
}

describe('coverage in the report', () => {
  test('a default run of the embedded server exercises every row the edge table says is generated', async () => {
    // as the CLI and the library run by default: planned for 60 s (the plan sends one case of each kind)
    const report = await runConformance({
      specFile: SPEC,
      runs: 100,
      seed: 21,
      strict: false,
      timeoutMs: 5000,
      budgetMs: 60_000,
    });
    const coverage = report.coverage;
    expect(coverage).toBeDefined();
    // every row of the published edge table (docs/judging.md) is in the report, in its order, and no other
    expect(coverage?.edges.map((r) => r.name)).toEqual(documentedEdgeRows());
    const generated = new Set(EDGE_ROWS.filter((r) => r.arbitrary !== null || r.covers).map((r) => r.id));
    for (const row of coverage?.edges ?? [])
      if (generated.has(row.name)) expect(row.cases, row.name).toBeGreaterThan(0);
      else expect(row.cases, row.name).toBe(0);
    // every constraint of the body schema was broken by some case
    expect(unexercised(coverage?.keywords ?? []).map((r) => r.name)).toEqual([]);
    for (const s of ['200', '400', '401', '404'])
      expect(coverage?.statuses.find((r) => r.name === s)?.cases ?? 0, s).toBeGreaterThan(0);
    // a row not exercised is listed, so that a reader sees what the run did not try
    expect(renderMarkdown(report)).toMatch(/key-spaces \| 0 \(not exercised\)|`key-spaces`|key-spaces \| \*\*0/);
    expect(report.exitCode).toBe(0);
  });
});
