/**
 * The reference server as a fetch handler, `(request: Request) => Promise<Response>`: the same
 * routes and store as the one on a port, with no socket. A run's in-process target, a mock's
 * reference, and the other half of "the same handler behind a port" (see toNodeListener).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRoutes, error, idOfPath, type Reply, type RequestInfo } from './routes.ts';
import { clockedStore, type Store } from './store.ts';
import type { Variant } from './transport.ts';

export interface ReferenceHandler {
  fetch(request: Request): Promise<Response>;
  apiKey: string;
  /** The seeded asset, which a run may modify. */
  assetId: string;
  store: Store;
}

export interface ReferenceHandlerOptions {
  apiKey?: string;
  /** Id of the seeded asset (a fixed one by default). */
  assetId?: string;
  /** One behaviour changed (what a variant does on a socket, framing, intercepts and codings, does not apply). */
  variant?: Variant;
}

const MAX_BODY = 4 * 1024 * 1024;

/** The request as the routes see it: path still percent-encoded, the id decoded. */
function infoOf(request: Request, body: string): RequestInfo {
  const url = new URL(request.url);
  const id = idOfPath(url.pathname);
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return {
    method: request.method,
    path: url.pathname,
    query: url.search.replace(/^\?/, ''),
    headers,
    body,
    ...(id !== undefined ? { id } : {}),
  };
}

function responseOf(reply: Reply): Response {
  const body =
    reply.body === undefined ? null : 'json' in reply.body ? JSON.stringify(reply.body.json) : reply.body.text;
  return new Response(body, { status: reply.status, headers: reply.headers });
}

/** The reference server's routes over a store of their own, as a fetch handler. */
export function createReferenceHandler(options: ReferenceHandlerOptions = {}): ReferenceHandler {
  const variant: Variant = options.variant ?? { name: 'reference' };
  const format = variant.timestamp ?? ((date: Date) => date.toISOString());
  const { store, stamp, assetId } = clockedStore(format, options.apiKey, options.assetId);
  const route = createRoutes(store, variant, stamp);
  return {
    apiKey: store.apiKey,
    assetId,
    store,
    async fetch(request) {
      const raw = Buffer.from(await request.arrayBuffer());
      const info = infoOf(request, raw.toString('utf8'));
      let reply: Reply;
      try {
        reply =
          raw.length > MAX_BODY
            ? error(400, 'BODY_TOO_LARGE', `the body exceeds ${MAX_BODY} bytes`)
            : await route(info, raw);
      } catch (e) {
        reply = error(500, 'INTERNAL', String(e));
      }
      const delay = variant.delayMs?.(info) ?? 0;
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      return responseOf(variant.reply ? variant.reply(reply, info, store) : reply);
    },
  };
}

/**
 * A fetch handler behind node:http: each request read whole into a Request, the Response written
 * back. What `@hono/node-server` and friends do, in a few lines: the same handler on a port.
 */
export function toNodeListener(
  handler: (request: Request) => Response | Promise<Response>,
  origin: () => string,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers))
        for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, v);
      const method = req.method ?? 'GET';
      const body = method === 'GET' || method === 'HEAD' ? null : Buffer.concat(chunks);
      Promise.resolve()
        .then(() => handler(new Request(`${origin()}${req.url ?? '/'}`, { method, headers, body })))
        .then(async (response) => {
          const bytes = Buffer.from(await response.arrayBuffer());
          const out: Record<string, string> = {};
          response.headers.forEach((value, name) => {
            out[name] = value;
          });
          res.writeHead(response.status, { ...out, 'content-length': String(bytes.length) });
          res.end(bytes);
        })
        .catch(() => res.destroy());
    });
  };
}
