/**
 * One fault does not hide the next: a requirement keeps up to N counterexamples, each of its own
 * kind (for invalid bodies a different keyword or pointer), and every report shows them; a derived
 * failure on a field whose own requirement failed earlier in the same sequence follows from it.
 */
import { describe, expect, test } from 'vitest';
import { fixtureServer } from '../../fixtures/servers/index.ts';
import { renderHtml } from '../../src/render/html.ts';
import { renderJunit } from '../../src/render/junit.ts';
import { renderMarkdown } from '../../src/render/markdown.ts';
import { renderSummary } from '../../src/render/terminal.ts';
import { counterexamplesOf, failsRun, type RunReport } from '../../src/report/model.ts';
import { type RunConfig, runConformance } from '../../src/runner/run.ts';
import type { Variant } from '../../src/server/index.ts';
import { context, SPEC } from '../helpers/helpers.ts';

const base = (extra: Partial<RunConfig> = {}): RunConfig => ({
  specFile: SPEC,
  runs: 100,
  seed: 77,
  strict: false,
  timeoutMs: 5000,
  // one lane: the seed's values in the order these tests were written against
  concurrency: 1,
  ...extra,
});

/** Two faults of one requirement in one server: each variant's reply hook in turn. */
function both(a: Variant, b: Variant): Variant {
  return {
    name: `${a.name}+${b.name}`,
    reply: (reply, request, store) => {
      const first = a.reply ? a.reply(reply, request, store) : reply;
      return b.reply ? b.reply(first, request, store) : first;
    },
  };
}

const variantOf = (name: string): Variant => {
  const v = fixtureServer(name)?.variant;
  if (!v) throw new Error(`no server ${name}`);
  return v;
};

describe('distinct counterexamples', () => {
  // null read as "not given" (200) and a malformed preview_id looked up (404): two faults of BODY-INVALID-400.
  const twoFaults = both(variantOf('null-is-unset'), variantOf('preview-malformed-404'));

  test('a second fault of the same requirement is shown beside the first, each of its own kind', async () => {
    const report = await runConformance(base({ embeddedVariant: twoFaults, only: ['invalid-body'] }));
    const r = report.requirements.find((q) => q.id === 'BODY-INVALID-400');
    expect(r?.status).toBe('fail');
    const all = r ? counterexamplesOf(r) : [];
    expect(all.length).toBeGreaterThanOrEqual(2);
    expect(all.length).toBeLessThanOrEqual(3);
    const kinds = all.map((cx) => cx.kind);
    expect(new Set(kinds).size, kinds.join(' | ')).toBe(kinds.length);
    const statuses = new Set(all.map((cx) => cx.response.status));
    // both faults seen: a 404 (the preview_id lookup) and a 200 (a null taken as not given)
    expect([...statuses].sort()).toEqual([200, 404]);
    // each counterexample is still an invalid body at the pointer its kind names
    const ctx = context();
    for (const cx of all) {
      const pointer = /at (\/\S*)$/.exec(cx.kind ?? '')?.[1] ?? '';
      const body: unknown = JSON.parse(cx.request.body ?? 'null');
      expect(ctx.validators.body(body).map((e) => e.pointer.replace(/\/\d+(?=\/|$)/g, '/*'))).toContain(pointer);
      expect(cx.violated.some((v) => v.requirement === 'BODY-INVALID-400')).toBe(true);
      expect(cx.replay).toContain(`--path '${cx.path}'`);
    }
    const rendered = [
      renderSummary(report, null, false),
      renderMarkdown(report),
      renderHtml(report),
      renderJunit(report),
    ];
    for (const text of rendered) expect(text).toMatch(/[Cc]ounterexample 2 of \d/);
  });

  test('--counterexamples 1 keeps one per requirement', async () => {
    const report = await runConformance(
      base({ embeddedVariant: twoFaults, counterexamples: 1, only: ['invalid-body', 'malformed-body'] }),
    );
    for (const r of report.requirements) expect(counterexamplesOf(r).length).toBeLessThanOrEqual(1);
    expect(report.requirements.find((q) => q.id === 'BODY-INVALID-400')?.status).toBe('fail');
  });
});

describe('follows from', () => {
  test('a field its 200 answers misstate: the derived failure follows from the answer check and does not fail the run alone', async () => {
    // The name in every 200 is rewritten: A200-STRING-EXACT fails; a later request that does not
    // send the name then shows a name "changed" (STATE-UNSENT-PRESERVED), the same fault.
    const report: RunReport = await runConformance(
      base({ embeddedVariant: variantOf('echoes-key'), seed: 3, only: ['valid-update', 'stateful', 'edges'] }),
    );
    const exact = report.requirements.find((q) => q.id === 'A200-STRING-EXACT');
    expect(exact?.status).toBe('fail');
    const followers = report.requirements.filter((q) => q.followsFrom);
    expect(followers.map((f) => f.id)).toContain('STATE-UNSENT-PRESERVED');
    for (const f of followers) {
      expect(f.followsFrom).toBe('A200-STRING-EXACT');
      expect(failsRun(f, { strict: true })).toBe(false);
      expect(f.counterexample?.violated.some((v) => v.requirement === 'A200-STRING-EXACT')).toBe(true);
    }
    const independent = report.requirements.filter((q) => q.status === 'fail' && !q.followsFrom).map((q) => q.id);
    expect(independent).toEqual(['A200-STRING-EXACT']);
    expect(report.summary.following).toBe(followers.length);
    expect(renderSummary(report, null, false)).not.toMatch(/STATE-\S+\s+MUST\s+FAIL\s/);
  });
});
