import { applyDecorators, HttpCode, Post, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiGatewayTimeoutResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOperation,
  ApiParam,
  ApiResponse,
  ApiServiceUnavailableResponse,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { ClassConstructor } from 'class-transformer';
import type { FastifyReply } from 'fastify';
import { MerchantAuthGuard } from '@app/auth';
import { DomainError, validateBody } from '@app/common';
import { IdempotentResult, parseIdempotencyKey, requestFingerprint } from '@app/idempotency';
import { BEARER_SCHEME, ErrorEnvelopeDto } from '../openapi';
import type { OperationKind } from './domain/payment-operation';
import type { OperationInput } from './payment-operation.executor';

const PATHS: Record<OperationKind, string> = { capture: 'capture', void: 'void', refund: 'refunds' };

export interface OperationHttpRequest {
  merchantId: string;
  sessionId: string;
  idempotencyKeyHeader: string | undefined;
  body: unknown;
  requestId: string;
}

/**
 * The key and the body are checked here, before any idempotency claim, so that a corrected
 * retry with the same key runs. The fingerprint holds the route (session included): a key
 * reused on another endpoint or session is a 422, never that other request's answer.
 */
export async function operationInput(
  kind: OperationKind,
  request: OperationHttpRequest,
  body?: ClassConstructor<{ amount?: number; reason?: string }>,
): Promise<OperationInput> {
  const idempotencyKey = parseIdempotencyKey(request.idempotencyKeyHeader);
  const fields = body ? await validateBody(body, request.body ?? {}) : noBody(request.body);
  return {
    merchantId: request.merchantId,
    sessionId: request.sessionId,
    idempotencyKey,
    fingerprint: requestFingerprint(
      'POST',
      `/api/v1/sessions/${request.sessionId.toLowerCase()}/${PATHS[kind]}`,
      request.body ?? {},
    ),
    amount: fields.amount,
    reason: fields.reason,
    requestId: request.requestId,
  };
}

function noBody(body: unknown): Record<string, never> {
  const empty =
    body === undefined ||
    body === null ||
    (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0);
  if (!empty) {
    throw new DomainError('VALIDATION_FAILED', [
      { field: '(body)', messages: ['this endpoint takes no body'] },
    ]);
  }
  return {};
}

export function send(reply: FastifyReply, result: IdempotentResult): unknown {
  void reply.status(result.status).headers(result.headers);
  return result.body;
}

const ERROR = { type: ErrorEnvelopeDto };

/** What every money endpoint shares: the route, the merchant token, the Idempotency-Key and the errors. */
export function PaymentOperationEndpoint(options: {
  kind: OperationKind;
  summary: string;
  status: 200 | 201;
  conflicts: string;
}) {
  return applyDecorators(
    Post(`:sessionId/${PATHS[options.kind]}`),
    HttpCode(options.status),
    UseGuards(MerchantAuthGuard),
    ApiBearerAuth(BEARER_SCHEME),
    ApiOperation({ summary: options.summary }),
    ApiParam({ name: 'sessionId', format: 'uuid' }),
    ApiHeader({
      name: 'Idempotency-Key',
      required: true,
      description:
        'Client-generated key (1-255 printable ASCII): a retry with it gets the first answer, with ' +
        'Idempotent-Replayed: true. Scoped to the merchant.',
    }),
    ApiBadRequestResponse({
      ...ERROR,
      description:
        'IDEMPOTENCY_KEY_MISSING, IDEMPOTENCY_KEY_INVALID, VALIDATION_FAILED (e.g. more decimals than the ' +
        'currency has), MALFORMED_JSON',
    }),
    ApiUnauthorizedResponse({ ...ERROR, description: 'UNAUTHORIZED' }),
    ApiNotFoundResponse({ ...ERROR, description: 'NOT_FOUND: unknown, or another merchant’s session' }),
    ApiConflictResponse({
      ...ERROR,
      description: `${options.conflicts}, each with details and no provider call; IDEMPOTENCY_KEY_IN_USE (with Retry-After)`,
    }),
    ApiUnprocessableEntityResponse({ ...ERROR, description: 'IDEMPOTENCY_KEY_MISMATCH' }),
    ApiResponse({
      status: 502,
      ...ERROR,
      description: 'PROVIDER_UNAVAILABLE or PROVIDER_REJECTED: the provider did not do it',
    }),
    ApiServiceUnavailableResponse({ ...ERROR, description: 'SERVICE_UNAVAILABLE' }),
    ApiGatewayTimeoutResponse({
      ...ERROR,
      description: 'PROVIDER_TIMEOUT: the outcome is unknown; retry with the same Idempotency-Key',
    }),
  );
}
