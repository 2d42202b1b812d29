/** What the checks know besides the exchange: the contract, its validators and the asset. */

import { bodyProperties, type Contract, updatableProperties } from '../contract/load.ts';
import { isJsonObject, type JsonObject } from '../json.ts';
import { compileValidators, type Validators } from '../schemas/compile.ts';

export interface CheckContext {
  contract: Contract;
  validators: Validators;
  /** The id of the asset the run may modify. */
  targetId: string;
  /** Body properties by name, from the request body schema. */
  bodyProperties: Record<string, JsonObject>;
  /** Properties the description lists as updatable; null: all are. */
  updatable: string[] | null;
  /** Last known values of the asset's body fields (from GET or 200 answers). */
  known: Record<string, unknown>;
  /** The properties of the 200 schema with format date-time (updated_at). */
  timestampFields: string[];
  /** The properties of the 200 schema that hold the content hash (asset_hash, hash). */
  hashFields: string[];
}

/** Builds the checks' context from a contract (validators compiled once per loaded contract). */
export function checkContext(contract: Contract, targetId: string): CheckContext {
  const ok = contract.responses.find((r) => r.status === '200')?.schema;
  const okProps = ok && isJsonObject(ok['properties']) ? ok['properties'] : {};
  const isHash = (name: string, schema: unknown): boolean =>
    /(^|_)hash$/i.test(name) || (isJsonObject(schema) && String(schema['pattern'] ?? '').includes('blake3'));
  return {
    contract,
    validators: compileValidators(contract),
    targetId,
    bodyProperties: bodyProperties(contract),
    updatable: updatableProperties(contract),
    known: {},
    timestampFields: Object.entries(okProps)
      .filter(([, s]) => isJsonObject(s) && s['format'] === 'date-time')
      .map(([n]) => n),
    hashFields: Object.entries(okProps)
      .filter(([n, s]) => isHash(n, s))
      .map(([n]) => n),
  };
}
