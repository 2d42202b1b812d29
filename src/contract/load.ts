/**
 * The contract as data: reads an OpenAPI document (3.0 or 3.1, YAML or JSON), finds the
 * update operation, resolves local `$ref`s and returns everything the suite needs from it.
 * Nothing about the endpoint is typed in code: the path, the id parameter, the body schema,
 * the documented statuses and their schemas and the auth header all come from the file.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { SpecError } from '../errors.ts';
import { isJsonObject, type JsonObject } from '../json.ts';

/** The contract the suite ships with (in the package, beside src/ or dist/). */
export const DEFAULT_SPEC = fileURLToPath(new URL('../../spec/openapi-cloud.yaml', import.meta.url));

export interface ResponseSpec {
  /** '200', '4XX' or 'default', as the document writes it. */
  status: string;
  description: string;
  /** The JSON media type of the response, or null when the document gives no content. */
  mediaType: string | null;
  /** JSON Schema of the body (OpenAPI 3.0 already converted), or null. */
  schema: JsonObject | null;
}

interface AuthSpec {
  /** Name of the security scheme in the document, e.g. 'ApiKeyAuth'. */
  scheme: string;
  /** Request header that carries the credential, e.g. 'X-API-Key'. */
  header: string;
  /** Text put before the key in the header value ('' for apiKey, 'Bearer ' for http bearer). */
  prefix: string;
}

export interface Contract {
  file: string;
  sha256: string;
  openapi: string;
  title: string;
  version: string;
  operationId: string;
  method: string;
  /** Path template, e.g. '/api/assets/{id}'. */
  path: string;
  /** The operation's description: some rules of the contract are written there. */
  description: string;
  pathParam: { name: string; schema: JsonObject };
  requestBody: { required: boolean; mediaType: string; schema: JsonObject };
  responses: ResponseSpec[];
  auth: AuthSpec | null;
  /** JSON pointer of the operation in the document, for citations. */
  pointer: string;
}

const DEFAULT_OPERATION_ID = 'updateAsset';
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

export function isJsonMediaType(mediaType: string): boolean {
  const base = mediaType.split(';')[0]?.trim().toLowerCase() ?? '';
  return base === 'application/json' || /^application\/[\w.+-]+\+json$/.test(base);
}

export function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

function resolvePointer(doc: JsonObject, ref: string): unknown {
  if (!ref.startsWith('#')) throw new SpecError(`only local $ref are supported, found "${ref}"`);
  let node: unknown = doc;
  for (const raw of ref.slice(1).split('/').slice(1)) {
    const token = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isJsonObject(node) && !Array.isArray(node)) throw new SpecError(`$ref "${ref}" does not resolve`);
    node = (node as Record<string, unknown>)[token];
    if (node === undefined) throw new SpecError(`$ref "${ref}" does not resolve`);
  }
  return node;
}

/** Inlines every local $ref below `node`. Recursive schemas are refused with a clear message. */
function deref(doc: JsonObject, node: unknown, seen: readonly string[] = []): unknown {
  if (Array.isArray(node)) return node.map((item) => deref(doc, item, seen));
  if (!isJsonObject(node)) return node;
  const ref = node['$ref'];
  if (typeof ref === 'string') {
    if (seen.includes(ref)) throw new SpecError(`recursive $ref "${ref}" is not supported`);
    return deref(doc, resolvePointer(doc, ref), [...seen, ref]);
  }
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) out[key] = deref(doc, value, seen);
  return out;
}

const ANNOTATIONS_30 = ['example', 'xml', 'externalDocs', 'discriminator', 'deprecated'];

/**
 * OpenAPI 3.0 Schema Object -> JSON Schema (draft-07) as ajv reads it: `nullable` becomes a
 * `null` type, boolean `exclusiveMinimum`/`exclusiveMaximum` become numbers, annotations that
 * draft-07 does not know are dropped. 3.1 schemas are JSON Schema already and pass through.
 */
