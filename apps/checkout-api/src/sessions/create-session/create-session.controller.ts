import { Body, Controller, Headers, Post, Req, Res, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiGatewayTimeoutResponse,
  ApiHeader,
  ApiPayloadTooLargeResponse,
  ApiResponse,
  ApiSecurity,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { MerchantAuthGuard, MerchantId } from '@app/auth';
import { validateBody } from '@app/common';
import { parseIdempotencyKey, requestFingerprint } from '@app/idempotency';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { buildCreateSessionCommand } from './create-session.command';
import { BEARER_SCHEME, ErrorEnvelopeDto, IDEMPOTENCY_SCHEME } from '../../openapi';
import { CreateSessionRequest } from './create-session.request';
import { CreatedSessionDto } from './create-session.response';
import { CreateSessionUseCase } from './create-session.use-case';

export const SESSIONS_ROUTE = '/api/v1/sessions';

const ERROR = { type: ErrorEnvelopeDto };

@ApiTags('sessions')
@Controller('api/v1/sessions')
export class CreateSessionController {
  constructor(private readonly createSession: CreateSessionUseCase) {}

  /* 401 and 400 are decided here, before any idempotency claim, so a corrected retry with the same key runs. */
  @Post()
  @UseGuards(MerchantAuthGuard)
  @ApiBearerAuth(BEARER_SCHEME)
  @ApiSecurity(IDEMPOTENCY_SCHEME)
  @ApiHeader({
    name: 'Idempotency-Key',
    required: true,
    description: 'Client-generated unique key used to safely retry session creation; up to 255 characters',
  })
  @ApiHeader({
    name: 'X-Request-Id',
    required: false,
    description: 'Echoed back and logged; generated when absent',
  })
  @ApiBody({ type: CreateSessionRequest })
  @ApiCreatedResponse({
    type: CreatedSessionDto,
    description: 'Created; a replay carries Idempotent-Replayed: true',
  })
  @ApiBadRequestResponse({
    ...ERROR,
    description:
      'IDEMPOTENCY_KEY_MISSING "Missing required header: Idempotency-Key", IDEMPOTENCY_KEY_INVALID, AMOUNT_MISMATCH ' +
      '"amount.total does not match the sum of line items, shipping, and tax", VALIDATION_FAILED, MALFORMED_JSON',
  })
  @ApiUnauthorizedResponse({
    ...ERROR,
    description: 'UNAUTHORIZED "Authentication required. Please provide a valid API token"',
  })
  @ApiConflictResponse({
    ...ERROR,
    description:
      'IDEMPOTENCY_KEY_IN_USE (with Retry-After) or DUPLICATE_ORDER "The request conflicts with the current state of the resource"',
  })
  @ApiPayloadTooLargeResponse({ ...ERROR, description: 'PAYLOAD_TOO_LARGE: body over 1 MB' })
  @ApiUnprocessableEntityResponse({
    ...ERROR,
    description:
      'IDEMPOTENCY_KEY_MISMATCH "This idempotency key was already used with different request parameters", ' +
      'NO_AVAILABLE_PROVIDER "No eligible providers found for the given request parameters"',
  })
  @ApiResponse({ status: 500, ...ERROR, description: 'INTERNAL_ERROR "Internal server error"' })
  @ApiResponse({
    status: 502,
    ...ERROR,
    description: 'PROVIDER_UNAVAILABLE or PROVIDER_REJECTED "Service temporarily unavailable."',
  })
  @ApiServiceUnavailableResponse({
    ...ERROR,
    description: 'SERVICE_UNAVAILABLE "The service is temporarily unavailable. Please try again later"',
  })
  @ApiGatewayTimeoutResponse({ ...ERROR, description: 'PROVIDER_TIMEOUT "Request timed out."' })
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
