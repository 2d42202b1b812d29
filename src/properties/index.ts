/** Every property of the suite, in the order a run takes them (the order of names.ts). */
import { CASE_PROPERTIES } from './cases.ts';
import { CONCURRENT } from './concurrent.ts';
import { EDGES } from './edges.ts';
import { PROPERTY_NAMES } from './names.ts';
import type { PropertyDef } from './property.ts';
import { STATEFUL } from './stateful/property.ts';

/**
 * A property with its value type forgotten: its arbitrary and its execute are only ever used
 * together (the engine passes what the one generates to the other), which keeps this sound.
 */
export type AnyProperty = PropertyDef<unknown>;
const erase = <T>(p: PropertyDef<T>): AnyProperty => p as unknown as AnyProperty;

const DEFINED: readonly AnyProperty[] = [
  ...CASE_PROPERTIES.map(erase),
  erase(STATEFUL),
  erase(CONCURRENT),
  erase(EDGES),
];

if (DEFINED.length !== PROPERTY_NAMES.length)
  throw new Error('a property is defined twice or has no title in names.ts');

export const PROPERTIES: readonly AnyProperty[] = PROPERTY_NAMES.map((name) => {
  const def = DEFINED.find((p) => p.name === name);
  if (!def) throw new Error(`property ${name} has a title in names.ts but no definition`);
  return def;
});

export function propertyByName(name: string): AnyProperty | undefined {
  return PROPERTIES.find((p) => p.name === name);
}
