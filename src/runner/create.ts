/**
 * --create-asset: the run uploads fresh random bytes as a new asset (multipart POST /api/assets,
 * tagged for this run), tests on it, and deletes it at the end. It never adopts an existing asset:
 * an upload answered with an asset that existed before (same content) is refused, not deleted.
 * Leftovers of earlier runs are found by their tags and deleted only when asked.
 */
import { randomBytes } from 'node:crypto';
import { blake3 } from '@noble/hashes/blake3.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { CheckContext } from '../checks/context.ts';
import { RunError } from '../errors.ts';
import type { HttpClient, OutgoingRequest } from '../exchange/http.ts';
import { baseHeaders, type Exchange, exchangeOf, getAsset, parseBody, type Target } from '../exchange/perform.ts';
import { isJsonObject, type JsonObject } from '../json.ts';
import type { Cleanup, Leftover } from '../report/model.ts';
import { targetCase } from './preflight.ts';

/** Every asset a run creates carries this tag and one of its own. */
const SUITE_TAG = 'conformance-suite';
const runTag = (runId: string): string => `conformance-run-${runId}`;

export interface Created {
  id: string;
  bytes: Uint8Array;
  exchange: Exchange;
  /** The hash fields of the answer that differ from blake3 of the bytes. */
  hashMismatch: string[];
  hashFields: string[];
}

const collection = (target: Target): string => `${target.baseUrl.replace(/\/+$/, '')}/api/assets`;

/** Encodes a form the way fetch would, so the client sends exact bytes with its boundary. */
async function multipart(form: FormData): Promise<{ body: Uint8Array; contentType: string }> {
  const request = new Request('http://local/', { method: 'POST', body: form });
  return {
    body: new Uint8Array(await request.arrayBuffer()),
    contentType: request.headers.get('content-type') ?? 'multipart/form-data',
  };
}

/**
 * The upload's form: the file, its name, the run's tags, a type and metadata, with the fields the
 * user adds (--upload-field): one the suite sets is replaced, tags are added to the run's own
 * (which find its leftovers).
 */
function uploadForm(bytes: Uint8Array, runId: string, added: readonly (readonly [string, string])[]): FormData {
  const own: [string, string][] = [
    ['name', `conformance-${runId}.bin`],
    ['tags', SUITE_TAG],
    ['tags', runTag(runId)],
    ['mime_type', 'application/octet-stream'],
    ['user_metadata', JSON.stringify({ created_by: 'comfy-assets-conformance', run: runId })],
  ];
  const replaced = new Set(added.map(([name]) => name).filter((name) => name !== 'tags'));
  const form = new FormData();
  form.append('file', new Blob([bytes], { type: 'application/octet-stream' }), `conformance-${runId}.bin`);
  for (const [name, value] of [...own.filter(([name]) => !replaced.has(name)), ...added]) form.append(name, value);
  return form;
}

