/** Turns a case into an HTTP request, sends it, and returns the exchange the checks judge. */
import { type Exchange, parseBody } from '../checks/checks.ts';
import type { HttpClient, OutgoingRequest } from '../client/http.ts';
import { bodyText } from '../generators/bodies.ts';
import type { Case } from '../generators/case.ts';
import type { KeyChoice } from '../generators/requests.ts';
import type { Contract } from '../spec/load.ts';

export interface Target {
  baseUrl: string;
  apiKey: string;
}

export function urlFor(contract: Contract, baseUrl: string, id: string): string {
  const path = contract.path.replace(`{${contract.pathParam.name}}`, encodeURIComponent(id));
  return `${baseUrl.replace(/\/+$/, '')}${path}`;
}

/** The credential header the spec names, for a key choice (none when missing or when the spec has no security). */
export function credentialHeaders(contract: Contract, key: KeyChoice, apiKey: string): Record<string, string> {
  const auth = contract.auth;
  if (!auth || key.kind === 'missing') return {};
  return { [auth.header.toLowerCase()]: `${auth.prefix}${key.kind === 'valid' ? apiKey : key.value}` };
}

export function buildRequest(c: Case, contract: Contract, target: Target): OutgoingRequest {
  const headers = { 'content-type': contract.requestBody.mediaType, accept: 'application/json', ...credentialHeaders(contract, c.key, target.apiKey) };
  return { method: contract.method, url: urlFor(contract, target.baseUrl, c.id.value), headers, body: bodyText(c.body) };
}

export interface Performed {
  exchange: Exchange;
  /** The target answered 429 every time it was asked: nothing to judge. */
  rateLimited: boolean;
}

export async function perform(c: Case, contract: Contract, target: Target, client: HttpClient, essential = false): Promise<Performed> {
  const request = buildRequest(c, contract, target);
  // What was sent, as the checks compare it: the generated value itself (plain JSON: serialising
  // it changes nothing the checks can see, -0 aside, which they compare equal to 0). Raw bodies
  // are parsed when they happen to be JSON.
  let sent: unknown;
  if (c.body.kind === 'json') sent = c.body.value;
  else {
    try {
      sent = JSON.parse(c.body.text) as unknown;
    } catch {
      sent = undefined;
    }
  }
  const { outcome, rateLimited } = await client.send(request, essential);
  const exchange: Exchange = { case: c, request, sent, outcome, ...(outcome.kind === 'response' ? { body: parseBody(outcome.text) } : {}) };
  return { exchange, rateLimited };
}

/** GET the asset (not part of the contract under test: used to read state back when the target serves it). */
export async function getAsset(contract: Contract, target: Target, client: HttpClient, id: string, c: Case, essential = false): Promise<Exchange> {
  const request: OutgoingRequest = { method: 'GET', url: urlFor(contract, target.baseUrl, id), headers: { accept: 'application/json', ...credentialHeaders(contract, { kind: 'valid' }, target.apiKey) } };
  const { outcome } = await client.send(request, essential);
  return { case: c, request, sent: undefined, outcome, ...(outcome.kind === 'response' ? { body: parseBody(outcome.text) } : {}) };
}
