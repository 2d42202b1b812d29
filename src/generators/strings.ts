/**
 * Strings biased to the edges: empty, whitespace, U+0000 and other controls, emoji and ZWJ
 * sequences, right-to-left and bidi controls, combining marks, astral planes, very long runs,
 * and plain random full-Unicode text (well-formed: no lone surrogates, which no JSON text can
 * carry faithfully through every parser).
 */
import fc from 'fast-check';

const EXOTIC_STRINGS: readonly string[] = [
  '',
  ' ',
  '   leading and trailing   ',
  '\t\n\r',
  '\u0000',
  'nul\u0000inside',
  '\u0001\u001f\u007f',
  '\u00a0\u2007\u202f\u3000', // non-breaking and ideographic spaces
  '\ufeffbom',
  '\u200b\u200c\u200d', // zero-width characters
  '\u2028\u2029', // line and paragraph separators (valid in JSON, not in old JS)
  'e\u0301 vs \u00e9', // combining acute vs precomposed: must not be normalised
  '\ud83d\ude00', // 😀
  '\ud83d\udc69\u200d\ud83d\udc69\u200d\ud83d\udc67\u200d\ud83d\udc66', // family ZWJ sequence
  '\ud83c\uddfa\ud83c\udde6', // flag
  '\ud835\udd4f\ud835\udd50', // mathematical double-struck, astral plane
  '\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645', // Arabic, right-to-left
  '\u05e9\u05dc\u05d5\u05dd abc \u05e2\u05d5\u05dc\u05dd', // Hebrew mixed with Latin
  '\u202eRTL override\u202c',
  '\u4e2d\u6587\u540d\u79f0', // CJK
  '\uffff\ufffe\ufffd',
  '\udbff\udfff', // U+10FFFF, the last code point
  '"quoted" \\backslash\\ /slash/',
  '<script>alert(1)</script>',
  "'; DROP TABLE assets; --",
  '%00%2F..%2F',
  '{"json":"inside"}',
  'null',
  'true',
  '0',
  '-0',
  '1e309',
  'undefined',
  'NaN',
];

/** A long string: a unit repeated to thousands of code points. */
function longString(minCodePoints = 1000, maxCodePoints = 5000): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.constantFrom('a', ' ', '\u00e9', '\ud83d\ude00', '\u0645', '\u0000', 'xyz\u4e2d'),
      fc.integer({ min: minCodePoints, max: maxCodePoints }),
    )
    .map(([unit, count]) => unit.repeat(Math.ceil(count / [...unit].length)));
}

export interface EdgeStringOptions {
  minLength?: number;
  maxLength?: number;
}

/** Strings across full Unicode, biased to the edges. Lengths are in code points. */
export function edgeString(options: EdgeStringOptions = {}): fc.Arbitrary<string> {
  const min = options.minLength ?? 0;
  const max = options.maxLength ?? Number.POSITIVE_INFINITY;
  const fits = (s: string): boolean => {
    const n = [...s].length;
    return n >= min && n <= max;
  };
  const shortMax = Math.min(max, Math.max(min, 40));
  const arbs: fc.WeightedArbitrary<string>[] = [
    { weight: 4, arbitrary: fc.string({ unit: 'grapheme', minLength: min, maxLength: shortMax }) },
    { weight: 3, arbitrary: fc.string({ unit: 'binary', minLength: min, maxLength: shortMax }) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: min, maxLength: shortMax }) },
  ];
  const exotic = EXOTIC_STRINGS.filter(fits);
  if (exotic.length > 0) arbs.push({ weight: 3, arbitrary: fc.constantFrom(...exotic) });
  if (max >= 1000 && min <= 5000) {
    const long = longString(Math.max(min, 1000), Math.min(max, 5000));
    // A repeated unit can overshoot by less than one unit: check only when a bound is set.
    arbs.push({ weight: 1, arbitrary: Number.isFinite(max) || min > 0 ? long.filter(fits) : long });
  }
  // Cross-shrinking lets a long or exotic string shrink to a short plain one.
  return fc.oneof({ withCrossShrink: true }, ...arbs);
}

/** Object keys: edge strings, without the ones that no server could tell apart from absent. */
export function edgeKey(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 12 }) },
    { weight: 2, arbitrary: edgeString({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', '$ref', 'a.b', 'a/b', '') },
  );
}
