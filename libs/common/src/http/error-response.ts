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

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'VALIDATION_FAILED',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
};

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

function fastifyErrorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
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

  const fastifyCode = fastifyErrorCode(error);
  if (fastifyCode && FASTIFY_CODES[fastifyCode]) return fromCode(FASTIFY_CODES[fastifyCode]);
  if (error instanceof SyntaxError && httpStatusOf(error) === 400) return fromCode('MALFORMED_JSON');

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
