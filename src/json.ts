/**
 * JSON helpers shared by every floor: the one equality the checks, the stateful model and the
 * restore use, and the one way a value is shown in a message.
 */

export type JsonObject = { [key: string]: unknown };

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Equality of JSON values: key order ignored, numbers by value (-0 equals 0). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (isJsonObject(a) && isJsonObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

/** Two lists hold the same set of items (order and repeats ignored). */
export function sameSet(a: readonly unknown[], b: readonly unknown[]): boolean {
  const sa = new Set(a.map((x) => JSON.stringify(x)));
  const sb = new Set(b.map((x) => JSON.stringify(x)));
  return sa.size === sb.size && [...sa].every((x) => sb.has(x));
}

/**
 * The stored value of a field compared with another: lists as sets (a server may de-duplicate or
 * sort tags, contract: "After a 200"), everything else by jsonEqual.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return sameSet(a, b);
  return jsonEqual(a, b);
}

/** A value as JSON text for a message, cut at `max` characters. */
export function show(value: unknown, max = 160, total = true): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(value);
  if (text.length <= max) return text;
  return total ? `${text.slice(0, max)}… (${text.length} chars)` : `${text.slice(0, max)}…`;
}
