import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

const UNIT = { type: 'number', minimum: 0, maximum: 1 } as const;

export class RouteFactorsDto {
  @ApiProperty(UNIT) successRate!: number;
  @ApiProperty(UNIT) latency!: number;
  @ApiProperty(UNIT) fee!: number;
  @ApiProperty(UNIT) priority!: number;
}

/** One route of a routing decision: scored when eligible, with its reason when left out. */
export class RoutingCandidateDto {
  @ApiProperty({ example: 'gr4vy-card-anz' }) routeId!: string;
  @ApiProperty({ example: 'gr4vy', description: 'The adapter kind of the route' }) adapter!: string;
  @ApiProperty() eligible!: boolean;
  @ApiPropertyOptional({ minimum: 0, maximum: 100, example: 92.5, description: 'When eligible' })
  score?: number;
  @ApiPropertyOptional({
    type: RouteFactorsDto,
    description: 'When eligible: each factor of the score, 0..1',
  })
  factors?: RouteFactorsDto;
  @ApiPropertyOptional({ type: 'integer', minimum: 0, description: 'When eligible: the fee, in minor units' })
  feeMinor?: number;
  @ApiPropertyOptional({ example: 'currency CHF not supported', description: 'When left out: why' })
  reason?: string;
}
