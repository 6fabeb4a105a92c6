import {
  applyDecorators,
  createParamDecorator,
  ExecutionContext,
  HttpCode,
  Post,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiParam } from '@nestjs/swagger';
import type { ClassConstructor } from 'class-transformer';
import type { FastifyReply } from 'fastify';
import { AuthenticatedRequest, MerchantAuthGuard } from '@app/auth';
import { DomainError, ErrorCode, validateBody } from '@app/common';
import { IdempotentResult, parseIdempotencyKey, requestFingerprint } from '@app/idempotency';
import {
  ApiErrors,
  BEARER_SCHEME,
  IDEMPOTENCY_KEY_PARAMETER,
  IDEMPOTENT_REPLAYED,
  responseHeaders,
} from '../openapi';
import type { OperationKind } from './domain/payment-operation';
import type { OperationInput } from './payment-operation.executor';

const PATHS: Record<OperationKind, string> = { capture: 'capture', void: 'void', refund: 'refunds' };

export interface OperationHttpRequest {
  merchantId: string;
  sessionId: string;
  idempotencyKeyHeader: string | string[] | undefined;
  body: unknown;
  requestId: string;
}

/** What a money endpoint reads of its request: the merchant (behind MerchantAuthGuard), the session, the key, the body. */
export const OperationRequest = createParamDecorator(
  (_data: unknown, context: ExecutionContext): OperationHttpRequest => {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!request.merchantId) throw new DomainError('UNAUTHORIZED');
    return {
      merchantId: request.merchantId,
      sessionId: (request.params as { sessionId: string }).sessionId,
      idempotencyKeyHeader: request.headers['idempotency-key'],
      body: request.body,
      requestId: String(request.id),
    };
  },
);

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

/** What every money endpoint shares: the route, the merchant token, the Idempotency-Key and the errors. */
export function PaymentOperationEndpoint(options: {
  kind: OperationKind;
  operationId: string;
  summary: string;
  description: string;
  status: 200 | 201;
  /** The 409s of this operation's money rules. */
  conflicts: ErrorCode[];
}) {
  return applyDecorators(
    Post(`:sessionId/${PATHS[options.kind]}`),
    HttpCode(options.status),
    UseGuards(MerchantAuthGuard),
    ApiOperation({
      operationId: options.operationId,
      summary: options.summary,
      description: options.description,
    }),
    ApiBearerAuth(BEARER_SCHEME),
    ApiParam({
      name: 'sessionId',
      schema: { type: 'string', format: 'uuid' },
      description: 'The session whose payment this acts on',
    }),
    ApiHeader({
      ...IDEMPOTENCY_KEY_PARAMETER,
      description:
        'Client-generated unique key used to safely retry this operation: 1 to 255 printable ASCII characters. ' +
        'Scoped to your merchant, across endpoints: a retry with the same key and request gets the first answer; ' +
        'the same key with another request (another body, endpoint or session) is a 422.',
    }),
    ApiErrors(
      [
        'IDEMPOTENCY_KEY_MISSING',
        'IDEMPOTENCY_KEY_INVALID',
        'MALFORMED_JSON',
        'VALIDATION_FAILED',
        'UNAUTHORIZED',
        'NOT_FOUND',
        ...options.conflicts,
        'IDEMPOTENCY_KEY_IN_USE',
        'PAYLOAD_TOO_LARGE',
        'UNSUPPORTED_MEDIA_TYPE',
        'IDEMPOTENCY_KEY_MISMATCH',
        'INTERNAL_ERROR',
        'PROVIDER_UNAVAILABLE',
        'PROVIDER_REJECTED',
        'SERVICE_UNAVAILABLE',
        'PROVIDER_TIMEOUT',
      ],
      // What isFinalPaymentError stores as the key's answer.
      { replayed: ['NOT_FOUND', 'VALIDATION_FAILED', ...options.conflicts] },
    ),
  );
}

/** The success answer: its body, and Idempotent-Replayed on a replay. */
export function replayableResponse(description: string) {
  return { description, headers: responseHeaders([{ name: IDEMPOTENT_REPLAYED, required: false }]) };
}
