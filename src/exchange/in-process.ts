/**
 * An in-process target: a fetch handler, `(request: Request) => Response | Promise<Response>`
 * (Hono's `app.fetch`, MSW's handlers through its `getResponse`, anything with that signature),
 * called with the request the suite would have sent on a connection. What the handler does (throws,
 * hangs, answers something that is not a Response, streams a body that breaks or never ends) comes
 * back as data, never as a thrown error, as a server's misbehaviour does.
 */

/** A target with no socket: a function from a request to its response. */
export type FetchHandler = (request: Request) => Response | Promise<Response>;

/**
 * The origin of an in-process target's URLs. The handler sees it in `request.url`; `.localhost`
 * names no host on any network (RFC 6761), so a curl line copied from a report goes nowhere.
 */
export const IN_PROCESS_ORIGIN = 'http://in-process.localhost';

/** What one call of the handler gave: an answer's raw parts, or how it failed. */
export type HandlerAnswer =
  | { kind: 'response'; status: number; headers: Record<string, string>; raw: Buffer }
  | {
      kind: 'failure';
      /** 'unsent': the request cannot be put in a fetch Request (no verdict); 'error': the handler failed to answer. */
      failure: 'timeout' | 'too-large' | 'error' | 'unsent';
      message: string;
      status?: number;
      headers?: Record<string, string>;
    };

export interface HandlerRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[]>;
  body?: string | Uint8Array;
}

/**
 * The fetch Request for what the suite sends; a list of values is the field sent once per value. It
 * carries no AbortSignal of the suite's (making one per request cost a run about 8% of its time): a
 * handler that hangs is given up on at the deadline all the same, though its own work goes on.
 */
function requestOf(request: HandlerRequest): Request {
  const headers: [string, string][] = [];
  for (const [name, value] of Object.entries(request.headers))
    for (const v of Array.isArray(value) ? value : [value]) headers.push([name, v]);
  return new Request(request.url, { method: request.method, headers, body: request.body ?? null });
}

/** A Response, or what passes for one: a status, headers and a body to read (a Response of another realm, say). */
function isResponse(value: unknown): value is Response {
  if (value instanceof Response) return true;
  const v = value as Partial<Response> | null;
  return (
    typeof v === 'object' && v !== null && typeof v.status === 'number' && typeof v.headers?.forEach === 'function'
  );
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object') return `an object (${Object.keys(value).slice(0, 5).join(', ') || 'no members'})`;
  return typeof value;
}

/** Why a call failed, in words: the error's name and message. */
function thrownText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Reads a body to its end, stopping past the cap. */
async function readCapped(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
): Promise<{ raw: Buffer } | { over: number }> {
  if (body === null) return { raw: Buffer.alloc(0) };
  const reader = body.getReader();
  const chunks: Buffer[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { raw: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks) };
    bytes += value.byteLength;
    if (bytes > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return { over: bytes };
    }
    chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
  }
}

/** The answer's parts, read within the cap; a body that breaks is a failure after the status. */
async function answerOf(response: Response, maxBytes: number): Promise<HandlerAnswer> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name.toLowerCase()] = value;
  });
  const { status } = response;
  try {
    const read = await readCapped(response.body, maxBytes);
    if ('over' in read)
      return {
        kind: 'failure',
        failure: 'too-large',
        message: `body larger than ${maxBytes} bytes (reading stopped there)`,
        status,
        headers,
      };
    return { kind: 'response', status, headers, raw: read.raw };
  } catch (error) {
    return {
      kind: 'failure',
      failure: 'error',
      message: `the body's stream failed before its end (${thrownText(error)})`,
      status,
      headers,
    };
  }
}

/** One call of the handler, bounded by `timeoutMs` from the call to the body's last byte: past it, a timeout. */
export async function callHandler(
  handler: FetchHandler,
  request: HandlerRequest,
  timeoutMs: number,
  maxBytes: number,
): Promise<HandlerAnswer> {
  let fetchRequest: Request;
  try {
    fetchRequest = requestOf(request);
  } catch (error) {
    return { kind: 'failure', failure: 'unsent', message: `cannot be made a fetch Request: ${thrownText(error)}` };
  }
  // A turn of the event loop before each call, as a request on a socket would wait for I/O: the
  // handler's own timers and I/O, and whatever else shares the process (other suites of a vitest
  // file), get their turn, and a run of quick handlers never starves them.
  await new Promise<void>((resolve) => setImmediate(resolve));
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<HandlerAnswer>((resolve) => {
    // the verdict waits for the next check phase, after pending I/O and the timers due with it: a
    // busy process never blames a handler whose answer was ready (as exchange/http.ts's Collector)
    timer = setTimeout(
      () =>
        setImmediate(() =>
          resolve({ kind: 'failure', failure: 'timeout', message: 'no complete response within the timeout' }),
        ),
      timeoutMs,
    );
  });
  const answered = (async (): Promise<HandlerAnswer> => {
    let value: unknown;
    try {
      value = await handler(fetchRequest);
    } catch (error) {
      return {
        kind: 'failure',
        failure: 'error',
        message: `the handler threw instead of answering (${thrownText(error)})`,
      };
    }
    if (!isResponse(value))
      return {
        kind: 'failure',
        failure: 'error',
        message: `the handler answered ${describeValue(value)}, not a Response`,
      };
    return answerOf(value, maxBytes);
  })();
  try {
    return await Promise.race([answered, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
