import type { Issue } from '../validation/schema';

/** components/schemas/ErrorLocation */
export type ErrorLocation = 'query' | 'body' | 'path' | 'header' | 'unknown';

/** components/schemas/ErrorDetail */
export interface Gr4vyErrorDetail {
  location: ErrorLocation;
  pointer: string;
  message: string;
  type: string;
}

/** components/schemas/Error4xx / Error5xx */
export interface Gr4vyError {
  type: 'error';
  code: string;
  status: number;
  message: string;
  details: Gr4vyErrorDetail[];
  /** Error409 only. */
  resource_id?: string | null;
}

/** Defaults (`code`, `message`) of each Error<status> schema in the document. */
const DEFAULTS: Record<number, { code: string; message: string }> = {
  400: { code: 'bad_request', message: 'Generic error' },
  401: { code: 'unauthorized', message: 'No valid API authentication found' },
  403: { code: 'forbidden', message: 'Generic error' },
  404: { code: 'not_found', message: 'The resource could not be found' },
  405: { code: 'method_not_allowed', message: 'Method Not Allowed' },
  409: { code: 'duplicate_record', message: 'Generic error' },
  425: { code: 'too_early', message: 'Generic error' },
  429: { code: 'too_many_requests', message: 'Generic error' },
  500: { code: 'server_error', message: 'Request could not be processed' },
  502: { code: 'bad_gateway', message: 'Request could not be processed' },
  // 503 has no Error schema in the document; same shape, our own code.
  503: { code: 'service_unavailable', message: 'Request could not be processed' },
  504: { code: 'gateway_timeout', message: 'Request could not be processed' },
};

export function gr4vyError(
  status: number,
  message?: string,
  extra: { code?: string; details?: Gr4vyErrorDetail[]; resourceId?: string | null } = {},
): Gr4vyError {
  const defaults = DEFAULTS[status] ?? (status >= 500 ? DEFAULTS[500] : DEFAULTS[400]);
  const body: Gr4vyError = {
    type: 'error',
    code: extra.code ?? defaults.code,
    status,
    message: message ?? defaults.message,
    details: extra.details ?? [],
  };
  if (status === 409) body.resource_id = extra.resourceId ?? null;
  return body;
}

/** components/schemas/HTTPValidationError */
export interface HttpValidationError {
  detail: Issue[];
}

export function validationError(issues: Issue[]): HttpValidationError {
  return { detail: issues };
}

/** An RFC 6901 pointer for a pydantic-style location (without its leading 'body'). */
export function pointerFor(loc: readonly (string | number)[]): string {
  return loc.map((part) => `/${String(part).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}
