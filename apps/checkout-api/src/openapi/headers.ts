import type { HeaderObject, HeadersObject, ParameterObject, ReferenceObject } from '@nestjs/swagger';

/** What app.factory.ts accepts as a caller's request id; anything else is replaced by a new UUID. */
const REQUEST_ID_SCHEMA = { type: 'string', pattern: '^[!-~]{1,128}$' };

export const REQUEST_ID_HEADER_COMPONENT = 'RequestId';

/** Every response carries it (an onSend hook in app.factory.ts): declared on every response of the document. */
export const REQUEST_ID_RESPONSE_HEADER: HeaderObject = {
  required: true,
  description:
    "The request's id, as logged and passed to the providers: the caller's `X-Request-Id` when it is " +
    '1 to 128 visible ASCII characters, a new UUID otherwise',
  schema: REQUEST_ID_SCHEMA,
};

export const REQUEST_ID_PARAMETER: ParameterObject = {
  name: 'X-Request-Id',
  in: 'header',
  required: false,
  description:
    'Your id for this request: echoed back, logged, and passed to the providers. One that is not ' +
    '1 to 128 visible ASCII characters is replaced by a new UUID.',
  schema: REQUEST_ID_SCHEMA,
};

export function requestIdRef(): ReferenceObject {
  return { $ref: `#/components/headers/${REQUEST_ID_HEADER_COMPONENT}` };
}

/** The Idempotency-Key request header, as libs/idempotency/src/idempotency-key.ts reads it. */
export const IDEMPOTENCY_KEY_PARAMETER = {
  name: 'Idempotency-Key',
  required: true,
  description:
    'Client-generated unique key used to safely retry session creation: 1 to 255 printable ASCII ' +
    'characters, compared after trimming surrounding spaces (the RFC 8941 string form `"abc"` names the ' +
    'same key as `abc`). Scoped to your merchant; a retry with the same key and body gets the first answer.',
  schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[ -~]+$' },
};

export const RETRY_AFTER = 'Retry-After';
export const IDEMPOTENT_REPLAYED = 'Idempotent-Replayed';
export const WWW_AUTHENTICATE = 'WWW-Authenticate';

export type ResponseHeaderName = typeof RETRY_AFTER | typeof IDEMPOTENT_REPLAYED | typeof WWW_AUTHENTICATE;

const HEADERS: Record<ResponseHeaderName, HeaderObject> = {
  [RETRY_AFTER]: {
    description: 'Seconds to wait before retrying',
    schema: { type: 'integer', minimum: 1 },
  },
  [IDEMPOTENT_REPLAYED]: {
    description: 'Present when this is the stored answer of an earlier request with the same Idempotency-Key',
    schema: { type: 'string', enum: ['true'] },
  },
  [WWW_AUTHENTICATE]: {
    description: 'The scheme to authenticate with',
    schema: { type: 'string', enum: ['Bearer'] },
  },
};

/**
 * Response headers, each `required` when every answer under that status carries it. `when` says
 * which answers do, for a header only some of them carry.
 */
export function responseHeaders(
  headers: ReadonlyArray<{ name: ResponseHeaderName; required: boolean; when?: string }>,
): HeadersObject {
  return Object.fromEntries(
    headers.map(({ name, required, when }) => {
      const header = HEADERS[name];
      const description = when ? `${header.description}. ${when}` : header.description;
      return [name, { ...header, description, required }];
    }),
  );
}
