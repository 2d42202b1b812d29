/** A generated test case: plain data that says what to send and what the contract allows back. */
import type { RequirementId } from '../requirements.ts';
import type { Body, SchemaBreak } from './bodies.ts';
import { type KeyChoice, keyLabel } from './ids.ts';

type IdKind = 'target' | 'unknown' | 'malformed' | 'uppercase';

export interface AllowedStatuses {
  requirement: RequirementId;
  /** Statuses the contract allows for this kind of request. */
  allowed: readonly number[];
}

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
  /** The body names no known property: a 200 must leave the known fields as they were. */
  noKnownChange?: boolean;
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
  return `${key}, ${id}, ${body}`;
}