export function toJsonSchema(schema: unknown, openapi: string): unknown {
  if (!openapi.startsWith('3.0')) return schema;
  if (Array.isArray(schema)) return schema.map((s) => toJsonSchema(s, openapi));
  if (!isJsonObject(schema)) return schema;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (ANNOTATIONS_30.includes(key) || key === 'nullable' || key.startsWith('x-')) continue;
    if (key === 'properties' || key === 'patternProperties' || key === 'definitions') {
      const props: JsonObject = {};
      for (const [name, sub] of Object.entries(isJsonObject(value) ? value : {}))
        props[name] = toJsonSchema(sub, openapi);
      out[key] = props;
    } else if (['items', 'additionalProperties', 'not', 'allOf', 'anyOf', 'oneOf'].includes(key)) {
      out[key] = toJsonSchema(value, openapi);
    } else {
      out[key] = value;
    }
  }
  if (schema['nullable'] === true) {
    if (typeof out['type'] === 'string') out['type'] = [out['type'], 'null'];
    if (Array.isArray(out['enum']) && !out['enum'].includes(null)) out['enum'] = [...out['enum'], null];
  }
  for (const [bool, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    if (typeof out[bool] === 'boolean') {
      if (out[bool] === true && typeof out[bound] === 'number') {
        out[bool] = out[bound];
        delete out[bound];
      } else {
        delete out[bool];
      }
    }
  }
  return out;
}

function firstJsonContent(content: unknown): { mediaType: string; schema: unknown } | null {
  if (!isJsonObject(content)) return null;
  for (const [mediaType, media] of Object.entries(content)) {
    if (isJsonMediaType(mediaType)) return { mediaType, schema: isJsonObject(media) ? media['schema'] : undefined };
  }
  return null;
}

function findOperation(
  doc: JsonObject,
  operationId: string,
): { path: string; method: string; pathItem: JsonObject; op: JsonObject } {
  const paths = doc['paths'];
  if (!isJsonObject(paths)) throw new SpecError('the document has no "paths" object');
  for (const [path, pathItem] of Object.entries(paths)) {
    if (!isJsonObject(pathItem)) continue;
    for (const method of METHODS) {
      const op = pathItem[method];
      if (isJsonObject(op) && op['operationId'] === operationId) return { path, method, pathItem, op };
    }
  }
  throw new SpecError(`the document has no operation with operationId "${operationId}"`);
}

function authOf(doc: JsonObject, op: JsonObject): AuthSpec | null {
  const security = op['security'] ?? doc['security'];
  if (!Array.isArray(security) || security.length === 0) return null;
  const first = security.find((req) => isJsonObject(req) && Object.keys(req).length > 0);
  if (!isJsonObject(first)) return null; // `security: [{}]` makes auth optional
  const schemeName = Object.keys(first)[0] as string;
  const components = doc['components'];
  const schemes = isJsonObject(components) ? components['securitySchemes'] : undefined;
  const scheme = isJsonObject(schemes) ? deref(doc, schemes[schemeName]) : undefined;
  if (!isJsonObject(scheme))
    throw new SpecError(`security scheme "${schemeName}" is not defined in components.securitySchemes`);
  if (scheme['type'] === 'apiKey' && scheme['in'] === 'header' && typeof scheme['name'] === 'string') {
    return { scheme: schemeName, header: scheme['name'], prefix: '' };
  }
  if (scheme['type'] === 'http' && String(scheme['scheme']).toLowerCase() === 'bearer') {
    return { scheme: schemeName, header: 'Authorization', prefix: 'Bearer ' };
  }
  throw new SpecError(
    `security scheme "${schemeName}" (${String(scheme['type'])} in ${String(scheme['in'] ?? scheme['scheme'])}) is not supported: use an apiKey in a header or http bearer`,
  );
}

