/**
 * Mass assignment (docs/contract.md, "After a 200"; OWASP API3:2023): members named like the
 * asset's own fields, with values a stack that took them would store. The names are what the
 * target showed of the asset before the run, the 200 schema's properties that are not body
 * properties, and the names stacks commonly give an asset's own fields; each value is one no asset
 * has by chance, of the type the asset's own value has.
 */

/** Names stacks give a stored asset's own fields (the fuller cloud contract's Asset among them). */
export const OWN_NAMES: readonly string[] = [
  'id',
  'asset_hash',
  'hash',
  'size',
  'created_at',
  'updated_at',
  'owner',
  'owner_id',
  'user_id',
  'prompt_id',
  'preview_url',
  'last_access_time',
  'is_immutable',
];

/** An instant long before any asset of the run was created or updated. */
const PAST = '2001-02-03T04:05:06Z';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}/;

/** Random parts of a run's values: a uuid and 64 hex digits. */
export interface Fresh {
  uuid: string;
  hex: string;
}

/** A value of the shape the name says, for a field the asset did not show (undefined: none that can be told from chance). */
function byName(name: string, fresh: Fresh): unknown {
  if (/(^|_)id$/i.test(name)) return fresh.uuid;
  if (/hash/i.test(name)) return `blake3:${fresh.hex}`;
  if (/(_at|_time)$/i.test(name)) return PAST;
  if (/size|count|length/i.test(name)) return 4242;
  if (/url|uri/i.test(name)) return 'https://example.com/conformance-assigned.png';
  // a flag the asset did not show may already hold any value: a read could not tell a change
  if (/^(is|has)_/i.test(name)) return undefined;
  return 'conformance-assigned';
}

/** A value for the own field `name`: unlike the asset's own (`before`, when it showed one), and of its type. */
export function assignedValue(name: string, before: unknown, fresh: Fresh): unknown {
  // A flag an update may set by itself (modified, dirty) would look taken: only the dictionary's are flipped.
  if (typeof before === 'boolean') return OWN_NAMES.includes(name) ? !before : undefined;
  // Far from the value before: a counter the server raises on each update (a version) never reaches it.
  if (typeof before === 'number') return Number.isSafeInteger(before) ? before + 1_000_000 : 4242;
  if (typeof before === 'string') {
    if (UUID.test(before)) return before.toLowerCase() === fresh.uuid ? undefined : fresh.uuid;
    if (before.startsWith('blake3:')) return `blake3:${fresh.hex}`;
    if (DATE_TIME.test(before)) return PAST;
    if (/^https?:\/\//i.test(before)) return `${before}${before.includes('?') ? '&' : '?'}conformance-assigned`;
    return `${before}-assigned`;
  }
  return byName(name, fresh);
}
