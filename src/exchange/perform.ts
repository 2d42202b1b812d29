/**
 * Turns a case into an HTTP request, sends it, and returns the exchange the checks judge: what was
 * sent, what came back (or how it failed), and the response body parsed once.
 */

import type { Contract } from '../contract/load.ts';
import type { Body } from '../generators/bodies.ts';
import type { Case } from '../generators/case.ts';
import { doorParts } from '../generators/doors.ts';
import { type KeyChoice, keyText } from '../generators/keys.ts';
import { ACCEPTED_CODINGS } from './coding.ts';
import type { HttpClient, Outcome, OutgoingRequest } from './http.ts';
import { referenceCase } from './mirror.ts';

export interface Exchange {
  case: Case;
  /** What was sent. Holds the real credential: never print it without redaction. */
  request: OutgoingRequest;
  /** The sent body parsed back from the wire text (undefined when it was not JSON). */
  sent: unknown;
  outcome: Outcome;
  /** The response body parsed once; absent for transport failures. */
  body?: ParsedBody;
  /** The control sent before it: the same body to the asset with the valid key (see Requirement.factor). */
  control?: Exchange;
  /** A read of the asset right after this 200 (edges property): the asset must still be readable. */
  after?: Exchange;
  /** A read answered 429 (or 503 with Retry-After) until the run stopped waiting: no answer to judge. */
  rateLimited?: true;
}

export type ParsedBody = { ok: true; value: unknown } | { ok: false; error: string };

/** A case as both targets of a comparison answered it. */
export interface MirrorPair {
  exchange: Exchange;
  reference: Exchange;
}

/** --compare-with: the reference, and the cases both answered (mirror.ts). */
export interface Mirror {
  /** The reference: its base URL, key and headers. */
  target: Target;
  client: HttpClient;
  /** The run's asset, and the reference's asset that stands for it. */
  assetId: string;
  referenceAssetId: string;
  /** Every case both answered, in the order sent. */
  pairs: MirrorPair[];
}

export interface Target {
  baseUrl: string;
  apiKey: string;
  /** Headers added to every request (--header): the suite's own win over them. */
  headers?: Readonly<Record<string, string>>;
  /** Fields added to an upload's form (--upload-field). */
  uploadFields?: readonly (readonly [string, string])[];
  /** --compare-with: the reference every case of the run is also sent to (mirror.ts). */
  mirror?: Mirror;
}

