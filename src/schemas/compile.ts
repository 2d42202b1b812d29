/**
 * Compiles the contract's schemas with ajv, once per loaded contract. Each validator returns a list of
 * errors as plain data ({ pointer, keyword, message }); an empty list means valid.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { type Contract, type ResponseSpec, responseFor } from '../contract/load.ts';
import { SpecError } from '../errors.ts';
import { isJsonObject, type JsonObject } from '../json.ts';

// ajv-formats is CommonJS with a default export; under NodeNext the callable is on `.default`.
const addFormats = addFormatsModule as unknown as { default: typeof addFormatsModule } & typeof addFormatsModule;
const applyFormats = (typeof addFormats === 'function' ? addFormats : addFormats.default) as unknown as (
  ajv: Ajv,
) => Ajv;

interface SchemaError {
  /** JSON pointer into the validated value ('' is the root). */
  pointer: string;
  keyword: string;
  message: string;
}

type Validate = (data: unknown) => SchemaError[];

export interface Validators {
  /** The request body schema. */
  body: Validate;
  /** The path parameter (asset id) schema. */
  pathParam: Validate;
  /** The response spec and body validator for a status, or null when the status is not documented. */
  response(status: number): { spec: ResponseSpec; validate: Validate | null } | null;
  /** Whether a string satisfies a named format as this run's ajv understands it. */
  format(name: string, value: string): boolean;
}

/** OpenAPI formats with no validation meaning (annotations), accepted so ajv's strict mode does not refuse them. */
const ANNOTATION_FORMATS = ['int32', 'int64', 'float', 'double', 'byte', 'binary', 'password'];

function collectFormats(node: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(node)) for (const n of node) collectFormats(n, into);
  else if (isJsonObject(node)) {
    if (typeof node['format'] === 'string') into.add(node['format']);
    for (const v of Object.values(node)) collectFormats(v, into);
  }
  return into;
}

function toErrors(errors: ErrorObject[] | null | undefined): SchemaError[] {
  return (errors ?? []).map((e) => ({
    pointer: e.instancePath,
    keyword: e.keyword,
    message: `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}${e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})` : ''}`,
  }));
}

/** Validators already compiled, per loaded contract: runs that share a contract (replays, benchmarks) compile once. */
const compiled = new WeakMap<Contract, Validators>();

export function compileValidators(contract: Contract): Validators {
  let validators = compiled.get(contract);
  if (!validators) {
    validators = compileFresh(contract);
    compiled.set(contract, validators);
  }
  return validators;
}

function compileFresh(contract: Contract): Validators {
  const options = { allErrors: true, strict: false, validateFormats: true } as const;
  const ajv: Ajv = contract.openapi.startsWith('3.1') ? (new Ajv2020(options) as unknown as Ajv) : new Ajv(options);
  applyFormats(ajv);
  const schemas: JsonObject[] = [
    contract.requestBody.schema,
    contract.pathParam.schema,
    ...contract.responses.flatMap((r) => (r.schema ? [r.schema] : [])),
  ];
  const used = new Set<string>();
  for (const s of schemas) collectFormats(s, used);
  for (const name of [...ANNOTATION_FORMATS, ...used]) {
    if (!ajv.formats[name]) ajv.addFormat(name, true);
  }
  const compile = (schema: JsonObject, what: string): Validate => {
    let fn: ValidateFunction;
    try {
      fn = ajv.compile(schema);
    } catch (error) {
      throw new SpecError(`the schema of ${what} does not compile: ${(error as Error).message}`);
    }
    return (data) => (fn(data) ? [] : toErrors(fn.errors));
  };
  const body = compile(contract.requestBody.schema, 'the request body');
  const pathParam = compile(contract.pathParam.schema, `path parameter "${contract.pathParam.name}"`);
  const byStatus = new Map<string, Validate | null>();
  for (const r of contract.responses)
    byStatus.set(r.status, r.schema ? compile(r.schema, `response ${r.status}`) : null);
  const formatCache = new Map<string, ValidateFunction>();
  return {
    body,
    pathParam,
    response(status) {
      const spec = responseFor(contract, status);
      return spec ? { spec, validate: byStatus.get(spec.status) ?? null } : null;
    },
    format(name, value) {
      let fn = formatCache.get(name);
      if (!fn) {
        fn = ajv.compile({ type: 'string', format: name });
        formatCache.set(name, fn);
      }
      return fn(value) === true;
    },
  };
}
