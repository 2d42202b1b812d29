/**
 * Sizes at the limits stacks have (docs/contract.md, "Edges of the wire": a string of any length,
 * any number of tags, metadata of any size, in a body under 1 MiB, is a valid body): column
 * widths (VARCHAR(255), 511, 1,023, 4,095, TEXT's 65,535 bytes) counted in code points and in
 * UTF-8 bytes, list sizes around the counts validators and tables cap (32, 100, 1,000), and whole
 * bodies just over common body-parser and proxy limits (16 KiB, 64 KiB, 100 KiB, 1 MB), all under
 * 1 MiB.
 */

const utf8Length = (s: string): number => new TextEncoder().encode(s).length;

/** Column widths, each at the limit and one over. */
const WIDTHS: readonly number[] = [255, 511, 1023, 4095, 65535].flatMap((n) => [n, n + 1]);

/** Multi-byte characters of 2, 3 and 4 UTF-8 bytes. */
const WIDE = ['\u00e9', '\u20ac', '\ud83d\ude00'];

/** `n` code points: ASCII, or 2-, 3- and 4-byte characters in turn. */
function codePoints(n: number, wide: boolean): string {
  if (!wide) return 'a'.repeat(n);
  return Array.from({ length: n }, (_, i) => WIDE[i % WIDE.length]).join('');
}

/** Multi-byte text of exactly `n` UTF-8 bytes (2-, 3- and 4-byte characters, ASCII for the rest). */
function utf8Bytes(n: number): string {
  let out = '';
  let bytes = 0;
  for (let i = 0; ; i++) {
    const ch = WIDE[i % WIDE.length] as string;
    const size = utf8Length(ch);
    if (bytes + size > n) break;
    out += ch;
    bytes += size;
  }
  return out + 'a'.repeat(n - bytes);
}

export interface LengthForm {
  what: string;
  text: string;
}

/** Strings at each width: ASCII (code points = bytes), multi-byte by code points, multi-byte by bytes. */
export const LENGTH_STRINGS: readonly LengthForm[] = WIDTHS.flatMap((n) => [
  { what: `${n} ASCII characters`, text: codePoints(n, false) },
  { what: `${n} multi-byte code points`, text: codePoints(n, true) },
  { what: `${n} UTF-8 bytes of multi-byte text`, text: utf8Bytes(n) },
]);

/** Numbers of items in a list. */
export const LIST_COUNTS: readonly number[] = [32, 33, 100, 101, 1000, 1001];

/** Whole bodies just over common limits (bytes): 16 KiB, 64 KiB, 100 KiB, 1 MB; all under 1 MiB. */
export const BODY_SIZES: readonly number[] = [16 * 1024 + 1, 64 * 1024 + 1, 100 * 1024 + 1, 1_000_001];

/** Padding of ASCII so that `wrap(padding)` is exactly `bytes` long (`wrap` adds the same bytes whatever the padding). */
export function padTo(bytes: number, wrap: (padding: string) => string): string {
  const overhead = utf8Length(wrap(''));
  return wrap('x'.repeat(Math.max(0, bytes - overhead)));
}
