import { ApiProperty } from '@nestjs/swagger';
import { RoutingCandidateDto } from '../routing-candidate.response';

/** 200 body of POST /api/v1/routing/preview. */
export class RoutingPreviewDto {
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'gr4vy-card-anz',
    description: 'The route a create would try first; null when no route can take the order',
  })
  selectedProvider!: string | null;

  @ApiProperty({
    type: [RoutingCandidateDto],
    description: 'Eligible routes best first, then every route left out with its reason',
  })
  candidates!: RoutingCandidateDto[];
}
