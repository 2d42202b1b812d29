/**
 * The reference server's routes: PUT, GET and DELETE /api/assets/{id}, multipart POST
 * /api/assets (blake3 content hash) and GET /api/assets?include_tags=. Each answers a Reply, which
 * a variant may rewrite before the transport writes it.
 */
import { randomUUID } from 'node:crypto';
import {
  type AssetRecord,
  applyUpdate,
  hashOf,
  isObject,
  readUpdateBody,
  type Store,
  type Update,
  UUID,
  updatedBody,
} from './store.ts';

/** What a handler answers, before it is written: variants may rewrite it. */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  /** A JSON value (serialised on send) or raw text (sent as is). */
  body?: { json: unknown } | { text: string };
}

/** The text a reply's body is sent as (JSON serialised), or undefined for no body. */
export function payloadOf(reply: Reply): string | undefined {
  if (reply.body === undefined) return undefined;
  return 'json' in reply.body ? JSON.stringify(reply.body.json) : reply.body.text;
}

export interface RequestInfo {
  method: string;
  /** Path without the query string, as received (still percent-encoded). */
  path: string;
  /** The query string, without '?'. */
  query: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The route's id parameter, decoded, when the path is /api/assets/{id}. */
  id?: string;
}

/** The hooks through which a variant changes one behaviour of the routes (see transport.ts for the rest). */
export interface RouteHooks {
  /** Whether the request's credential is accepted. */
  authorize?(key: string | undefined, store: Store): boolean;
  /** Applies a validated update to the stored asset (may take its time). */
  applyUpdate?(asset: AssetRecord, update: Update, store: Store): void | Promise<void>;
  /** The 200 body for an updated asset. */
  updatedBody?(asset: AssetRecord): unknown;
  /** Serves GET /api/assets/{id} (default true). */
  get?: boolean;
  /** A preview_id must name an existing asset, else 404 (default true). */
  requirePreview?: boolean;
}

/** The id a path names (/api/assets/{id}), percent-decoded where it can be; undefined for another path. */
export function idOfPath(path: string): string | undefined {
  const match = /^\/api\/assets\/([^/]+)$/.exec(path);
  if (!match) return undefined;
  try {
    return decodeURIComponent(match[1] as string);
  } catch {
    return match[1];
  }
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  body: { json: body },
});
export const error = (status: number, code: string, message: string): Reply => json(status, { code, message });

/** Reads a PUT body with the server's own rules. Returns the update or a 400 reply. */
export function readUpdate(text: string, contentType: string | string[] | undefined): Update | Reply {
  const read = readUpdateBody(text, typeof contentType === 'string' ? contentType : undefined);
  return 'status' in read ? error(read.status, read.code, read.message) : read;
}

const fullAsset = (a: AssetRecord): unknown => ({ ...a });

/** A form-data upload, parsed by the platform's own multipart reader. */
async function readUpload(req: RequestInfo, raw: Buffer): Promise<FormData | null> {
  try {
    const request = new Request('http://local/upload', {
      method: 'POST',
      headers: { 'content-type': String(req.headers['content-type'] ?? '') },
      body: raw,
    });
    return await request.formData();
  } catch {
    return null;
  }
}

function parseTags(form: FormData): string[] {
  return form
    .getAll('tags')
    .flatMap((t) =>
      typeof t === 'string' ? (t.trim().startsWith('[') ? (JSON.parse(t) as string[]) : t.split(',')) : [],
    )
    .map((t) => t.trim())
    .filter(Boolean);
}

function parseMetadata(
  text: string | undefined,
): { ok: true; value: Record<string, unknown> } | { ok: false; reply: Reply } {
  if (text === undefined) return { ok: true, value: {} };
  try {
    const parsed: unknown = JSON.parse(text);
    if (!isObject(parsed)) throw new Error('not an object');
    return { ok: true, value: parsed };
  } catch {
    return { ok: false, reply: error(400, 'INVALID_METADATA', 'user_metadata must be a JSON object') };
  }
}

