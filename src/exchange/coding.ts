/**
 * Content codings (RFC 9110, 8.4.1 and 12.5.3). Every request of the suite says which codings it
 * accepts; a response in one of them is decoded before it is judged, with the body cap applied to
 * the decoded size; a response in any other coding is a fault of the target, not a body to parse.
 */
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';

/** What every request of the suite sends as Accept-Encoding: the codings this module decodes. */
export const ACCEPTED_CODINGS = 'gzip, deflate, br';

type Decoder = (bytes: Buffer, max: number) => Buffer;

const DECODERS: Record<string, Decoder> = {
  gzip: (b, max) => gunzipSync(b, { maxOutputLength: max }),
  'x-gzip': (b, max) => gunzipSync(b, { maxOutputLength: max }),
  // "deflate" is the zlib format (RFC 9110, 8.4.1.2); some servers send raw deflate instead.
  deflate: (b, max) => {
    try {
      return inflateSync(b, { maxOutputLength: max });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw error;
      return inflateRawSync(b, { maxOutputLength: max });
    }
  },
  br: (b, max) => brotliDecompressSync(b, { maxOutputLength: max }),
};

/** The codings an Accept-Encoding value allows (q=0 excluded); null when the request sent none (any is allowed). */
function allowedCodings(acceptEncoding: string | undefined): Set<string> | null {
  if (acceptEncoding === undefined) return null;
  const allowed = new Set<string>();
  for (const part of acceptEncoding.split(',')) {
    const [name = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    if (name && !(q && Number(q.slice(2)) === 0)) allowed.add(name);
  }
  return allowed;
}

export type Decoded = { ok: true; bytes: Buffer } | { ok: false; failure: 'coding' | 'too-large'; message: string };

/** The body with its content codings undone (the last applied is undone first). */
export function decodeBody(
  bytes: Buffer,
  contentEncoding: string | undefined,
  acceptEncoding: string | undefined,
  maxBytes: number,
): Decoded {
  const codings = (contentEncoding ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
  const allowed = allowedCodings(acceptEncoding);
  let body = bytes;
  for (const coding of codings.reverse()) {
    const decoder = DECODERS[coding];
    if ((allowed && !allowed.has(coding) && !(coding === 'x-gzip' && allowed.has('gzip'))) || !decoder) {
      const asked = acceptEncoding === undefined ? 'no Accept-Encoding' : `Accept-Encoding: ${acceptEncoding}`;
      return {
        ok: false,
        failure: 'coding',
        message: `Content-Encoding ${coding}, which the request did not allow (${asked})`,
      };
    }
    try {
      body = decoder(body, maxBytes);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        return {
          ok: false,
          failure: 'too-large',
          message: `body larger than ${maxBytes} bytes once decoded (${coding})`,
        };
      }
      return {
        ok: false,
        failure: 'coding',
        message: `a body that is not valid ${coding}: ${(error as Error).message}`,
      };
    }
  }
  return { ok: true, bytes: body };
}
