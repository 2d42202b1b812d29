/**
 * A tiny in-memory server of PUT /api/assets/{id} (and the GET the suite reads the asset back
 * with): the kind of mock a front-end team writes. No dependencies, one asset, one key.
 *
 * `startServer({ fault: 'trim-name' })` gives it one fault (names stored trimmed), to see the
 * suite fail on the right requirement.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_BODY = 4 * 1024 * 1024;

const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const hasNonFinite = (v) =>
  typeof v === 'number'
    ? !Number.isFinite(v)
    : typeof v === 'object' && v !== null && Object.values(v).some(hasNonFinite);

/** The update a body asks for, or the reason it is refused. */
function readUpdate(text, fault) {
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
  const field = (name, ok, value = body[name]) => {
    if (!Object.hasOwn(body, name)) return true;
    if (!ok(body[name])) return false;
    update[name] = value;
    return true;
  };
  const valid =
    field('name', (v) => typeof v === 'string', fault === 'trim-name' ? String(body.name).trim() : body.name) &&
    field('tags', (v) => Array.isArray(v) && v.every((t) => typeof t === 'string')) &&
    field('mime_type', (v) => typeof v === 'string') &&
    field('preview_id', (v) => typeof v === 'string' && UUID.test(v)) &&
    field('user_metadata', isObject);
  return valid ? { update } : { error: 'a field has the wrong type' };
}

/**
 * Starts the server on a free loopback port. The asset's id is fixed by default, so that the
 * suite's seed regenerates the same cases (a printed replay line stays valid across runs).
 */
export function startServer({
  apiKey = randomBytes(18).toString('base64url'),
  assetId = '3d9a1c52-7f0e-4b8a-9c6d-2e5f8a1b4c70',
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

  const answer = (req, body) => {
    const error = (status, code, message) => [status, { code, message }];
    if (req.headers['x-api-key'] !== apiKey) return error(401, 'UNAUTHORIZED', 'a valid X-API-Key is required');
    const match = /^\/api\/assets\/([^/?]+)$/.exec(req.url.split('?')[0]);
    if (!match) return error(404, 'NOT_FOUND', 'no such route');
    if (req.method !== 'GET' && req.method !== 'PUT') return error(405, 'METHOD_NOT_ALLOWED', 'GET or PUT');
    const id = decodeURIComponent(match[1]);
    if (!UUID.test(id)) return error(400, 'INVALID_ID', 'the asset id must be a uuid');
    if (id.toLowerCase() !== assetId) return error(404, 'NOT_FOUND', 'asset not found');
    if (req.method === 'GET') return [200, asset];
    if (body === null) return error(413, 'TOO_LARGE', `the body must be under ${MAX_BODY} bytes`);
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? ''))
      return error(400, 'INVALID_CONTENT_TYPE', 'the body must be application/json');
    const read = readUpdate(body, fault);
    if (read.error) return error(400, 'INVALID_BODY', read.error);
    Object.assign(asset, read.update, { updated_at: now() });
    return [200, asset];
  };

  const server = createServer((req, res) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => {
      let status, body;
      try {
        [status, body] = answer(req, size > MAX_BODY ? null : Buffer.concat(chunks).toString('utf8'));
      } catch {
        [status, body] = [400, { code: 'BAD_REQUEST', message: 'the request could not be read' }];
      }
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        baseUrl: `http://127.0.0.1:${port}`,
        apiKey,
        assetId,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
