/**
 * The reference server as a fetch handler, `(request: Request) => Promise<Response>`: the same
 * routes and store as the one on a port, with no socket. A run's in-process target, a mock's
 * reference, and the other half of "the same handler behind a port" (tests/bench/in-process.ts).
 */
import { error, idOfPath, payloadOf, type Reply, type RequestInfo } from './routes.ts';
import type { Store } from './store.ts';
import { type ReferenceOptions, referenceAnswers } from './transport.ts';

export interface ReferenceHandler {
  fetch(request: Request): Promise<Response>;
  apiKey: string;
  /** The seeded asset, which a run may modify. */
  assetId: string;
  store: Store;
}

/** A variant's socket behaviours (framing, intercepts, content codings, keep-alive) do not apply here. */
export type ReferenceHandlerOptions = ReferenceOptions;

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

/** The reference server's routes over a store of their own, as a fetch handler. */
export function createReferenceHandler(options: ReferenceHandlerOptions = {}): ReferenceHandler {
  const { store, assetId, answer } = referenceAnswers(options);
  return {
    apiKey: store.apiKey,
    assetId,
    store,
    async fetch(request) {
      const raw = Buffer.from(await request.arrayBuffer());
      const info = infoOf(request, raw.toString('utf8'));
      const reply: Reply = await answer(info, raw, raw.length).catch((e: unknown) => error(500, 'INTERNAL', String(e)));
      return new Response(payloadOf(reply) ?? null, { status: reply.status, headers: reply.headers });
    },
  };
}
