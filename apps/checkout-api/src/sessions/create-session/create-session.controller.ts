import { Body, Controller, Headers, Post, Req, Res, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiHeader,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { MerchantAuthGuard, MerchantId } from '@app/auth';
import { validateBody } from '@app/common';
import { parseIdempotencyKey, requestFingerprint } from '@app/idempotency';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  ApiErrors,
  BEARER_SCHEME,
  IDEMPOTENCY_KEY_PARAMETER,
  IDEMPOTENT_REPLAYED,
  responseHeaders,
} from '../../openapi';
import { buildCreateSessionCommand } from './create-session.command';
import { CreateSessionRequest } from './create-session.request';
import { CreatedSessionDto } from './create-session.response';
import { CreateSessionUseCase } from './create-session.use-case';

export const SESSIONS_ROUTE = '/api/v1/sessions';

@ApiTags('sessions')
@Controller('api/v1/sessions')
export class CreateSessionController {
  constructor(private readonly createSession: CreateSessionUseCase) {}

  /* 401 and 400 are decided here, before any idempotency claim, so a corrected retry with the same key runs. */
  @Post()
  @UseGuards(MerchantAuthGuard)
  @ApiOperation({
    operationId: 'createSession',
    summary: 'Create checkout session',
    description:
      'Creates a payment session for the authenticated application: routes the order to a provider, opens ' +
      'the session there and returns where to send the buyer. Exactly once per Idempotency-Key: a retry ' +
      'with the same key and body gets the first answer, with `Idempotent-Replayed: true`.',
  })
  @ApiBearerAuth(BEARER_SCHEME)
  @ApiHeader(IDEMPOTENCY_KEY_PARAMETER)
  @ApiBody({ type: CreateSessionRequest })
  @ApiCreatedResponse({
    type: CreatedSessionDto,
    description: 'The session, created now or by an earlier request with this Idempotency-Key',
    headers: responseHeaders([{ name: IDEMPOTENT_REPLAYED, required: false }]),
  })
  @ApiErrors(
    [
      'IDEMPOTENCY_KEY_MISSING',
      'IDEMPOTENCY_KEY_INVALID',
      'MALFORMED_JSON',
      'VALIDATION_FAILED',
      'AMOUNT_MISMATCH',
      'UNAUTHORIZED',
      'IDEMPOTENCY_KEY_IN_USE',
      'DUPLICATE_ORDER',
      'PAYLOAD_TOO_LARGE',
      'UNSUPPORTED_MEDIA_TYPE',
      'IDEMPOTENCY_KEY_MISMATCH',
      'NO_AVAILABLE_PROVIDER',
      'INTERNAL_ERROR',
      'PROVIDER_UNAVAILABLE',
      'PROVIDER_REJECTED',
      'SERVICE_UNAVAILABLE',
      'PROVIDER_TIMEOUT',
    ],
    // What isFinalCreateError stores as the key's answer.
    { replayed: ['DUPLICATE_ORDER', 'NO_AVAILABLE_PROVIDER'] },
  )
  async create(
    @MerchantId() merchantId: string,
    @Headers('idempotency-key') idempotencyKeyHeader: string | undefined,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    const idempotencyKey = parseIdempotencyKey(idempotencyKeyHeader);
    const dto = await validateBody(CreateSessionRequest, body);
    const command = buildCreateSessionCommand(dto, {
      merchantId,
      idempotencyKey,
      fingerprint: requestFingerprint('POST', SESSIONS_ROUTE, body),
      requestId: String(request.id),
    });
    const result = await this.createSession.execute(command);
    void reply.status(result.status).headers(result.headers);
    return result.body;
  }
}
