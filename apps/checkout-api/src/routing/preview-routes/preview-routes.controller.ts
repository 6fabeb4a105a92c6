import { Body, Controller, HttpCode, Inject, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { MerchantAuthGuard, MerchantId } from '@app/auth';
import { validateBody } from '@app/common';
import { ApiErrors, BEARER_SCHEME } from '../../openapi';
import { buildCreateSessionCommand } from '../../sessions/create-session/create-session.command';
import { CreateSessionRequest } from '../../sessions/create-session/create-session.request';
import { routingInput } from '../../sessions/create-session/session-creator';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { explainedCandidates, RoutePlanner } from '../route-planner';
import { RoutingPreviewDto } from './preview-routes.response';

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
  @ApiOperation({
    operationId: 'previewRouting',
    summary: 'Preview routing decision',
    description:
      'How a create with this body would be routed now, explained: every route with its score and factors, ' +
      'or why it was left out. Creates nothing and calls no provider.',
  })
  @ApiBearerAuth(BEARER_SCHEME)
  @ApiBody({ type: CreateSessionRequest })
  @ApiOkResponse({ type: RoutingPreviewDto, description: 'The routing decision' })
  @ApiErrors([
    'MALFORMED_JSON',
    'VALIDATION_FAILED',
    'AMOUNT_MISMATCH',
    'UNAUTHORIZED',
    'PAYLOAD_TOO_LARGE',
    'UNSUPPORTED_MEDIA_TYPE',
    'INTERNAL_ERROR',
  ])
  async preview(@MerchantId() merchantId: string, @Body() body: unknown): Promise<RoutingPreviewDto> {
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
