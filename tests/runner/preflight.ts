/**
 * Before any property runs: is the target there, does it accept the key, does the asset exist?
 * Any "no" is a RunError (exit code 2, one line), not a verdict on the contract.
 */
import { type CheckContext, rememberKnown } from '../checks/checks.ts';
import type { HttpClient } from '../client/http.ts';
import type { Case } from '../generators/case.ts';
import { isJsonObject } from '../spec/load.ts';
import { allowedTypes } from '../generators/values.ts';
import { type Target, credentialHeaders, perform, urlFor } from './exchange.ts';

export class RunError extends Error {
  override name = 'RunError';
}

export interface Preflight {
  /** The target answers GET on the asset's path with the asset. */
  hasGet: boolean;
}

/** A plain valid body that changes as little as possible: the current value of a string field, when known. */
function plainBody(ctx: CheckContext): Record<string, unknown> {
  const candidates = Object.entries(ctx.bodyProperties).filter(([name]) => !ctx.updatable || ctx.updatable.includes(name));
  const string = candidates.find(([, s]) => allowedTypes(s).includes('string') && s['format'] === undefined);
  if (string) return { [string[0]]: typeof ctx.known[string[0]] === 'string' ? ctx.known[string[0]] : 'conformance-preflight' };
  const [name, schema] = candidates[0] ?? Object.entries(ctx.bodyProperties)[0] ?? ['name', {}];
  const types = allowedTypes(schema);
  return { [name]: Object.hasOwn(ctx.known, name) ? ctx.known[name] : types.includes('array') ? [] : types.includes('object') ? {} : 'conformance-preflight' };
}

export async function preflight(ctx: CheckContext, target: Target, client: HttpClient): Promise<Preflight> {
  const where = `${target.baseUrl}`;
  // 1. GET the asset, when the target serves it: it tells the current values.
  const headers = { accept: 'application/json', ...credentialHeaders(ctx.contract, { kind: 'valid' }, target.apiKey) };
  const { outcome: got } = await client.send({ method: 'GET', url: urlFor(ctx.contract, target.baseUrl, ctx.targetId), headers });
  if (got.kind === 'failure' && ['refused', 'dns', 'tls', 'timeout', 'protocol'].includes(got.failure)) {
    throw new RunError(`target unreachable: ${where}: ${got.message}`);
  }
  let hasGet = false;
  if (got.kind === 'response' && got.status === 200) {
    try {
      const asset: unknown = JSON.parse(got.text);
      const idName = ctx.contract.pathParam.name;
      if (isJsonObject(asset) && typeof asset[idName] === 'string' && (asset[idName] as string).toLowerCase() === ctx.targetId.toLowerCase()) {
        hasGet = true;
        for (const name of Object.keys(ctx.bodyProperties)) if (Object.hasOwn(asset, name)) ctx.known[name] = asset[name];
      }
    } catch {
      // not JSON: the target has no usable GET; the PUT below decides.
    }
  }
  // 2. A plain valid update of the asset.
  const c: Case = { property: 'preflight', id: { kind: 'target', value: ctx.targetId }, key: { kind: 'valid' }, body: { kind: 'json', value: plainBody(ctx) }, expect: [], updatesTarget: true };
  const { exchange } = await perform(c, ctx.contract, target, client);
  const out = exchange.outcome;
  if (out.kind === 'failure' && ['refused', 'dns', 'tls', 'protocol'].includes(out.failure)) throw new RunError(`target unreachable: ${where}: ${out.message}`);
  if (out.kind === 'response' && out.status === 401) {
    throw new RunError(`the API key was rejected (401) on a plain valid update of asset ${ctx.targetId}: check --api-key or CONFORMANCE_API_KEY`);
  }
  if (out.kind === 'response' && out.status === 404) {
    throw new RunError(`asset ${ctx.targetId} not found (404 on a plain valid update): check --asset-id or CONFORMANCE_ASSET_ID`);
  }
  rememberKnown(exchange, ctx);
  return { hasGet };
}
