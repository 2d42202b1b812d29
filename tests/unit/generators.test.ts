/** Generators: valid bodies pass ajv, invalid ones fail it at their labelled pointer, and the edges are reached. */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { invalidBody, rawBody, unknownOnlyBody, validBody } from '../../src/generators/bodies.ts';
import { type Beside, DOORS, type Door, doorParts, WRONG_KEY } from '../../src/generators/doors.ts';
import { EDGE_ROWS } from '../../src/generators/edges.ts';
import { badKey, looksRandom, malformedId, specialUuids, unknownUuid } from '../../src/generators/ids.ts';
import { derivations, keyLabel, keySecrets, keyText } from '../../src/generators/keys.ts';
import { edgeString } from '../../src/generators/strings.ts';
import { CASE_PROPERTIES } from '../../src/properties/cases.ts';
import { confirmCase } from '../../src/properties/property.ts';
import { statusesOf } from '../../src/requirements.ts';
import { context, KEY, SPEC, SPEC_2026_08, TARGET } from '../helpers/helpers.ts';

const SEED = 20261126;

function depth(v: unknown): number {
  if (Array.isArray(v)) return 1 + Math.max(0, ...v.map(depth));
  if (v !== null && typeof v === 'object') return 1 + Math.max(0, ...Object.values(v).map(depth));
  return 0;
}

for (const [revision, spec] of [
  ['2026-06 (vendored)', SPEC],
  ['2026-08 (fixture)', SPEC_2026_08],
] as const) {
  describe(`bodies from the ${revision} spec`, () => {
    const ctx = context(spec);
    const schema = ctx.contract.requestBody.schema;
    const known = Object.keys(ctx.bodyProperties);

    test('valid bodies pass ajv and use only known properties or unknown extras', () => {
      fc.assert(
        fc.property(validBody(schema), (body) => {
          expect(ctx.validators.body(body)).toEqual([]);
          expect(Object.keys(body).some((k) => known.includes(k))).toBe(true);
        }),
        { seed: SEED, numRuns: 300 },
      );
    });

    test('bodies of unknown properties only have no known property and are schema-valid', () => {
      fc.assert(
        fc.property(unknownOnlyBody(schema), (body) => {
          expect(Object.keys(body).filter((k) => known.includes(k))).toEqual([]);
          expect(ctx.validators.body(body)).toEqual([]);
        }),
        { seed: SEED, numRuns: 200 },
      );
    });

    test('invalid bodies fail ajv at the keyword and pointer they are labelled with', () => {
      fc.assert(
        fc.property(invalidBody(schema, ctx.validators.format), ({ body, invalid }) => {
          expect(body.kind).toBe('json');
          const errors = body.kind === 'json' ? ctx.validators.body(body.value) : [];
          expect(errors.map((e) => `${e.keyword} ${e.pointer}`)).toContain(`${invalid?.keyword} ${invalid?.pointer}`);
        }),
        { seed: SEED, numRuns: 500 },
      );
    });

    test('raw bodies are not JSON, or JSON that is not an object', () => {
      fc.assert(
        fc.property(rawBody(schema), ({ body, rawKind }) => {
          if (body.kind === 'raw') expect(() => JSON.parse(body.text)).toThrow();
          else {
            expect(rawKind).toBe('not-object');
            expect(ctx.validators.body(body.value).some((e) => e.keyword === 'type' && e.pointer === '')).toBe(true);
          }
        }),
        { seed: SEED, numRuns: 300 },
      );
    });

    test('each kind of case is what it claims; every case allows the statuses of its requirement, as the catalogue has them', () => {
      for (const p of CASE_PROPERTIES) {
        if (p.skipReason(ctx, true)) continue;
        const kinds = p.kinds?.(ctx) ?? [];
        const cases = [p.cases(ctx), ...kinds].flatMap((a) => fc.sample(a, { seed: SEED, numRuns: 20 }));
        expect(
          cases.filter((c) => !confirmCase(c, ctx)),
          p.name,
        ).toEqual([]);
        // the very list of the catalogue: no status set is written twice
        for (const c of cases) for (const e of c.expect) expect(e.allowed).toBe(statusesOf(e.requirement));
      }
      for (const row of EDGE_ROWS.filter((r) => r.allowed.length > 0))
        expect(row.allowed).toBe(statusesOf(row.requirement));
    });

    test('every case of every property is what it claims (confirmCase holds on fresh cases)', () => {
      for (const p of CASE_PROPERTIES) {
        if (p.skipReason(ctx, true) || !p.cases) continue;
        const cases = fc.sample(p.cases(ctx), { seed: SEED, numRuns: 200 });
        const confirmed = cases.filter((c) => confirmCase(c, ctx)).length;
        expect(confirmed, p.name).toBe(cases.length);
      }
    });
  });
}

