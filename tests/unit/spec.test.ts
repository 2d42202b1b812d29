/** The loader: the vendored spec, OpenAPI 3.0 conversion, $ref resolution, and clear errors for bad files. */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { contractFromDocument, loadContract, toJsonSchema, updatableProperties } from '../../src/contract/load.ts';
import { SpecError } from '../../src/errors.ts';
import { compileValidators } from '../../src/schemas/compile.ts';
import { SPEC, SPEC_2026_08 } from '../helpers/helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'spec-test-'));
const write = (name: string, text: string): string => {
  const file = join(tmp, name);
  writeFileSync(file, text);
  return file;
};

describe('the vendored spec', () => {
  test('is the file PROVENANCE.md describes (sha-256)', () => {
    const provenance = readFileSync(new URL('../../spec/PROVENANCE.md', import.meta.url), 'utf8');
    const sha = createHash('sha256').update(readFileSync(SPEC)).digest('hex');
    expect(provenance).toContain(sha);
  });
  test('everything the suite needs comes from it', () => {
    const c = loadContract(SPEC);
    expect(c.method).toBe('PUT');
    expect(c.path).toBe('/api/assets/{id}');
    expect(c.pathParam).toEqual({ name: 'id', schema: { type: 'string', format: 'uuid' } });
    expect(c.auth).toEqual({ scheme: 'ApiKeyAuth', header: 'X-API-Key', prefix: '' });
    expect(c.responses.map((r) => r.status)).toEqual(['200', '400', '401', '404', '500']);
    expect(c.responses.every((r) => r.mediaType === 'application/json')).toBe(true);
    expect(Object.keys(c.requestBody.schema['properties'] as object)).toEqual([
      'name',
      'tags',
      'mime_type',
      'preview_id',
      'user_metadata',
    ]);
    expect(c.requestBody.schema['minProperties']).toBe(1);
    // $refs are resolved
    expect(JSON.stringify(c.responses)).not.toContain('$ref');
    expect(updatableProperties(c)).toEqual(['name', 'tags', 'user_metadata']);
  });
  test('the 2026-08 revision: no tags in the body, hash in the 200 body, details in errors', () => {
    const c = loadContract(SPEC_2026_08);
    expect(Object.keys(c.requestBody.schema['properties'] as object)).toEqual([
      'name',
      'mime_type',
      'preview_id',
      'user_metadata',
    ]);
    expect(updatableProperties(c)).toEqual(['name', 'mime_type', 'preview_id', 'user_metadata']);
    const v = compileValidators(c);
    const hash = `blake3:${'0'.repeat(64)}`;
    expect(
      v.response(200)?.validate?.({
        id: '6f1c2a9e-4b7d-4c3a-9e8f-0a1b2c3d4e5f',
        updated_at: '2026-08-01T00:00:00Z',
        hash,
        display_name: null,
      }),
    ).toEqual([]);
    expect(
      v.response(200)?.validate?.({
        id: '6f1c2a9e-4b7d-4c3a-9e8f-0a1b2c3d4e5f',
        updated_at: '2026-08-01T00:00:00Z',
        hash: 'sha256:x',
      })?.[0]?.pointer,
    ).toBe('/hash');
    expect(
      v.response(400)?.validate?.({ code: 'INVALID_PREVIEW_ID', message: 'm', details: { field: 'preview_id' } }),
    ).toEqual([]);
    expect(v.response(400)?.validate?.({ code: 'X', message: 'm', details: 'text' })?.[0]?.pointer).toBe('/details');
  });
});

