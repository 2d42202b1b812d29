/**
 * Sends requests with undici over a keep-alive pool. Whatever the target does (hangs, resets,
 * sends garbage or a huge body, rate limits) comes back as data, never as a thrown error:
 * the checks turn it into a verdict.
 */
import { createRequire } from 'node:module';
import type {
  Dispatcher,
  Agent as UndiciAgent,
  Client as UndiciClient,
  EnvHttpProxyAgent as UndiciEnvHttpProxyAgent,
  errors as UndiciErrors,
} from 'undici';
import { DEFAULTS } from '../defaults.ts';
import { StopSending } from '../errors.ts';
import { decodeBody } from './coding.ts';
import { callHandler, type FetchHandler } from './in-process.ts';
import { BodyCapError, type NodeAgents, nodeAgents, readWithNode } from './interim.ts';

/**
 * undici's Agent, Client and errors, from their own modules: its index also loads fetch, WebSocket,
 * the cache and the mock agent (about 100 of a start's milliseconds), and the suite only
 * dispatches. undici is pinned to one version; a unit test checks these are the index's classes.
 */
const requireUndici = createRequire(import.meta.url);
export const UNDICI_MODULES = {
  Agent: 'undici/lib/dispatcher/agent.js',
  Client: 'undici/lib/dispatcher/client.js',
  errors: 'undici/lib/core/errors.js',
} as const;
const Agent = requireUndici(UNDICI_MODULES.Agent) as typeof UndiciAgent;
const Client = requireUndici(UNDICI_MODULES.Client) as typeof UndiciClient;
const undiciErrors = requireUndici(UNDICI_MODULES.errors) as typeof UndiciErrors;

/** Proxy URLs for http and https targets, and the hosts to reach directly (NO_PROXY's syntax). */
export interface ProxySettings {
  http?: string;
  https?: string;
  noProxy?: string;
}

export interface OutgoingRequest {
  method: string;
  url: string;
  /** A list: the field sent once per value (a header repeated). */
  headers: Record<string, string | string[]>;
  /** The body: text (sent as UTF-8) or bytes; absent for no body. */
  body?: string | Uint8Array;
  /** A larger cap for this request's response body than the client's (an answer to a body over 1 MiB). */
  maxResponseBytes?: number;
}

interface HttpResponse {
  kind: 'response';
  status: number;
  headers: Record<string, string>;
  /** The body as text (UTF-8), at most `maxBodyBytes`. */
  text: string;
  bytes: number;
  ms: number;
  /** How the first attempt ended, when this answer came to a resend on a new connection. */
  resentAfter?: string;
}

/**
 * How an exchange failed; 'coding': the answer came in a content coding the request did not allow;
 * 'unsent': the request could not be given to an in-process handler (never a verdict).
 */
type FailureKind =
  | 'timeout'
  | 'reset'
  | 'refused'
  | 'too-large'
  | 'protocol'
  | 'coding'
  | 'dns'
  | 'tls'
  | 'error'
  | 'unsent';

interface TransportFailure {
  kind: 'failure';
  failure: FailureKind;
  message: string;
  ms: number;
  /** Status when the failure came after the headers (a reset mid-body, a body over the cap). */
  status?: number;
  headers?: Record<string, string>;
  /**
   * A timeout under the shortened deadline that follows an earlier timeout: it saves the run's time
   * and is never a verdict (the answer might have come before --timeout-ms).
   */
  shortened?: boolean;
  /** How the first attempt ended, when this is the outcome of a resend on a new connection. */
  resentAfter?: string;
}

export type Outcome = HttpResponse | TransportFailure;

export interface ClientOptions {
  timeoutMs: number;
  maxBodyBytes: number;
  /** How often a 429 (with or without Retry-After) is retried before it is given up. */
  maxRateLimitRetries: number;
  /** Longest wait honoured from a Retry-After header. */
  maxRetryAfterMs: number;
  /**
   * Time the whole run may spend waiting on 429 and 503 answers (absent: no bound). Past it a 503 is
   * an answer to judge, a 429 is not waited for, and a run of 429s stops the run (see send).
   */
  maxWaitMs?: number;
  connections?: number;
  /** Ceiling on requests per second (0: none). */
  rate?: number;
  /** Most requests the run may send (0: no limit); restore and clean-up requests are not counted against it. */
  maxRequests?: number;
  /** PEM certificate(s) to trust for https targets, besides the system's. */
  ca?: string;
  /**
   * Proxies, as the standard variables give them (HTTP_PROXY, HTTPS_PROXY, NO_PROXY): requests go
   * through them (a CONNECT tunnel), except to the hosts NO_PROXY names. Absent: none, whatever the
   * environment holds (the CLI reads the variables; a library caller passes them).
   */
  proxy?: ProxySettings;
  /** Sees every request sent (benchmarks replay the same mix). */
  tap?: (request: OutgoingRequest) => void;
  /** An in-process target: every request is a call of this function, none goes on a connection. */
  handler?: FetchHandler;
}

