/**
 * The reference server's store: assets in memory, and the server's own reading of a PUT body. It
 * validates with its own code (not the suite's ajv validators), so a bug in one cannot hide in the
 * other.
 */
import { randomBytes } from 'node:crypto';
import { blake3 } from '@noble/hashes/blake3.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { parse as parseLossless } from 'lossless-json';

export interface AssetRecord {
  id: string;
  name: string;
  asset_hash: string;
  size: number;
  mime_type: string;
  tags: string[];
  user_metadata: Record<string, unknown>;
  preview_id: string | null;
  created_at: string;
  updated_at: string;
}

/** The fields a valid PUT body may set, as the server read them. */
export interface Update {
  name?: string;
  tags?: string[];
  mime_type?: string;
  preview_id?: string;
  user_metadata?: Record<string, unknown>;
}

export interface Store {
  assets: Map<string, AssetRecord>;
  apiKey: string;
}

/** A problem with a PUT body: the status and error code to answer with. */
export interface Refusal {
  status: number;
  code: string;
  message: string;
}

export const SEEDED_ASSET_ID = '6f1c2a9e-4b7d-4c3a-9e8f-0a1b2c3d4e5f';
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function hashOf(bytes: Uint8Array): string {
  return `blake3:${bytesToHex(blake3(bytes))}`;
}

/** Plain JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A server's store and its clock: one seeded asset (the id given, lower case, or the fixed one) and
 * a key (given or random); `stamp` gives each timestamp in `format`, never earlier than the last.
 */
export function clockedStore(
  format: (date: Date) => string,
  apiKey?: string,
  assetId: string = SEEDED_ASSET_ID,
): { store: Store; stamp: () => string; assetId: string } {
  let clock = 0;
  const stamp = (): string => {
    clock = Math.max(clock, Date.now());
    return format(new Date(clock));
  };
  const id = assetId.toLowerCase();
  return {
    store: seededStore(apiKey ?? `ref-${randomBytes(18).toString('base64url')}`, id, stamp()),
    stamp,
    assetId: id,
  };
}

/** A store holding one seeded asset, which a run may modify. */
function seededStore(apiKey: string, assetId: string, created: string): Store {
  const store: Store = { assets: new Map(), apiKey };
  const content = randomBytes(64);
  store.assets.set(assetId, {
    id: assetId,
    name: 'reference-asset.png',
    asset_hash: hashOf(content),
    size: content.length,
    mime_type: 'image/png',
    tags: ['input', 'conformance'],
    user_metadata: { source: 'embedded reference server' },
    // "If not provided, images will use their own ID as preview" (POST /api/assets in the cloud docs)
    preview_id: assetId,
    created_at: created,
    updated_at: created,
  });
  return store;
}

/** Each known field of a parsed body, read by the server's rules; the problems found. */
function readFields(parsed: Record<string, unknown>): { update: Update; problems: string[] } {
  const update: Update = {};
  const problems: string[] = [];
  const has = (name: string): boolean => Object.hasOwn(parsed, name);
  if (has('name')) {
    if (typeof parsed['name'] === 'string') update.name = parsed['name'];
    else problems.push('name must be a string');
  }
  if (has('tags')) {
    const tags = parsed['tags'];
    if (Array.isArray(tags) && tags.every((t) => typeof t === 'string')) update.tags = tags as string[];
    else problems.push('tags must be an array of strings');
  }
  if (has('mime_type')) {
    if (typeof parsed['mime_type'] === 'string') update.mime_type = parsed['mime_type'];
    else problems.push('mime_type must be a string');
  }
  if (has('preview_id')) {
    const p = parsed['preview_id'];
    if (typeof p === 'string' && UUID.test(p)) update.preview_id = p.toLowerCase();
    else problems.push('preview_id must be a uuid');
  }
  if (has('user_metadata')) {
    if (isObject(parsed['user_metadata'])) update.user_metadata = parsed['user_metadata'];
    else problems.push('user_metadata must be an object');
  }
  return { update, problems };
}

/** Reads a PUT body with the server's own rules: the update, or why it is refused. */
/**
 * A number JavaScript cannot keep as written: outside the double range (1e400 would become
 * Infinity, then null), or an integer beyond 2^53 (it would be rounded). Refused rather than
 * changed (RFC 7493 2.2; docs/contract.md, "Edges of the wire").
 */
function numberProblem(text: string): string | null {
  // Only an integer of 16 digits or more, or a positive exponent of 308 or more, can be such a number
  // (the full parse is slow: doubles of 17 digits and negative exponents are in every valid body).
  if (!/(?<![\d.])\d{16,}(?![\d.eE])|[eE]\+?0*(?:30[89]|3[1-9]\d|[4-9]\d\d|[1-9]\d{3,})/.test(text)) return null;
  let problem: string | null = null;
  const check = (digits: string): number => {
    const n = Number(digits);
    if (!Number.isFinite(n)) problem ??= `the number ${digits} is outside the range of a double`;
    else if (/^-?\d+$/.test(digits) && (BigInt(digits) > 2n ** 53n || BigInt(digits) < -(2n ** 53n)))
      problem ??= `the integer ${digits} is beyond 2^53 and cannot be kept exactly`;
    return n;
  };
  try {
    parseLossless(text, null, check);
  } catch {
    // (lossless-json refuses duplicate members with different values; JSON.parse keeps the last: that reading stands)
  }
  return problem;
}

export function readUpdateBody(text: string, contentType: string | undefined): Update | Refusal {
  const refuse = (code: string, message: string): Refusal => ({ status: 400, code, message });
  if (!/^application\/json\b/i.test(contentType ?? ''))
    return refuse('INVALID_CONTENT_TYPE', 'the body must be application/json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return refuse('INVALID_JSON', 'the body is not valid JSON');
  }
  const number = numberProblem(text);
  if (number) return refuse('INVALID_NUMBER', number);
  if (!isObject(parsed)) return refuse('INVALID_BODY', 'the body must be a JSON object');
  const { update, problems } = readFields(parsed);
  if (problems.length > 0) return refuse('INVALID_REQUEST', problems.join('; '));
  if (Object.keys(update).length === 0) {
    return refuse('NO_FIELDS', 'at least one of name, tags, mime_type, preview_id, user_metadata must be provided');
  }
  return update;
}

export function applyUpdate(asset: AssetRecord, update: Update): void {
  if (update.name !== undefined) asset.name = update.name;
  if (update.tags !== undefined) asset.tags = [...update.tags];
  if (update.mime_type !== undefined) asset.mime_type = update.mime_type;
  if (update.preview_id !== undefined) asset.preview_id = update.preview_id;
  if (update.user_metadata !== undefined) asset.user_metadata = update.user_metadata;
}

/** The 200 body of an update: the fields of AssetUpdated. */
export function updatedBody(asset: AssetRecord): unknown {
  const { id, name, asset_hash, tags, mime_type, user_metadata, updated_at } = asset;
  return { id, name, asset_hash, tags, mime_type, user_metadata, updated_at };
}