test('special uuids: the nil and the max uuid, one of each version 1 to 8, one in upper case', () => {
  const values = specialUuids().map(({ arbitrary }) => fc.sample(arbitrary, { seed: SEED, numRuns: 1 })[0] ?? '');
  expect(values.slice(0, 2)).toEqual(['00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff']);
  expect(values.slice(2, 10).map((u) => u[14])).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
  for (const u of values.slice(2, 10))
    expect(u).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  expect(values[10]).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
  expect(values[10]).toMatch(/[A-F]/);
});

test('credentials elsewhere: each door puts the valid or a wrong key where it says, and no valid key in the header', () => {
  const parts = (door: Door, beside: Beside = 'missing') => doorParts(door, beside, KEY, 'X-API-Key', '');
  expect(parts({ place: 'authorization', scheme: 'Bearer', valid: true })).toEqual({
    headers: { authorization: `Bearer ${KEY}` },
  });
  expect(parts({ place: 'authorization', scheme: 'Basic', valid: true }, 'wrong')).toEqual({
    headers: { 'x-api-key': WRONG_KEY, authorization: `Basic ${Buffer.from(`${KEY}:`).toString('base64')}` },
  });
  expect(parts({ place: 'query', name: 'api_key', valid: false })).toEqual({
    headers: {},
    query: ['api_key', WRONG_KEY],
  });
  expect(parts({ place: 'cookie', name: 'session', valid: true })).toEqual({ headers: { cookie: `session=${KEY}` } });
  expect(parts({ place: 'repeated', validFirst: false })).toEqual({ headers: { 'x-api-key': [WRONG_KEY, KEY] } });
  expect(parts({ place: 'list', validFirst: true })).toEqual({ headers: { 'x-api-key': `${KEY},extra` } });
  // every door, and its words never hold the key
  expect(DOORS).toHaveLength(26);
  for (const door of DOORS) expect(keyLabel({ kind: 'elsewhere', door, beside: 'wrong' })).not.toContain(KEY);
  // the key in Basic credentials and in a query is a secret too
  expect(keySecrets(KEY)).toEqual(expect.arrayContaining([KEY, Buffer.from(`${KEY}:`).toString('base64')]));
  expect(keySecrets('a+b/c=d-0123456789')).toContain(encodeURIComponent('a+b/c=d-0123456789'));
  // several keys (the run's and the reference's): each one's secrets, absent and empty ones skipped
  const other = 'reference-key-0123456789';
  expect(keySecrets(undefined, KEY, '', KEY)).toEqual(keySecrets(KEY));
  expect(new Set(keySecrets(KEY, other))).toEqual(new Set([...keySecrets(KEY), ...keySecrets(other)]));
  expect(keySecrets(undefined, '')).toEqual([]);
});

describe('the 2026-08 spec drives generation without code change', () => {
  test('no body of any property carries tags, and mime_type is treated as updatable', () => {
    const ctx = context(SPEC_2026_08);
    for (const p of CASE_PROPERTIES) {
      if (!p.cases) continue;
      for (const c of fc.sample(p.cases(ctx), { seed: SEED, numRuns: 200 })) {
        if (c.body.kind === 'json' && c.body.value !== null && typeof c.body.value === 'object' && !c.invalid)
          expect(Object.keys(c.body.value)).not.toContain('tags');
      }
    }
    expect(ctx.updatable).toContain('mime_type');
  });
});

