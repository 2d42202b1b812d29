/**
 * A second reader of answers, node:http, for what undici refuses: an interim 1xx answer it was not
 * waiting for (an unsolicited `100 Continue`, RFC 9110 15.2: a client MUST be able to parse one).
 * undici 7 closes the connection with "bad response" on any 100; node:http reads past it (and past
 * `103 Early Hints`) to the final answer. A limitation of the client is never a verdict on a server.
 */
import * as http from 'node:http';
import * as https from 'node:https';

export interface NodeAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The interim answers read before it (their statuses). */
  interim: number[];
}

export interface NodeRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[]>;
  body?: string | Uint8Array;
}

/** Thrown when the body goes past the cap (reading stops there). */
export class BodyCapError extends Error {}

/** Keep-alive agents, one per scheme: a target that needs this reader gets it for every later request. */
export interface NodeAgents {
  http: http.Agent;
  https: https.Agent;
}

export const nodeAgents = (connections: number, ca?: string): NodeAgents => ({
  http: new http.Agent({ keepAlive: true, maxSockets: connections }),
  https: new https.Agent({ keepAlive: true, maxSockets: connections, ...(ca ? { ca } : {}) }),
});

/** Sends the request with node:http and reads the final answer; rejects with the error (a TimeoutError past `timeoutMs`). */
export function readWithNode(
  request: NodeRequest,
  options: { timeoutMs: number; maxBodyBytes: number; agents: NodeAgents },
): Promise<NodeAnswer> {
  return new Promise<NodeAnswer>((resolve, reject) => {
    const url = new URL(request.url);
    const secure = url.protocol === 'https:';
    const interim: number[] = [];
    let done = false;
    const finish = (error: Error | null, answer?: NodeAnswer): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (error) {
        req.destroy();
        reject(error);
      } else resolve(answer as NodeAnswer);
    };
    // as the undici reader: the verdict waits for the I/O already pending (a busy client never blames a server)
    const timer = setTimeout(
      () =>
        setImmediate(() => {
          const error = new Error('no complete response within the timeout');
          error.name = 'TimeoutError';
          finish(error);
        }),
      options.timeoutMs,
    );
    const send = secure ? https.request : http.request;
    const req = send(
      url,
      { method: request.method, headers: request.headers, agent: secure ? options.agents.https : options.agents.http },
      (res) => {
        const chunks: Buffer[] = [];
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (bytes > options.maxBodyBytes)
            finish(new BodyCapError(`body larger than ${options.maxBodyBytes} bytes (reading stopped there)`));
          else chunks.push(chunk);
        });
        res.on('end', () =>
          finish(null, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), interim }),
        );
        res.on('error', (error) => finish(error));
      },
    );
    req.on('continue', () => interim.push(100));
    req.on('information', (info) => interim.push(info.statusCode));
    req.on('error', (error) => finish(error));
    req.end(request.body);
  });
}
