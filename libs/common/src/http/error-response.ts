import { HttpException } from '@nestjs/common';
import { DomainError } from '../errors/domain-error';
import { ErrorCode, ErrorEnvelope, errorEnvelope, reasonPhrase } from '../errors/error-catalog';

export interface ErrorResponse {
  status: number;
  body: ErrorEnvelope;
  headers: Record<string, string>;
  /** True when the error was not expected: it is logged with its stack, and the body says nothing of it. */
  unexpected: boolean;
}

/* Nest hands Fastify's own errors (body too large, unsupported media type) to the filter as
 * HttpExceptions that keep only the status, so they are mapped by status; a body that is not
 * JSON is already a MALFORMED_JSON DomainError (see json-body-parser.ts). */
const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHORIZED',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

function fromCode(code: ErrorCode, details?: unknown, headers: Record<string, string> = {}): ErrorResponse {
  const body = errorEnvelope(code, details);
  return { status: body.statusCode, body, headers, unexpected: false };
}

function httpStatusOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'statusCode' in error) {
    const status = (error as { statusCode: unknown }).statusCode;
    return typeof status === 'number' ? status : undefined;
  }
  return undefined;
}

/** Maps any thrown value to the one error envelope the API answers with. */
export function toErrorResponse(error: unknown): ErrorResponse {
  if (error instanceof DomainError) return fromCode(error.code, error.details, error.headers);

  const status = error instanceof HttpException ? error.getStatus() : httpStatusOf(error);
  if (status !== undefined && STATUS_CODES[status]) return fromCode(STATUS_CODES[status]);
  if (status !== undefined && status >= 400 && status < 500) {
    const body: ErrorEnvelope = {
      statusCode: status,
      error: reasonPhrase(status),
      message: reasonPhrase(status),
      code: 'VALIDATION_FAILED',
    };
    return { status, body, headers: {}, unexpected: false };
  }
  return { ...fromCode('INTERNAL_ERROR'), unexpected: true };
}
