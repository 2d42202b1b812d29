/**
 * The reference server's transport: node:http (or https) on loopback, reading each request whole,
 * then writing the routes' reply: framed by length, chunked or by the connection's end, and
 * content-coded if the variant says so. Variants may take a request over entirely
 * (hang, reset, ...), delay an answer, or rewrite any reply.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { createRoutes, error, idOfPath, payloadOf, type Reply, type RequestInfo, type RouteHooks } from './routes.ts';
import { clockedStore, type Store } from './store.ts';

/** One behaviour changed: every hook is optional and defaults to the reference behaviour. */
export interface Variant extends RouteHooks {
  name: string;
  /** How timestamps are written. */
  timestamp?(date: Date): string;
  /** Rewrites any reply before it is sent. */
  reply?(reply: Reply, request: RequestInfo, store: Store): Reply;
  /** Milliseconds to wait before answering (slow servers). */
  delayMs?(request: RequestInfo): number;
  /** Takes the request over entirely (to hang, reset, ...): return true when it did. */
  intercept?(request: RequestInfo, res: ServerResponse, socket: Socket): boolean;
  /**
   * How a body's end is marked (RFC 9112, 6.3): Content-Length (default); Transfer-Encoding:
   * chunked, in small pieces; or the end of the connection (no length, Connection: close).
   */
  framing?: 'length' | 'chunked' | 'close';
  /**
   * The content coding of a body with its name (RFC 9110, 8.4.1): gzip (or x-gzip), deflate and br are
   * applied; any other name only labels the body, which goes out as it is. Null or absent: none.
   */
  coding?(request: RequestInfo): string | null;
  /** How long an idle keep-alive connection stays open, in ms (default 30 s). */
  keepAliveMs?: number;
}

export interface ReferenceServer {
  baseUrl: string;
  apiKey: string;
  /** The seeded asset, which a run may modify. */
  assetId: string;
  store: Store;
  close(): Promise<void>;
}

export interface ReferenceServerOptions extends ReferenceOptions {
  port?: number;
  host?: string;
  /** Serve https with this certificate and key (PEM). */
  tls?: { cert: string; key: string };
}

/** Bodies larger than this are refused (400) unread. */
const MAX_BODY = 4 * 1024 * 1024;

/** The options both faces of the reference server (on a port, a fetch handler) take. */
export interface ReferenceOptions {
  apiKey?: string;
  /** Id of the seeded asset (a fixed one by default, so replays regenerate the same cases). */
  assetId?: string;
  /** One behaviour changed. */
  variant?: Variant;
}

/** The reference's answers over a store of its own, as both faces give them. */
export interface ReferenceAnswers {
  variant: Variant;
  store: Store;
  assetId: string;
  /**
   * The reply to a request read whole (`size`: its body's length, which may be more than `raw`
   * holds): a body over the cap refused, the routes', delayed and rewritten as the variant says. It
   * rejects when the routes throw: each face answers that with a 500 of its own.
   */
  answer(info: RequestInfo, raw: Buffer, size: number): Promise<Reply>;
}

export function referenceAnswers(options: ReferenceOptions): ReferenceAnswers {
  const variant: Variant = options.variant ?? { name: 'reference' };
  const format = variant.timestamp ?? ((date: Date) => date.toISOString());
  const { store, stamp, assetId } = clockedStore(format, options.apiKey, options.assetId);
  const route = createRoutes(store, variant, stamp);
  const answer = async (info: RequestInfo, raw: Buffer, size: number): Promise<Reply> => {
    const reply =
      size > MAX_BODY ? error(400, 'BODY_TOO_LARGE', `the body exceeds ${MAX_BODY} bytes`) : await route(info, raw);
    const delay = variant.delayMs?.(info) ?? 0;
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    return variant.reply ? variant.reply(reply, info, store) : reply;
  };
  return { variant, store, assetId, answer };
}

const ENCODERS: Record<string, (bytes: Buffer) => Buffer> = {
  gzip: gzipSync,
  'x-gzip': gzipSync,
  deflate: deflateSync,
  br: brotliCompressSync,
};

/** The body's bytes in the variant's content coding, with the header that names it. */
function encoded(payload: string, coding: string | null): { bytes: Buffer; headers: Record<string, string> } {
  const bytes = Buffer.from(payload);
  if (!coding) return { bytes, headers: {} };
  return { bytes: ENCODERS[coding]?.(bytes) ?? bytes, headers: { 'content-encoding': coding } };
}

function send(res: ServerResponse, reply: Reply, variant: Variant, request: RequestInfo | null): void {
  const payload = payloadOf(reply);
  if (payload === undefined) {
    res.writeHead(reply.status, reply.headers);
    res.end();
    return;
  }
  const { bytes, headers } = encoded(payload, request ? (variant.coding?.(request) ?? null) : null);
  const framing = variant.framing ?? 'length';
  if (framing === 'length') {
    res.writeHead(reply.status, { ...reply.headers, ...headers, 'content-length': String(bytes.length) });
    res.end(bytes);
    return;
  }
  // No Content-Length: node frames the body as chunked, or, without keep-alive, by closing the connection.
  if (framing === 'close') res.useChunkedEncodingByDefault = false;
  res.writeHead(reply.status, {
    ...reply.headers,
    ...headers,
    ...(framing === 'close' ? { connection: 'close' } : {}),
  });
  // small pieces (7 bytes) for the first KiB, then 16 KiB ones: a body of megabytes stays quick to send
  for (let i = 0; i < bytes.length; ) {
    const step = i < 1024 ? 7 : 16384;
    res.write(bytes.subarray(i, i + step));
    i += step;
  }
  res.end();
}

/** The request as the routes see it: path, query, headers, the body as text, the decoded id. */
function requestInfo(req: IncomingMessage, raw: Buffer): RequestInfo {
  const [path = '/', query = ''] = (req.url ?? '/').split('?');
  const id = idOfPath(path);
  return {
    method: req.method ?? 'GET',
    path,
    query,
    headers: req.headers,
    body: raw.toString('utf8'),
    ...(id !== undefined ? { id } : {}),
  };
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

function handlerFor({ variant, answer }: ReferenceAnswers): Handler {
  return (req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('error', () => res.destroy());
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const info = requestInfo(req, raw);
      if (variant.intercept?.(info, res, req.socket)) return;
      answer(info, raw, size)
        .then((reply) => send(res, reply, variant, info))
        .catch((e: unknown) => send(res, error(500, 'INTERNAL', String(e)), variant, null));
    });
  };
}

/** Keeps track of open connections, so that close() ends them. */
function trackSockets(server: Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return sockets;
}

export function startReferenceServer(options: ReferenceServerOptions = {}): Promise<ReferenceServer> {
  const answers = referenceAnswers(options);
  const { store, assetId, variant } = answers;
  const handler = handlerFor(answers);
  const server: Server = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handler)
    : createServer(handler);
  server.keepAliveTimeout = variant.keepAliveMs ?? 30_000;
  const sockets = trackSockets(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const host = options.host ?? '127.0.0.1';
    server.listen(options.port ?? 0, host, () => {
      const { port } = server.address() as AddressInfo;
      const close = (): Promise<void> =>
        new Promise<void>((done) => {
          for (const socket of sockets) socket.destroy();
          server.close(() => done());
        });
      resolve({
        baseUrl: `${options.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`,
        apiKey: store.apiKey,
        assetId,
        store,
        close,
      });
    });
  });
}
