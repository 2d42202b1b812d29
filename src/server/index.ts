/**
 * The embedded reference server: node:http, in memory, conformant to every MUST and SHOULD of
 * docs/contract.md. The CLI serves it when no target is given; the server library (fixtures/servers)
 * changes one behaviour of it at a time through the hooks of `Variant`. This module is its public
 * face: store (data and the server's own body rules), routes (replies) and transport (HTTP).
 */
export { createReferenceHandler } from './fetch.ts';
export { error, json, type Reply, type RequestInfo, readUpdate } from './routes.ts';
export {
  type AssetRecord,
  applyUpdate,
  hashOf,
  isObject,
  SEEDED_ASSET_ID,
  type Store,
  type Update,
  UUID,
  updatedBody,
} from './store.ts';
export { type ReferenceServer, startReferenceServer, type Variant } from './transport.ts';
