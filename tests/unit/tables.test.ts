/**
 * The tables that src/ builds when a module loads: the checks (one home per requirement), and every
 * module of src/ loading at all. The imports are inside the tests:
 * a module whose top-level code throws then fails a test here, where a static import would only make
 * its test file fail to load (which a mutation run does not count as a failed test).
 */
import { readdirSync } from 'node:fs';
import { join, sep } from 'node:path';
import { describe, expect, test } from 'vitest';

/** Judged outside src/checks/: by the stateful model, the concurrent property, and the upload (runner/create). */
const JUDGED_ELSEWHERE = [
  'STATE-UNSENT-PRESERVED',
  'STATE-REJECTED-NO-CHANGE',
  'STATE-IDEMPOTENT',
  'STATE-UPDATED-AT-MONOTONIC',
  'STATE-HASH-STABLE',
  'STATE-CONCURRENT-ONE-WINS',
  'CREATE-HASH-BLAKE3',
];
/** Rows of the edge table with a status expectation and a check of what a 200 stored. */
const TWICE = ['EDGE-BIG-INTEGER', 'EDGE-DUPLICATE-MEMBERS', 'EDGE-SIZE'];

describe('the checks table', () => {
  test('a check for every requirement not judged elsewhere, once (the edge rows that judge a 200 twice)', async () => {
    const { CHECKS } = await import('../../src/checks/checks.ts');
    const { REQUIREMENTS } = await import('../../src/requirements.ts');
    const ids = CHECKS.map((c) => c.requirement);
    const expected = [...REQUIREMENTS.map((r) => r.id).filter((id) => !JUDGED_ELSEWHERE.includes(id)), ...TWICE];
    expect([...ids].sort()).toEqual(expected.sort());
    for (const c of CHECKS) {
      expect(typeof c.applies, c.requirement).toBe('function');
      expect(typeof c.verify, c.requirement).toBe('function');
    }
  });
  test('the response checks are the RESP-* ones; a sequence is judged by all but those that read the known values', async () => {
    const { CHECKS, RESPONSE_CHECKS, SEQUENCE_CHECKS } = await import('../../src/checks/checks.ts');
    const ids = CHECKS.map((c) => c.requirement);
    expect(RESPONSE_CHECKS.map((c) => c.requirement)).toEqual(ids.filter((id) => id.startsWith('RESP-')));
    expect(RESPONSE_CHECKS.length).toBeGreaterThan(4);
    expect(SEQUENCE_CHECKS.map((c) => c.requirement)).toEqual(
      ids.filter((id) => id !== 'UPD-UNKNOWN-ONLY-NO-CHANGE' && id !== 'A200-IGNORABLE'),
    );
  });
});

// every module of src/ except the CLI's entry point, which runs the CLI when loaded
const MODULES = readdirSync(new URL('../../src/', import.meta.url), { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.ts') && file !== join('cli', 'main.ts'))
  .map((file) => `src/${file.split(sep).join('/')}`)
  .sort();

test.each(MODULES)('%s loads', async (path) => {
  const module = (await import(/* @vite-ignore */ new URL(`../../${path}`, import.meta.url).href)) as object;
  expect(Object.keys(module).length).toBeGreaterThan(0);
});

describe('the catalogue', () => {
  test('a stricter form refines a requirement of the catalogue, at the same or a stronger level, never itself', async () => {
    const { REQUIREMENTS, isRequirementId, requirement } = await import('../../src/requirements.ts');
    const refining = REQUIREMENTS.filter((r) => requirement(r.id).refines !== undefined);
    expect(refining.map((r) => r.id)).toEqual(['A200-ARRAY-EXACT']);
    for (const r of refining) {
      const base = requirement(r.id).refines ?? '';
      expect(isRequirementId(base), `${r.id} refines ${base}`).toBe(true);
      expect(base).not.toBe(r.id);
      if (isRequirementId(base)) expect(r.level === 'SHOULD' || requirement(base).level === 'MUST').toBe(true);
    }
  });
});