export function parseBody(text: string): ParsedBody {
  if (text.length === 0) return { ok: false, error: 'empty body' };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

/** The bytes sent on the wire. Serialised once per case. */
function bodyText(body: Body): string {
  return body.kind === 'json' ? JSON.stringify(body.value) : body.text;
}

function urlFor(contract: Contract, baseUrl: string, id: string): string {
  const path = contract.path.replace(`{${contract.pathParam.name}}`, encodeURIComponent(id));
  return `${baseUrl.replace(/\/+$/, '')}${path}`;
}

/** The credential header the spec names, for a key choice (none when missing or when the spec has no security). */
function credentialHeaders(contract: Contract, key: KeyChoice, apiKey: string): Record<string, string> {
  const auth = contract.auth;
  const text = keyText(key, apiKey);
  if (!auth || text === null) return {};
  return { [auth.header.toLowerCase()]: `${auth.prefix}${text}` };
}

/** Headers every request of the suite carries: what it accepts back, and the credential. */
export function baseHeaders(contract: Contract, key: KeyChoice, target: Target): Record<string, string> {
  const { apiKey } = target;
  return {
    ...target.headers,
    accept: 'application/json',
    'accept-encoding': ACCEPTED_CODINGS,
    ...credentialHeaders(contract, key, apiKey),
  };
}

/** What a credential elsewhere adds to a request: its headers, and a query parameter on the URL. */
function withDoor(
  c: Case,
  contract: Contract,
  target: Target,
  url: string,
): { url: string; headers: OutgoingRequest['headers'] } {
  const base = { 'content-type': contract.requestBody.mediaType, ...baseHeaders(contract, c.key, target) };
  if (c.key.kind !== 'elsewhere' || !contract.auth) return { url, headers: base };
  const { headers, query } = doorParts(
    c.key.door,
    c.key.beside,
    target.apiKey,
    contract.auth.header,
    contract.auth.prefix,
  );
  const search = query ? `?${encodeURIComponent(query[0])}=${encodeURIComponent(query[1])}` : '';
  return { url: `${url}${search}`, headers: { ...base, ...headers } };
}

function buildRequest(c: Case, contract: Contract, target: Target): OutgoingRequest {
  const { url, headers } = withDoor(c, contract, target, urlFor(contract, target.baseUrl, c.id.value));
  return {
    method: contract.method,
    url,
    headers,
    body: bodyText(c.body),
    ...(c.maxResponseBytes ? { maxResponseBytes: c.maxResponseBytes } : {}),
  };
}

/** An exchange from what was sent and what came back. */
export function exchangeOf(c: Case, request: OutgoingRequest, sent: unknown, outcome: Outcome): Exchange {
  return { case: c, request, sent, outcome, ...(outcome.kind === 'response' ? { body: parseBody(outcome.text) } : {}) };
}

export interface Performed {
  exchange: Exchange;
  /** The target answered 429 every time it was asked: nothing to judge. */
  rateLimited: boolean;
}

/**
 * What was sent, as the checks compare it: the generated value itself (plain JSON: serialising it
 * changes nothing the checks can see, -0 aside, which they compare equal to 0). Raw bodies are
 * parsed when they happen to be JSON.
 */
function sentValue(body: Body): unknown {
  if (body.kind === 'json') return body.value;
  if (body.sent !== undefined) return body.sent;
  try {
    return JSON.parse(body.text) as unknown;
  } catch {
    return undefined;
  }
}

export async function perform(
  c: Case,
  contract: Contract,
  target: Target,
  client: HttpClient,
  essential = false,
  fresh = false,
): Promise<Performed> {
  const request = buildRequest(c, contract, target);
  const { outcome, rateLimited } = await client.send(request, essential, fresh);
  const exchange = exchangeOf(c, request, sentValue(c.body), outcome);
  // the run's own housekeeping (preflight, restore) is not a case: the reference has its own
  if (target.mirror && !essential && !rateLimited) await sendToReference(exchange, contract, target.mirror);
  return { exchange, rateLimited };
}

/** The case of an exchange sent to the reference too, and the pair kept (one rate limited there is not kept). */
async function sendToReference(exchange: Exchange, contract: Contract, mirror: Mirror): Promise<void> {
  const c = referenceCase(exchange.case, mirror.assetId, mirror.referenceAssetId);
  const request = buildRequest(c, contract, mirror.target);
  const { outcome, rateLimited } = await mirror.client
    .send(request)
    .catch(() => ({ outcome: null, rateLimited: true }));
  if (outcome && !rateLimited)
    mirror.pairs.push({ exchange, reference: exchangeOf(c, request, sentValue(c.body), outcome) });
}

/** GET the asset (not part of the contract under test: used to read state back when the target serves it). */
export async function getAsset(
  contract: Contract,
  target: Target,
  client: HttpClient,
  id: string,
  c: Case,
  essential = false,
  fresh = false,
): Promise<Exchange> {
  const headers = baseHeaders(contract, { kind: 'valid' }, target);
  const request: OutgoingRequest = {
    method: 'GET',
    url: urlFor(contract, target.baseUrl, id),
    headers,
    ...(c.maxResponseBytes ? { maxResponseBytes: c.maxResponseBytes } : {}),
  };
  const { outcome, rateLimited } = await client.send(request, essential, fresh);
  return { ...exchangeOf(c, request, undefined, outcome), ...(rateLimited ? { rateLimited } : {}) };
}
