/**
 * The engine on its own (runProperties), against reference servers in this process: what it counts
 * (cases, coverage keys, tallies, events), how lanes split the runs, when a property stops (time,
 * timeouts, a stopped client, a budget), what a replay runs, and what a counterexample records of
 * the state it met (nothing, the state, or "depends on the history").
 */
import { describe, expect, test } from 'vitest';
import { fixtureServer } from '../../fixtures/servers/index.ts';
import { checkContext } from '../../src/checks/context.ts';
import { loadContract } from '../../src/contract/load.ts';
import { type ClientOptions, HttpClient, type OutgoingRequest } from '../../src/exchange/http.ts';
import { invalidBodyBreaks } from '../../src/generators/bodies.ts';
import { counterexamplesOf, type PropertyResult } from '../../src/report/model.ts';
import {
  currentProperty,
  type EngineOptions,
  type EngineResult,
  type RunEvent,
  runProperties,
} from '../../src/runner/engine.ts';
import { runConformance } from '../../src/runner/run.ts';
import { applyUpdate, error, type ReferenceServer, type Variant } from '../../src/server/index.ts';
import { SPEC } from '../helpers/helpers.ts';
import { referenceServers } from '../helpers/reference.ts';

const KEY = 'engine-key-0123456789';
const { server, config } = referenceServers(KEY);
const contract = loadContract(SPEC);
/** The name of the reference server's seeded asset. */
const SEEDED_NAME = 'reference-asset.png';

interface Engine {
  result: EngineResult;
  events: RunEvent[];
  requests: OutgoingRequest[];
  /** The property each request was sent for, as currentProperty tells (with labelRequests). */
  labels: (string | undefined)[];
}

interface EngineEnv {
  /** The asset id the checks' context names (default: the server's). */
  assetId?: string;
  /** The client is stopped with this reason before the run. */
  stop?: string;
  client?: Partial<ClientOptions>;
  /** Sees the client before the run (to stop it on an event). */
  onClient?: (client: HttpClient) => void;
}

/** runProperties against a server, with a client of its own (closed at the end). */
async function engine(s: ReferenceServer, options: Partial<EngineOptions>, env: EngineEnv = {}): Promise<Engine> {
  const requests: OutgoingRequest[] = [];
  const labels: (string | undefined)[] = [];
  const client = new HttpClient({
    timeoutMs: 2000,
    ...env.client,
    tap: (r) => {
      requests.push(r);
      labels.push(currentProperty.getStore());
    },
  });
  if (env.stop) client.stop(env.stop);
  env.onClient?.(client);
  const events: RunEvent[] = [];
  try {
    const result = await runProperties(
      [
        {
          ctx: { ...checkContext(contract, env.assetId ?? s.assetId), apiKey: KEY },
          target: { baseUrl: s.baseUrl, apiKey: KEY },
          client,
          hasGet: true,
        },
      ],
      // one lane unless a test asks for more: the values in the order these tests were written against
      { seed: 11, runs: 10, concurrency: 1, propertyTimeLimitMs: 20_000, onEvent: (e) => events.push(e), ...options },
    );
    return { result, events, requests, labels };
  } finally {
    await client.close();
  }
}

const puts = (requests: OutgoingRequest[]): OutgoingRequest[] => requests.filter((r) => r.method === 'PUT');
const sum = (values: Iterable<number>): number => [...values].reduce((a, b) => a + b, 0);

