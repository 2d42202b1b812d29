/** report.json's shipped JSON Schema: a run's report and a not-run report conform; a drifted one does not. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { fixtureServer } from '../../fixtures/servers/index.ts';
import { runCli } from '../../src/cli/cli.ts';
import { REPORT_SCHEMA_VERSION } from '../../src/report/model.ts';
import { runConformance } from '../../src/runner/run.ts';
import { SPEC } from '../helpers/helpers.ts';
import { reportSchemaErrors } from '../helpers/report-schema.ts';

describe('schema/report.schema.json', () => {
  test('the report of a failing run conforms, counterexamples and coverage included; one field off does not', async () => {
    const report = await runConformance({
      specFile: SPEC,
      runs: 20,
      seed: 3,
      strict: false,
      timeoutMs: 5000,
      embeddedVariant: fixtureServer('tags-ignored')?.variant,
    });
    expect(report.exitCode).toBe(1);
    expect(report.schemaVersion).toBe(REPORT_SCHEMA_VERSION);
    const plain = JSON.parse(JSON.stringify(report)) as Record<string, unknown>;
    expect(reportSchemaErrors(plain)).toEqual([]);
    expect(reportSchemaErrors({ ...plain, schemaVersion: 2 })).not.toEqual([]);
    expect(reportSchemaErrors({ ...plain, surprise: true })).not.toEqual([]);
    const { summary: _gone, ...without } = plain;
    expect(reportSchemaErrors(without)).not.toEqual([]);
  });

  test('the report of a run that could not start conforms', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'schema-'));
    const code = await runCli(
      ['--base-url', 'http://127.0.0.1:9', '--asset-id', 'abc', '--report-dir', dir],
      { CONFORMANCE_API_KEY: 'k' },
      { out: () => undefined, err: () => undefined },
    );
    expect(code).toBe(2);
    const notRun = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { notRun: { stage: string } };
    expect(notRun.notRun.stage).toBe('options');
    expect(reportSchemaErrors(notRun)).toEqual([]);
  });
});
