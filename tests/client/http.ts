/**
 * Sends requests with undici over a keep-alive pool. Whatever the target does (hangs, resets,
 * sends garbage or a huge body, rate limits) comes back as data, never as a thrown error:
 * the checks turn it into a verdict.
 */
import { Agent, errors as undiciErrors } from 'undici';

export interface OutgoingRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** Text of the body, sent as UTF-8; absent for no body. */
  body?: string;
}

export interface HttpResponse {
  kind: 'response';
  status: number;
  headers: Record<string, string>;
  /** The body as text (UTF-8), at most `maxBodyBytes`. */
  text: string;
  bytes: number;
  ms: number;
}

export type FailureKind = 'timeout' | 'reset' | 'refused' | 'too-large' | 'protocol' | 'dns' | 'tls' | 'error';

export interface TransportFailure {
  kind: 'failure';
  failure: FailureKind;
  message: string;
  ms: number;
  /** Status when the failure came after the headers (a reset mid-body, a body over the cap). */
  status?: number;
  headers?: Record<string, string>;
}

export type Outcome = HttpResponse | TransportFailure;

export interface ClientOptions {
  timeoutMs: number;
  maxBodyBytes: number;
  /** How often a 429 (with or without Retry-After) is retried before it is given up. */
  maxRateLimitRetries: number;
  /** Longest wait honoured from a Retry-After header. */
  maxRetryAfterMs: number;
  connections?: number;
}

export const DEFAULT_CLIENT_OPTIONS: ClientOptions = {
  timeoutMs: 10_000,
  maxBodyBytes: 1024 * 1024,
  maxRateLimitRetries: 3,
  maxRetryAfterMs: 10_000,
  connections: 4,
};

export interface ClientStats {
  requests: number;
  rateLimited: number;
  retries: number;
}

function flatHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function classify(error: unknown): { failure: FailureKind; message: string } {
  const e = error as { code?: string; name?: string; message?: string; cause?: unknown };
  const code = e.code ?? (e.cause as { code?: string } | undefined)?.code ?? '';
  const message = e.message ?? String(error);
  if (error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError || e.name === 'TimeoutError' || e.name === 'AbortError' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return { failure: 'timeout', message: 'no complete response within the timeout' };
  }
  if (code === 'ECONNREFUSED') return { failure: 'refused', message: `connection refused (${message})` };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { failure: 'dns', message: `host name not resolved (${code})` };
  if (/CERT|SSL|TLS|ERR_TLS/i.test(code) || /certificate|SSL/i.test(message)) return { failure: 'tls', message: `TLS error: ${message}` };
  if (error instanceof undiciErrors.ResponseExceededMaxSizeError) return { failure: 'too-large', message };
  if (code === 'HPE_INVALID_CONSTANT' || code.startsWith('HPE_') || error instanceof undiciErrors.HTTPParserError) return { failure: 'protocol', message: `invalid HTTP: ${message}` };
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET' || error instanceof undiciErrors.SocketError) return { failure: 'reset', message: `connection closed or reset (${message})` };
  return { failure: 'error', message };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

/** Seconds or HTTP-date, per RFC 9110; null when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | null {
  if (value === undefined) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

export class HttpClient {
  readonly stats: ClientStats = { requests: 0, rateLimited: 0, retries: 0 };
  readonly #agent: Agent;
  readonly #options: ClientOptions;

  constructor(options: Partial<ClientOptions> = {}) {
    this.#options = { ...DEFAULT_CLIENT_OPTIONS, ...options };
    this.#agent = new Agent({
      keepAliveTimeout: 10_000,
      connections: this.#options.connections ?? 4,
      headersTimeout: this.#options.timeoutMs,
      bodyTimeout: this.#options.timeoutMs,
      connect: { timeout: this.#options.timeoutMs },
    });
  }

  get options(): Readonly<ClientOptions> {
    return this.#options;
  }

  /** One request, no retries. */
  async sendOnce(request: OutgoingRequest): Promise<Outcome> {
    const started = performance.now();
    const ms = (): number => Math.round((performance.now() - started) * 10) / 10;
    this.stats.requests++;
    let status: number | undefined;
    let headers: Record<string, string> | undefined;
    try {
      const url = new URL(request.url);
      const res = await this.#agent.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: request.method as 'PUT',
        headers: request.headers,
        body: request.body,
        signal: AbortSignal.timeout(this.#options.timeoutMs),
      });
      status = res.statusCode;
      headers = flatHeaders(res.headers);
      const chunks: Buffer[] = [];
      let bytes = 0;
      for await (const chunk of res.body) {
        const buf = chunk as Buffer;
        bytes += buf.length;
        if (bytes > this.#options.maxBodyBytes) {
          res.body.destroy();
          return { kind: 'failure', failure: 'too-large', message: `body larger than ${this.#options.maxBodyBytes} bytes (reading stopped there)`, ms: ms(), status, headers };
        }
        chunks.push(buf);
      }
      return { kind: 'response', status, headers, text: Buffer.concat(chunks).toString('utf8'), bytes, ms: ms() };
    } catch (error) {
      const { failure, message } = classify(error);
      return { kind: 'failure', failure, message, ms: ms(), ...(status !== undefined ? { status, headers } : {}) };
    }
  }

  /** A request; a 429 is waited out (Retry-After, bounded) and retried a bounded number of times. */
  async send(request: OutgoingRequest): Promise<{ outcome: Outcome; rateLimited: boolean }> {
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.sendOnce(request);
      if (outcome.kind !== 'response' || outcome.status !== 429) return { outcome, rateLimited: false };
      this.stats.rateLimited++;
      if (attempt >= this.#options.maxRateLimitRetries) return { outcome, rateLimited: true };
      this.stats.retries++;
      const wait = retryAfterMs(outcome.headers['retry-after']) ?? 1000 * 2 ** attempt;
      await sleep(Math.min(wait, this.#options.maxRetryAfterMs));
    }
  }

  async close(): Promise<void> {
    await this.#agent.close().catch(() => undefined);
  }
}
