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
  /** The body: text (sent as UTF-8) or bytes; absent for no body. */
  body?: string | Uint8Array;
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

/** Thrown by `send` once the request budget is spent or the run was stopped: nothing more is sent. */
export class StopSending extends Error {
  override name = 'StopSending';
  constructor(readonly reason: string) {
    super(reason);
  }
}

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
  /** Ceiling on requests per second (0: none). */
  rate?: number;
  /** Most requests the run may send (0: no limit); restore and clean-up requests are not counted against it. */
  maxRequests?: number;
  /** PEM certificate(s) to trust for https targets, besides the system's. */
  ca?: string;
  /** Sees every request sent (benchmarks replay the same mix). */
  tap?: (request: OutgoingRequest) => void;
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
  /** Answers 429 (or 503 with Retry-After) that were waited out or given up. */
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
  /** When the next request may start, for the rate ceiling. */
  #nextSlot = 0;
  /** Why nothing more is sent (budget spent, run stopped), or null. */
  #stopped: string | null = null;

  constructor(options: Partial<ClientOptions> = {}) {
    this.#options = { ...DEFAULT_CLIENT_OPTIONS, ...options };
    this.#agent = new Agent({
      keepAliveTimeout: 10_000,
      connections: this.#options.connections ?? 8,
      headersTimeout: this.#options.timeoutMs,
      bodyTimeout: this.#options.timeoutMs,
      connect: { timeout: this.#options.timeoutMs, ...(this.#options.ca ? { ca: this.#options.ca } : {}) },
    });
  }

  /** Stops all further sending (the run's end, an interrupt): `send` then throws StopSending. */
  stop(reason: string): void {
    this.#stopped ??= reason;
  }

  get stoppedReason(): string | null {
    return this.#stopped;
  }

  /** Waits for the next slot under the rate ceiling. */
  async #pace(): Promise<void> {
    const rate = this.#options.rate ?? 0;
    if (rate <= 0) return;
    const now = Date.now();
    const slot = Math.max(now, this.#nextSlot);
    this.#nextSlot = slot + 1000 / rate;
    if (slot > now) await sleep(slot - now);
  }

  get options(): Readonly<ClientOptions> {
    return this.#options;
  }

  /** One request, no retries. */
  async sendOnce(request: OutgoingRequest): Promise<Outcome> {
    const started = performance.now();
    const ms = (): number => Math.round((performance.now() - started) * 10) / 10;
    this.stats.requests++;
    this.#options.tap?.(request);
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
      // Fast path: a declared length within the cap is read whole (undici still stops at the
      // declared length); otherwise the body is streamed and cut at the cap.
      const declared = Number(headers['content-length']);
      if (headers['content-length'] !== undefined && Number.isInteger(declared) && declared <= this.#options.maxBodyBytes) {
        const text = await res.body.text();
        return { kind: 'response', status, headers, text, bytes: declared, ms: ms() };
      }
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

  /**
   * A request of the run: paced under the rate ceiling, counted against the budget; a 429 (or a
   * 503 with Retry-After) is waited out (Retry-After, bounded) and retried a bounded number of
   * times. `essential` requests (restore, clean-up) are sent even when the budget is spent.
   */
  async send(request: OutgoingRequest, essential = false): Promise<{ outcome: Outcome; rateLimited: boolean }> {
    for (let attempt = 0; ; attempt++) {
      if (!essential) {
        if (this.#stopped) throw new StopSending(this.#stopped);
        const max = this.#options.maxRequests ?? 0;
        if (max > 0 && this.stats.requests >= max) {
          this.stop(`the request budget (--max-requests ${max}) is spent`);
          throw new StopSending(this.#stopped ?? "budget spent");
        }
        await this.#pace();
      }
      const outcome = await this.sendOnce(request);
      const limited = outcome.kind === 'response' && (outcome.status === 429 || (outcome.status === 503 && outcome.headers['retry-after'] !== undefined));
      if (!limited) return { outcome, rateLimited: false };
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
