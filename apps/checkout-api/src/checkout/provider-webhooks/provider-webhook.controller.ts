import { Controller, HttpCode, Param, Post, RawBodyRequest, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '@app/common';
import { ApplyWebhookUseCase } from './apply-webhook.use-case';

/** POST /webhooks/<adapter kind>, e.g. /webhooks/gr4vy. Signed by the provider; no merchant token. */
@ApiExcludeController()
@Controller('webhooks')
export class ProviderWebhookController {
  constructor(private readonly applyWebhook: ApplyWebhookUseCase) {}

  @Post(':adapter')
  @HttpCode(200)
  async receive(@Param('adapter') adapter: string, @Req() request: RawBodyRequest<FastifyRequest>) {
    if (!request.rawBody) throw new DomainError('VALIDATION_FAILED');
    return { status: await this.applyWebhook.execute(adapter, request.headers, request.rawBody) };
  }
}
