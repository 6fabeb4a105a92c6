export { Gr4vyProvider, GR4VY_SCOPES } from './gr4vy.provider';
export type { Gr4vyAdapterConfig, Gr4vyProviderDeps } from './gr4vy.provider';
export {
  classifyGr4vyFailure,
  GR4VY_E164_PATTERN,
  GR4VY_RESERVED_METADATA_KEYS,
  parseGr4vyRouteOptions,
  toE164,
  toGr4vyAddress,
  toGr4vyBuyer,
  toGr4vyCartItems,
  toGr4vyCheckoutSessionCreate,
  toGr4vyMetadata,
} from './gr4vy.mapper';
export type { Gr4vyRouteOptions } from './gr4vy.mapper';
export { Gr4vyTokenCache } from './gr4vy.token-cache';
export type { Gr4vyTokenCacheOptions, Gr4vyTokenSigner } from './gr4vy.token-cache';
