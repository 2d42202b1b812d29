/**
 * MSW request handlers of PUT /api/assets/{id} (and the GET the suite reads the asset back with),
 * as a front-end project keeps them for its tests and its dev server: an in-memory mock with one
 * asset and one key. The same handlers serve `setupServer` and `setupWorker`; the suite runs them
 * through MSW's `getResponse`, in-process.
 *
 * `createHandlers({ fault: 'merge-metadata' })` gives them one fault (user_metadata is merged into
 * the old one instead of replacing it), to see the suite fail on the right requirement.
 */
import { randomBytes } from 'node:crypto';
import { HttpResponse, http } from 'msw';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const hasNonFinite = (v) =>
  typeof v === 'number'
    ? !Number.isFinite(v)
    : isObject(v) || Array.isArray(v)
      ? Object.values(v).some(hasNonFinite)
      : false;

/** What each body field must be; a field the body does not name is left alone. */
const FIELDS = {
  name: (v) => typeof v === 'string',
  tags: (v) => Array.isArray(v) && v.every((t) => typeof t === 'string'),
  mime_type: (v) => typeof v === 'string',
  preview_id: (v) => typeof v === 'string' && UUID.test(v),
  user_metadata: isObject,
};

/** The update a body asks for, or why it is refused. */
function readUpdate(text) {
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    return { error: 'the body must be JSON' };
  }
  if (!isObject(body)) return { error: 'the body must be a JSON object' };
  if (Object.keys(body).length === 0) return { error: 'at least one field must be provided' };
  if (hasNonFinite(body)) return { error: 'a number is outside the range of a double' };
  const update = {};
  for (const [name, ok] of Object.entries(FIELDS)) {
    if (!Object.hasOwn(body, name)) continue;
    if (!ok(body[name])) return { error: `${name} has the wrong type` };
    update[name] = body[name];
  }
  return { update };
}

export function createHandlers({
  apiKey = randomBytes(18).toString('base64url'),
  assetId = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
  fault,
} = {}) {
  let clock = 0;
  const now = () => {
    clock = Math.max(clock, Date.now()); // never earlier than the last timestamp given
    return new Date(clock).toISOString();
  };
  const created = now();
  const asset = {
    id: assetId,
    name: 'example.png',
    asset_hash: `blake3:${randomBytes(32).toString('hex')}`,
    size: 1024,
    mime_type: 'image/png',
    tags: ['input'],
    user_metadata: {},
    preview_id: assetId,
    created_at: created,
    updated_at: created,
  };
  const fail = (status, code, message) => HttpResponse.json({ code, message }, { status });

  /** The asset a request names, or the error answer: a wrong key first, then the id. */
  const find = (request, id) => {
    if (request.headers.get('x-api-key') !== apiKey) return fail(401, 'UNAUTHORIZED', 'a valid X-API-Key is required');
    if (!UUID.test(id)) return fail(400, 'INVALID_ID', 'the asset id must be a uuid');
    if (id.toLowerCase() !== assetId) return fail(404, 'NOT_FOUND', 'asset not found');
    return null;
  };

  const handlers = [
    http.get('*/api/assets/:id', ({ request, params }) => find(request, params.id) ?? HttpResponse.json(asset)),
    http.put('*/api/assets/:id', async ({ request, params }) => {
      const refused = find(request, params.id);
      if (refused) return refused;
      if (!/^application\/json\b/i.test(request.headers.get('content-type') ?? ''))
        return fail(400, 'INVALID_CONTENT_TYPE', 'the body must be application/json');
      const read = readUpdate(await request.text());
      if (read.error) return fail(400, 'INVALID_BODY', read.error);
      if (fault === 'merge-metadata' && read.update.user_metadata)
        read.update.user_metadata = { ...asset.user_metadata, ...read.update.user_metadata };
      Object.assign(asset, read.update, { updated_at: now() });
      return HttpResponse.json(asset);
    }),
    // anything else of the API: refused as a server would, never passed through to the network
    http.all('*', ({ request }) =>
      request.headers.get('x-api-key') !== apiKey
        ? fail(401, 'UNAUTHORIZED', 'a valid X-API-Key is required')
        : fail(404, 'NOT_FOUND', 'no such route'),
    ),
  ];
  return { handlers, apiKey, assetId };
}
