/** Asset ids and API keys, derived from the path parameter's schema and the target. */
import fc from 'fast-check';
import { derivations, type KeyChoice } from './keys.ts';
import { edgeString } from './strings.ts';

/**
 * Whether an id's digits look random (a v4 or v7 uuid): then its near misses (the last digit
 * changed) name no other asset, with overwhelming odds. Sequential ids (…0001, …0002) do not:
 * their neighbours may be somebody's assets, which the suite must never touch.
 */
export function looksRandom(id: string): boolean {
  return new Set(id.toLowerCase().replace(/[^0-9a-f]/g, '')).size >= 10;
}

/** The nil and max uuids (RFC 9562 5.9, 5.10). */
const NIL_UUID = '00000000-0000-0000-0000-000000000000';
const MAX_UUID = 'ffffffff-ffff-ffff-ffff-ffffffffffff';

/** A uuid that is not the target's (compared case-insensitively). */
export function unknownUuid(targetId: string): fc.Arbitrary<string> {
  const random = looksRandom(targetId);
  const stem = targetId.slice(0, -1).toLowerCase();
  return fc
    .oneof(
      { weight: 5, arbitrary: fc.uuid() },
      {
        weight: 1,
        arbitrary: fc.constantFrom(NIL_UUID, MAX_UUID),
      },
      // the target id with its last hex digit changed: a near miss (only where that is safe)
      ...(random
        ? [{ weight: 1, arbitrary: fc.constantFrom(...'0123456789abcdef').map((d) => `${targetId.slice(0, -1)}${d}`) }]
        : []),
    )
    .filter((id) => id.toLowerCase() !== targetId.toLowerCase() && (random || id.slice(0, -1).toLowerCase() !== stem));
}

/** The uuid versions RFC 9562 defines (4.2): one of each is a special uuid. */
const VERSIONS = [1, 2, 3, 4, 5, 6, 7, 8] as const;

/**
 * Well-formed uuids a stack may treat apart (RFC 9562): the nil and max uuids (5.9, 5.10), one of
 * each version 1 to 8, and one in upper case (uuids compare case-insensitively). Each is a kind of
 * value of its own, named for the case's description and the coverage table.
 */
export function specialUuids(): { how: string; arbitrary: fc.Arbitrary<string> }[] {
  return [
    { how: 'the nil uuid', arbitrary: fc.constant(NIL_UUID) },
    { how: 'the max uuid', arbitrary: fc.constant(MAX_UUID) },
    ...VERSIONS.map((version) => ({ how: `a version ${version} uuid`, arbitrary: fc.uuid({ version }) })),
    { how: 'a uuid in upper case', arbitrary: fc.uuid().map((u) => u.toUpperCase()) },
  ];
}

/**
 * Path ids that are not valid by the id schema. A path segment cannot carry "/", "\\" or the dot
 * segments "." and ".." without changing the route, and very long ones meet URL length limits
 * that are the HTTP stack's, not the API's: those are left out.
 */
export function malformedId(targetId: string, isValidId: (id: string) => boolean): fc.Arbitrary<string> {
  const routable = (s: string): boolean =>
    s.length > 0 && s.length <= 200 && s !== '.' && s !== '..' && !/[/\\]/.test(s);
  return fc
    .oneof(
      fc.constantFrom(
        'not-a-uuid',
        '123',
        '0',
        'null',
        'undefined',
        'true',
        '-1',
        'me',
        'latest',
        '*',
        '%',
        ' ',
        '{id}',
      ),
      fc.constant(targetId.slice(0, -1)), // one digit short
      fc.constant(`${targetId}0`), // one digit long
      // (the id without hyphens or in braces is the same uuid to RFC 9562 readers: see idSpelling)
      fc.constant(`${targetId.slice(0, -1)}g`), // a non-hex digit
      fc.constant(` ${targetId}`),
      fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 40 }),
      edgeString({ minLength: 1, maxLength: 40 }),
    )
    .filter((s) => routable(s) && !isValidId(s));
}

/**
 * The asset's id written another way that RFC 9562 readers accept (docs/contract.md, "Edges of the
 * wire"): a server may take it for the same asset (200), or refuse it (400, 404); never another asset.
 */
export function idSpelling(targetId: string): fc.Arbitrary<{ value: string; how: string }> {
  const bare = targetId.replace(/-/g, '');
  return fc.constantFrom(
    { value: bare, how: 'without hyphens' },
    { value: bare.toUpperCase(), how: 'upper case without hyphens' },
    { value: `{${targetId}}`, how: 'in braces' },
    { value: `urn:uuid:${targetId}`, how: 'with a urn:uuid: prefix' },
  );
}

/** Credentials that are not the valid key: missing, wrong, or derived from the valid one. */
export function badKey(validKey: string): fc.Arbitrary<KeyChoice> {
  const lower = validKey.toLowerCase();
  const wrong = fc
    .oneof(
      fc.string({
        unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_'),
        minLength: 1,
        maxLength: 64,
      }),
      // (no near miss of the real key: a printed counterexample would reveal most of it)
      fc.constantFrom('invalid', 'null', 'Bearer', 'comfyui-', '0'),
    )
    .filter((k) => k.toLowerCase() !== lower && k.trim() === k && k.length > 0);
  const derived = derivations(validKey);
  return fc.oneof(
    fc.constant<KeyChoice>({ kind: 'missing' }),
    wrong.map((value): KeyChoice => ({ kind: 'wrong', value })),
    ...(derived.length > 0 ? [fc.constantFrom(...derived).map((how): KeyChoice => ({ kind: 'derived', how }))] : []),
  );
}
