/**
 * Sizes at the limits stacks have (docs/contract.md, "Edges of the wire": a string of any length,
 * any number of tags, metadata of any size, in a body under 1 MiB, is a valid body): column
 * widths (VARCHAR(255), 511, 1,023, 4,095, TEXT's 65,535 bytes) counted in code points and in
 * UTF-8 bytes, list sizes around the counts validators and tables cap (32, 100, 1,000), and whole
 * bodies just over common body-parser and proxy limits (16 KiB, 64 KiB, 100 KiB, 1 MB), all under
 * 1 MiB.
 */

/** Bytes of a string in UTF-8. */
export const utf8Length = (s: string): number => Buffer.byteLength(s, 'utf8');

/** Column widths: VARCHAR(255) and its neighbours, and TEXT's 65,535 bytes. */
const WIDTHS: readonly number[] = [255, 511, 1023, 4095, 65535];

/** Multi-byte characters of 2, 3 and 4 UTF-8 bytes (the last two UTF-16 units). */
const WIDE = ['\u00e9', '\u20ac', '\ud83d\ude00'];

export interface LengthForm {
  what: string;
  text: string;
}

/**
 * Two strings a width: one character over it in ASCII (so one over in code points and in UTF-8
 * bytes: a cap in either unit at the width or below refuses or cuts it), and exactly the width in
 * multi-byte code points (2 to 4 times as many bytes, a third more UTF-16 units: a length checked in
 * characters in front of a column sized in bytes, or counted in UTF-16 units, fails on it). The
 * width itself in ASCII would show nothing the one over does not.
 */
export const LENGTH_STRINGS: readonly LengthForm[] = WIDTHS.flatMap((n) => [
  { what: `${n + 1} ASCII characters`, text: 'a'.repeat(n + 1) },
  {
    what: `${n} multi-byte code points (${utf8Length(wide(n))} UTF-8 bytes)`,
    text: wide(n),
  },
]);

/** `n` code points: 2-, 3- and 4-byte characters in turn. */
function wide(n: number): string {
  return Array.from({ length: n }, (_, i) => WIDE[i % WIDE.length]).join('');
}

/** Numbers of items in a list, each one over a cap validators and tables use (32, 100, 1,000). */
export const LIST_COUNTS: readonly number[] = [33, 101, 1001];

/** Whole bodies just over common limits (bytes): 16 KiB, 64 KiB, 100 KiB, 1 MB; all under 1 MiB. */
export const BODY_SIZES: readonly number[] = [16 * 1024 + 1, 64 * 1024 + 1, 100 * 1024 + 1, 1_000_001];

/** Padding of ASCII so that `wrap(padding)` is exactly `bytes` long (`wrap` adds the same bytes whatever the padding). */
export function padTo(bytes: number, wrap: (padding: string) => string): string {
  const overhead = utf8Length(wrap(''));
  return wrap('x'.repeat(Math.max(0, bytes - overhead)));
}
