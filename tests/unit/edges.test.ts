/**
 * The edge table (src/generators/edges.ts): every row either generates cases from the schema or
 * says where it is judged instead; each generated case is what its row claims (exact text that is
 * or is not JSON, a control that is a valid body), and numbers are compared as decimal text.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { canonicalDecimal } from '../../src/checks/checks.ts';
import { EDGE_ROWS, type EdgeCase } from '../../src/generators/edges.ts';
import { LOOKALIKE_TEXTS, LOOKALIKES } from '../../src/generators/lookalikes.ts';
import { generatedRows } from '../../src/properties/edges.ts';
import type { SuiteContext } from '../../src/properties/property.ts';
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

/** The cases one run of a row sends (seed 1), against the default spec and the context given. */
function casesOf(id: string, prepare: (ctx: SuiteContext) => void = () => {}): EdgeCase[] {
  const ctx: SuiteContext = { ...context(), apiKey: 'k' };
  prepare(ctx);
  const row = generatedRows(ctx).find((r) => r.row.id === id);
  expect(row, id).toBeDefined();
  return fc.sample((row as { arbitrary: fc.Arbitrary<EdgeCase[]> }).arbitrary, { seed: 1, numRuns: 1 })[0] ?? [];
}

const utf8 = (s: string): number => new TextEncoder().encode(s).length;

describe('text a stack rewrites, lengths at limits, mass assignment', () => {
  test('lookalike text: one case a group, every text of it as a tag and as metadata keys and values at every depth, one as the name', () => {
    const cases = casesOf('lookalike-text');
    expect(cases).toHaveLength(LOOKALIKES.length);
    for (const [i, c] of cases.entries()) {
      const { texts } = LOOKALIKES[i] as { texts: readonly string[] };
      const body = JSON.parse(c.text) as { name: string; tags: string[]; user_metadata: Record<string, unknown> };
      expect(texts).toContain(body.name);
      expect(body.tags).toEqual(['x', ...texts]);
      const md = body.user_metadata as Record<string, unknown> & { d: Record<string, unknown> & { d: object } };
      for (const level of [md, md.d, md.d.d])
        for (const t of texts) expect((level as Record<string, unknown>)[t]).toBe(t);
      expect(md['list']).toEqual(texts);
      expect(c.sent).toEqual(body);
      expect(JSON.parse(JSON.stringify(c.control))).toEqual(c.control);
    }
    // every text of the dictionary is sent in every run
    expect(cases.flatMap((c) => (JSON.parse(c.text) as { tags: string[] }).tags.slice(1))).toEqual(
      LOOKALIKE_TEXTS.map((t) => t.text),
    );
    for (const looks of ['a date', 'a number', 'a boolean', 'markup', 'placeholder', 'a path', 'normaliser'])
      expect(
        LOOKALIKES.some((g) => g.looks.includes(looks)),
        looks,
      ).toBe(true);
  });

  test('lengths: each width one over in ASCII and at it in multi-byte code points, in every place; lists and whole bodies; all under 1 MiB', () => {
    const cases = casesOf('lengths');
    const bodies = cases.map(
      (c) => JSON.parse(c.text) as { name?: string; tags?: string[]; user_metadata?: Record<string, unknown> },
    );
    const names = bodies.map((b) => b.name).filter((n): n is string => typeof n === 'string');
    for (const n of [255, 511, 1023, 4095, 65535]) {
      expect(
        names.some((v) => v.length === n + 1 && utf8(v) === n + 1),
        `${n + 1} ASCII`,
      ).toBe(true);
      const wide = bodies.find((b) => typeof b.name === 'string' && [...b.name].length === n && utf8(b.name) > 2 * n);
      expect(wide, `${n} multi-byte code points`).toBeDefined();
      // the same string as a tag, a metadata value and a metadata key
      const md = wide?.user_metadata ?? {};
      expect(wide?.tags?.[1]).toBe(wide?.name);
      expect(md['v']).toBe(wide?.name);
      expect(Object.keys(md)).toContain(wide?.name);
    }
    const lists = bodies.filter((b) => b.name === undefined && Array.isArray(b.tags)).map((b) => b.tags?.length);
    expect(lists).toEqual([33, 101, 1001]);
    const sizes = cases.map((c) => utf8(c.text));
    for (const limit of [16 * 1024, 64 * 1024, 100 * 1024, 1_000_000]) expect(sizes).toContain(limit + 1);
    expect(Math.max(...sizes)).toBeLessThan(1024 * 1024);
    for (const c of cases) expect(c.sent).toEqual(JSON.parse(c.text));
  });

  test("mass assignment: the asset's own scalar fields as shown, the 200 schema's and the dictionary's, each with a value unlike its own, beside a known field and alone", () => {
    const own = {
      id: 'x',
      asset_hash: `blake3:${'0'.repeat(64)}`,
      size: 64,
      created_at: '2026-01-01T00:00:00Z',
      owner: 'me',
      is_immutable: false,
      tags: ['t'],
      // shown by the target, not in the dictionary: a flag an update may set, a counter it raises
      dirty: false,
      version: 3,
    };
    const cases = casesOf('mass-assignment', (ctx) => {
      ctx.own = own;
    });
    expect(cases).toHaveLength(2);
    const [beside, alone] = cases as [EdgeCase, EdgeCase];
    const sent = beside.assigned ?? {};
    // no body property, no list (tags), a flag only where its value is known
    expect(Object.keys(sent)).toEqual(
      expect.arrayContaining([
        'id',
        'asset_hash',
        'hash',
        'size',
        'created_at',
        'updated_at',
        'owner',
        'owner_id',
        'user_id',
        'is_immutable',
      ]),
    );
    expect(Object.keys(sent)).not.toContain('tags');
    expect(Object.keys(sent)).not.toContain('dirty');
    expect(sent['version']).toBe(1_000_003);
    expect(Object.keys(sent)).not.toContain('name');
    expect(JSON.parse(beside.text)).toEqual({ ...beside.control, ...sent });
    expect(beside.statusBy).toBe('UPD-VALID-200');
    expect(sent['id']).not.toBe('6f1c2a9e-4b7d-4c3a-9e8f-0a1b2c3d4e5f');
    expect(sent['size']).toBe(1_000_064);
    expect(sent['is_immutable']).toBe(true);
    expect(sent['created_at']).toMatch(/^2001-/);
    expect(sent['asset_hash']).toMatch(/^blake3:[0-9a-f]{64}$/);
    expect(sent['asset_hash']).not.toBe(own.asset_hash);
    expect(sent['owner']).toBe('me-assigned');
    expect(beside.ownBefore).toMatchObject({ asset_hash: own.asset_hash, size: 64, owner: 'me' });
    expect(JSON.parse(alone.text)).toEqual(sent);
    expect(alone.statusBy).toBe('UPD-UNKNOWN-ONLY');
    expect(alone.unknownOnly).toBe(true);
    // a flag the asset did not show is not sent: a read could not tell it changed
    expect(casesOf('mass-assignment').some((c) => Object.hasOwn(c.assigned ?? {}, 'is_immutable'))).toBe(false);
  });
});

