/** A generated test case: plain data that says what to send and what the contract allows back. */
import { type RequirementId, statusesOf } from '../requirements.ts';
import type { Body, SchemaBreak } from './bodies.ts';
import type { EdgeCase } from './edges.ts';
import { type KeyChoice, keyLabel } from './keys.ts';

/** spelling: the asset's id written another way that RFC 9562 readers accept (no hyphens, braces, urn:uuid:). */
type IdKind = 'target' | 'unknown' | 'malformed' | 'uppercase' | 'spelling';

/** What an edge case of the JSON text carries for the rows that judge the stored value (see edges.ts). */
type EdgeLabel = Pick<EdgeCase, 'row' | 'description' | 'path' | 'numberText' | 'candidates' | 'assigned'>;

export interface AllowedStatuses {
  requirement: RequirementId;
  /** Statuses the contract allows for this kind of request. */
  allowed: readonly number[];
}

/** A case judged by the status of `requirement`: the statuses its catalogue entry allows. */
export const judgedBy = (requirement: RequirementId): AllowedStatuses => ({
  requirement,
  allowed: statusesOf(requirement),
});

export interface Case {
  property: string;
  id: { kind: IdKind; value: string };
  key: KeyChoice;
  body: Body;
  /** For invalid bodies: what the body violates. Re-confirmed before a server is blamed. */
  invalid?: SchemaBreak;
  expect: readonly AllowedStatuses[];
  /** A 200 to this case is an update of the run's asset: the after-200 rules apply. */
  updatesTarget: boolean;
  /** An edge of the JSON text (edges.ts): its row, and what the row judges in a 200. */
  edge?: EdgeLabel;
  /** Responses to this case may be this large (a body over 1 MiB may be answered in full). */
  maxResponseBytes?: number;
  /** The body names no known property: a 200 must leave the known fields as they were. */
  noKnownChange?: boolean;
  /** A uuid of a kind a stack may treat apart (ids.ts, specialUuids), as the reference or the path id: which one. */
  specialUuid?: string;
}

/** One line that says what a case sends, for progress output and counterexamples. */
export function describeCase(c: Case): string {
  const key = c.key.kind === 'wrong' ? 'wrong key' : keyLabel(c.key);
  const id = c.id.kind === 'target' ? 'the asset' : `${c.id.kind} id`;
  const body = c.invalid
    ? c.invalid.description
    : c.body.kind === 'json' &&
        c.body.value !== null &&
        typeof c.body.value === 'object' &&
        !Array.isArray(c.body.value)
      ? `valid body {${Object.keys(c.body.value)
          .map((k) => JSON.stringify(k))
          .join(', ')}}`
      : 'body';
  const special = c.specialUuid ? ` (${c.id.kind === 'unknown' ? 'the id' : 'the reference'}: ${c.specialUuid})` : '';
  return `${key}, ${id}, ${body}${special}`;
}