/** GET /api/assets?include_tags=a,b: the assets that carry every tag listed. */
function list(store: Store, req: RequestInfo): Reply {
  const query = new URLSearchParams(req.query);
  const include = (query.get('include_tags') ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const limit = Math.min(500, Math.max(1, Number(query.get('limit') ?? 20) || 20));
  const offset = Math.max(0, Number(query.get('offset') ?? 0) || 0);
  const matching = [...store.assets.values()].filter((a) => include.every((t) => a.tags.includes(t)));
  return json(200, {
    assets: matching.slice(offset, offset + limit).map(fullAsset),
    total: matching.length,
    has_more: offset + limit < matching.length,
  });
}

async function upload(store: Store, stamp: () => string, req: RequestInfo, raw: Buffer): Promise<Reply> {
  const form = await readUpload(req, raw);
  if (!form) return error(400, 'INVALID_FORM', 'the body must be multipart/form-data');
  const file = form.get('file');
  if (!(file instanceof Blob)) return error(400, 'MISSING_FILE', 'a file part is required');
  const bytes = new Uint8Array(await file.arrayBuffer());
  const hash = hashOf(bytes);
  const existing = [...store.assets.values()].find((a) => a.asset_hash === hash);
  if (existing) return json(200, { ...existing, created_new: false });
  const text = (name: string): string | undefined => {
    const v = form.get(name);
    return typeof v === 'string' ? v : undefined;
  };
  const metadata = parseMetadata(text('user_metadata'));
  if (!metadata.ok) return metadata.reply;
  const tags = parseTags(form);
  const id = text('id')?.toLowerCase() ?? randomUUID();
  if (!UUID.test(id)) return error(400, 'INVALID_ID', 'id must be a uuid');
  const at = stamp();
  const asset: AssetRecord = {
    id,
    name: text('name') ?? (file instanceof File ? file.name : 'upload'),
    asset_hash: hash,
    size: bytes.length,
    mime_type: text('mime_type') ?? (file.type || 'application/octet-stream'),
    tags,
    user_metadata: metadata.value,
    preview_id: text('preview_id')?.toLowerCase() ?? null,
    created_at: at,
    updated_at: at,
  };
  store.assets.set(id, asset);
  return json(201, { ...asset, created_new: true });
}

/** The routes over one store; `stamp` gives each timestamp (never earlier than the last). */
export function createRoutes(
  store: Store,
  hooks: RouteHooks,
  stamp: () => string,
): (req: RequestInfo, raw: Buffer) => Promise<Reply> {
  const authorized = (req: RequestInfo): boolean => {
    const key = req.headers['x-api-key'];
    const value = Array.isArray(key) ? key[0] : key;
    return hooks.authorize ? hooks.authorize(value, store) : value === store.apiKey;
  };

  async function put(req: RequestInfo, asset: AssetRecord): Promise<Reply> {
    const update = readUpdate(req.body, req.headers['content-type']);
    if ('status' in update) return update;
    if (update.preview_id !== undefined && hooks.requirePreview !== false && !store.assets.has(update.preview_id)) {
      return error(404, 'PREVIEW_NOT_FOUND', 'the preview asset does not exist');
    }
    await (hooks.applyUpdate ?? applyUpdate)(asset, update, store);
    asset.updated_at = stamp();
    return json(200, (hooks.updatedBody ?? updatedBody)(asset));
  }

  async function byId(req: RequestInfo): Promise<Reply> {
    const id = req.id as string;
    if (!['PUT', 'GET', 'DELETE'].includes(req.method) || (req.method === 'GET' && hooks.get === false)) {
      return error(404, 'NOT_FOUND', `no route for ${req.method} on this path`);
    }
    if (!UUID.test(id)) return error(400, 'INVALID_ID', 'the asset id must be a uuid');
    const asset = store.assets.get(id.toLowerCase());
    if (!asset) return error(404, 'NOT_FOUND', 'asset not found');
    if (req.method === 'GET') return json(200, fullAsset(asset));
    if (req.method === 'DELETE') {
      store.assets.delete(asset.id);
      return { status: 204, headers: {} };
    }
    return put(req, asset);
  }

  return async (req, raw) => {
    if (!authorized(req)) return error(401, 'UNAUTHORIZED', 'a valid X-API-Key header is required');
    if (req.path === '/api/assets' && req.method === 'POST') return upload(store, stamp, req, raw);
    if (req.path === '/api/assets' && req.method === 'GET') return list(store, req);
    if (!/^\/api\/assets\/([^/]+)$/.test(req.path)) return error(404, 'NOT_FOUND', 'no such route');
    return byId(req);
  };
}
