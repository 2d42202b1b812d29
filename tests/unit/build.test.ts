/**
 * buildReport on hand-built inputs: the verdict and skip reason of every requirement, counterexamples
 * (steps, request and response as shown, the key never), follows-from, coverage tables, citations.
 */
import { describe, expect, test } from 'vitest';
import type { Exchange } from '../../src/exchange/perform.ts';
import { buildReport, type ReportInputs } from '../../src/report/build.ts';
import type { Counterexample, RequirementTally } from '../../src/report/model.ts';
import { type RequirementId, requirement } from '../../src/requirements.ts';
import { context, err, exchange, KEY, makeCase, ok200 } from '../helpers/helpers.ts';

const { contract } = context();

function inputs(extra: Partial<ReportInputs> = {}): ReportInputs {
  return {
    contract,
    seed: 7,
    runs: 10,
    strict: false,
    settings: { concurrency: 1, rate: 0, maxRequests: 0, timeoutMs: 1000 },
    replay: (r) => `replay ${JSON.stringify(r)}`,
    target: { baseUrl: 'http://h', embedded: false, assetId: 'a', hasGet: true, createdAsset: false },
    apiKey: KEY,
    runId: 'run',
    stopped: null,
    cleanup: undefined,
    leftovers: null,
    properties: [],
    tallies: new Map(),
    coverage: new Map(),
    requests: { sent: 1, rateLimited: 0, retries: 0 },
    startedAt: new Date(Date.now() - 1000),
    restored: undefined,
    ...extra,
  };
}
const counterexample = (exchanges: Exchange[], extra: Partial<Counterexample> = {}): Counterexample => ({
  property: 'valid-update',
  seed: 7,
  path: '0:1',
  steps: exchanges.map((_, i) => `step ${i + 1}`),
  exchanges,
  violations: [{ requirement: 'UPD-VALID-200', message: 'Received: 400 / Expected: 200', kind: '400' }],
  kind: '400',
  ...extra,
});
const tally = (...counterexamples: Counterexample[]): RequirementTally => ({ cases: 3, counterexamples });
const verdictOf = (i: ReportInputs, id: RequirementId) => buildReport(i).requirements.find((r) => r.id === id);

describe('skipped requirements say why', () => {
  test('nothing applied, no upload, a stop, skipped properties', () => {
    expect(verdictOf(inputs(), 'AUTH-401')).toMatchObject({
      status: 'skip',
      cases: 0,
      reason: `no exchange it applies to in this run (it judges ${requirement('AUTH-401').scope})`,
    });
    expect(verdictOf(inputs(), 'CREATE-HASH-BLAKE3')?.reason).toBe('judged only with --create-asset');
    const created = inputs({ target: { ...inputs().target, createdAsset: true } });
    expect(verdictOf(created, 'CREATE-HASH-BLAKE3')?.reason).toMatch(
      /^no exchange it applies to in this run \(it judges .+\)$/,
    );
    expect(verdictOf(inputs({ stopped: 'interrupted' }), 'AUTH-401')?.reason).toBe('not judged: interrupted');
    const property = { title: 't', cases: 0, discarded: 0, ms: 0, interrupted: false, failed: [] };
    const skipped = inputs({
      properties: [
        { ...property, name: 'auth', status: 'skip', skipReason: 'no key' },
        { ...property, name: 'valid-update', status: 'pass' },
        { ...property, name: 'edges', status: 'skip', skipReason: 'no GET' },
      ],
    });
    expect(verdictOf(skipped, 'AUTH-401')?.reason).toBe(
      'no exchange it applies to (skipped properties: auth: no key; edges: no GET)',
    );
  });
  test('a requirement with cases and no counterexample passes', () => {
    const passed = verdictOf(inputs({ tallies: new Map([['AUTH-401', tally()]]) }), 'AUTH-401');
    expect(passed).toEqual({
      id: 'AUTH-401',
      level: 'MUST',
      title: requirement('AUTH-401').title,
      cases: 3,
      citation: expect.any(Array),
      status: 'pass',
    });
  });
});

