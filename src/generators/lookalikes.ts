/**
 * Text that a stack may take for something else and rewrite (docs/contract.md, "Edges of the
 * wire": no rewriting of text that looks like a date, a number, a boolean, markup or a path). Each
 * group names what does the rewriting: a JSON reviver or an ORM's date columns, coercing
 * middleware (query-string and form parsers, YAML 1.1 readers), HTML sanitisers and entity
 * decoders, template engines and format functions, path normalisers, text normalisers and trimmers.
 * Every entry is a valid string that must come back exactly as sent.
 */

export interface LookalikeGroup {
  /** What it looks like. */
  looks: string;
  /** What rewrites such text. */
  rewrittenBy: string;
  texts: readonly string[];
}

export const LOOKALIKES: readonly LookalikeGroup[] = [
  {
    looks: 'a date, a time or a timestamp',
    rewrittenBy: 'JSON revivers, ORM date columns, date parsers (RFC 3339, RFC 9110 5.6.7, SQL, epoch, .NET)',
    texts: [
      '2024-01-02',
      '2024-01-02T03:04:05Z',
      '2024-01-02T03:04:05.123456+01:00',
      '2024-01-02 03:04:05',
      'Tue, 02 Jan 2024 03:04:05 GMT',
      '03:04:05',
      '1704164645',
      '/Date(1704164645000)/',
    ],
  },
  {
    looks: 'a number',
    rewrittenBy: 'coercing validators and parsers (JSON, JavaScript, C, YAML 1.1, locales)',
    texts: [
      '0',
      '-0',
      '007',
      '1e3',
      '1E+3',
      '0x1F',
      '0b101',
      '0o17',
      '1_000',
      '.5',
      '5.',
      '+1',
      '9007199254740993',
      'Infinity',
      '1,5',
      ' 42 ',
    ],
  },
  {
    looks: 'a boolean, null or undefined',
    rewrittenBy: 'coercing validators, YAML 1.1 readers, form and query-string parsers',
    texts: ['true', 'False', 'TRUE', 'null', 'NULL', 'undefined', 'NaN', 'None', 'nil', 'yes', 'off', '~'],
  },
  {
    looks: 'markup or an entity',
    rewrittenBy: 'HTML sanitisers, entity decoders and XML writers',
    texts: ['<b>bold</b>', '&amp;', '&lt;i&gt;', '&#x41;&#66;', '<!-- c -->', ']]>'],
  },
  {
    looks: 'a template or format placeholder',
    rewrittenBy: 'template engines, string formatting, logging interpolation',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the placeholder is the text sent, literally
    texts: ['{{name}}', '${name}', '%s %d %n', '{0}', '#{x}', '<%= x %>', '$1'],
  },
  {
    looks: 'a path or a URL',
    rewrittenBy: 'path normalisers, URL parsers and percent-decoders',
    texts: [
      '../../etc/passwd',
      'C:\\Windows\\x',
      '~/file',
      'file:///etc/hosts',
      'https://example.com/a?b=c#d',
      'a%2Fb',
    ],
  },
  {
    looks: 'blank, or text a normaliser changes',
    rewrittenBy: 'trimmers, line-ending and Unicode normalisers, control-character strippers',
    texts: [
      '   ',
      '\r\n',
      '\t',
      'a\rb',
      'x\u200b\u200c\u200dy',
      '\u200e\u200f\u202a\u202eabc\u202c',
      'e\u0301',
      '\ufb01',
      '\ud83d\ude00\ud834\udd1e',
    ],
  },
];

/** Every text of the dictionary, with what it looks like. */
export const LOOKALIKE_TEXTS: readonly { text: string; looks: string }[] = LOOKALIKES.flatMap((g) =>
  g.texts.map((text) => ({ text, looks: g.looks })),
);
