/**
 * Faults of a target, each a server of the library run by the real CLI with default settings:
 * what the run must end with, and how long it may take. The CLI tier (tests/cli/faults.test.ts)
 * asserts them; `npx tsx tests/bench/faults.ts` prints the wall time of each.
 */
import type { ReferenceServer } from '../../src/server/index.ts';

export interface FaultCase {
  /** The library server (fixtures/servers). */
  server: string;
  /** What the fault is, as the issue that found it said. */
  title: string;
  exit: number;
  /** Requirements that must fail (exit 1), or be the only ones failing when `only` is set. */
  fails?: string[];
  only?: boolean;
  /** Wall-time bound of the whole run, in seconds (the run without a fault takes about 5 s). */
  boundS: number;
  /**
   * How the run must end for the asset (default 'restored': put back and verified, the asset as it
   * was): 'not-restored' where the fault keeps the run from writing or reading it back, and the run
   * must say so loudly.
   */
  restore?: 'restored' | 'not-restored';
  /** Puts the server's asset in the state the case needs, before the run. */
  prepare?(server: ReferenceServer): void;
}

/**
 * A run without a fault takes about 5 s. A hang class measured 18 to 26 s in the bench and up to
 * 35.6 s in a CI run (how many requests land on a stalled reused connection varies with timing):
 * the bound leaves room for that, a silent server gets 60 s in all.
 */
const HANG_BOUND = 45;

