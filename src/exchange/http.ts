/**
 * Sends requests with undici over a keep-alive pool. Whatever the target does (hangs, resets,
 * sends garbage or a huge body, rate limits) comes back as data, never as a thrown error:
 * the checks turn it into a verdict.
 */
import { Agent, type Dispatcher, errors as undiciErrors } from 'undici';
import { StopSending } from '../errors.ts';

export interface OutgoingRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** The body: text (sent as UTF-8) or bytes; absent for no body. */
  body?: string | Uint8Array;
}

interface HttpResponse {
  kind: 'response';
  status: number;
  headers: Record<string, string>;
  /** The body as text (UTF-8), at most `maxBodyBytes`. */
  text: string;
  bytes: number;
  ms: number;
}

type FailureKind = 'timeout' | 'reset' | 'refused' | 'too-large' | 'protocol' | 'dns' | 'tls' | 'error';

interface TransportFailure {
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

const DEFAULT_CLIENT_OPTIONS: ClientOptions = {
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
  /** Requests sent again after the connection was closed or reset before any answer (a stale keep-alive connection). */
  resetRetries: number;
}

/** Methods that may be sent again when a connection dies before any answer (RFC 9110, 9.2.2). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

function flatHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw))
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function classify(error: unknown): { failure: FailureKind; message: string } {
  const e = error as { code?: string; name?: string; message?: string; cause?: unknown };
  const code = e.code ?? (e.cause as { code?: string } | undefined)?.code ?? '';
  const message = e.message ?? String(error);
  if (
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError ||
    e.name === 'TimeoutError' ||
    e.name === 'AbortError' ||
    code === 'UND_ERR_CONNECT_TIMEOUT'
  ) {
    return { failure: 'timeout', message: 'no complete response within the timeout' };
  }
  if (code === 'ECONNREFUSED') return { failure: 'refused', message: `connection refused (${message})` };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return { failure: 'dns', message: `host name not resolved (${code})` };
  if (/CERT|SSL|TLS|ERR_TLS/i.test(code) || /certificate|SSL/i.test(message))
    return { failure: 'tls', message: `TLS error: ${message}` };
  if (error instanceof undiciErrors.ResponseExceededMaxSizeError) return { failure: 'too-large', message };
  if (code === 'HPE_INVALID_CONSTANT' || code.startsWith('HPE_') || error instanceof undiciErrors.HTTPParserError)
    return { failure: 'protocol', message: `invalid HTTP: ${message}` };
  if (
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    code === 'UND_ERR_SOCKET' ||
    error instanceof undiciErrors.SocketError
  )
    return { failure: 'reset', message: `connection closed or reset (${message})` };
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

/**
 * Collects one response through undici's dispatch handler, with no response stream and no
 * AbortSignal: it settles once, with the answer, a failure, or the deadline (one plain timer).
 */
class Collector implements Dispatcher.DispatchHandler {
  readonly #started = performance.now();
  readonly #timer: NodeJS.Timeout;
  #settled = false;
  #controller: Dispatcher.DispatchController | undefined;
  #status: number | undefined;
  #headers: Record<string, string> | undefined;
  readonly #chunks: Buffer[] = [];
  #bytes = 0;

  constructor(
    private readonly resolve: (outcome: Outcome) => void,
    private readonly maxBodyBytes: number,
    timeoutMs: number,
  ) {
    this.#timer = setTimeout(
      () => this.#fail('timeout', 'no complete response within the timeout', new Error('deadline')),
      timeoutMs,
    );
  }