describe('the run around the verdicts', () => {
  test('restore, clean-up, leftovers and shard only when there is something to say; the duration', () => {
    const plain = buildReport(inputs());
    expect(plain.restore).toEqual({
      status: 'not-possible',
      fields: [],
      original: {},
      message: 'the run ended before the restore',
    });
    expect(plain).not.toHaveProperty('cleanup');
    expect(plain).not.toHaveProperty('leftovers');
    expect(plain).not.toHaveProperty('shard');
    expect(plain.durationMs).toBeGreaterThanOrEqual(1000);
    expect(plain.durationMs).toBeLessThan(60_000);
    expect(plain.exitCode).toBe(0);
    const leftovers = [{ id: 'x', name: 'n', tags: [] }];
    const full = buildReport(
      inputs({
        cleanup: { status: 'deleted', id: 'x', message: 'deleted' },
        leftovers,
        shard: '1/2',
        stopped: 'interrupted',
      }),
    );
    expect(full).toMatchObject({
      cleanup: { status: 'deleted', id: 'x', message: 'deleted' },
      leftovers,
      shard: '1/2',
    });
    expect(buildReport(inputs({ leftovers: [] }))).not.toHaveProperty('leftovers');
  });

  test('coverage: every keyword of the body schema, documented and received statuses, every edge row', () => {
    const coverage = buildReport(
      inputs({
        coverage: new Map([
          ['keyword:type', 4],
          ['keyword:json syntax', 2],
          ['status:422', 1],
          ['status:200', 5],
        ]),
      }),
    ).coverage;
    expect(coverage?.keywords.find((k) => k.name === 'type')).toEqual({ name: 'type', cases: 4 });
    expect(coverage?.keywords.find((k) => k.name === 'json syntax')).toEqual({
      name: 'json syntax',
      cases: 2,
      note: 'malformed JSON (not a schema keyword)',
    });
    expect(coverage?.statuses).toEqual([
      { name: '200', cases: 5, note: 'documented' },
      { name: '400', cases: 0, note: 'documented' },
      { name: '401', cases: 0, note: 'documented' },
      { name: '404', cases: 0, note: 'documented' },
      { name: '422', cases: 1, note: 'not documented' },
      { name: '500', cases: 0, note: 'documented' },
    ]);
    const spelling = coverage?.edges.find((e) => e.note?.includes('generated by the id-spelling property'));
    expect(spelling?.note).toMatch(/^.+; generated by the id-spelling property$/);
    expect(coverage?.edges.every((e) => e.cases === 0 && (e.note ?? '').length > 0)).toBe(true);
    const row = coverage?.edges[0]?.name ?? '';
    const counted = buildReport(inputs({ coverage: new Map([[`edge:${row}`, 6]]) })).coverage;
    expect(counted?.edges.find((e) => e.name === row)?.cases).toBe(6);
  });

  test('citations: a pointer into the operation, or a section of docs/contract.md', () => {
    expect(verdictOf(inputs(), 'AUTH-401')?.citation).toContain('spec #/security: ApiKeyAuth: apiKey in header');
    const citation = verdictOf(inputs(), 'RESP-STATUS-DOCUMENTED')?.citation ?? [];
    expect(citation).toContain(`spec ${contract.pointer}/responses: documented responses of the operation`);
    expect(citation.some((c) => c.startsWith('docs/contract.md, "Every response, whatever the request": '))).toBe(true);
  });
});