describe('what a run counts', () => {
  test('cases are the exchanges sent; every answered one has its status key; events report them as they come', async () => {
    const s = await server();
    const started = Date.now();
    const { result, events, requests } = await engine(s, { only: ['auth', 'valid-update'] });
    const elapsed = Date.now() - started;
    // the order of names.ts, whatever the order of `only`
    expect(result.properties.map((p) => p.name)).toEqual(['valid-update', 'auth']);
    for (const p of result.properties) {
      expect(p).toMatchObject({ status: 'pass', failed: [], interrupted: false });
      expect(p.cases).toBeGreaterThanOrEqual(10);
      expect(p.ms).toBeGreaterThanOrEqual(0);
      expect(p.ms).toBeLessThanOrEqual(elapsed);
    }
    const cases = sum(result.properties.map((p) => p.cases));
    expect(cases).toBe(requests.length);
    const statuses = [...result.coverage].filter(([k]) => k.startsWith('status:'));
    expect(sum(statuses.map(([, n]) => n))).toBe(cases);
    expect(result.coverage.get('status:401')).toBeGreaterThan(0);
    expect(result.coverage.get('status:200')).toBeGreaterThan(0);

    expect(events.filter((e) => e.type !== 'case').map((e) => [e.type, e.index, e.total])).toEqual([
      ['property-start', 0, 2],
      ['property-end', 0, 2],
      ['property-start', 1, 2],
      ['property-end', 1, 2],
    ]);
    const starts = events.flatMap((e) => (e.type === 'property-start' ? [e.property.name] : []));
    expect(starts).toEqual(['valid-update', 'auth']);
    const ends = events.flatMap((e) => (e.type === 'property-end' ? [e.result] : []));
    expect(ends).toEqual(result.properties);
    for (const p of result.properties) {
      const counts = events.flatMap((e) => (e.type === 'case' && e.property === p.name ? [e.cases] : []));
      expect(counts.length).toBe(10 - p.discarded);
      expect(counts.at(-1)).toBe(p.cases);
      expect([...counts].sort((a, b) => a - b)).toEqual(counts);
    }
  });

  test('a requirement counts a case for each time it was judged, only for the properties run', async () => {
    const s = await server();
    const { result } = await engine(s, { only: ['auth'] });
    expect(result.tallies.size).toBeGreaterThan(40);
    expect(result.tallies.get('AUTH-401')?.cases).toBeGreaterThan(0);
    expect(result.tallies.get('BODY-INVALID-400')?.cases).toBe(0);
    expect(result.tallies.get('ID-MALFORMED')?.cases).toBe(0);
    for (const t of result.tallies.values()) expect(t.counterexamples).toEqual([]);
  });

  test('an edge case counts its row', async () => {
    const s = await server();
    const { result } = await engine(s, { only: ['edges'], runs: 100 });
    const rows = [...result.coverage].filter(([k]) => k.startsWith('edge:'));
    expect(rows.length).toBeGreaterThan(5);
    for (const [k, n] of rows) {
      expect(k).toMatch(/^edge:[a-z0-9-]+$/);
      expect(n).toBeGreaterThan(0);
    }
  });

  test('a fault at a late edge row: the rows sent before it count too, each exchange once', async () => {
    const s = await server(fixtureServer('deep-metadata-500')?.variant);
    const { result, requests } = await engine(s, { only: ['edges'], runs: 100, counterexamples: 1 });
    expect(result.properties[0]?.failed).toContain('RESP-NO-5XX');
    const [cx] = result.tallies.get('RESP-NO-5XX')?.counterexamples ?? [];
    expect(cx?.steps.at(-1)).toMatch(/^depth: /);
    // the rows before depth in the table were sent and judged: the coverage counts them as the tallies do
    for (const row of ['lone-surrogate', 'number-out-of-range', 'big-integer', 'duplicate-members'])
      expect(result.coverage.get(`edge:${row}`), row).toBeGreaterThan(0);
    expect(result.tallies.get('EDGE-DUPLICATE-MEMBERS')?.cases).toBeGreaterThan(0);
    // a control sent once and shown with each case is one exchange; the reads after a 200, and the
    // updates that put a plain value back after a large body (one each, and after a deep one) are
    // not cases
    const statuses = [...result.coverage].filter(([k]) => k.startsWith('status:'));
    expect(sum(statuses.map(([, n]) => n))).toBe(result.properties[0]?.cases);
    const puts = requests.filter((r) => r.method === 'PUT');
    const large = puts.filter((r) => (r.body?.length ?? 0) > 16 * 1024).length;
    expect(large).toBeGreaterThan(0);
    expect(result.properties[0]?.cases).toBeLessThanOrEqual(puts.length - large);
    expect(result.properties[0]?.cases).toBeGreaterThanOrEqual(puts.length - large - 3);
  });

  test('an invalid body counts the keyword it breaks', async () => {
    const s = await server();
    const { result } = await engine(s, { only: ['invalid-body'], runs: 40 });
    const keywords = [...result.coverage].filter(([k]) => k.startsWith('keyword:'));
    expect(keywords.length).toBeGreaterThan(2);
    // each invalid body is one case, answered 400
    expect(sum(keywords.map(([, n]) => n))).toBe(result.properties[0]?.cases);
    expect(result.coverage.get('status:400')).toBe(result.properties[0]?.cases);
  });
});

test('requests are labelled with their property only when asked', async () => {
  const s = await server();
  const labelled = await engine(s, { only: ['auth', 'malformed-id'], runs: 3, labelRequests: true });
  const auth = labelled.result.properties[0]?.cases ?? 0;
  expect(labelled.labels).toEqual([
    ...Array.from({ length: auth }, () => 'auth'),
    ...Array.from({ length: labelled.requests.length - auth }, () => 'malformed-id'),
  ]);
  const plain = await engine(s, { only: ['auth'], runs: 3 });
  expect(plain.labels.every((l) => l === undefined)).toBe(true);
});

