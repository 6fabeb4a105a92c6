import { Body, Controller, Headers, Post, Req, Res, UseGuards } from '@nestjs/common';
import { MerchantAuthGuard, MerchantId } from '@app/auth';
import { validateBody } from '@app/common';
import { parseIdempotencyKey, requestFingerprint } from '@app/idempotency';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { buildCreateSessionCommand } from './create-session.command';
import { CreateSessionRequest } from './create-session.request';
import { CreateSessionUseCase } from './create-session.use-case';

export const SESSIONS_ROUTE = '/api/v1/sessions';

@Controller('api/v1/sessions')
export class CreateSessionController {
  constructor(private readonly createSession: CreateSessionUseCase) {}

  /* 401 and 400 are decided here, before any idempotency claim, so a corrected retry with the same key runs. */
  @Post()
  @UseGuards(MerchantAuthGuard)
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