const DEFAULT_CLIENT_OPTIONS: ClientOptions = {
  timeoutMs: DEFAULTS.timeoutMs,
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
  /** Time spent waiting on 429 and 503 answers before sending again. */
  waitedMs: number;
  /** Requests sent again after the connection was closed or reset before any answer (a stale keep-alive connection). */
  resetRetries: number;
}

/** 429 answers in a row, once the run's time for waiting is spent, after which the run stops sending. */
const MAX_LIMITED_IN_A_ROW = 10;

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
  if (
    code === 'HPE_INVALID_CONSTANT' ||
    code.startsWith('HPE_') ||
    // a body of another length than its Content-Length says (framing, RFC 9112 6.3)
    code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH' ||
    error instanceof undiciErrors.HTTPParserError
  )
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

/**
 * A wait the run depends on (Retry-After, the rate ceiling). Its timer keeps the process alive:
 * with nothing else pending, Node would otherwise leave the run's top-level await unsettled and exit.
 */
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Seconds or HTTP-date, per RFC 9110; null when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | null {
  if (value === undefined) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

const timeoutMessage = (deadline: Deadline): string =>
  deadline.shortened
    ? `no complete response within ${deadline.ms} ms, the deadline shortened after an earlier timeout (not a verdict)`
    : 'no complete response within the timeout';

/** What the request said it accepts: the codings its answer may come in. */
function acceptEncodingOf(request: OutgoingRequest): string | undefined {
  const value = Object.entries(request.headers).find(([k]) => k.toLowerCase() === 'accept-encoding')?.[1];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** An answer read whole (node:http, an in-process handler), decoded from its content coding and judged whole. */
function decodedOutcome(
  answer: { status: number; headers: Record<string, string>; raw: Buffer },
  request: OutgoingRequest,
  maxBodyBytes: number,
  ms: number,
): Outcome {
  const { status, headers, raw } = answer;
  const decoded = decodeBody(raw, headers['content-encoding'], acceptEncodingOf(request), maxBodyBytes);
  if (!decoded.ok) return { kind: 'failure', failure: decoded.failure, message: decoded.message, ms, status, headers };
  return { kind: 'response', status, headers, text: decoded.bytes.toString('utf8'), bytes: raw.length, ms };
}

/**
 * undici refused an answer for an interim 1xx it does not parse (an unsolicited `100 Continue`): the
 * connection closed with "bad response" before any final answer.
 */
const refusedInterim = (o: Outcome): boolean =>
  o.kind === 'failure' && o.failure === 'reset' && o.status === undefined && o.message.includes('bad response');

const INTERIM_NOTE =
  'undici could not read the answer (bad response: an interim 1xx answer it does not parse, such as an unsolicited 100 Continue); sent again and read with node:http, as every later request of the run';

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
    deadline: Deadline,
    /** What the request said it accepts: the codings the answer may come in. */
    private readonly acceptEncoding: string | undefined,
  ) {
    const message = timeoutMessage(deadline);
    // When the deadline fires, an answer may be waiting already, unread only because the event loop
    // was busy: timers run before I/O in a turn of the loop, so the verdict waits for the next check
    // phase (setImmediate), after pending I/O is read. A busy client never blames a server.
    this.#timer = setTimeout(
      () => setImmediate(() => this.#fail('timeout', message, new Error('deadline'), deadline.shortened)),
      deadline.ms,
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

  #fail(failure: FailureKind, message: string, abort?: Error, shortened = false): void {
    const after = this.#status !== undefined ? { status: this.#status, headers: this.#headers } : {};
    this.#settle(
      { kind: 'failure', failure, message, ms: this.#ms(), ...after, ...(shortened ? { shortened } : {}) },
      abort,
    );
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
    const raw = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
    const headers = this.#headers ?? {};
    const decoded = decodeBody(raw, headers['content-encoding'], this.acceptEncoding, this.maxBodyBytes);
    if (!decoded.ok) {
      this.#fail(decoded.failure, decoded.message);
      return;
    }
    const text = decoded.bytes.toString('utf8');
    this.#settle({ kind: 'response', status: this.#status ?? 0, headers, text, bytes: this.#bytes, ms: this.#ms() });
  };

  onResponseError = (_c: Dispatcher.DispatchController, error: Error): void => this.failWith(error);
}

/** How long one attempt may take, and whether that is shorter than --timeout-ms. */
interface Deadline {
  ms: number;
  shortened: boolean;
}

/**
 * The shortest deadline a request gets after a timeout, how many times a typical answer's time it
 * allows, and what is typical: the 95th percentile of the last answers (an answer that waited in the
 * pool behind a stalled connection is an outlier, not the server's pace).
 */
const SHORT_DEADLINE_FLOOR_MS = 1000;
const SHORT_DEADLINE_FACTOR = 4;
const RECENT_ANSWERS = 256;
const TYPICAL_PERCENTILE = 0.95;

export class HttpClient {
  readonly stats: ClientStats = { requests: 0, rateLimited: 0, retries: 0, waitedMs: 0, resetRetries: 0 };
  /** 429 answers in a row once the run's time for waiting is spent. */
  #limitedInARow = 0;
  readonly #agent: UndiciAgent | UndiciEnvHttpProxyAgent;
  readonly #options: ClientOptions;
  /** When the next request may start, for the rate ceiling. */
  #nextSlot = 0;
  /** Why nothing more is sent (budget spent, run stopped), or null. */
  #stopped: string | null = null;
  /** How long the last answers took (ms), for the shortened deadline. */
  readonly #recentMs: number[] = [];
  /** A request has timed out at the full deadline: later ones get a shorter one. */
  #timedOut = false;
  /** Set once undici refused an interim 1xx answer: every later request is read with node:http (see interim.ts). */
  #node: NodeAgents | null = null;

  constructor(options: Partial<ClientOptions> = {}) {
    this.#options = { ...DEFAULT_CLIENT_OPTIONS, ...options };
    this.#agent = this.#dispatcherOf(this.#options.connections ?? 8);
  }

  /** Stops all further sending (the run's end, an interrupt): `send` then throws StopSending. */
  stop(reason: string): void {
    this.#stopped ??= reason;
  }

  get stoppedReason(): string | null {
    return this.#stopped;
  }

  /** A request has timed out at the full deadline (later ones get a shorter one, see #deadline). */
  get timedOut(): boolean {
    return this.#timedOut;
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
   * The deadline of one attempt. Until a request times out, --timeout-ms. After that, a request of
   * the run (not a restore or a clean-up) gets a deadline derived from the answers seen so far:
   * 4 times a typical answer's time, at least 1 s, at most --timeout-ms. A target that never
   * answers some inputs then costs seconds per request, not the whole timeout each time.
   */
  #deadline(essential: boolean): Deadline {
    const full = this.#options.timeoutMs;
    if (essential || !this.#timedOut) return { ms: full, shortened: false };
    const ms = Math.min(full, Math.max(SHORT_DEADLINE_FLOOR_MS, SHORT_DEADLINE_FACTOR * this.#typicalMs()));
    return { ms, shortened: ms < full };
  }

  /**
   * One request, no retries. Sent with undici's `dispatch` and a handler of our own: no response
   * stream, no AbortSignal per request. The whole exchange has one deadline (a plain timer);
   * undici's headers and body timeouts and the body cap bound it besides. `fresh`: on a connection
   * of its own, opened for it and closed after it.
   */
  async sendOnce(request: OutgoingRequest, essential = false, fresh = false): Promise<Outcome> {
    this.stats.requests++;
    this.#options.tap?.(request);
    // a request sent again on a connection of its own follows the typical answer once the run has
    // timed out, essential or not: the first attempt had the full deadline
    const deadline = this.#deadline(essential && !fresh);
    let outcome: Outcome;
    if (this.#options.handler) outcome = await this.#call(this.#options.handler, request, deadline);
    else if (this.#node) outcome = await this.#readWithNode(request, deadline, this.#node);
    else {
      const dispatcher = fresh ? this.#freshDispatcher(request.url) : this.#agent;
      outcome = await this.#dispatch(request, dispatcher, deadline);
      if (fresh) await dispatcher.destroy().catch(() => undefined);
    }
    if (outcome.kind === 'response') {
      this.#recentMs.push(outcome.ms);
      if (this.#recentMs.length > RECENT_ANSWERS) this.#recentMs.shift();
    } else if (outcome.failure === 'timeout' && !outcome.shortened) this.#timedOut = true;
    return outcome;
  }

  /** The time a typical answer takes: the 95th percentile of the last answers (0 before any). */
  #typicalMs(): number {
    const sorted = [...this.#recentMs].sort((a, b) => a - b);
    return sorted[Math.floor((sorted.length - 1) * TYPICAL_PERCENTILE)] ?? 0;
  }

  /** The pool of connections: direct, or through the proxies given. */
  #dispatcherOf(connections: number): UndiciAgent | UndiciEnvHttpProxyAgent {
    const options = { keepAliveTimeout: 10_000, connections, ...this.#connectionOptions() };
    const { proxy } = this.#options;
    if (!proxy) return new Agent(options);
    // from the index: a proxy's tunnel uses the dispatcher API (connect) that the index adds
    const { EnvHttpProxyAgent } = requireUndici('undici') as { EnvHttpProxyAgent: typeof UndiciEnvHttpProxyAgent };
    // '' rather than absent: undici would read the process's variables for what is absent
    return new EnvHttpProxyAgent({
      ...options,
      httpProxy: proxy.http ?? '',
      httpsProxy: proxy.https ?? proxy.http ?? '',
      noProxy: proxy.noProxy ?? '',
    });
  }

  /** A connection of its own for one request (through the proxy when there is one). */
  #freshDispatcher(url: string): Dispatcher {
    return this.#options.proxy ? this.#dispatcherOf(1) : new Client(new URL(url).origin, this.#connectionOptions());
  }

  #connectionOptions(): UndiciClient.Options {
    const { timeoutMs, ca } = this.#options;
    return {
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      connect: { timeout: timeoutMs, ...(ca ? { ca } : {}) },
    };
  }

  /** One request as a call of an in-process handler. */
  async #call(handler: FetchHandler, request: OutgoingRequest, deadline: Deadline): Promise<Outcome> {
    const started = performance.now();
    const ms = (): number => Math.round((performance.now() - started) * 10) / 10;
    const maxBodyBytes = Math.max(this.#options.maxBodyBytes, request.maxResponseBytes ?? 0);
    const answer = await callHandler(handler, request, deadline.ms, maxBodyBytes);
    if (answer.kind === 'failure') {
      const message = answer.failure === 'timeout' ? timeoutMessage(deadline) : answer.message;
      const shortened = answer.failure === 'timeout' && deadline.shortened ? { shortened: true } : {};
      return { ...answer, message, ms: ms(), ...shortened };
    }
    return decodedOutcome(answer, request, maxBodyBytes, ms());
  }

  /** One request read with node:http (a target that sends interim 1xx answers undici refuses). */
  async #readWithNode(request: OutgoingRequest, deadline: Deadline, agents: NodeAgents): Promise<Outcome> {
    const started = performance.now();
    const ms = (): number => Math.round((performance.now() - started) * 10) / 10;
    const maxBodyBytes = Math.max(this.#options.maxBodyBytes, request.maxResponseBytes ?? 0);
    try {
      const answer = await readWithNode(request, { timeoutMs: deadline.ms, maxBodyBytes, agents });
      const raw = { status: answer.status, headers: flatHeaders(answer.headers), raw: answer.body };
      return decodedOutcome(raw, request, maxBodyBytes, ms());
    } catch (error) {
      if (error instanceof BodyCapError)
        return { kind: 'failure', failure: 'too-large', message: error.message, ms: ms() };
      const { failure, message } = classify(error);
      if (failure !== 'timeout') return { kind: 'failure', failure, message, ms: ms() };
      return {
        kind: 'failure',
        failure,
        message: timeoutMessage(deadline),
        ms: ms(),
        ...(deadline.shortened ? { shortened: true } : {}),
      };
    }
  }

  #dispatch(request: OutgoingRequest, dispatcher: Dispatcher, deadline: Deadline): Promise<Outcome> {
    const maxBodyBytes = Math.max(this.#options.maxBodyBytes, request.maxResponseBytes ?? 0);
    return new Promise<Outcome>((resolve) => {
      const collector = new Collector(resolve, maxBodyBytes, deadline, acceptEncodingOf(request));
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
        // a copy: a proxy agent adds a host field to what it is given, which is the exchange's record
        headers: { ...headers },
        body: body ?? null,
      };
      try {
        dispatcher.dispatch(options, collector);
      } catch (error) {
        collector.failWith(error);
      }
    });
  }

  /**
   * A request of the run: paced under the rate ceiling, counted against the budget; a 429 (or a
   * 503 with Retry-After) is waited out (Retry-After, bounded) and retried a bounded number of
   * times, within the run's time for waiting (maxWaitMs); a 503 that lasts through the retries is
   * the answer (a 5xx, judged). Once that time is spent, neither is waited for (see #limitedPastWaiting). `essential` requests (restore, clean-up) are sent even when the budget is spent.
   *
   * An idempotent request whose connection was closed or reset before any answer is sent once
   * more: a server may close an idle keep-alive connection just as a request goes out on it
   * (RFC 9112, 9.3.1), which says nothing about the API. A second reset is the verdict.
   * `fresh`: on a connection of its own (a request sent again after a pooled connection failed it).
   */
  async send(
    request: OutgoingRequest,
    essential = false,
    fresh = false,
  ): Promise<{ outcome: Outcome; rateLimited: boolean }> {
    let limited = 0;
    for (;;) {
      if (!essential) await this.#admit();
      const outcome = await this.#sendResending(request, essential, fresh);
      const status = outcome.kind === 'response' ? outcome.status : 0;
      const retryAfter = outcome.kind === 'response' ? outcome.headers['retry-after'] : undefined;
      const isLimited = status === 429 || (status === 503 && retryAfter !== undefined);
      if (!isLimited) {
        this.#limitedInARow = 0;
        return { outcome, rateLimited: false };
      }
      this.stats.rateLimited++;
      const wait = Math.min(retryAfterMs(retryAfter) ?? 1000 * 2 ** limited, this.#options.maxRetryAfterMs);
      // (a restore or a clean-up is waited out whatever the run has spent: still within the bounded retries)
      const waitLeft = essential
        ? Number.POSITIVE_INFINITY
        : (this.#options.maxWaitMs ?? Number.POSITIVE_INFINITY) - this.stats.waitedMs;
      // waited out a few times and still there: a 503 is the answer (never 5xx), a 429 is never a verdict
      if (limited >= this.#options.maxRateLimitRetries) return { outcome, rateLimited: status !== 503 };
      if (wait > waitLeft) return { outcome, rateLimited: this.#limitedPastWaiting(status) };
      this.stats.retries++;
      limited++;
      this.stats.waitedMs += wait;
      await sleep(wait);
    }
  }

  /**
   * A 429 or 503 once the run's time for waiting is spent, not waited for: whether the case goes
   * unjudged. One now and then is (a conforming server may be briefly unavailable); a 503 that keeps
   * coming, MAX_LIMITED_IN_A_ROW in a row, is the answer, judged; a 429 that does stops the run.
   */
  #limitedPastWaiting(status: number): boolean {
    this.#limitedInARow++;
    if (this.#limitedInARow < MAX_LIMITED_IN_A_ROW) return true;
    if (status === 503) return false;
    this.stop(
      `the target kept answering 429 (${MAX_LIMITED_IN_A_ROW} in a row) after the run had waited ${(this.stats.waitedMs / 1000).toFixed(1)} s, its time for waiting`,
    );
    return true;
  }

  /** Stops at the budget or once stopped; waits for the rate ceiling. */
  async #admit(): Promise<void> {
    if (this.#stopped) throw new StopSending(this.#stopped);
    const max = this.#options.maxRequests ?? 0;
    if (max > 0 && this.stats.requests >= max) {
      this.stop(`the request budget (--max-requests ${max}) is spent`);
      throw new StopSending(this.#stopped ?? 'budget spent');
    }
    await this.#pace();
  }

  /**
   * An idempotent request whose connection closed before any answer is sent once more, on a new
   * connection of its own: the pooled one may have been an idle keep-alive connection the server
   * closed just as the request went out (RFC 9112, 9.3.1), and another pooled one may be closing
   * too. Only a failure on the fresh connection is evidence; both attempts are recorded.
   */
  async #sendResending(request: OutgoingRequest, essential: boolean, fresh: boolean): Promise<Outcome> {
    const first = await this.sendOnce(request, essential, fresh);
    if (!this.#node && refusedInterim(first) && IDEMPOTENT.has(request.method.toUpperCase())) {
      this.#node = nodeAgents(this.#options.connections ?? 8, this.#options.ca);
      this.stats.resetRetries++;
      return { ...(await this.sendOnce(request, essential)), resentAfter: INTERIM_NOTE };
    }
    const closedEarly = first.kind === 'failure' && first.failure === 'reset' && first.status === undefined;
    if (!closedEarly || !IDEMPOTENT.has(request.method.toUpperCase())) return first;
    this.stats.resetRetries++;
    const again = await this.sendOnce(request, essential, true);
    return {
      ...again,
      resentAfter: `${first.message}, before any answer (${first.ms} ms); sent again on a new connection`,
    };
  }

  async close(): Promise<void> {
    await this.#agent.close().catch(() => undefined);
    this.#node?.http.destroy();
    this.#node?.https.destroy();
  }
}