describe('lanes', () => {
  const bodies = (requests: OutgoingRequest[]): string[] => requests.map((r) => `${r.url} ${r.body ?? ''}`).sort();

  test('lane k runs its share of the runs from seed + k: together the values of one lane each', async () => {
    const s = await server();
    const two = await engine(s, { only: ['invalid-body'], runs: 9, concurrency: 2 });
    const first = await engine(s, { only: ['invalid-body'], runs: 5, seed: 11 });
    const second = await engine(s, { only: ['invalid-body'], runs: 4, seed: 12 });
    expect(bodies(two.requests)).toEqual(bodies([...first.requests, ...second.requests]));
  });

  test('more lanes than runs: one run a lane; a property that changes the asset runs in one lane', async () => {
    const s = await server();
    const wide = await engine(s, { only: ['invalid-body'], runs: 3, concurrency: 8 });
    const lanes = await Promise.all([11, 12, 13].map((seed) => engine(s, { only: ['invalid-body'], runs: 1, seed })));
    expect(bodies(wide.requests)).toEqual(bodies(lanes.flatMap((l) => l.requests)));
    const valid = await engine(s, { only: ['valid-update'], runs: 4, concurrency: 4 });
    const single = await engine(s, { only: ['valid-update'], runs: 4 });
    expect(puts(valid.requests).map((r) => r.body)).toEqual(puts(single.requests).map((r) => r.body));
  });
});