/** Builds the contract from an already parsed document. */
export function contractFromDocument(
  raw: unknown,
  file: string,
  sha256: string,
  operationId = DEFAULT_OPERATION_ID,
): Contract {
  if (!isJsonObject(raw))
    throw new SpecError('the file does not hold an OpenAPI document (expected a mapping at the top)');
  const openapi = raw['openapi'];
  if (typeof openapi !== 'string' || !/^3\.[01]\./.test(openapi)) {
    throw new SpecError(
      `unsupported document: "openapi: ${String(openapi ?? raw['swagger'])}" (OpenAPI 3.0.x or 3.1.x expected)`,
    );
  }
  const doc = raw;
  const info = isJsonObject(doc['info']) ? doc['info'] : {};
  const { path, method, pathItem, op } = findOperation(doc, operationId);
  const conv = (schema: unknown): JsonObject => {
    const converted = toJsonSchema(deref(doc, schema), openapi);
    return isJsonObject(converted) ? converted : {};
  };

  const params = [
    ...(Array.isArray(pathItem['parameters']) ? pathItem['parameters'] : []),
    ...(Array.isArray(op['parameters']) ? op['parameters'] : []),
  ]
    .map((p) => deref(doc, p))
    .filter(isJsonObject);
  const pathParams = params.filter((p) => p['in'] === 'path');
  const templateNames = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);
  if (templateNames.length !== 1)
    throw new SpecError(
      `operation "${operationId}" at ${path}: exactly one path parameter (the asset id) is expected, found ${templateNames.length}`,
    );
  const idName = templateNames[0] as string;
  const idParam = pathParams.find((p) => p['name'] === idName);

  const body = deref(doc, op['requestBody']);
  const json = isJsonObject(body) ? firstJsonContent(body['content']) : null;
  if (!json || !isJsonObject(json.schema))
    throw new SpecError(`operation "${operationId}" has no JSON request body schema`);

  const responsesRaw = deref(doc, op['responses']);
  if (!isJsonObject(responsesRaw) || Object.keys(responsesRaw).length === 0)
    throw new SpecError(`operation "${operationId}" documents no responses`);
  const responses: ResponseSpec[] = Object.entries(responsesRaw).map(([status, response]) => {
    const r = isJsonObject(response) ? response : {};
    const content = firstJsonContent(r['content']);
    return {
      status: String(status).toUpperCase() === 'DEFAULT' ? 'default' : String(status).toUpperCase(),
      description: typeof r['description'] === 'string' ? r['description'] : '',
      mediaType: content?.mediaType ?? null,
      schema: content && content.schema !== undefined ? conv(content.schema) : null,
    };
  });

  return {
    file,
    sha256,
    openapi,
    title: typeof info['title'] === 'string' ? info['title'] : '',
    version: typeof info['version'] === 'string' ? info['version'] : '',
    operationId,
    method: method.toUpperCase(),
    path,
    description: [op['summary'], op['description']].filter((s) => typeof s === 'string').join('\n'),
    pathParam: { name: idName, schema: idParam ? conv(idParam['schema']) : { type: 'string' } },
    requestBody: {
      required: isJsonObject(body) && body['required'] === true,
      mediaType: json.mediaType,
      schema: conv(json.schema),
    },
    responses,
    auth: authOf(doc, op),
    pointer: `#/paths/${escapePointer(path)}/${method}`,
  };
}

/**
 * The contracts read in this process, by file, operation and the text's hash: a run from code (a
 * vitest file with several suites, a benchmark) reads a spec it has read before without parsing it
 * again, and its validators, compiled once per contract, come along (schemas/compile.ts).
 */
const loaded = new Map<string, Contract>();
const MAX_LOADED = 8;

/** Reads and parses a spec file. Every problem is a SpecError with a message a person can act on. */
export function loadContract(file: string, operationId = DEFAULT_OPERATION_ID): Contract {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SpecError(`cannot read spec file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const sha256 = createHash('sha256').update(text).digest('hex');
  const key = `${file}\0${operationId}\0${sha256}`;
  const known = loaded.get(key);
  if (known) return known;
  let raw: unknown;
  try {
    raw = parse(text, { maxAliasCount: 100 });
  } catch (error) {
    throw new SpecError(`spec file ${file} is not valid YAML/JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  const contract = contractFromDocument(raw, file, sha256, operationId);
  if (loaded.size >= MAX_LOADED) loaded.delete(loaded.keys().next().value as string);
  loaded.set(key, contract);
  return contract;
}

/** Statuses listed in the document ('200', '4XX', 'default'...). */
export function responseFor(contract: Contract, status: number): ResponseSpec | null {
  const exact = contract.responses.find((r) => r.status === String(status));
  if (exact) return exact;
  const range = contract.responses.find((r) => r.status === `${String(status)[0]}XX`);
  if (range) return range;
  return contract.responses.find((r) => r.status === 'default') ?? null;
}

/**
 * Body properties the description says can be updated ("Only name, tags, and user_metadata can
 * be updated."). Other properties of the body may be accepted and ignored. Null when the
 * description names none: then every property is updatable.
 */
export function updatableProperties(contract: Contract): string[] | null {
  const match = /only\s+(.+?)\s+can be updated/i.exec(contract.description);
  if (!match?.[1]) return null;
  const names = match[1]
    .split(/,|\band\b/)
    .map((s) => s.trim().replace(/[`'"]/g, ''))
    .filter(Boolean);
  const known = Object.keys(bodyProperties(contract));
  const listed = names.filter((n) => known.includes(n));
  return listed.length > 0 ? listed : null;
}

export function bodyProperties(contract: Contract): Record<string, JsonObject> {
  const props = contract.requestBody.schema['properties'];
  const out: Record<string, JsonObject> = {};
  if (isJsonObject(props)) for (const [k, v] of Object.entries(props)) if (isJsonObject(v)) out[k] = v;
  return out;
}
