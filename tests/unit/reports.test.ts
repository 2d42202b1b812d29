/** Reports and repros: shell quoting that bash reads back byte for byte, redaction, JUnit, the README table. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { fixtureServer } from '../../fixtures/servers/index.ts';
import { README, withTable } from '../../scripts/docs.ts';
import { renderJunit } from '../../src/render/junit.ts';
import { renderMarkdown } from '../../src/render/markdown.ts';
import { curlLine, shellQuote } from '../../src/report/curl.ts';
import { makeRedactor, REDACTED } from '../../src/report/redact.ts';
import { runConformance } from '../../src/runner/run.ts';
import { SPEC } from './helpers.ts';

const bashEcho = (quoted: string): Buffer => execFileSync('bash', ['-c', `printf %s ${quoted}`]);

describe('shell quoting', () => {
  test('bash reads every quoted string back byte for byte', () => {
    const samples = [
      '{"name":"it\'s \\"quoted\\""}',
      '\u202eRTL\u202c \u2028 \u0085 \u007f \t\n',
      '$HOME `id` $(id) !! \\x41',
      '😀 e\u0301 \ufeff',
      ...fc.sample(
        fc.string({ unit: 'binary', maxLength: 30 }).filter((s) => !s.includes('\u0000')),
        { seed: 1, numRuns: 60 },
      ),
    ];
    for (const s of samples)
      expect(bashEcho(shellQuote(s)).equals(Buffer.from(s, 'utf8')), JSON.stringify(s)).toBe(true);
  });
  test('a curl line never holds the key: it reads $CONFORMANCE_API_KEY', () => {
    const line = curlLine(
      {
        method: 'PUT',
        url: 'http://h/api/assets/x',
        headers: { 'x-api-key': 'secret-key', 'content-type': 'application/json' },
        body: '{"name":"a"}',
      },
      { header: 'X-API-Key', prefix: '' },
      'secret-key',
    );
    expect(line).not.toContain('secret-key');
    expect(line).toContain('-H "x-api-key: $CONFORMANCE_API_KEY"');
    expect(line).toContain(`--data-binary $'{"name":"a"}'`);
  });
});

describe('redaction', () => {
  test('raw, JSON-escaped, XML-escaped and URL-encoded forms', () => {
    const key = 'a"b<c>&d/é';
    const redact = makeRedactor([key]);
    for (const form of [
      key,
      JSON.stringify(key).slice(1, -1),
      encodeURIComponent(key),
      'a"b&lt;c&gt;&amp;d/é'.replace('"', '&quot;'),
    ]) {
      expect(redact(`x ${form} y`)).toBe(`x ${REDACTED} y`);
    }
    expect(makeRedactor([''])('nothing to hide')).toBe('nothing to hide');
  });
});

describe('report files', async () => {
  const report = await runConformance({
    specFile: SPEC,
    runs: 30,
    seed: 11,
    strict: false,
    timeoutMs: 5000,
    embeddedVariant: fixtureServer('wrapped-errors')?.variant,
  });
  test('report.md groups by requirement and shows the minimal request, response, curl and replay', () => {
    const md = renderMarkdown(report);
    expect(md).toContain('# Conformance report: FAIL');
    expect(md).toMatch(/\| \[RESP-BODY-SCHEMA\]\(#resp-body-schema\) \| MUST \| FAIL \|/);
    expect(md).toContain('### RESP-BODY-SCHEMA');
    expect(md).toContain('curl -sS -i -X PUT');
    expect(md).toContain('npm run conformance -- --property');
  });
  test('junit.xml: a test case per requirement; a MUST failure is a failure', () => {
    const xml = renderJunit(report);
    expect(xml.match(/<testcase /g)).toHaveLength(report.requirements.length);
    expect(xml).toMatch(/<testcase classname="MUST" name="RESP-BODY-SCHEMA: [^"]*">\s*<failure /);
    expect(xml).toMatch(/failures="1"/);
    // nothing XML cannot carry
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
  });
});

describe('README', () => {
  test('its requirement list is the catalogue (run `npm run docs` after changing it)', () => {
    const readme = readFileSync(README, 'utf8');
    expect(withTable(readme)).toBe(readme);
  });
});

describe('README options', () => {
  test('every option of the CLI and its variable is documented', async () => {
    const { OPTIONS } = await import('../../src/cli/options.ts');
    const readme = readFileSync(README, 'utf8');
    for (const o of OPTIONS) {
      expect(readme, o.flag).toContain(`\`--${o.flag}`);
      if (o.env) expect(readme, o.env).toContain(o.env);
    }
  });
});
