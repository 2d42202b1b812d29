/** The curl line of a counterexample, whole: what is quoted and how, the key read from the environment, bodies. */
import { describe, expect, test } from 'vitest';
import type { OutgoingRequest } from '../../src/exchange/http.ts';
import { basicOf } from '../../src/generators/doors.ts';
import { DERIVATIONS } from '../../src/generators/keys.ts';
import { curlLine, shellQuote } from '../../src/report/curl.ts';
import { makeRedactor } from '../../src/report/redact.ts';

describe('shellQuote', () => {
  test('a word of safe characters stays bare; anything else is quoted', () => {
    expect(shellQuote('abc')).toBe('abc');
    expect(shellQuote('a/b.c:d,e=f+g%h@i-j_k')).toBe('a/b.c:d,e=f+g%h@i-j_k');
    expect(shellQuote('abc def')).toBe("$'abc def'");
    expect(shellQuote('x$')).toBe("$'x$'");
    expect(shellQuote('')).toBe("$''");
    expect(shellQuote("it's a \\")).toBe("$'it\\'s a \\\\'");
  });
  // each range's first and last character, and the neighbours outside it
  test.each([
    [0x01, '\\x01'],
    [0x1f, '\\x1f'],
    [0x20, ' '],
    [0x7e, '~'],
    [0x7f, '\\x7f'],
    [0x80, '\\xc2\\x80'],
    [0x9f, '\\xc2\\x9f'],
    [0xa0, '\u00a0'],
    [0x2027, '\u2027'],
    [0x2028, '\\xe2\\x80\\xa8'],
    [0x2029, '\\xe2\\x80\\xa9'],
    [0x202a, '\\xe2\\x80\\xaa'],
    [0x202e, '\\xe2\\x80\\xae'],
    [0x202f, '\u202f'],
    [0x2065, '\u2065'],
    [0x2066, '\\xe2\\x81\\xa6'],
    [0x2069, '\\xe2\\x81\\xa9'],
    [0x206a, '\u206a'],
    [0xfeff, '\\xef\\xbb\\xbf'],
    [0xfefe, '\ufefe'],
  ])('U+%s is written %s', (cp, written) => {
    expect(shellQuote(`a${String.fromCodePoint(cp)}`)).toBe(`$'a${written}'`);
  });
});

describe('curlLine', () => {
  const auth = { header: 'X-API-Key', prefix: '' };
  const put = (headers: Record<string, string>, body?: string | Uint8Array): OutgoingRequest => ({
    method: 'PUT',
    url: 'http://h/api/assets/x',
    headers,
    ...(body === undefined ? {} : { body }),
  });

  test('the valid key (any case of the header name) from $CONFORMANCE_API_KEY; other headers quoted; the body', () => {
    expect(curlLine(put({ 'x-api-key': 'k3y', 'content-type': 'application/json' }, '{"a":1}'), auth, 'k3y')).toBe(
      `curl -sS -i -X PUT http://h/api/assets/x -H "x-api-key: $CONFORMANCE_API_KEY" -H $'content-type: application/json' --data-binary $'{"a":1}'`,
    );
  });
  test('a prefix stays; a wrong key is shown as sent; without a scheme or a key, every header is as sent', () => {
    const bearer = { header: 'Authorization', prefix: 'Bearer ' };
    expect(curlLine(put({ Authorization: 'Bearer k3y' }), bearer, 'k3y')).toBe(
      'curl -sS -i -X PUT http://h/api/assets/x -H "Authorization: Bearer $CONFORMANCE_API_KEY"',
    );
    expect(curlLine(put({ 'X-API-Key': 'nope' }), auth, 'k3y', { kind: 'wrong', value: 'nope' })).toBe(
      "curl -sS -i -X PUT http://h/api/assets/x -H $'X-API-Key: nope'",
    );
    expect(curlLine(put({ 'X-API-Key': 'nope' }), auth, 'k3y')).toBe(
      "curl -sS -i -X PUT http://h/api/assets/x -H $'X-API-Key: nope'",
    );
    expect(curlLine(put({ 'X-API-Key': 'k3y' }), null, 'k3y')).toBe(
      "curl -sS -i -X PUT http://h/api/assets/x -H $'X-API-Key: k3y'",
    );
    expect(curlLine(put({ 'X-API-Key': 'k3y' }), auth, '')).toBe(
      "curl -sS -i -X PUT http://h/api/assets/x -H $'X-API-Key: k3y'",
    );
  });
  test('a key derived from the valid one is derived by the shell', () => {
    const how = 'swapped';
    const d = DERIVATIONS[how];
    const line = curlLine(put({ Accept: 'x', 'X-API-Key': d.derive('k3y') }), auth, 'k3y', { kind: 'derived', how });
    expect(line).toBe(
      `curl -sS -i -X PUT http://h/api/assets/x -H $'Accept: x' -H "X-API-Key: ${d.shell('CONFORMANCE_API_KEY', 'k3y')}"`,
    );
  });
  test('a credential elsewhere: the valid key in a query, another header or Basic credentials, a repeated header, read from the environment', () => {
    const key = 'k3y-abc';
    const query = { method: 'PUT', url: `http://h/api/assets/x?api_key=${key}`, headers: { cookie: `api_key=${key}` } };
    expect(curlLine(query, auth, key)).toBe(
      'curl -sS -i -X PUT "http://h/api/assets/x?api_key=$CONFORMANCE_API_KEY" -H "cookie: api_key=$CONFORMANCE_API_KEY"',
    );
    expect(curlLine(put({ authorization: `Basic ${basicOf(key)}` }), auth, key)).toBe(
      `curl -sS -i -X PUT http://h/api/assets/x -H "authorization: Basic $(printf '%s:' "$CONFORMANCE_API_KEY" | base64 | tr -d '\\n')"`,
    );
    const repeated = { method: 'PUT', url: 'http://h/a', headers: { 'x-api-key': ['wrong', key] } };
    expect(curlLine(repeated, auth, key)).toBe(
      'curl -sS -i -X PUT http://h/a -H $\'x-api-key: wrong\' -H "x-api-key: $CONFORMANCE_API_KEY"',
    );
    // around the key, what a double-quoted word would read ($, `, \\, ") is escaped
    expect(curlLine(put({ 'x-api-key': `$a\`b"${key}` }), auth, key)).toBe(
      'curl -sS -i -X PUT http://h/api/assets/x -H "x-api-key: \\$a\\`b\\"$CONFORMANCE_API_KEY"',
    );
  });
  test('Accept-Encoding sent: --compressed; a body of bytes is named, not shown', () => {
    expect(curlLine(put({ Accept: '*/*', 'Accept-Encoding': 'gzip' }, new Uint8Array([1, 2, 3])), auth, 'k3y')).toBe(
      "curl -sS -i -X PUT http://h/api/assets/x --compressed -H $'Accept: */*' -H $'Accept-Encoding: gzip' --data-binary @body.bin  # 3 bytes, not shown",
    );
  });
});

test('the redacted form of the key', () => {
  expect(makeRedactor(['k3y'])('a k3y, "k3y"')).toBe('a [REDACTED], "[REDACTED]"');
});
