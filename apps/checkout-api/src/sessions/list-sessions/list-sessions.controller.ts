import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiQuery, ApiTags } from '@nestjs/swagger';
import { MerchantAuthGuard, MerchantId } from '@app/auth';
import { ApiErrors, BEARER_SCHEME } from '../../openapi';
import { SESSION_STATUSES } from '../domain/session';
import { SessionDetailDto } from '../get-session/get-session.response';
import { LIST_LIMIT, parseSessionListQuery } from './list-sessions.query';
import { ListSessionsUseCase } from './list-sessions.use-case';

class SessionListDto {
  @ApiProperty({ type: [SessionDetailDto] }) data!: SessionDetailDto[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` for the next page; null on the last page',
  })
  nextCursor!: string | null;
}

@ApiTags('sessions')
@Controller('api/v1/sessions')
export class ListSessionsController {
  constructor(private readonly listSessions: ListSessionsUseCase) {}

  @Get()
  @UseGuards(MerchantAuthGuard)
  @ApiOperation({
    operationId: 'listSessions',
    summary: 'List checkout sessions',
    description: 'The merchant’s own sessions, newest first, a page at a time (keyset on createdAt and id).',
  })
  @ApiBearerAuth(BEARER_SCHEME)
  @ApiQuery({
    name: 'orderReference',
    required: false,
    schema: { type: 'string', minLength: 1, maxLength: 255 },
  })
  @ApiQuery({
    name: 'status',
    required: false,
    isArray: true,
    enum: SESSION_STATUSES,
    description: 'Repeat to match any of several statuses',
  })
  @ApiQuery({ name: 'createdFrom', required: false, schema: { type: 'string', format: 'date-time' } })
  @ApiQuery({ name: 'createdTo', required: false, schema: { type: 'string', format: 'date-time' } })
  @ApiQuery({
    name: 'limit',
    required: false,
    schema: {
      type: 'integer',
      minimum: LIST_LIMIT.min,
      maximum: LIST_LIMIT.max,
      default: LIST_LIMIT.default,
    },
  })
  @ApiQuery({ name: 'cursor', required: false, schema: { type: 'string' }, description: 'From `nextCursor`' })
  @ApiOkResponse({ type: SessionListDto, description: 'The merchant’s sessions, newest first' })
  @ApiErrors(['VALIDATION_FAILED', 'UNAUTHORIZED', 'INTERNAL_ERROR', 'SERVICE_UNAVAILABLE'])
  list(@MerchantId() merchantId: string, @Query() query: Record<string, unknown>) {
    return this.listSessions.execute(merchantId, parseSessionListQuery(query));
  }
}