describe('the rows of a context', () => {
  const massAssignment = (ctx: SuiteContext): EdgeCase[] => {
    const row = generatedRows(ctx).find((r) => r.row.id === 'mass-assignment');
    return row ? (fc.sample(row.arbitrary, { seed: 1, numRuns: 1 })[0] ?? []) : [];
  };

  test('made once per context: asked again, the same rows', () => {
    const ctx: SuiteContext = { ...context(), apiKey: 'k' };
    expect(generatedRows(ctx)).toBe(generatedRows(ctx));
    expect(generatedRows({ ...ctx })).not.toBe(generatedRows(ctx));
  });

  test("made again when the asset's shown values or its id change: never a stale value sent back", () => {
    const ctx: SuiteContext = { ...context(), apiKey: 'k' };
    const before = generatedRows(ctx);
    expect(massAssignment(ctx)[0]?.ownBefore).not.toHaveProperty('owner');
    ctx.own = { owner: 'me' };
    expect(generatedRows(ctx)).not.toBe(before);
    expect(massAssignment(ctx)[0]?.ownBefore).toMatchObject({ owner: 'me' });
    const shown = generatedRows(ctx);
    ctx.targetId = '0b0e6f3c-9d51-4f6e-8a51-2f7d1c0e9a11';
    expect(generatedRows(ctx)).not.toBe(shown);
    expect(massAssignment(ctx)[0]?.ownBefore).toMatchObject({ id: ctx.targetId });
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
