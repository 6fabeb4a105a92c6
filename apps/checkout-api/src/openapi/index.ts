export { BEARER_SCHEME, buildOpenApiDocument, setupOpenApi } from './document';
export { ApiErrors, ErrorEnvelopeDto } from './error-responses';
export { IDEMPOTENCY_KEY_PARAMETER, IDEMPOTENT_REPLAYED, responseHeaders } from './headers';