describe('OpenAPI 3.0 to JSON Schema', () => {
  test('nullable, boolean exclusive bounds, annotations', () => {
    expect(toJsonSchema({ type: 'string', nullable: true, example: 'x' }, '3.0.3')).toEqual({
      type: ['string', 'null'],
    });
    expect(toJsonSchema({ type: 'integer', minimum: 0, exclusiveMinimum: true }, '3.0.3')).toEqual({
      type: 'integer',
      exclusiveMinimum: 0,
    });
    expect(toJsonSchema({ type: 'object', properties: { a: { type: 'string', nullable: true } } }, '3.0.3')).toEqual({
      type: 'object',
      properties: { a: { type: ['string', 'null'] } },
    });
    expect(toJsonSchema({ type: ['string', 'null'] }, '3.1.0')).toEqual({ type: ['string', 'null'] });
  });
  test('an OpenAPI 3.1 document with a $ref chain loads and validates', () => {
    const doc = {
      openapi: '3.1.0',
      info: { title: 't', version: '1' },
      paths: {
        '/a/{key}': {
          put: {
            operationId: 'updateAsset',
            parameters: [{ $ref: '#/components/parameters/Key' }],
            requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/B' } } } },
            responses: { '200': { description: 'ok' } },
          },
        },
      },
      components: {
        parameters: { Key: { name: 'key', in: 'path', required: true, schema: { type: 'string' } } },
        schemas: { B: { type: 'object', properties: { n: { type: ['string', 'null'] } } } },
      },
    };
    const c = contractFromDocument(doc, 'x', 'sha');
    expect(c.pathParam.name).toBe('key');
    expect(c.auth).toBeNull();
    expect(c.responses[0]).toEqual({ status: '200', description: 'ok', mediaType: null, schema: null });
    expect(compileValidators(c).body({ n: null })).toEqual([]);
  });
});

describe('bad spec files are SpecErrors with a message that says what to fix', () => {
  const cases: [string, string, RegExp][] = [
    ['missing.yaml', '', /cannot read spec file .*ENOENT/],
    ['broken.yaml', 'openapi: 3.0.3\npaths: [unclosed', /not valid YAML\/JSON/],
    ['swagger.yaml', 'swagger: "2.0"\npaths: {}', /unsupported document: "openapi: 2.0"/],
    ['list.yaml', '- a\n- b', /expected a mapping/],
    [
      'no-op.yaml',
      'openapi: 3.0.3\ninfo: {title: t, version: "1"}\npaths: {/x: {get: {operationId: other, responses: {"200": {description: ok}}}}}',
      /no operation with operationId "updateAsset"/,
    ],
    [
      'recursive.yaml',
      'openapi: 3.0.3\ninfo: {title: t, version: "1"}\npaths: {"/a/{id}": {put: {operationId: updateAsset, parameters: [{name: id, in: path, required: true, schema: {type: string}}], requestBody: {content: {application/json: {schema: {$ref: "#/components/schemas/N"}}}}, responses: {"200": {description: ok}}}}}\ncomponents: {schemas: {N: {type: object, properties: {next: {$ref: "#/components/schemas/N"}}}}}',
      /recursive \$ref/,
    ],
    [
      'dangling.yaml',
      'openapi: 3.0.3\ninfo: {title: t, version: "1"}\npaths: {"/a/{id}": {put: {operationId: updateAsset, requestBody: {content: {application/json: {schema: {$ref: "#/components/schemas/Nope"}}}}, responses: {"200": {description: ok}}}}}',
      /\$ref "#\/components\/schemas\/Nope" does not resolve/,
    ],
    [
      'cookie.yaml',
      'openapi: 3.0.3\ninfo: {title: t, version: "1"}\nsecurity: [{C: []}]\npaths: {"/a/{id}": {put: {operationId: updateAsset, requestBody: {content: {application/json: {schema: {type: object}}}}, responses: {"200": {description: ok}}}}}\ncomponents: {securitySchemes: {C: {type: apiKey, in: cookie, name: sid}}}',
      /not supported: use an apiKey in a header/,
    ],
  ];
  for (const [name, text, message] of cases) {
    test(name, () => {
      const file = name === 'missing.yaml' ? join(tmp, 'does-not-exist.yaml') : write(name, text);
      expect(() => loadContract(file)).toThrow(SpecError);
      expect(() => loadContract(file)).toThrow(message);
    });
  }
});

describe('a spec read again in the same process', () => {
  test('the same text is the same contract (its validators compiled once); a changed text is read anew', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spec-cache-'));
    const file = join(dir, 'spec.yaml');
    const text = readFileSync(SPEC, 'utf8');
    writeFileSync(file, text);
    const first = loadContract(file);
    expect(loadContract(file)).toBe(first);
    expect(compileValidators(loadContract(file))).toBe(compileValidators(first));
    writeFileSync(file, text.replace('Update asset metadata', 'Update the metadata of an asset'));
    const changed = loadContract(file);
    expect(changed).not.toBe(first);
    expect(changed.sha256).not.toBe(first.sha256);
    // the first text again: the contract read first
    writeFileSync(file, text);
    expect(loadContract(file)).toBe(first);
  });
});