export async function createAsset(
  ctx: CheckContext,
  target: Target,
  client: HttpClient,
  runId: string,
): Promise<Created> {
  const bytes = new Uint8Array(randomBytes(256));
  const form = uploadForm(bytes, runId, target.uploadFields ?? []);
  const { body, contentType } = await multipart(form);
  const request: OutgoingRequest = {
    method: 'POST',
    url: collection(target),
    headers: {
      'content-type': contentType,
      ...baseHeaders(ctx.contract, { kind: 'valid' }, target),
    },
    body,
  };
  const { outcome } = await client.send(request, true);
  const exchange = exchangeOf(targetCase(ctx, null), request, undefined, outcome);
  if (outcome.kind === 'failure') throw new RunError(`target unreachable: ${target.baseUrl}: ${outcome.message}`);
  if (outcome.status === 401)
    throw new RunError(
      'the API key was rejected (401) on the upload of a new asset: check --api-key or CONFORMANCE_API_KEY',
    );
  const answer = exchange.body?.ok && isJsonObject(exchange.body.value) ? exchange.body.value : null;
  const id = answer?.[ctx.contract.pathParam.name];
  if (outcome.status !== 201 && outcome.status !== 200)
    throw new RunError(
      `the upload of a new asset (POST /api/assets) was answered ${outcome.status}: ${outcome.text.slice(0, 200)}${
        outcome.status === 400 || outcome.status === 422
          ? '; if the server needs more form fields, add them with --upload-field NAME=VALUE (e.g. --upload-field tags=input), or run on an existing asset with --asset-id'
          : ''
      }`,
    );
  if (!answer || typeof id !== 'string' || ctx.validators.pathParam(id).length > 0)
    throw new RunError("the upload of a new asset did not answer with the asset's id");
  // Same content uploaded before: the answer is somebody's existing asset. Never adopt it.
  if (outcome.status !== 201 || answer['created_new'] === false) {
    throw new RunError(
      `the upload answered with an existing asset (${id}, status ${outcome.status}, created_new ${String(answer['created_new'])}): refusing to use or delete it`,
    );
  }
  const hash = `blake3:${bytesToHex(blake3(bytes))}`;
  const hashFields = Object.keys(answer).filter((f) => /(^|_)hash$/i.test(f) && typeof answer[f] === 'string');
  return {
    id: id.toLowerCase(),
    bytes,
    exchange,
    hashFields,
    hashMismatch: hashFields.filter((f) => answer[f] !== hash),
  };
}

/** DELETE the created asset; verified by a GET that answers 404 when the target serves GET. */
export async function deleteAsset(
  ctx: CheckContext,
  target: Target,
  client: HttpClient,
  id: string,
  hasGet: boolean,
): Promise<Cleanup> {
  const request: OutgoingRequest = {
    method: 'DELETE',
    url: `${collection(target)}/${encodeURIComponent(id)}`,
    headers: baseHeaders(ctx.contract, { kind: 'valid' }, target),
  };
  const { outcome } = await client.send(request, true);
  if (outcome.kind === 'failure' || ![200, 202, 204].includes(outcome.status)) {
    return {
      status: 'failed',
      id,
      message: `DELETE answered ${outcome.kind === 'failure' ? outcome.message : outcome.status}: delete asset ${id} by hand`,
    };
  }
  if (hasGet) {
    const check = await getAsset(ctx.contract, target, client, id, targetCase(ctx, null), true);
    if (check.outcome.kind === 'response' && check.outcome.status === 200)
      return { status: 'failed', id, message: `asset ${id} is still there after DELETE ${outcome.status}` };
  }
  return { status: 'deleted', id, message: `deleted the asset the run created (${id})` };
}

/** Assets of earlier runs: they carry the suite's tag and a run tag other than this run's. */
export async function findLeftovers(
  ctx: CheckContext,
  target: Target,
  client: HttpClient,
  runId: string,
): Promise<Leftover[] | null> {
  const request: OutgoingRequest = {
    method: 'GET',
    url: `${collection(target)}?include_tags=${encodeURIComponent(SUITE_TAG)}&limit=500`,
    headers: baseHeaders(ctx.contract, { kind: 'valid' }, target),
  };
  const { outcome } = await client.send(request, true);
  if (outcome.kind !== 'response' || outcome.status !== 200) return null;
  const body = parseBody(outcome.text);
  const assets =
    body.ok && isJsonObject(body.value) && Array.isArray(body.value['assets'])
      ? (body.value['assets'] as unknown[])
      : null;
  if (!assets) return null;
  return assets
    .filter(isJsonObject)
    .map((a: JsonObject) => ({
      id: String(a['id']),
      name: String(a['name'] ?? ''),
      tags: Array.isArray(a['tags']) ? (a['tags'] as unknown[]).map(String) : [],
    }))
    .filter(
      (a) => a.tags.includes(SUITE_TAG) && a.tags.some((t) => t.startsWith('conformance-run-') && t !== runTag(runId)),
    );
}
