/**
 * The properties by name and title, in the order a run takes them. The one list of them that the
 * CLI reads without loading the engine (options, --help and --list start in a fraction of the
 * time); each property's definition takes its name and title from here.
 */
const TITLES = {
  'valid-update': 'Valid updates of the asset are accepted and reflected',
  'reference-update': 'Updates carrying a reference id (preview_id) get 200, 400 or 404',
  'unknown-only': 'Bodies of unknown properties only get 200 (changing nothing) or 400',
  'invalid-body': 'Bodies that violate the schema get 400',
  'malformed-body': 'Malformed JSON, empty bodies and non-objects get 400',
  auth: 'Requests without a valid API key get 401',
  'unknown-id': 'Unknown asset ids get 404 (or 400 with an invalid body)',
  'malformed-id': 'Ids that are not valid by the id schema get 400 or 404',
  'id-spelling': "The asset's id spelled another way (no hyphens, braces, urn:uuid:) is the same asset or refused",
  'uppercase-id': 'The asset id in upper case is the same asset',
  stateful: 'Sequences of requests: updates persist, rejected requests change nothing, unsent fields stay',
  concurrent: 'Full-body updates sent at once end in one of them',
  // last: a server that keeps what it should replace (a merge) keeps its large and deep values too
  edges:
    'Exact JSON text at the edges of RFC 8259 and 7493: surrogates, numbers, duplicates, depth, size, malformed tokens',
} as const;

export type PropertyName = keyof typeof TITLES;

export const PROPERTY_NAMES = Object.keys(TITLES) as PropertyName[];

/** A property's name and title, for its definition. */
export const titled = (name: PropertyName): { name: PropertyName; title: string } => ({ name, title: TITLES[name] });
