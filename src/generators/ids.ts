/** Asset ids and API keys, derived from the path parameter's schema and the target. */
import fc from 'fast-check';
import { edgeString } from './strings.ts';

/**
 * Whether an id's digits look random (a v4 or v7 uuid): then its near misses (the last digit
 * changed) name no other asset, with overwhelming odds. Sequential ids (…0001, …0002) do not:
 * their neighbours may be somebody's assets, which the suite must never touch.
 */
export function looksRandom(id: string): boolean {
  return new Set(id.toLowerCase().replace(/[^0-9a-f]/g, '')).size >= 10;
}

/** A uuid that is not the target's (compared case-insensitively). */
export function unknownUuid(targetId: string): fc.Arbitrary<string> {
  const random = looksRandom(targetId);
  const stem = targetId.slice(0, -1).toLowerCase();
  return fc
    .oneof(
      { weight: 5, arbitrary: fc.uuid() },
      {
        weight: 1,
        arbitrary: fc.constantFrom('00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff'),
      },
      // the target id with its last hex digit changed: a near miss (only where that is safe)
      ...(random
        ? [{ weight: 1, arbitrary: fc.constantFrom(...'0123456789abcdef').map((d) => `${targetId.slice(0, -1)}${d}`) }]
        : []),
    )
    .filter((id) => id.toLowerCase() !== targetId.toLowerCase() && (random || id.slice(0, -1).toLowerCase() !== stem));
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

export type KeyChoice =
  | { kind: 'valid' }
  | { kind: 'missing' }
  | { kind: 'wrong'; value: string }
  | { kind: 'derived'; how: Derivation };

/**
 * Wrong keys made from the valid one (docs/contract.md, "Edges of the wire"): what a server that
 * checks only a key id, a prefix or the key's letters without their case would take. They are
 * secrets: a case holds only how the key is derived, reports name it by its description, and a
 * curl line derives it in the shell from $CONFORMANCE_API_KEY. (Leading or trailing spaces are not
 * among them: RFC 9110 5.5 strips them from a field value, so the server would read the valid key.)
 */
export type Derivation =
  | 'swapped'
  | 'upper'
  | 'lower'
  | 'cut-half'
  | 'cut-one'
  | 'extended'
  | 'tail-changed'
  | 'last-changed';

const half = (key: string): number => Math.ceil(key.length / 2);
/** Each letter and digit moved one place on (Z->A, z->a, 9->0); other characters kept. */
const rotate = (s: string): string =>
  s.replace(/[A-Za-z0-9]/g, (c) => {
    if (c === 'Z') return 'A';
    if (c === 'z') return 'a';
    if (c === '9') return '0';
    return String.fromCharCode(c.charCodeAt(0) + 1);
  });
const swapCase = (s: string): string =>
  s.replace(/[A-Za-z]/g, (c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()));
const ROTATE_SHELL = "tr 'A-Za-z0-9' 'B-ZAb-za1-90'";

interface DerivationDef {
  derive(key: string): string;
  /** What the key is, without a character of it. */
  description: string;
  /** The same key, derived by bash from the variable named `v`. */
  shell(v: string, key: string): string;
}

export const DERIVATIONS: Record<Derivation, DerivationDef> = {
  swapped: {
    derive: swapCase,
    description: "the key with its letters' case swapped",
    shell: (v) => `$(printf %s "$${v}" | tr 'a-zA-Z' 'A-Za-z')`,
  },
  upper: {
    derive: (k) => k.toUpperCase(),
    description: 'the key in upper case',
    shell: (v) => `$(printf %s "$${v}" | tr a-z A-Z)`,
  },
  lower: {
    derive: (k) => k.toLowerCase(),
    description: 'the key in lower case',
    shell: (v) => `$(printf %s "$${v}" | tr A-Z a-z)`,
  },
  'cut-half': {
    derive: (k) => k.slice(0, half(k)),
    description: 'the key cut to its first half',
    shell: (v, k) => `\${${v}:0:${half(k)}}`,
  },
  'cut-one': {
    derive: (k) => k.slice(0, -1),
    description: 'the key without its last character',
    shell: (v, k) => `\${${v}:0:${k.length - 1}}`,
  },
  extended: {
    derive: (k) => `${k}x`,
    description: 'the key with an "x" added',
    shell: (v) => `\${${v}}x`,
  },
  'tail-changed': {
    derive: (k) => k.slice(0, half(k)) + rotate(k.slice(half(k))),
    description: "the key's first half, the rest changed",
    shell: (v, k) => `\${${v}:0:${half(k)}}$(printf %s "\${${v}:${half(k)}}" | ${ROTATE_SHELL})`,
  },
  'last-changed': {
    derive: (k) => k.slice(0, -1) + rotate(k.slice(-1)),
    description: 'the key with its last character changed',
    shell: (v, k) => `\${${v}:0:${k.length - 1}}$(printf %s "\${${v}:${k.length - 1}}" | ${ROTATE_SHELL})`,
  },
};

/**
 * The derivations that give a key other than the valid one (a key without letters has no case to
 * swap), of at least 8 characters: a shorter one would be redacted wherever those few characters
 * appear (a key that short gets no derived keys).
 */
export function derivations(key: string): Derivation[] {
  return (Object.keys(DERIVATIONS) as Derivation[]).filter((how) => {
    const derived = DERIVATIONS[how].derive(key);
    return derived !== key && derived.length >= 8;
  });
}

/** The key and every key derived from it: the secrets every printed line and written file is redacted of. */
export const keySecrets = (key: string): string[] =>
  key ? [key, ...derivations(key).map((how) => DERIVATIONS[how].derive(key))] : [];

/** The key a choice sends (missing: none). */
export function keyText(key: KeyChoice, apiKey: string): string | null {
  if (key.kind === 'missing') return null;
  if (key.kind === 'valid') return apiKey;
  return key.kind === 'wrong' ? key.value : DERIVATIONS[key.how].derive(apiKey);
}

/** How a key choice reads in a report: the valid key and derived keys by description, never by text. */
export function keyLabel(key: KeyChoice): string {
  if (key.kind === 'valid') return 'valid key';
  if (key.kind === 'missing') return 'no key';
  return key.kind === 'wrong' ? `wrong key ${JSON.stringify(key.value)}` : DERIVATIONS[key.how].description;
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
