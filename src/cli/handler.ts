/**
 * --handler FILE[#EXPORT]: an in-process target loaded from a module. The export (default when none
 * is named) is a fetch handler, an object with a fetch method (a Hono app, `{ fetch }`), or an array
 * of MSW request handlers, run through `getResponse` of the msw the module itself resolves (the
 * suite does not depend on msw). Anything else is a usage error, exit 2.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../errors.ts';
import type { FetchHandler } from '../exchange/in-process.ts';

type MswGetResponse = (handlers: unknown[], request: Request) => Promise<Response | undefined>;

/** The module's file and the export's name. */
function partsOf(spec: string): { file: string; name: string } {
  const hash = spec.lastIndexOf('#');
  return hash > 0
    ? { file: spec.slice(0, hash), name: spec.slice(hash + 1) || 'default' }
    : { file: spec, name: 'default' };
}

/** msw's getResponse, as the handler's module would import it; null when it finds no msw. */
async function mswOf(file: string): Promise<MswGetResponse | null> {
  let entry: string;
  try {
    entry = createRequire(file).resolve('msw');
  } catch {
    return null;
  }
  const msw = (await import(pathToFileURL(entry).href)) as { getResponse?: MswGetResponse };
  return typeof msw.getResponse === 'function' ? msw.getResponse : null;
}

/** MSW handlers as a fetch handler: a request no handler takes is a 404, as a server's unrouted path. */
function fromMsw(handlers: unknown[], getResponse: MswGetResponse): FetchHandler {
  return async (request) =>
    (await getResponse(handlers, request)) ??
    Response.json({ code: 'NOT_FOUND', message: 'no MSW handler for this request' }, { status: 404 });
}

/** The export as a fetch handler, or why it is not one. */
async function asHandler(value: unknown, file: string, what: string): Promise<FetchHandler> {
  if (typeof value === 'function') return value as FetchHandler;
  const withFetch = value as { fetch?: unknown } | null;
  if (typeof withFetch === 'object' && withFetch !== null && typeof withFetch.fetch === 'function') {
    const target = withFetch as { fetch: FetchHandler };
    return (request) => target.fetch(request);
  }
  if (Array.isArray(value)) {
    const getResponse = await mswOf(file);
    if (!getResponse)
      throw new UsageError(
        `--handler: ${what} is an array (MSW handlers?), but no msw with getResponse is installed where ${file} is`,
      );
    return fromMsw(value, getResponse);
  }
  throw new UsageError(
    `--handler: ${what} is ${value === null ? 'null' : `a ${typeof value}`}, not a fetch handler ((Request) => Response), an object with fetch, or MSW handlers`,
  );
}

/** Loads --handler's module and returns its handler; a usage error for anything that is not one. */
export async function loadHandler(spec: string, cwd = process.cwd()): Promise<FetchHandler> {
  const { file: given, name } = partsOf(spec);
  const file = resolve(cwd, given);
  if (!existsSync(file)) throw new UsageError(`--handler: no file ${given}`);
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new UsageError(
      `--handler: cannot load ${given} (${why}); give a module Node can import (JavaScript, or run the CLI under tsx for TypeScript)`,
    );
  }
  if (!Object.hasOwn(module, name)) throw new UsageError(`--handler: ${given} has no export named ${name}`);
  return asHandler(module[name], file, `the export ${name} of ${given}`);
}