describe('counterexamples', () => {
  const refused = exchange(makeCase(), err(400));

  test('one request: the request and response as shown, curl and replay; no steps', () => {
    const cx = verdictOf(
      inputs({ tallies: new Map([['UPD-VALID-200', tally(counterexample([refused]))]]) }),
      'UPD-VALID-200',
    )?.counterexample;
    expect(cx).toMatchObject({
      property: 'valid-update',
      seed: 7,
      path: '0:1',
      description: 'step 1',
      kind: '400',
      violated: [{ requirement: 'UPD-VALID-200', message: 'Received: 400 / Expected: 200' }],
      request: { method: 'PUT', headers: { 'x-api-key': '$CONFORMANCE_API_KEY' }, body: '{"name":"x"}' },
      response: { status: 400, body: '{"code":"E","message":"m"}', ms: 1 },
      replay: 'replay {"property":"valid-update","seed":7,"path":"0:1"}',
    });
    expect(cx?.curl).toContain('-H "x-api-key: $CONFORMANCE_API_KEY"');
    expect(cx).not.toHaveProperty('steps');
    expect(
      verdictOf(inputs({ tallies: new Map([['UPD-VALID-200', tally(counterexample([refused]))]]) }), 'UPD-VALID-200'),
    ).not.toHaveProperty('more');
    expect(cx).not.toHaveProperty('stateBefore');
    expect(cx).not.toHaveProperty('history');
  });

  test('a sequence: every step numbered; the state it met goes to the replay; more of other kinds', () => {
    const first = exchange(makeCase(), ok200());
    const cx = counterexample([first, refused], { stateBefore: { name: 'before' }, history: true });
    const other = counterexample([refused], { kind: '404' });
    const r = verdictOf(inputs({ tallies: new Map([['UPD-VALID-200', tally(cx, other)]]) }), 'UPD-VALID-200');
    expect(r?.counterexample?.steps?.map((s) => [s.n, s.line, s.response.status])).toEqual([
      [1, 'step 1', 200],
      [2, 'step 2', 400],
    ]);
    expect(r?.counterexample).toMatchObject({ description: 'step 2', stateBefore: { name: 'before' }, history: true });
    expect(r?.counterexample?.replay).toBe(
      'replay {"property":"valid-update","seed":7,"path":"0:1","state":{"name":"before"}}',
    );
    expect(r?.more?.map((m) => m.kind)).toEqual(['404']);
  });

  test("a failure's dump is its exchange with long values cut, each cut counted; short bodies as they are", () => {
    const tags = Array.from({ length: 600 }, (_, i) => `tag-${i}`);
    const answer = { id: 'x', name: 'n'.repeat(250), tags, user_metadata: { big: 1 } };
    const text = JSON.stringify(answer).replace('"big":1', '"big":123456789012345678901234567890');
    const ex = exchange(makeCase(), { status: 200, text });
    const shown = verdictOf(
      inputs({ tallies: new Map([['UPD-VALID-200', tally(counterexample([ex]))]]) }),
      'UPD-VALID-200',
    )?.counterexample;
    const body = JSON.parse(shown?.response.body ?? '{}') as { name: string; tags: string[] };
    expect(body.name).toBe(`${'n'.repeat(200)}… (50 more characters)`);
    expect(body.tags).toEqual([...tags.slice(0, 12), '… (588 more items)']);
    // a number keeps its text
    expect(shown?.response.body).toContain('"big":123456789012345678901234567890');
    const plain = exchange(makeCase(), { status: 200, text: '{ "id" : "x" }' });
    expect(
      verdictOf(inputs({ tallies: new Map([['UPD-VALID-200', tally(counterexample([plain]))]]) }), 'UPD-VALID-200')
        ?.counterexample?.response.body,
    ).toBe('{ "id" : "x" }');
  });

  test('bodies clipped at 8,000 characters, bytes counted, a broken answer as its failure, a resend said', () => {
    const long = 'x'.repeat(8001);
    const clipped = exchange(makeCase({ body: { kind: 'raw', text: long } }), { status: 400, text: 'x'.repeat(8000) });
    const shown = verdictOf(
      inputs({ tallies: new Map([['UPD-VALID-200', tally(counterexample([clipped]))]]) }),
      'UPD-VALID-200',
    )?.counterexample;
    expect(shown?.request.body).toBe(`${'x'.repeat(8000)}… (8001 chars in all)`);
    expect(shown?.response.body).toBe('x'.repeat(8000));

    const bytes = { ...refused, request: { ...refused.request, body: new Uint8Array(3) } };
    const broken = exchange(makeCase(), { failure: 'reset', status: 200 });
    const resent = exchange(makeCase(), { failure: 'reset' });
    if (resent.outcome.kind === 'failure') resent.outcome.resentAfter = 'closed, sent again';
    const report = buildReport(
      inputs({
        tallies: new Map([
          ['UPD-VALID-200', tally(counterexample([bytes]))],
          ['RESP-COMPLETE', tally(counterexample([broken]), counterexample([resent]))],
        ]),
      }),
    );
    const find = (id: RequirementId) => report.requirements.find((r) => r.id === id);
    expect(find('UPD-VALID-200')?.counterexample?.request.body).toBe('(3 bytes)');
    expect(find('RESP-COMPLETE')?.counterexample?.response).toEqual({
      status: 200,
      headers: {},
      failure: 'reset: reset',
      ms: 1,
    });
    expect(find('RESP-COMPLETE')?.more?.[0]?.response).toStrictEqual({
      failure: 'reset: reset',
      ms: 1,
      resentAfter: 'closed, sent again',
    });
  });

  test('a derived key is shown by its label; the key, wherever the answer echoes it, is redacted', () => {
    const derived = exchange(makeCase({ key: { kind: 'derived', how: 'upper' } }), {
      status: 200,
      json: { [KEY]: `echo ${KEY}` },
    });
    derived.request.headers['x-api-key'] = KEY.toUpperCase();
    const report = buildReport(inputs({ tallies: new Map([['AUTH-401', tally(counterexample([derived]))]]) }));
    const cx = report.requirements.find((r) => r.id === 'AUTH-401')?.counterexample;
    expect(cx?.request.headers['x-api-key']).toMatch(/^<the key.*>$/);
    expect(JSON.stringify(report)).not.toContain(KEY);
    expect(cx?.response.body).toBe('{"[REDACTED]":"echo [REDACTED]"}');
  });
});

