/**
 * Profiles (requirements.ts, PROFILES): a stateless mock is judged on the wire, and the requirements
 * about what an update does and echoes are reported by name as not required, never as passes.
 */
import { describe, expect, test } from 'vitest';
import { asUpdate, bodyOf, isObject } from '../../fixtures/servers/helpers.ts';
import { configFromOptions } from '../../src/api/config.ts';
import { parseOptions } from '../../src/api/options.ts';
import { failsRun } from '../../src/report/model.ts';
import { PROFILES, profileHolds, REQUIREMENTS } from '../../src/requirements.ts';
import { runConformance } from '../../src/runner/run.ts';
import { error, json, type Variant } from '../../src/server/index.ts';
import { SPEC } from '../helpers/helpers.ts';

/** The contract's example, whatever was asked: a mock that keeps no state (as Prism answers). */
const EXAMPLE = {
  id: '0b6f3c55-1111-4222-8333-444455556666',
  name: 'example.png',
  asset_hash: `blake3:${'0'.repeat(64)}`,
  tags: ['example'],
  mime_type: 'image/png',
  user_metadata: {},
  updated_at: '2026-01-01T00:00:00Z',
};
const statelessMock: Variant = {
  name: 'stateless-mock',
  reply: (reply, request) => {
    const known = reply.status === 200 || reply.status === 404;
    if (request.method === 'GET' && known) return json(200, EXAMPLE);
    if (request.method !== 'PUT' || !known || request.id === undefined) return reply;
    // an id it does not know is answered as any other: a mock has no store to look in
    const body = bodyOf(request);
    return isObject(body) && asUpdate(body) ? json(200, EXAMPLE) : error(400, 'INVALID', 'invalid body');
  },
};

const run = (profile?: 'stateless-mock') =>
  runConformance({
    specFile: SPEC,
    runs: 30,
    seed: 4,
    strict: true,
    timeoutMs: 5000,
    embeddedVariant: statelessMock,
    ...(profile ? { profile } : {}),
  });

describe('--profile stateless-mock', () => {
  test('a stateless mock fails as a server; as a mock it passes the wire, the rest named as not required', async () => {
    const asServer = await run();
    expect(asServer.exitCode).toBe(1);
    const failed = asServer.requirements.filter((r) => r.status === 'fail').map((r) => r.id);
    expect(failed.length).toBeGreaterThan(0);
    // every failure as a server is one the mock profile does not hold
    expect(failed.filter((id) => profileHolds('stateless-mock', id))).toEqual([]);

    const asMock = await run('stateless-mock');
    expect(asMock.profile).toBe('stateless-mock');
    expect(asMock.exitCode).toBe(0);
    const notRequired = asMock.requirements.filter((r) => r.notRequired);
    expect(notRequired.map((r) => r.id)).toEqual([...PROFILES['stateless-mock'].leaves]);
    for (const r of notRequired) {
      expect(r.status).toBe('skip');
      expect(r.reason).toMatch(/^not required by the profile stateless-mock/);
      expect(failsRun(r, { strict: true, requireCoverage: true })).toBe(false);
    }
    expect(asMock.summary.notRequired).toBe(notRequired.length);
    // the wire is judged: every requirement the profile holds and this run exercised passed
    const held = asMock.requirements.filter((r) => !r.notRequired);
    expect(held.filter((r) => r.status === 'fail')).toEqual([]);
    expect(held.filter((r) => r.status === 'pass').length).toBeGreaterThan(15);
  });

  test('the server profile holds every requirement; --profile and its variable reach the run', () => {
    expect(REQUIREMENTS.filter((r) => !profileHolds('server', r.id))).toEqual([]);
    expect(configFromOptions(parseOptions(['--profile', 'stateless-mock'], {})).profile).toBe('stateless-mock');
    expect(configFromOptions(parseOptions([], { CONFORMANCE_PROFILE: 'stateless-mock' })).profile).toBe(
      'stateless-mock',
    );
    expect(configFromOptions(parseOptions([], {}))).not.toHaveProperty('profile');
  });
});
