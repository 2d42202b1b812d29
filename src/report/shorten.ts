/**
 * A body as a failure's dump shows it: the text as sent or received, but with long values cut (a
 * string to its first characters, a list to its first items, an object to its first members), each
 * cut saying how much was left out. Numbers keep their text (lossless-json). Text that is not JSON
 * is left as it is (the report cuts any body at its end past 8,000 characters).
 */
import { isLosslessNumber, parse, stringify } from 'lossless-json';

const LONG_STRING = 200;
const LONG_LIST = 12;
const MANY_MEMBERS = 24;

interface Cut {
  value: unknown;
  cut: boolean;
}

function cutValue(value: unknown): Cut {
  if (typeof value === 'string')
    return value.length > LONG_STRING
      ? { value: `${value.slice(0, LONG_STRING)}… (${value.length - LONG_STRING} more characters)`, cut: true }
      : { value, cut: false };
  if (Array.isArray(value)) {
    const items = value.slice(0, LONG_LIST).map(cutValue);
    const rest = value.length - LONG_LIST;
    return {
      value: [...items.map((i) => i.value), ...(rest > 0 ? [`… (${rest} more items)`] : [])],
      cut: rest > 0 || items.some((i) => i.cut),
    };
  }
  if (value !== null && typeof value === 'object' && !isLosslessNumber(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    const members = entries.slice(0, MANY_MEMBERS).map(([k, v]) => [k, cutValue(v)] as const);
    const rest = entries.length - MANY_MEMBERS;
    return {
      value: Object.fromEntries([
        ...members.map(([k, c]) => [k, c.value]),
        ...(rest > 0 ? [['…', `(${rest} more members)`]] : []),
      ]),
      cut: rest > 0 || members.some(([, c]) => c.cut),
    };
  }
  return { value, cut: false };
}

/** The body with long values cut (the text itself when nothing is long). */
export function shortened(text: string): string {
  let parsed: unknown;
  try {
    parsed = parse(text);
  } catch {
    return text;
  }
  const { value, cut } = cutValue(parsed);
  return cut ? (stringify(value) ?? text) : text;
}
