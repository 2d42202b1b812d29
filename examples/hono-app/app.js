/**
 * A Hono app of PUT /api/assets/{id} (and the GET the suite reads the asset back with): an
 * in-memory mock of the kind a front-end team keeps, with one asset and one key. The suite calls
 * `app.fetch` in the test process: no port.
 *
 * `createApp({ fault: 'drop-tags' })` gives it one fault (tags are not stored), to see the suite
 * fail on the right requirement.
 */
import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';

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

export function createApp({
  apiKey = randomBytes(18).toString('base64url'),
  assetId = '7c1e4b2a-3f5d-4e6a-8b9c-0d1e2f3a4b5c',
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
  const fail = (c, status, code, message) => c.json({ code, message }, status);

  const app = new Hono();
  app.use('*', async (c, next) => {
    if (c.req.header('x-api-key') !== apiKey) return fail(c, 401, 'UNAUTHORIZED', 'a valid X-API-Key is required');
    await next();
  });
  app.on(['GET', 'PUT'], '/api/assets/:id', async (c) => {
    const id = c.req.param('id');
    if (!UUID.test(id)) return fail(c, 400, 'INVALID_ID', 'the asset id must be a uuid');
    if (id.toLowerCase() !== assetId) return fail(c, 404, 'NOT_FOUND', 'asset not found');
    if (c.req.method === 'GET') return c.json(asset);
    if (!/^application\/json\b/i.test(c.req.header('content-type') ?? ''))
      return fail(c, 400, 'INVALID_CONTENT_TYPE', 'the body must be application/json');
    const read = readUpdate(await c.req.text());
    if (read.error) return fail(c, 400, 'INVALID_BODY', read.error);
    if (fault === 'drop-tags') delete read.update.tags;
    Object.assign(asset, read.update, { updated_at: now() });
    return c.json(asset);
  });
  app.notFound((c) => fail(c, 404, 'NOT_FOUND', 'no such route'));
  app.onError((_error, c) => fail(c, 400, 'BAD_REQUEST', 'the request could not be read'));
  return { app, apiKey, assetId };
}
