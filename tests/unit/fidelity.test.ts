/**
 * Fidelity's parts: the reference's case (the run's asset id swapped for the reference's in every
 * form a case writes it), and how two answers to one case are compared and tagged.
 */
import { describe, expect, test } from 'vitest';
import { loadContract } from '../../src/contract/load.ts';
import { referenceCase, swapId } from '../../src/exchange/mirror.ts';
import type { MirrorPair } from '../../src/exchange/perform.ts';
import { fidelityOf } from '../../src/report/fidelity.ts';
import { err, exchange, KEY, makeCase, ok200, SPEC, TARGET } from '../helpers/helpers.ts';

const OTHER = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

describe('the reference case', () => {
  test('every form of the run asset id becomes the same form of the reference id', () => {
    const bare = TARGET.replace(/-/g, '');
    const otherBare = OTHER.replace(/-/g, '');
    expect(swapId(TARGET, TARGET, OTHER)).toBe(OTHER);
    expect(swapId(TARGET.toUpperCase(), TARGET, OTHER)).toBe(OTHER.toUpperCase());
    expect(swapId(`{${TARGET}}`, TARGET, OTHER)).toBe(`{${OTHER}}`);
    expect(swapId(`urn:uuid:${TARGET}`, TARGET, OTHER)).toBe(`urn:uuid:${OTHER}`);
    expect(swapId(bare.toUpperCase(), TARGET, OTHER)).toBe(otherBare.toUpperCase());
    // a malformed id made of the asset's (one digit short, one too many, a non-hex digit)
    expect(swapId(TARGET.slice(0, -1), TARGET, OTHER)).toBe(OTHER.slice(0, -1));
    expect(swapId(`${TARGET}0`, TARGET, OTHER)).toBe(`${OTHER}0`);
    expect(swapId(`${TARGET.slice(0, -1)}g`, TARGET, OTHER)).toBe(`${OTHER.slice(0, -1)}g`);
    expect(swapId('not-a-uuid', TARGET, OTHER)).toBe('not-a-uuid');
  });

  test('the path id and the body (a preview naming the asset itself) are swapped; nothing else changes', () => {
    const c = makeCase({ body: { kind: 'json', value: { name: 'x', preview_id: TARGET } } });
    const r = referenceCase(c, TARGET, OTHER);
    expect(r.id.value).toBe(OTHER);
    expect(r.body).toEqual({ kind: 'json', value: { name: 'x', preview_id: OTHER } });
    expect(r.key).toBe(c.key);
    expect(r.expect).toBe(c.expect);
    const raw = referenceCase(makeCase({ body: { kind: 'raw', text: `{"preview_id":"${TARGET}",}` } }), TARGET, OTHER);
    expect(raw.body).toEqual({ kind: 'raw', text: `{"preview_id":"${OTHER}",}` });
  });
});

describe('two answers to one case', () => {
  const contract = loadContract(SPEC);
  const reference = { baseUrl: 'http://reference.test', embedded: false, assetId: OTHER, apiKey: 'ref-key-0123456789' };
  const of = (pairs: MirrorPair[], strict = false) =>
    fidelityOf({ contract, pairs, assetId: TARGET, apiKey: KEY, strict, reference });
  const pair = (t: Parameters<typeof exchange>[1], r: Parameters<typeof exchange>[1], c = makeCase()): MirrorPair => ({
    exchange: exchange(c, t),
    reference: exchange(referenceCase(c, TARGET, OTHER), r),
  });

  test('the same answers (the reference naming its own asset) differ in nothing', () => {
    expect(of([pair(ok200({ name: 'x' }), ok200({ id: OTHER, name: 'x' }))]).differences).toEqual([]);
  });

  test('a status both allowed differs, allowed; one the case does not allow is the fault of its side', () => {
    const malformed = makeCase({
      id: { kind: 'malformed', value: 'not-a-uuid' },
      expect: [{ requirement: 'ID-MALFORMED', allowed: [400, 404] }],
      updatesTarget: false,
    });
    const allowed = of([pair(err(404), err(400), malformed)]);
    expect(allowed.differences.map((d) => [d.aspect, d.tag, d.example.target, d.example.reference])).toEqual([
      ['status', 'allowed, differs', '404', '400'],
    ]);
    expect(of([pair(err(500), err(400), malformed)]).differences[0]?.tag).toBe('fault');
    expect(of([pair(err(404), err(500), malformed)]).differences[0]?.tag).toBe('reference fault');
  });

  test('error codes and members; tags as a set in another order; an echo that breaks the contract', () => {
    const errors = of([
      pair(err(400, { code: 'INVALID_BODY' }), { status: 400, json: { code: 'BAD', message: 'm', details: {} } }),
    ]);
    expect(errors.differences.map((d) => d.aspect)).toEqual(['error-code', 'members']);
    const tags = makeCase({ body: { kind: 'json', value: { tags: ['b', 'a', 'a'] } } });
    const sorted = of([pair(ok200({ tags: ['b', 'a', 'a'] }), ok200({ id: OTHER, tags: ['a', 'b'] }), tags)]);
    expect(sorted.differences.map((d) => [d.aspect, d.tag])).toEqual([['tags-order', 'allowed, differs']]);
    // the exact list is a SHOULD: in strict mode the side that changed the list is at fault
    const strict = of([pair(ok200({ tags: ['a', 'b'] }), ok200({ id: OTHER, tags: ['b', 'a', 'a'] }), tags)], true);
    expect(strict.differences.map((d) => d.tag)).toEqual(['fault']);
    const trimmed = of([
      pair(
        ok200({ name: 'x' }),
        ok200({ id: OTHER, name: ' x ' }),
        makeCase({ body: { kind: 'json', value: { name: ' x ' } } }),
      ),
    ]);
    expect(trimmed.differences.map((d) => [d.aspect, d.tag, d.example.target])).toEqual([
      ['echo', 'fault', 'name "x"'],
    ]);
  });

  test('the curl line of each side reads its own key from its own variable; neither key is written', () => {
    const p = pair(err(404), err(400));
    p.reference.request.headers['x-api-key'] = reference.apiKey;
    const [d] = of([p]).differences;
    expect(d?.example.curl.target).toContain('"x-api-key: $CONFORMANCE_API_KEY"');
    expect(d?.example.curl.reference).toContain('"x-api-key: $CONFORMANCE_COMPARE_API_KEY"');
    expect(JSON.stringify(d)).not.toContain(KEY);
    expect(JSON.stringify(d)).not.toContain(reference.apiKey);
  });
});