describe('follows from', () => {
  // STATE-PERSISTS is derived: judged on what earlier answers showed
  const derivedCx = (kinds: [RequirementId, string][]): Counterexample =>
    counterexample([exchange(makeCase(), ok200())], {
      violations: kinds.map(([requirement, kind]) => ({ requirement, message: 'm', kind })),
    });
  const followsOf = (...cxs: Counterexample[]) =>
    verdictOf(inputs({ tallies: new Map([['STATE-PERSISTS', tally(...cxs)]]) }), 'STATE-PERSISTS')?.followsFrom;

  test('a stricter form (the exact list) follows from the requirement it refines (the same set) failing on the same fields', () => {
    const exactOf = (...cxs: Counterexample[]) =>
      verdictOf(inputs({ tallies: new Map([['A200-ARRAY-EXACT', tally(...cxs)]]) }), 'A200-ARRAY-EXACT')?.followsFrom;
    const both = derivedCx([
      ['A200-ARRAY-SET', 'tags'],
      ['A200-ARRAY-EXACT', 'tags'],
    ]);
    expect(exactOf(both)).toBe('A200-ARRAY-SET');
    // the same set in another order: the exact list fails on its own
    expect(exactOf(derivedCx([['A200-ARRAY-EXACT', 'tags']]))).toBeUndefined();
    expect(exactOf(both, derivedCx([['A200-ARRAY-EXACT', 'tags']]))).toBeUndefined();
  });
  test('an earlier failure of a requirement that is not derived, about every field of this one', () => {
    const cx = derivedCx([
      ['A200-ARRAY-SET', 'name, tags'],
      ['STATE-PERSISTS', 'tags'],
    ]);
    expect(followsOf(cx)).toBe('A200-ARRAY-SET');
    expect(followsOf(cx, cx)).toBe('A200-ARRAY-SET');
  });
  test('not when one counterexample has none, when the fields differ, when it came later or is derived too', () => {
    const follows = derivedCx([
      ['A200-ARRAY-SET', 'tags'],
      ['STATE-PERSISTS', 'tags'],
    ]);
    expect(followsOf(follows, derivedCx([['STATE-PERSISTS', 'tags']]))).toBeUndefined();
    expect(
      followsOf(
        derivedCx([
          ['A200-ARRAY-SET', 'tags'],
          ['STATE-PERSISTS', 'name, tags'],
        ]),
      ),
    ).toBeUndefined();
    expect(
      followsOf(
        derivedCx([
          ['STATE-PERSISTS', 'tags'],
          ['A200-ARRAY-SET', 'tags'],
        ]),
      ),
    ).toBeUndefined();
    expect(
      followsOf(
        derivedCx([
          ['STATE-IDEMPOTENT', 'tags'],
          ['STATE-PERSISTS', 'tags'],
        ]),
      ),
    ).toBeUndefined();
    expect(
      followsOf(
        derivedCx([
          ['A200-ARRAY-SET', ''],
          ['STATE-PERSISTS', ''],
        ]),
      ),
    ).toBeUndefined();
  });
  test('a requirement neither derived nor a stricter form of another never follows from another', () => {
    const cx = counterexample([exchange(makeCase(), ok200())], {
      violations: [
        { requirement: 'A200-ARRAY-SET', message: 'm', kind: 'tags' },
        { requirement: 'A200-STRING-EXACT', message: 'm', kind: 'tags' },
      ],
    });
    expect(
      verdictOf(inputs({ tallies: new Map([['A200-STRING-EXACT', tally(cx)]]) }), 'A200-STRING-EXACT'),
    ).not.toHaveProperty('followsFrom');
  });
});

describe('requests as shown', () => {
  test('a wrong key is shown as sent; a contract without a security scheme shows every header as sent', () => {
    const wrong = exchange(makeCase({ key: { kind: 'wrong', value: 'nope' } }), err(401));
    wrong.request.headers['x-api-key'] = 'nope';
    const shown = (i: ReportInputs, ex: Exchange) =>
      buildReport({ ...i, tallies: new Map([['AUTH-401', tally(counterexample([ex]))]]) }).requirements.find(
        (r) => r.id === 'AUTH-401',
      )?.counterexample?.request.headers['x-api-key'];
    expect(shown(inputs(), wrong)).toBe('nope');
    const noAuth = { ...contract, auth: null };
    const valid = exchange(makeCase(), err(401));
    expect(shown(inputs({ contract: noAuth, apiKey: 'other-key-123456' }), valid)).toBe(KEY);
  });
});