describe('the edges are reached', () => {
  test('strings: empty, whitespace, U+0000, emoji, right-to-left, very long', () => {
    const samples = fc.sample(edgeString(), { seed: SEED, numRuns: 2000 });
    expect(samples).toContain('');
    expect(samples.some((s) => s.length > 0 && s.trim() === '')).toBe(true);
    expect(samples.some((s) => s.includes('\u0000'))).toBe(true);
    expect(samples.some((s) => /\p{Extended_Pictographic}/u.test(s))).toBe(true);
    expect(samples.some((s) => /[\u0590-\u08ff]/.test(s))).toBe(true);
    expect(samples.some((s) => [...s].length >= 1000)).toBe(true);
    expect(samples.every((s) => s.isWellFormed())).toBe(true);
  });
  test('tags: empty, long, with duplicates; user_metadata: deeply nested', () => {
    const ctx = context();
    const bodies = fc.sample(validBody(ctx.contract.requestBody.schema), { seed: SEED, numRuns: 3000 });
    const tags = bodies.flatMap((b) => (Array.isArray(b['tags']) ? [b['tags'] as string[]] : []));
    expect(tags.some((t) => t.length === 0)).toBe(true);
    expect(tags.some((t) => t.length >= 100)).toBe(true);
    expect(tags.some((t) => new Set(t).size < t.length)).toBe(true);
    const metadata = bodies.flatMap((b) => (b['user_metadata'] !== undefined ? [b['user_metadata']] : []));
    expect(metadata.some((m) => depth(m) >= 16)).toBe(true);
    expect(bodies.some((b) => Object.keys(b).some((k) => !Object.keys(ctx.bodyProperties).includes(k)))).toBe(true);
    // every non-empty combination of the properties appears
    const combos = new Set(
      bodies.map((b) =>
        Object.keys(b)
          .filter((k) => Object.hasOwn(ctx.bodyProperties, k))
          .sort()
          .join(','),
      ),
    );
    expect(combos.size).toBe(2 ** Object.keys(ctx.bodyProperties).length - 1);
  });
});

describe('ids and keys', () => {
  const ctx = context();
  test('malformed ids are invalid by the id schema and routable', () => {
    fc.assert(
      fc.property(
        malformedId(TARGET, (id) => ctx.validators.pathParam(id).length === 0),
        (id) => {
          expect(ctx.validators.pathParam(id).length).toBeGreaterThan(0);
          expect(id).not.toMatch(/[/\\]/);
          expect(['', '.', '..']).not.toContain(id);
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });
  test('unknown ids are valid uuids other than the asset', () => {
    fc.assert(
      fc.property(unknownUuid(TARGET), (id) => {
        expect(ctx.validators.pathParam(id)).toEqual([]);
        expect(id.toLowerCase()).not.toBe(TARGET);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
  test("near misses of the asset id only when its digits are random: a sequential id's neighbours may exist", () => {
    expect(looksRandom(TARGET)).toBe(true);
    const sequential = '00000000-0000-0000-0000-000000000001';
    expect(looksRandom(sequential)).toBe(false);
    const near = (target: string) =>
      fc
        .sample(unknownUuid(target), { seed: SEED, numRuns: 2000 })
        .filter((id) => id.slice(0, -1) === target.slice(0, -1));
    expect(near(TARGET).length).toBeGreaterThan(0);
    expect(near(sequential)).toEqual([]);
  });
  test('bad keys are missing, wrong (never near the real key) or derived from it, and never the real key', () => {
    const kinds = new Set<string>();
    const hows = new Set<string>();
    fc.assert(
      fc.property(badKey(KEY), (k) => {
        kinds.add(k.kind);
        if (k.kind === 'wrong') {
          expect(k.value.toLowerCase()).not.toBe(KEY.toLowerCase());
          expect(k.value.includes(KEY.slice(0, 8))).toBe(false);
        }
        // a derived key holds only how it is made; the key it makes is never the valid one
        if (k.kind === 'derived') {
          hows.add(k.how);
          expect(keyText(k, KEY)).not.toBe(KEY);
          expect(JSON.stringify(k)).not.toContain(KEY.slice(0, 8));
        }
        expect(k.kind).not.toBe('valid');
      }),
      { seed: SEED, numRuns: 300 },
    );
    expect([...kinds].sort()).toEqual(['derived', 'missing', 'wrong']);
    expect([...hows].sort()).toEqual([...derivations(KEY)].sort());
  });
});