export const FAULT_CASES: readonly FaultCase[] = [
  // waiting on 429 and 503 takes at most a quarter of the default 60 s budget
  { server: 'rate-limited-seconds', title: '429 with Retry-After: 1 on every 40th request', exit: 0, boundS: 40 },
  {
    server: 'unavailable-retry-after',
    title: '503 with a Retry-After date on every 60th request',
    exit: 0,
    boundS: 40,
  },
  {
    server: 'unavailable-after-three',
    title: '503 with Retry-After: 1 to every request after the third, for ever',
    exit: 1,
    fails: ['RESP-NO-5XX', 'RESP-STATUS-DOCUMENTED'],
    boundS: 30,
    // the restore is answered 503 too
    restore: 'not-restored',
  },
  {
    server: 'merges-duplicate-objects',
    title: 'a member given twice with object values merged into one object (Go decoding into a map field)',
    exit: 1,
    fails: ['EDGE-DUPLICATE-MEMBERS'],
    boundS: 30,
  },
  {
    server: 'bearer-fallback',
    title: 'without X-API-Key, an Authorization: Bearer token taken instead (another door)',
    exit: 1,
    fails: ['AUTH-401'],
    boundS: 30,
  },
  {
    server: 'mass-assignment',
    title: "members named like the asset's own fields (asset_hash, size, created_at) stored from the body",
    exit: 1,
    fails: ['STATE-OWN-FIELDS'],
    only: true,
    boundS: 30,
  },
  {
    server: 'date-reviver',
    title: 'text that reads as an ISO timestamp rewritten by a JSON date reviver',
    exit: 1,
    fails: ['A200-ARRAY-SET', 'A200-OBJECT-REPLACED'],
    boundS: 30,
  },
  {
    server: 'body-limit-100kb',
    title: "valid bodies over a body parser's default 100 KiB refused with 413",
    exit: 1,
    fails: ['UPD-VALID-200', 'RESP-STATUS-DOCUMENTED'],
    only: true,
    boundS: 30,
  },
  {
    server: 'metadata-text-column',
    title: 'user_metadata over a 65,535-byte TEXT column refused with 400',
    exit: 1,
    fails: ['UPD-VALID-200'],
    only: true,
    boundS: 30,
  },
  { server: 'bearer-beside-key', title: 'a Bearer token checked beside a valid X-API-Key', exit: 0, boundS: 30 },
  {
    server: 'path-uuid-rfc4122',
    title: 'a path id of a uuid version other than 1 to 5 (nil, max, 6 to 8) refused with 400, not 404',
    exit: 1,
    fails: ['ID-UNKNOWN-404'],
    boundS: 30,
  },
  {
    server: 'uuid-version-500',
    title: 'a preview_id of a uuid version other than 1 to 5 (nil, max, 6 to 8) answered 500',
    exit: 1,
    fails: ['RESP-NO-5XX'],
    boundS: 30,
  },
  {
    server: 'not-modified-304',
    title: '304 to an update that changes nothing',
    exit: 1,
    fails: ['RESP-STATUS-DOCUMENTED'],
    boundS: 30,
  },
  { server: 'gzip-responses', title: 'every body gzip-coded', exit: 0, boundS: 30 },
  { server: 'brotli-when-asked', title: 'bodies br-coded when asked', exit: 0, boundS: 30 },
  {
    server: 'unasked-coding',
    title: 'a content coding the request did not allow',
    exit: 1,
    fails: ['RESP-COMPLETE'],
    boundS: 30,
    // every body, the read of the asset's values included, is in a coding the run cannot read
    restore: 'not-restored',
  },
  { server: 'x-gzip-responses', title: 'bodies gzip-coded under the name x-gzip', exit: 0, boundS: 30 },
  { server: 'early-hints', title: '103 and 102 interim answers before every final one', exit: 0, boundS: 30 },
  {
    server: 'continue-unasked',
    title: 'an unsolicited 100 Continue, then 103, before every final answer (undici refuses the 100)',
    exit: 0,
    boundS: 30,
  },
  {
    server: 'length-and-chunked',
    title: 'Content-Length and Transfer-Encoding together',
    exit: 1,
    fails: ['RESP-HTTP'],
    boundS: 30,
  },
  {
    server: 'conflicting-lengths',
    title: 'two different Content-Length values',
    exit: 1,
    fails: ['RESP-HTTP'],
    boundS: 30,
  },
  { server: 'closes-idle-5ms', title: 'idle connections closed after 5 ms', exit: 0, boundS: 30 },
  {
    server: 'closes-reused-connections',
    title: 'a connection closed when a second request arrives on it',
    exit: 0,
    boundS: 30,
  },
  { server: 'close-delimited', title: 'bodies ended by closing the connection', exit: 0, boundS: 30 },
  { server: 'chunked-responses', title: 'chunked bodies', exit: 0, boundS: 30 },
  { server: 'connection-close', title: 'Connection: close on every answer', exit: 0, boundS: 30 },
  {
    server: 'hangs-on-many-tags',
    title: 'no answer to updates with many tags',
    exit: 1,
    fails: ['RESP-TIMELY'],
    boundS: HANG_BOUND,
  },
  {
    server: 'hangs-on-long-name',
    title: 'no answer to updates with a long name',
    exit: 1,
    fails: ['RESP-TIMELY'],
    boundS: HANG_BOUND,
  },
  {
    server: 'drips-long-names',
    title: 'a byte every 200 ms for long names',
    exit: 1,
    fails: ['RESP-TIMELY'],
    boundS: HANG_BOUND,
  },
  {
    server: 'short-body-stalls',
    title: 'a body shorter than its Content-Length, then silence',
    exit: 1,
    fails: ['RESP-TIMELY'],
    boundS: HANG_BOUND,
  },
  {
    server: 'stalls-reused-connections',
    title: 'every fifth request on a kept-alive connection unanswered',
    exit: 1,
    fails: ['RESP-TIMELY'],
    boundS: HANG_BOUND,
  },
  {
    server: 'truncates-mime-type-answers',
    title: 'the connection closed halfway through a body',
    exit: 1,
    fails: ['RESP-HTTP'],
    boundS: 30,
  },
  {
    server: 'resets-on-many-tags',
    title: 'the connection reset on many tags',
    exit: 1,
    fails: ['RESP-HTTP'],
    boundS: 30,
  },
  {
    server: 'goes-silent',
    title: 'no answer at all after the preflight',
    exit: 1,
    fails: ['RESP-TIMELY'],
    boundS: 60,
    restore: 'not-restored',
  },
  // The edges of the wire: faults and allowed outcomes of the JSON text, the id's spelling and the key.
  {
    server: 'key-prefix-only',
    title: "only the key's first 8 characters checked",
    exit: 1,
    fails: ['AUTH-401'],
    boundS: 30,
  },
  { server: 'key-case-insensitive', title: 'the key compared without case', exit: 1, fails: ['AUTH-401'], boundS: 30 },
  { server: 'lone-surrogate-500', title: 'a lone surrogate answered 500', exit: 1, fails: ['RESP-NO-5XX'], boundS: 30 },
  {
    server: 'lone-surrogate-404',
    title: 'a lone surrogate answered 404',
    exit: 1,
    fails: ['EDGE-SURROGATE'],
    boundS: 30,
  },
  {
    server: 'infinity-token-200',
    title: '1e400 answered with a bare Infinity',
    exit: 1,
    fails: ['RESP-BODY-JSON'],
    boundS: 30,
  },
  {
    server: 'range-stored-null',
    title: '1e400 stored as null (SHOULD)',
    exit: 0,
    fails: ['EDGE-NUMBER-RANGE'],
    boundS: 30,
  },
  {
    server: 'nan-in-metadata-accepted',
    title: 'NaN taken anywhere',
    exit: 1,
    fails: ['BODY-NOT-OBJECT-400'],
    boundS: 30,
  },
  {
    server: 'deep-metadata-unreadable',
    title: 'deep user_metadata stored, then every read 500',
    exit: 1,
    fails: ['EDGE-READABLE'],
    boundS: 30,
  },
  {
    server: 'duplicates-as-list',
    title: 'a repeated member stored as a list',
    exit: 1,
    fails: ['EDGE-DUPLICATE-MEMBERS'],
    boundS: 30,
  },
  {
    server: 'size-413-not-error-response',
    title: 'a 413 whose body is not an ErrorResponse',
    exit: 1,
    fails: ['EDGE-SIZE'],
    boundS: 30,
  },
  { server: 'respelled-id-422', title: 'a respelled id answered 422', exit: 1, fails: ['ID-SPELLING'], boundS: 30 },
  { server: 'lone-surrogates-400', title: 'lone surrogates refused with 400', exit: 0, boundS: 30 },
  { server: 'big-integers-exact', title: 'integers beyond 2^53 kept exactly', exit: 0, boundS: 30 },
  { server: 'size-limit-413', title: 'bodies over 1 MiB refused with 413', exit: 0, boundS: 30 },
  { server: 'respelled-id-accepted', title: 'a respelled id taken as the same asset', exit: 0, boundS: 30 },
  {
    server: 'preview-any-uuid',
    title: 'any uuid accepted as preview_id, on an asset whose preview_id is null',
    exit: 0,
    boundS: 30,
    prepare: (s) => {
      const asset = s.store.assets.get(s.assetId);
      if (asset) asset.preview_id = null;
    },
  },
];