describe('a planned run (a deadline): the plan pass, then the exploration', () => {
  const bodies = (requests: OutgoingRequest[]): string[] => requests.map((r) => `${r.url} ${r.body ?? ''}`).sort();
  const far = () => Date.now() + 60_000;

  test('every property runs its first values before any explores; together the values of one pass each', async () => {
    const s = await server();
    const planned = await engine(s, { only: ['malformed-id', 'valid-update'], runs: 9, deadline: far(), planRuns: 3 });
    const passes = planned.events.flatMap((e) => (e.type === 'property-start' ? [[e.pass, e.property.name]] : []));
    expect(passes).toEqual([
      ['plan', 'valid-update'],
      ['plan', 'malformed-id'],
      ['explore', 'valid-update'],
      ['explore', 'malformed-id'],
    ]);
    // the plan from the run's seed, the exploration from the next (it does not send the plan's values again)
    const plan = await engine(s, { only: ['malformed-id'], runs: 3, seed: 11 });
    const explore = await engine(s, { only: ['malformed-id'], runs: 6, seed: 12 });
    const malformedId = await engine(s, { only: ['malformed-id'], runs: 9, deadline: far(), planRuns: 3 });
    expect(bodies(malformedId.requests)).toEqual(bodies([...plan.requests, ...explore.requests]));
    // one result a property, both passes in it
    expect(planned.result.properties.map((p) => [p.name, p.status, p.interrupted])).toEqual([
      ['valid-update', 'pass', false],
      ['malformed-id', 'pass', false],
    ]);
    expect(malformedId.result.properties[0]?.cases).toBe(plan.requests.length + explore.requests.length);
  });

  test("with lanes, the exploration takes the seeds after all of the plan's", async () => {
    const s = await server();
    const two = await engine(s, { only: ['malformed-id'], runs: 6, concurrency: 2, deadline: far(), planRuns: 2 });
    const plan = await engine(s, { only: ['malformed-id'], runs: 2, concurrency: 2, seed: 11 });
    const explore = await engine(s, { only: ['malformed-id'], runs: 4, concurrency: 2, seed: 13 });
    expect(bodies(two.requests)).toEqual(bodies([...plan.requests, ...explore.requests]));
  });

  test('a property with kinds of value: its plan sends one value of each, so it breaks every keyword a long run breaks', async () => {
    const s = await server();
    const keywords = (e: Engine): string[] =>
      [...e.result.coverage.keys()].filter((k) => k.startsWith('keyword:')).sort();
    const long = await engine(s, { only: ['invalid-body'], runs: 300 });
    const kinds = invalidBodyBreaks(contract.requestBody.schema, () => true).length;
    for (const seed of [1, 2, 3]) {
      // runs 2: a plan only (nothing left to explore)
      const plan = await engine(s, { only: ['invalid-body'], runs: 2, seed, deadline: far() });
      expect(plan.result.properties[0]?.cases).toBe(kinds);
      expect(keywords(plan)).toEqual(keywords(long));
    }
  });

  test("a failure found by a plan's kind of value: its path names the kind, and a replay of it sends that one case", async () => {
    const s = await server(fixtureServer('empty-object-200')?.variant);
    const found = await engine(s, { only: ['invalid-body'], runs: 2, seed: 4, deadline: far() });
    const [cx] = found.result.tallies.get('BODY-EMPTY-400')?.counterexamples ?? [];
    expect(cx?.path).toMatch(/^s\d+\/\d+(:\d+)*$/);
    const again = await engine(s, { only: ['invalid-body'], seed: cx?.seed ?? 0, path: cx?.path ?? '' });
    expect(again.result.tallies.get('BODY-EMPTY-400')?.counterexamples).toHaveLength(1);
    expect(again.requests.map((r) => `${r.method} ${r.body ?? ''}`)).toEqual(['PUT {}']);
  });

  test('no more runs than --runs: a plan as large as the runs leaves nothing to explore', async () => {
    const s = await server();
    const { events } = await engine(s, { only: ['invalid-body'], runs: 2, deadline: far(), planRuns: 5 });
    const passes = events.flatMap((e) => (e.type === 'property-start' ? [e.pass] : []));
    expect(passes).toEqual(['plan']);
  });

  test('the plan shares the time first, then the exploration what is left: a slow target cuts the exploration, which says why', async () => {
    // malformed-body's plan (one value of each of its 3 kinds) takes 450 ms of its 750; malformed-id's 4th
    // value then starts at 450 ms: within its share of the plan (1,050 ms), not of every pass (350 ms)
    const s = await server({ name: 'slow', delayMs: () => 150 });
    const started = Date.now();
    const plans: PropertyResult[] = [];
    const { result } = await engine(s, {
      only: ['malformed-body', 'malformed-id'],
      runs: 100,
      deadline: Date.now() + 1500,
      planRuns: 4,
      // (a result goes on changing in the next pass: as it was at the end of the plan)
      onEvent: (e) => e.type === 'property-end' && e.pass === 'plan' && plans.push({ ...e.result }),
    });
    expect(Date.now() - started).toBeLessThan(2500);
    // both plans ran whole before any exploration
    expect(plans.map((p) => p.interrupted)).toEqual([false, false]);
    for (const p of result.properties) {
      expect(p.interrupted, p.name).toBe(true);
      expect(p.cut).toMatch(/^its share of the run's time budget \(\d+\.\d s\)$/);
    }
  });

  test("a run stopped after the plan: the exploration is not run, the plan's verdicts stand", async () => {
    const s = await server();
    let client: HttpClient | undefined;
    const passes: string[] = [];
    const { result } = await engine(
      s,
      {
        only: ['invalid-body', 'auth'],
        runs: 10,
        deadline: far(),
        planRuns: 2,
        onEvent: (e) => {
          if (e.type === 'property-start') passes.push(e.pass);
          if (e.type === 'property-end' && e.pass === 'plan' && e.result.name === 'auth') client?.stop('told to');
        },
      },
      { onClient: (c) => (client = c) },
    );
    expect(passes).toEqual(['plan', 'plan']);
    for (const p of result.properties)
      expect(p).toMatchObject({ status: 'pass', interrupted: true, cut: 'not explored: not run: told to' });
  });

  test('a replay runs its one case whatever the deadline (one pass, from its seed)', async () => {
    const s = await server(manyTags(2));
    const found = await engine(s, { only: ['valid-update'], runs: 50, deadline: far() });
    const [cx] = found.result.tallies.get('RESP-NO-5XX')?.counterexamples ?? [];
    expect(cx).toBeDefined();
    if (!cx) return;
    const replay = await engine(s, { only: ['valid-update'], runs: 50, seed: cx.seed, path: cx.path, deadline: far() });
    expect(replay.events.flatMap((e) => (e.type === 'property-start' ? [e.pass] : []))).toEqual(['all']);
    expect(puts(replay.requests).map((r) => r.body)).toEqual(cx.exchanges.map((e) => e.request.body));
  });
});

describe('when a property stops', () => {
  test('a client that has stopped: every property is skipped, saying why', async () => {
    const s = await server();
    const { result, requests } = await engine(s, { only: ['auth', 'edges'] }, { stop: 'told to' });
    expect(requests).toEqual([]);
    for (const p of result.properties)
      expect(p).toEqual({
        name: p.name,
        title: expect.any(String),
        status: 'skip',
        cases: 0,
        discarded: 0,
        ms: 0,
        interrupted: false,
        failed: [],
        skipReason: 'not run: told to',
      });
  });

  test("a property's own reason to skip: nothing sent for it, the others run", async () => {
    const s = await server();
    const { result } = await engine(s, { only: ['id-spelling', 'malformed-id'] }, { assetId: 'asset-1' });
    expect(result.properties[1]).toMatchObject({
      name: 'id-spelling',
      status: 'skip',
      cases: 0,
      skipReason: 'the asset id is not a hyphenated uuid',
    });
    expect(result.properties[0]).toMatchObject({ name: 'malformed-id', status: 'pass' });
    expect(result.properties[0]?.cases).toBeGreaterThan(0);
  });

  test('a request budget: the property is interrupted where it was, the next ones are not run', async () => {
    const s = await server();
    const { result, requests } = await engine(s, { only: ['valid-update', 'auth'] }, { client: { maxRequests: 4 } });
    expect(requests.length).toBe(4);
    const [valid, auth] = result.properties;
    expect(valid).toMatchObject({ status: 'pass', interrupted: true, cases: 4 });
    expect(auth?.status).toBe('skip');
    expect(auth?.skipReason).toMatch(/^not run: /);
  });

  test('the time limit: nothing is sent after it, the property is interrupted', async () => {
    const s = await server({ name: 'slow', delayMs: () => 60 });
    const started = Date.now();
    const { result, requests } = await engine(s, { only: ['invalid-body'], runs: 100, propertyTimeLimitMs: 300 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(result.properties[0]).toMatchObject({ status: 'pass', interrupted: true });
    expect(requests.length).toBeGreaterThan(1);
    expect(requests.length).toBeLessThan(10);
  });

  test('values that cannot be judged (every answer 429): discarded, and the property says it gave up', async () => {
    const s = await server({
      name: 'always-429',
      reply: (reply, request) =>
        request.method === 'PUT' ? { status: 429, headers: { 'retry-after': '0' }, body: { text: '' } } : reply,
    });
    const { result, requests } = await engine(
      s,
      { only: ['invalid-body'], runs: 3 },
      { client: { maxRateLimitRetries: 0 } },
    );
    const [p] = result.properties;
    expect(p).toMatchObject({ status: 'pass', gaveUp: true, cases: 0, failed: [] });
    expect(p?.discarded).toBe(requests.length);
    expect(p?.discarded).toBeGreaterThan(3);
    // one round: 3 values, each skipped at most 10 times (fast-check's maxSkipsPerRun), then it gives up
    expect(requests.length).toBeLessThanOrEqual(3 * 11 + 1);
    for (const t of result.tallies.values()) expect(t.counterexamples).toEqual([]);
  });

  test('a target that resets every update is judged on every value: a reset is not a timeout', async () => {
    const s = await server({
      name: 'resets',
      intercept: (req, _res, socket) => {
        if (req.method !== 'PUT') return false;
        socket.destroy();
        return true;
      },
    });
    const { result } = await engine(s, { only: ['valid-update'], runs: 8, counterexamples: 1 });
    const [p] = result.properties;
    expect(p).toMatchObject({ status: 'fail', interrupted: false });
    expect(p?.cases).toBeGreaterThanOrEqual(8);
  });

  test('a control that gets no answer is the verdict: the case is not sent after it (and cannot take the verdict with it)', async () => {
    // only updates of the asset under its own id hang: the control of an id-spelling case, not the case
    const s = await server({
      name: 'hangs-on-its-id',
      intercept: (req) => req.method === 'PUT' && req.id === s.assetId,
    });
    const { result, requests } = await engine(s, { only: ['id-spelling'], runs: 4 }, { client: { timeoutMs: 150 } });
    const [cx] = result.tallies.get('RESP-TIMELY')?.counterexamples ?? [];
    expect(cx?.steps[0]).toMatch(/^control, the same body to the asset/);
    expect(cx?.exchanges).toHaveLength(1);
    // no request to a spelled id after a control that timed out
    expect(requests.filter((r) => !r.url.includes(s.assetId))).toEqual([]);
  });

  test('a target that stops answering: two timeouts end the property, one the next property', async () => {
    const s = await server({ name: 'hangs', intercept: (req) => req.method === 'PUT' });
    const { result, requests } = await engine(
      s,
      { only: ['valid-update', 'unknown-id', 'malformed-id'], runs: 20 },
      { client: { timeoutMs: 150 } },
    );
    const [valid, unknown, malformed] = result.properties;
    expect(valid).toMatchObject({ status: 'fail', interrupted: true, failed: ['RESP-TIMELY'] });
    expect(unknown).toMatchObject({ interrupted: true });
    expect(malformed).toMatchObject({ interrupted: true });
    const sent = (name: string): number => result.properties.find((p) => p.name === name)?.cases ?? -1;
    expect(sent('valid-update')).toBe(2);
    expect(sent('malformed-id')).toBe(1);
    expect(requests.length).toBe(sent('valid-update') + sent('unknown-id') + sent('malformed-id'));
    // a request without an answer has no status to count
    expect([...result.coverage.keys()].filter((k) => !/^(status:\d{3}|keyword:.+|edge:.+)$/.test(k))).toEqual([]);
    expect([...result.coverage.keys()].filter((k) => k.startsWith('status:'))).toEqual([]);
    const timely = result.tallies.get('RESP-TIMELY');
    expect(timely?.counterexamples.length).toBe(1);
  });
});

/** A server that answers 500 to the valid updates `when` picks (by the body and the asset before it). */
const fails = (name: string, when: (body: Record<string, unknown>, before: { name: string }) => boolean): Variant => {
  let refuse = false;
  return {
    name,
    applyUpdate: (asset, update) => {
      refuse = when(update as Record<string, unknown>, asset);
      if (!refuse) applyUpdate(asset, update);
    },
    reply: (reply, request) => {
      if (request.method !== 'PUT' || !refuse) return reply;
      refuse = false;
      return error(500, 'BROKEN', 'refused');
    },
  };
};

/** Fails an update of more than `n` tags: a fault of the body alone. */
const manyTags = (n: number): Variant =>
  fails(`fails-over-${n}-tags`, (body) => Array.isArray(body['tags']) && body['tags'].length > n);

/** Fails an update without a name once the asset was renamed: a fault that needs the state the run left. */
const afterRename = (): Variant =>
  fails('fails-after-a-rename', (body, before) => body['name'] === undefined && before.name !== SEEDED_NAME);

describe('replay', () => {
  test('a replay sends the one case at its path, and records its violation', async () => {
    const variant = manyTags(2);
    const s = await server(variant);
    const found = await engine(s, { only: ['valid-update'], runs: 50 });
    // a property that found a fault did not give up
    expect(found.result.properties[0]).not.toHaveProperty('gaveUp');
    const [cx] = found.result.tallies.get('RESP-NO-5XX')?.counterexamples ?? [];
    expect(cx).toBeDefined();
    if (!cx) return;
    const replay = await engine(s, { only: ['valid-update'], runs: 50, seed: cx.seed, path: cx.path });
    expect(puts(replay.requests).map((r) => r.body)).toEqual(cx.exchanges.map((e) => e.request.body));
    const [again] = replay.result.tallies.get('RESP-NO-5XX')?.counterexamples ?? [];
    expect(again?.exchanges.map((e) => e.request.body)).toEqual(cx.exchanges.map((e) => e.request.body));
    expect(again).not.toHaveProperty('stateBefore');
    expect(replay.result.properties[0]).toMatchObject({ status: 'fail', failed: ['RESP-NO-5XX'] });
  });

  test('a replay whose case passes sends that case alone (never its siblings in the shrink tree)', async () => {
    const faulty = await server(manyTags(2));
    const found = await engine(faulty, { only: ['valid-update'], runs: 50 });
    const [cx] = found.result.tallies.get('RESP-NO-5XX')?.counterexamples ?? [];
    expect(cx?.exchanges.length).toBe(1);
    const conforming = await server();
    const replay = await engine(conforming, {
      only: ['valid-update'],
      runs: 50,
      seed: cx?.seed ?? 0,
      path: cx?.path ?? '',
    });
    expect(puts(replay.requests).map((r) => r.body)).toEqual(cx?.exchanges.map((e) => e.request.body));
    expect(replay.result.properties[0]).toMatchObject({ status: 'pass', failed: [] });
  });

  test("a sequence's path carries fast-check's replay path of its commands, and replays the sequence", async () => {
    const variant = fixtureServer('wipes-unsent')?.variant;
    // (seed 12: shrunk sequences that fast-check cannot replay without their commands' replay path)
    const found = await engine(await server(variant), { only: ['stateful'], runs: 30, seed: 12 });
    const cxs = [...found.result.tallies.values()].flatMap((t) => t.counterexamples);
    expect(cxs.length).toBeGreaterThan(1);
    let longer = 0;
    for (const cx of cxs) {
      expect(cx.path).toMatch(/^\d+(:\d+)*\|[^|"]{2,}$/);
      const replay = await engine(await server(variant), {
        only: ['stateful'],
        runs: 30,
        seed: cx.seed,
        path: cx.path,
      });
      const again = [...replay.result.tallies.values()].flatMap((t) => t.counterexamples)[0];
      // the same sequence up to the violation; a replay then runs the sequence to its end, where the
      // run stopped at the violation it had not shown yet
      expect(again?.steps.slice(0, cx.steps.length)).toEqual(cx.steps);
      expect(again?.path.split('|')[0]).toBe(cx.path.split('|')[0]);
      if ((again?.steps.length ?? 0) > cx.steps.length) longer++;
    }
    expect(longer).toBeGreaterThan(0);
  });
});

describe('counterexamples kept', () => {
  const variant = (): Variant => {
    const v = fixtureServer('accepts-invalid')?.variant;
    if (!v) throw new Error('no server accepts-invalid');
    return v;
  };

  test('up to three a requirement, each of its own kind; the requirement named once', async () => {
    const { result } = await engine(await server(variant()), { only: ['invalid-body'], runs: 60 });
    // an empty body (BODY-EMPTY-400) is accepted too
    const failed = ['BODY-INVALID-400', 'BODY-EMPTY-400'];
    expect([...(result.properties[0]?.failed ?? [])].sort()).toEqual([...failed].sort());
    const kinds = result.tallies.get('BODY-INVALID-400')?.counterexamples.map((c) => c.kind) ?? [];
    expect(kinds.length).toBe(3);
    expect(new Set(kinds).size).toBe(3);
    for (const [id, t] of result.tallies) if (!failed.includes(id)) expect(t.counterexamples).toEqual([]);
  });

  test('a violation already shown is not recorded again beside a new one in the same answer', async () => {
    // invalid bodies taken, every answer labelled text/plain: each invalid body breaks BODY-INVALID-400
    // (of its kind) and RESP-CONTENT-TYPE
    const accepts = variant();
    const both: Variant = {
      ...accepts,
      name: 'accepts-invalid+text-plain',
      reply: (reply, request, store) => {
        const r = accepts.reply ? accepts.reply(reply, request, store) : reply;
        return { ...r, headers: { ...r.headers, 'content-type': 'text/plain' } };
      },
    };
    const { result } = await engine(await server(both), { only: ['invalid-body'], runs: 60 });
    expect(result.tallies.get('RESP-CONTENT-TYPE')?.counterexamples.length).toBe(1);
    expect(result.tallies.get('BODY-INVALID-400')?.counterexamples.length).toBe(3);
    for (const [id, t] of result.tallies) {
      const kinds = t.counterexamples.map((c) => c.kind);
      expect(new Set(kinds).size, id).toBe(kinds.length);
    }
  });

  test('--counterexamples 1: one, and nothing is searched again once shown', async () => {
    const one = await engine(await server(variant()), { only: ['invalid-body'], runs: 60, counterexamples: 1 });
    expect(one.result.tallies.get('BODY-INVALID-400')?.counterexamples.length).toBe(1);
    const three = await engine(await server(variant()), { only: ['invalid-body'], runs: 60 });
    expect(one.requests.length).toBeLessThan(three.requests.length);
  });
});

describe('the state a counterexample met', () => {
  /** A run of valid-update against a server (set up first); the counterexamples of its 500s. */
  const run = async (variant: Variant, setUp: (s: ReferenceServer) => void = () => undefined) => {
    const s = await server(variant);
    setUp(s);
    const report = await runConformance({
      ...config(s),
      runs: 60,
      seed: 4,
      only: ['valid-update'],
    });
    const r = report.requirements.find((q) => q.id === 'RESP-NO-5XX');
    expect(r?.status).toBe('fail');
    const cxs = r ? counterexamplesOf(r) : [];
    expect(cxs.length).toBeGreaterThan(0);
    return cxs;
  };

  test('a fault of the body alone shows again from the values before the run: no state recorded', async () => {
    const cxs = await run(manyTags(2));
    for (const cx of cxs) {
      expect(cx.stateBefore).toBeUndefined();
      expect(cx.history).toBeUndefined();
    }
  });

  test('a fault that needs the state the run left: the state is recorded, and shows it again', async () => {
    const cxs = await run(afterRename());
    for (const cx of cxs) {
      expect(cx.stateBefore?.['name']).toBeDefined();
      expect(cx.history).toBeUndefined();
    }
    // replayed from that state: the case shows the fault again, and nothing else is sent to try it
    const [cx] = cxs;
    let puts = 0;
    const s = await server({
      ...afterRename(),
      delayMs: (request) => {
        if (request.method === 'PUT') puts++;
        return 0;
      },
    });
    const replay = await runConformance({
      ...config(s),
      runs: 60,
      seed: cx?.seed ?? 0,
      path: cx?.path ?? '',
      only: ['valid-update'],
      ...(cx?.stateBefore ? { startFrom: cx.stateBefore } : {}),
    });
    const again = replay.requirements.find((q) => q.id === 'RESP-NO-5XX')?.counterexample;
    expect(again?.request.body).toBe(cx?.request.body);
    expect(again).not.toHaveProperty('stateBefore');
    expect(again).not.toHaveProperty('history');
    // the preflight's update, the recorded state, the case, the restore
    expect(puts).toBe(4);
  });

  test('tried again, another violation is not the same one: the state is still tried', async () => {
    // from the values before the run, an update without a name is answered as text/plain; after a
    // rename, with a 500: tried from those values, the 500's case shows a violation, not the 500
    const renamed = afterRename();
    let plain = false;
    const cxs = await run({
      ...renamed,
      name: 'two-faults-by-state',
      applyUpdate: (asset, update, store) => {
        plain = update.name === undefined && asset.name === SEEDED_NAME;
        return renamed.applyUpdate?.(asset, update, store);
      },
      reply: (reply, request, store) => {
        const r = renamed.reply ? renamed.reply(reply, request, store) : reply;
        if (request.method !== 'PUT' || !plain) return r;
        plain = false;
        return { ...r, headers: { ...r.headers, 'content-type': 'text/plain' } };
      },
    });
    for (const cx of cxs) expect(cx.stateBefore?.['name']).toBeDefined();
  });

  test('a fault of the history met in the values before the run: no state, marked as history', async () => {
    // the preflight's update is the first; the property's first value the second
    let n = 0;
    const cxs = await run(fails('fails-the-second', () => ++n === 2));
    for (const cx of cxs) {
      expect(cx.history).toBe(true);
      expect(cx.stateBefore).toBeUndefined();
    }
  });

  test('a value the run cannot send back is not part of the state', async () => {
    const cxs = await run(afterRename(), (s) => {
      const seeded = s.store.assets.get(s.assetId);
      if (seeded) seeded.preview_id = null;
    });
    for (const cx of cxs) {
      expect(cx.stateBefore?.['name']).toBeDefined();
      expect(cx.stateBefore).not.toHaveProperty('preview_id');
    }
  });

  test('a fault of the history, not of the values: marked as such, with the state it met', async () => {
    let n = 0;
    const cxs = await run(fails('fails-the-third', () => ++n === 3));
    for (const cx of cxs) {
      expect(cx.history).toBe(true);
      expect(cx.stateBefore).toBeDefined();
    }
  });

  test('without the values before the run, nothing is tried again: the state as known', async () => {
    let n = 0;
    const { result, requests } = await engine(await server(fails('fails-the-second', () => ++n === 2)), {
      only: ['valid-update'],
      runs: 10,
    });
    const [cx] = result.tallies.get('RESP-NO-5XX')?.counterexamples ?? [];
    expect(cx?.stateBefore).toBeDefined();
    expect(cx).not.toHaveProperty('history');
    // every request was a value of the property (its shrinking included): none to try the state again
    expect(requests.length).toBe(result.properties[0]?.cases);
  });

  test('values before the run that the target refuses to take back: the state is tried instead', async () => {
    // the asset has two tags; this server refuses any update with more than one
    const cxs = await run(manyTags(1));
    for (const cx of cxs) {
      expect(cx.stateBefore).toBeDefined();
      expect(cx.history).toBeUndefined();
    }
  });

  test('a timeout: the state as known, untried (each try would cost a timeout)', async () => {
    let n = 0;
    const report = await runConformance({
      ...config(await server({ name: 'hangs-once', intercept: (req) => req.method === 'PUT' && ++n === 4 })),
      runs: 20,
      seed: 4,
      timeoutMs: 300,
      only: ['valid-update'],
    });
    const r = report.requirements.find((q) => q.id === 'RESP-TIMELY');
    const cxs = r ? counterexamplesOf(r) : [];
    expect(cxs.length).toBe(1);
    expect(cxs[0]?.stateBefore).toBeDefined();
    expect(cxs[0]?.history).toBeUndefined();
  });
});
