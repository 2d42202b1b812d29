/** The API key and the wrong keys derived from it: plain functions, no generator (the CLI redacts with them from its first line). */
import { type Beside, basicOf, type Door, doorLabel } from './doors.ts';

export type KeyChoice =
  | { kind: 'valid' }
  | { kind: 'missing' }
  | { kind: 'wrong'; value: string }
  | { kind: 'derived'; how: Derivation }
  /** No valid key in the contract's header, a credential elsewhere (doors.ts). */
  | { kind: 'elsewhere'; door: Door; beside: Beside };

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

/**
 * Each key given (absent or empty ones skipped) and every key derived from it: the secrets every
 * printed line and written file is redacted of.
 */
export const keySecrets = (...keys: (string | undefined)[]): string[] => [
  ...new Set(keys.flatMap((key) => (key ? secretsOfKey(key) : []))),
];

const secretsOfKey = (key: string): string[] => [
  key,
  ...derivations(key).map((how) => DERIVATIONS[how].derive(key)),
  // the key where another door carries it: in Basic credentials, in a query string
  basicOf(key),
  encodeURIComponent(key),
];

/** The key a choice sends in the contract's header (missing, or a door: none; see doors.ts for a door's). */
export function keyText(key: KeyChoice, apiKey: string): string | null {
  if (key.kind === 'missing' || key.kind === 'elsewhere') return null;
  if (key.kind === 'valid') return apiKey;
  return key.kind === 'wrong' ? key.value : DERIVATIONS[key.how].derive(apiKey);
}

/** How a key choice reads in a report: the valid key and derived keys by description, never by text. */
export function keyLabel(key: KeyChoice): string {
  if (key.kind === 'valid') return 'valid key';
  if (key.kind === 'missing') return 'no key';
  if (key.kind === 'elsewhere') return doorLabel(key.door, key.beside, 'key header');
  return key.kind === 'wrong' ? `wrong key ${JSON.stringify(key.value)}` : DERIVATIONS[key.how].description;
}
