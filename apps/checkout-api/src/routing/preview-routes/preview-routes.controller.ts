import { Body, Controller, HttpCode, Inject, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { MerchantAuthGuard, MerchantId } from '@app/auth';
import { BEARER_SCHEME } from '../../openapi';
import { validateBody } from '@app/common';
import { buildCreateSessionCommand } from '../../sessions/create-session/create-session.command';
import { CreateSessionRequest } from '../../sessions/create-session/create-session.request';
import { routingInput } from '../../sessions/create-session/session-creator';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { explainedCandidates, RoutePlanner } from '../route-planner';

/** The routing decision for a create body, explained, without creating anything: for tuning a catalog. */
@ApiTags('routing')
@Controller('api/v1/routing')
export class PreviewRoutesController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly planner: RoutePlanner,
  ) {}

  @Post('preview')
  @HttpCode(200)
  @UseGuards(MerchantAuthGuard)
  @ApiBearerAuth(BEARER_SCHEME)
  @ApiOkResponse({
    description:
      '{selectedProvider, candidates}: every route with its score and factors, or why it was excluded',
  })
  async preview(@MerchantId() merchantId: string, @Body() body: unknown) {
    const dto = await validateBody(CreateSessionRequest, body);
    const command = buildCreateSessionCommand(dto, {
      merchantId,
      idempotencyKey: 'preview',
      fingerprint: '',
    });
    const decision = await this.planner.plan(routingInput(command, this.config.sessionTtlSeconds), {
      probe: false,
    });
    return {
      selectedProvider: decision.candidates[0]?.routeId ?? null,
      candidates: explainedCandidates(decision),
    };
  }
}