  #ms(): number {
    return Math.round((performance.now() - this.#started) * 10) / 10;
  }

  #settle(outcome: Outcome, abort?: Error): void {
    if (this.#settled) return;
    this.#settled = true;
    clearTimeout(this.#timer);
    if (abort) this.#controller?.abort(abort);
    this.resolve(outcome);
  }

  #fail(failure: FailureKind, message: string, abort?: Error): void {
    const after = this.#status !== undefined ? { status: this.#status, headers: this.#headers } : {};
    this.#settle({ kind: 'failure', failure, message, ms: this.#ms(), ...after }, abort);
  }

  failWith(error: unknown): void {
    const { failure, message } = classify(error);
    this.#fail(failure, message);
  }

  onRequestStart = (controller: Dispatcher.DispatchController): void => {
    this.#controller = controller;
    if (this.#settled) controller.abort(new Error('deadline'));
  };

  onResponseStart = (
    _c: Dispatcher.DispatchController,
    statusCode: number,
    rawHeaders: Record<string, string | string[] | undefined>,
  ): void => {
    this.#status = statusCode;
    this.#headers = flatHeaders(rawHeaders);
  };

  onResponseData = (_c: Dispatcher.DispatchController, chunk: Buffer): void => {
    this.#bytes += chunk.length;
    if (this.#bytes > this.maxBodyBytes)
      this.#fail(
        'too-large',
        `body larger than ${this.maxBodyBytes} bytes (reading stopped there)`,
        new Error('body cap'),
      );
    else this.#chunks.push(chunk);
  };

  onResponseEnd = (): void => {
    const chunks = this.#chunks;
    const text = chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8');
    this.#settle({
      kind: 'response',
      status: this.#status ?? 0,
      headers: this.#headers ?? {},
      text,
      bytes: this.#bytes,
      ms: this.#ms(),
    });
  };

  onResponseError = (_c: Dispatcher.DispatchController, error: Error): void => this.failWith(error);
}

export class HttpClient {
  readonly stats: ClientStats = { requests: 0, rateLimited: 0, retries: 0, resetRetries: 0 };
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

  /**
   * One request, no retries. Sent with undici's `dispatch` and a handler of our own: no response
   * stream, no AbortSignal per request. The whole exchange has one deadline (`timeoutMs`, a plain
   * timer); undici's headers and body timeouts and the body cap bound it besides.
   */
  sendOnce(request: OutgoingRequest): Promise<Outcome> {
    this.stats.requests++;
    this.#options.tap?.(request);
    const { maxBodyBytes, timeoutMs } = this.#options;
    return new Promise<Outcome>((resolve) => {
      const collector = new Collector(resolve, maxBodyBytes, timeoutMs);
      let url: URL;
      try {
        url = new URL(request.url);
      } catch (error) {
        collector.failWith(error);
        return;
      }
      const { method, headers, body } = request;
      const options = {
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: method as Dispatcher.HttpMethod,
        headers,
        body: body ?? null,
      };
      try {
        this.#agent.dispatch(options, collector);
      } catch (error) {
        collector.failWith(error);
      }
    });
  }

  /**
   * A request of the run: paced under the rate ceiling, counted against the budget; a 429 (or a
   * 503 with Retry-After) is waited out (Retry-After, bounded) and retried a bounded number of
   * times. `essential` requests (restore, clean-up) are sent even when the budget is spent.
   *
   * An idempotent request whose connection was closed or reset before any answer is sent once
   * more: a server may close an idle keep-alive connection just as a request goes out on it
   * (RFC 9112, 9.3.1), which says nothing about the API. A second reset is the verdict.
   */
  async send(request: OutgoingRequest, essential = false): Promise<{ outcome: Outcome; rateLimited: boolean }> {
    let limited = 0;
    let resent = false;
    for (;;) {
      if (!essential) {
        if (this.#stopped) throw new StopSending(this.#stopped);
        const max = this.#options.maxRequests ?? 0;
        if (max > 0 && this.stats.requests >= max) {
          this.stop(`the request budget (--max-requests ${max}) is spent`);
          throw new StopSending(this.#stopped ?? 'budget spent');
        }
        await this.#pace();
      }
      const outcome = await this.sendOnce(request);
      if (
        !resent &&
        outcome.kind === 'failure' &&
        outcome.failure === 'reset' &&
        outcome.status === undefined &&
        IDEMPOTENT.has(request.method.toUpperCase())
      ) {
        resent = true;
        this.stats.resetRetries++;
        continue;
      }
      const isLimited =
        outcome.kind === 'response' &&
        (outcome.status === 429 || (outcome.status === 503 && outcome.headers['retry-after'] !== undefined));
      if (!isLimited) return { outcome, rateLimited: false };
      this.stats.rateLimited++;
      if (limited >= this.#options.maxRateLimitRetries) return { outcome, rateLimited: true };
      this.stats.retries++;
      const wait = retryAfterMs(outcome.headers['retry-after']) ?? 1000 * 2 ** limited;
      limited++;
      await sleep(Math.min(wait, this.#options.maxRetryAfterMs));
    }
  }

  async close(): Promise<void> {
    await this.#agent.close().catch(() => undefined);
  }
}
