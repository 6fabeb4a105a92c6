/**
 * Every error the API can answer with: a stable code, its HTTP status and the
 * public message. Messages documented in the Sessions API are used word for word.
 */
export const ERROR_CATALOG = {
  VALIDATION_FAILED: { status: 400, message: 'Request validation failed' },
  MALFORMED_JSON: { status: 400, message: 'Request body is not valid JSON' },
  IDEMPOTENCY_KEY_MISSING: { status: 400, message: 'Missing required header: Idempotency-Key' },
  IDEMPOTENCY_KEY_INVALID: {
    status: 400,
    message: 'Idempotency-Key must be 1 to 255 printable ASCII characters',
  },
  AMOUNT_MISMATCH: {
    status: 400,
    message: 'amount.total does not match the sum of line items, shipping, and tax',
  },
  WEBHOOK_URL_REFUSED: { status: 400, message: 'The webhook URL is not allowed' },
  UNAUTHORIZED: { status: 401, message: 'Authentication required. Please provide a valid API token' },
  NOT_FOUND: { status: 404, message: 'The requested resource was not found' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'Method not allowed' },
  IDEMPOTENCY_KEY_IN_USE: {
    status: 409,
    message: 'The request conflicts with the current state of the resource',
  },
  DUPLICATE_ORDER: { status: 409, message: 'The request conflicts with the current state of the resource' },
  SESSION_NOT_PAYABLE: {
    status: 409,
    message: 'The request conflicts with the current state of the resource',
  },
  SESSION_NOT_CANCELLABLE: {
    status: 409,
    message: 'The request conflicts with the current state of the resource',
  },
  WEBHOOK_ENDPOINT_DISABLED: {
    status: 409,
    message: 'The request conflicts with the current state of the resource',
  },
  NO_WEBHOOK_ENDPOINT: {
    status: 409,
    message: 'The request conflicts with the current state of the resource',
  },
  PAYMENT_NOT_CAPTURABLE: { status: 409, message: 'The payment cannot be captured in its current state' },
  CAPTURE_EXCEEDS_AUTHORIZED: { status: 409, message: 'The capture amount exceeds the authorized amount' },
  PAYMENT_NOT_VOIDABLE: { status: 409, message: 'The payment cannot be voided in its current state' },
  PAYMENT_NOT_REFUNDABLE: { status: 409, message: 'The payment cannot be refunded in its current state' },
  REFUND_EXCEEDS_CAPTURED: { status: 409, message: 'The refund amount exceeds what is left to refund' },
  WEBHOOK_REJECTED: { status: 401, message: 'Webhook signature or timestamp is not valid' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'Request body is larger than 1 MB' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Content-Type must be application/json' },
  IDEMPOTENCY_KEY_MISMATCH: {
    status: 422,
    message: 'This idempotency key was already used with different request parameters',
  },
  NO_AVAILABLE_PROVIDER: {
    status: 422,
    message: 'No eligible providers found for the given request parameters',
  },
  INTERNAL_ERROR: { status: 500, message: 'Internal server error' },
  PROVIDER_UNAVAILABLE: { status: 502, message: 'Service temporarily unavailable.' },
  PROVIDER_REJECTED: { status: 502, message: 'Service temporarily unavailable.' },
  SERVICE_UNAVAILABLE: {
    status: 503,
    message: 'The service is temporarily unavailable. Please try again later',
  },
  PROVIDER_TIMEOUT: { status: 504, message: 'Request timed out.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

const REASON_PHRASES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function reasonPhrase(status: number): string {
  return REASON_PHRASES[status] ?? (status >= 500 ? 'Internal Server Error' : 'Error');
}

/** The wire shape of every error body. */
export interface ErrorEnvelope {
  statusCode: number;
  error: string;
  message: string;
  code: ErrorCode;
  details?: unknown;
}

export function errorEnvelope(code: ErrorCode, details?: unknown, message?: string): ErrorEnvelope {
  const entry = ERROR_CATALOG[code];
  const body: ErrorEnvelope = {
    statusCode: entry.status,
    error: reasonPhrase(entry.status),
    message: message ?? entry.message,
    code,
  };
  if (details !== undefined) body.details = details;
  return body;
}
