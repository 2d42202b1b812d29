/** The checks' context: what it reads off the 200 schema (timestamps, content hashes), for any revision of the spec. */
import { describe, expect, test } from 'vitest';
import { checkContext } from '../../src/checks/context.ts';
import { type Contract, loadContract } from '../../src/contract/load.ts';
import type { JsonObject } from '../../src/json.ts';
import { SPEC, TARGET } from '../helpers/helpers.ts';

const vendored = loadContract(SPEC);

const errors = vendored.responses.filter((r) => r.status !== '200');

/** The vendored contract with another 200 schema, listed after the errors. */
function withOkSchema(schema: JsonObject | null): Contract {
  const ok = vendored.responses.find((r) => r.status === '200');
  if (!ok) throw new Error('the vendored spec has a 200');
  return { ...vendored, responses: [...errors, { ...ok, schema }] };
}
const withOkProperties = (properties: JsonObject): Contract => withOkSchema({ type: 'object', properties });

describe('checkContext', () => {
  test('the vendored spec: updated_at is the timestamp, asset_hash the hash', () => {
    const ctx = checkContext(vendored, TARGET);
    expect(ctx.timestampFields).toEqual(['updated_at']);
    expect(ctx.hashFields).toEqual(['asset_hash']);
    expect(ctx.targetId).toBe(TARGET);
  });

  test('hash fields by name (hash, *_hash in any case) or by a blake3 pattern, and nothing else', () => {
    const ctx = checkContext(
      withOkProperties({
        hash: { type: 'string' },
        Asset_HASH: { type: 'string' },
        digest: { type: 'string', pattern: '^blake3:[0-9a-f]{64}$' },
        hash_algorithm: { type: 'string' },
        rehash: { type: 'string' },
        name: { type: 'string' },
        created_at: { type: 'string', format: 'date-time' },
      }),
      TARGET,
    );
    expect(ctx.hashFields).toEqual(['hash', 'Asset_HASH', 'digest']);
    expect(ctx.timestampFields).toEqual(['created_at']);
  });

  test('the 200 schema is found wherever the document lists it; without one (or without properties) nothing is derived', () => {
    expect(checkContext(withOkProperties({ h: { pattern: 'blake3' } }), TARGET).hashFields).toEqual(['h']);
    for (const contract of [withOkSchema(null), withOkSchema({ type: 'object' }), { ...vendored, responses: errors }]) {
      const ctx = checkContext(contract, TARGET);
      expect(ctx.hashFields).toEqual([]);
      expect(ctx.timestampFields).toEqual([]);
    }
  });
});
