/**
 * Other doors: credentials a request carries somewhere other than the contract's one header
 * (docs/contract.md, "Edges of the wire"). A request without the valid key in that header, or
 * with it beside a wrong copy, must get 401 whatever else it carries: an `Authorization` header of
 * a common scheme, the key in a query parameter or a cookie, the header repeated, or one header
 * holding a list. The valid key in any of these places is a secret like the key itself.
 */

/** A wrong key the doors send where the valid one is not (not derived from it: nothing of it shows). */
export const WRONG_KEY = 'conformance-wrong-key';

export type Door =
  | { place: 'authorization'; scheme: 'Bearer' | 'Basic' | 'ApiKey' | 'Token'; valid: boolean }
  | { place: 'query'; name: string; valid: boolean }
  | { place: 'cookie'; name: string; valid: boolean }
  /** The contract's header twice, the valid key in one copy. */
  | { place: 'repeated'; validFirst: boolean }
  /** The contract's header once, holding a list with the valid key as one element. */
  | { place: 'list'; validFirst: boolean };

/** Where the contract's header stands beside a door that is not about it: left out, or a wrong key. */
export type Beside = 'missing' | 'wrong';

const SCHEMES = ['Bearer', 'Basic', 'ApiKey', 'Token'] as const;
const QUERY_NAMES = ['api_key', 'apikey', 'key', 'token', 'access_token'];
const COOKIE_NAMES = ['api_key', 'session'];

/** Every door, each with the valid key and with a wrong one (or, for the header itself, in both orders). */
export const DOORS: readonly Door[] = [
  ...SCHEMES.flatMap((scheme) => [true, false].map((valid): Door => ({ place: 'authorization', scheme, valid }))),
  ...QUERY_NAMES.flatMap((name) => [true, false].map((valid): Door => ({ place: 'query', name, valid }))),
  ...COOKIE_NAMES.flatMap((name) => [true, false].map((valid): Door => ({ place: 'cookie', name, valid }))),
  ...[true, false].map((validFirst): Door => ({ place: 'repeated', validFirst })),
  ...[true, false].map((validFirst): Door => ({ place: 'list', validFirst })),
];

/** The text of Basic credentials for a key (the key as user id, no password: how API keys go in Basic). */
export const basicOf = (key: string): string => Buffer.from(`${key}:`).toString('base64');

/** What a door puts in a request: header values (a list: the field repeated) and a query parameter. */
export interface DoorParts {
  headers: Record<string, string | string[]>;
  query?: [string, string];
}

/** The request parts of a door, for the contract's header (`header`, value prefix `prefix`). */
export function doorParts(door: Door, beside: Beside, apiKey: string, header: string, prefix: string): DoorParts {
  const h = header.toLowerCase();
  const value = (valid: boolean): string => (valid ? apiKey : WRONG_KEY);
  const own: Record<string, string> = beside === 'wrong' ? { [h]: `${prefix}${WRONG_KEY}` } : {};
  switch (door.place) {
    case 'authorization': {
      const v = value(door.valid);
      return { headers: { ...own, authorization: `${door.scheme} ${door.scheme === 'Basic' ? basicOf(v) : v}` } };
    }
    case 'query':
      return { headers: own, query: [door.name, value(door.valid)] };
    case 'cookie':
      return { headers: { ...own, cookie: `${door.name}=${value(door.valid)}` } };
    case 'repeated': {
      const both = [`${prefix}${apiKey}`, `${prefix}${WRONG_KEY}`];
      return { headers: { [h]: door.validFirst ? both : both.reverse() } };
    }
    case 'list':
      return { headers: { [h]: door.validFirst ? `${prefix}${apiKey},extra` : `${prefix}${WRONG_KEY}, ${apiKey}` } };
  }
}

/** What a door sends, in words (never the key). */
export function doorLabel(door: Door, beside: Beside, header: string): string {
  const key = (valid: boolean): string => (valid ? 'the valid key' : 'a wrong key');
  const without = beside === 'missing' ? `no ${header}` : `a wrong ${header}`;
  switch (door.place) {
    case 'authorization':
      return `${without}, Authorization: ${door.scheme} with ${key(door.valid)}`;
    case 'query':
      return `${without}, ${key(door.valid)} in the query parameter ${door.name}`;
    case 'cookie':
      return `${without}, ${key(door.valid)} in the cookie ${door.name}`;
    case 'repeated':
      return `${header} twice, the valid key ${door.validFirst ? 'first' : 'second'} and a wrong one`;
    case 'list':
      return `one ${header} holding a list, the valid key ${door.validFirst ? 'first' : 'second'}`;
  }
}
