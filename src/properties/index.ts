/** Every property of the suite, in the order a run takes them. */
import { CASE_PROPERTIES } from './cases.ts';
import { CONCURRENT } from './concurrent.ts';
import { EDGES } from './edges.ts';
import type { PropertyDef } from './property.ts';
import { STATEFUL } from './stateful/property.ts';

/**
 * A property with its value type forgotten: its arbitrary and its execute are only ever used
 * together (the engine passes what the one generates to the other), which keeps this sound.
 */
export type AnyProperty = PropertyDef<unknown>;
const erase = <T>(p: PropertyDef<T>): AnyProperty => p as unknown as AnyProperty;

export const PROPERTIES: readonly AnyProperty[] = [
  ...CASE_PROPERTIES.map(erase),
  erase(STATEFUL),
  erase(CONCURRENT),
  // last: a server that keeps what it should replace (a merge) keeps its large and deep values too
  erase(EDGES),
];

export function propertyByName(name: string): AnyProperty | undefined {
  return PROPERTIES.find((p) => p.name === name);
}
