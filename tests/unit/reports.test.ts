/** Reports and repros: shell quoting that bash reads back byte for byte, redaction, JUnit, the README table. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { fixtureServer } from '../../fixtures/servers/index.ts';
import { BLOCKS, withBlock } from '../../scripts/docs.ts';
import { DERIVATIONS, derivations, keySecrets } from '../../src/generators/keys.ts';
import { renderJunit } from '../../src/render/junit.ts';
import { renderMarkdown } from '../../src/render/markdown.ts';
import { curlLine, shellQuote } from '../../src/report/curl.ts';
import type { PropertyResult, RunReport } from '../../src/report/model.ts';
import { makeRedactor, REDACTED } from '../../src/report/redact.ts';
import { runConformance } from '../../src/runner/run.ts';
import { startReferenceServer } from '../../src/server/index.ts';
import { SPEC } from '../helpers/helpers.ts';

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

describe('keys derived from the valid one', () => {
  const key = 'ref-Ab9zZ_x-0123456789Qq';
  test('each differs from the key, and its curl form makes the same key in bash from the variable', () => {
    const all = derivations(key);
    expect(all.length).toBeGreaterThanOrEqual(7);
    for (const how of all) {
      const d = DERIVATIONS[how];
      expect(d.derive(key)).not.toBe(key);
      expect(d.description).not.toContain(key.slice(0, 4));
      const shell = execFileSync('bash', ['--norc', '-c', `printf %s "${d.shell('K', key)}"`], { env: { K: key } });
      expect(shell.toString(), how).toBe(d.derive(key));
    }
  });
  test('a report shows them by description only; curl derives them from $CONFORMANCE_API_KEY', async () => {
    const server = await startReferenceServer({ apiKey: key, variant: fixtureServer('key-prefix-only')?.variant });
    try {
      const report = await runConformance({
        specFile: SPEC,
        baseUrl: server.baseUrl,
        apiKey: key,
        assetId: server.assetId,
        runs: 100,
        // a seed whose first counterexample is a derived key (the mutant also takes a header list
        // that starts with the key, a door some seeds meet first)
        seed: 6,
        strict: false,
        timeoutMs: 5000,
        only: ['auth'],
      });
      const cx = report.requirements.find((r) => r.id === 'AUTH-401')?.counterexample;
      expect(cx?.description).toMatch(/^the key/);
      expect(cx?.curl).toMatch(/"x-api-key: \$\{?CONFORMANCE_API_KEY/);
      const text = JSON.stringify(report);
      for (const secret of keySecrets(key)) expect(text, secret).not.toContain(secret);
      expect(text).toMatch(/"x-api-key":"<the key[^>]*>"/);
    } finally {
      await server.close();
    }
  });
});

describe('redaction', () => {
  test('raw, JSON-escaped, XML-escaped and URL-encoded forms', () => {
    const key = 'a"b<c>&d/é\'';
    const redact = makeRedactor([key]);
    for (const form of [
      key,
      JSON.stringify(key).slice(1, -1),
      encodeURIComponent(key),
      'a&quot;b&lt;c&gt;&amp;d/é&apos;',
    ]) {
      expect(redact(`x ${form} y`)).toBe(`x ${REDACTED} y`);
    }
    expect(makeRedactor([''])('nothing to hide')).toBe('nothing to hide');
  });
  test('the key and the keys derived from it: the longest form first, so that the key goes whole', () => {
    const key = 'sk-live-0123456789abcdef';
    const secrets = keySecrets(key);
    // the key cut to its first half is one of them, and a part of the key
    expect(secrets.some((s) => s !== key && key.startsWith(s))).toBe(true);
    const redact = makeRedactor(secrets);
    expect(redact(`key ${key}, half ${key.slice(0, key.length / 2)}.`)).toBe(`key ${REDACTED}, half ${REDACTED}.`);
    expect(makeRedactor([...secrets].reverse())(`(${key})`)).toBe(`(${REDACTED})`);
  });
});

describe('report files', () => {
  // in a hook, not while the file is collected: a run that throws fails these tests (a mutation run
  // does not count a test file that cannot be collected)
  let report: RunReport;
  beforeAll(async () => {
    report = await runConformance({
      specFile: SPEC,
      runs: 30,
      seed: 11,
      strict: false,
      timeoutMs: 5000,
      embeddedVariant: fixtureServer('wrapped-errors')?.variant,
    });
  });
  test('report.md groups by requirement and shows the minimal request, response, curl and replay', () => {
    const md = renderMarkdown(report);
    expect(md).toContain('# Conformance report: FAIL');
    expect(md).toMatch(/\| \[RESP-BODY-SCHEMA\]\(#resp-body-schema\) \| MUST \| FAIL \|/);
    expect(md).toContain('### RESP-BODY-SCHEMA');
    expect(md).toContain('curl -sS -i -X PUT');
    expect(md).toContain('npx comfy-assets-conformance --property');
  });
  test('report.md says how the run was planned, and which properties were cut short and why', () => {
    expect(renderMarkdown(report)).toContain('timeout 5000 ms per request, no time budget');
    expect(renderMarkdown(report)).not.toContain('Cut short');
    const planned = {
      ...report,
      settings: { ...report.settings, budgetMs: 60_000 },
      properties: [
        ...report.properties.map((p) => ({ ...p, interrupted: false })),
        { ...(report.properties[0] as PropertyResult), name: 'stateful', interrupted: true, cut: 'its share (4.4 s)' },
        { ...(report.properties[0] as PropertyResult), name: 'edges', interrupted: true },
      ],
    };
    const md = renderMarkdown(planned);
    expect(md).toContain('timeout 5000 ms per request, planned for 60 s (--budget)');
    expect(md).toContain('- Cut short: stateful (its share (4.4 s)); edges (time limit reached)');
  });
  test('junit.xml: a test case per requirement and one for the asset afterwards; a MUST failure is a failure', () => {
    const xml = renderJunit(report);
    expect(xml.match(/<testcase /g)).toHaveLength(report.requirements.length + 1);
    expect(xml).toMatch(/<testcase classname="RUN" name="asset afterwards: (restored|deleted)">\s*<system-out>/);
    expect(xml).toMatch(/<testcase classname="MUST" name="RESP-BODY-SCHEMA: [^"]*">\s*<failure /);
    expect(xml).toMatch(/failures="1"/);
    // nothing XML cannot carry
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
  });
});

describe('generated docs', () => {
  for (const block of BLOCKS) {
    test(`${block.name} table in ${block.file.split('/').slice(-2).join('/')} is fresh (run \`npm run docs\` after changing ${block.name})`, () => {
      const text = readFileSync(block.file, 'utf8');
      expect(withBlock(text, block)).toBe(text);
    });
  }
  test('every option of the CLI and its variable is in the README', async () => {
    const { OPTIONS } = await import('../../src/api/options.ts');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const o of OPTIONS) {
      expect(readme, o.flag).toContain(`\`--${o.flag}`);
      if (o.env) expect(readme, o.env).toContain(o.env);
    }
  });
  test('every citation of the spec resolves in spec/openapi-cloud.yaml', async () => {
    const { REQUIREMENTS } = await import('../../src/requirements.ts');
    const doc = parse(readFileSync(SPEC, 'utf8')) as Record<string, unknown>;
    const walk = (from: unknown, pointer: string): unknown =>
      pointer
        .split('/')
        .reduce<unknown>(
          (node, token) =>
            (node as Record<string, unknown> | undefined)?.[token.replace(/~1/g, '/').replace(/~0/g, '~')],
          from,
        );
    const operation = walk(doc, 'paths/~1api~1assets~1{id}/put');
    for (const r of REQUIREMENTS)
      for (const c of r.cite)
        if (c.source === 'spec')
          expect(
            c.ref.startsWith('#/') ? walk(doc, c.ref.slice(2)) : walk(operation, c.ref),
            `${r.id}: ${c.ref}`,
          ).toBeDefined();
  });
  test('every citation of the contract names a section of docs/contract.md', async () => {
    const { REQUIREMENTS } = await import('../../src/requirements.ts');
    const contract = readFileSync(new URL('../../docs/contract.md', import.meta.url), 'utf8');
    const headings = [...contract.matchAll(/^#{2,4} (.+)$/gm)].map((m) => m[1]);
    for (const r of REQUIREMENTS)
      for (const c of r.cite) if (c.source === 'contract') expect(headings, `${r.id}: ${c.ref}`).toContain(c.ref);
  });
});
