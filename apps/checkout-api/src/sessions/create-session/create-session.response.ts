import { ApiProperty } from '@nestjs/swagger';

export class RoutingSummaryDto {
  @ApiProperty({ example: 'gr4vy-card-anz', description: 'The chosen route id' }) selectedProvider!: string;
  @ApiProperty({ example: 92.5, minimum: 0, maximum: 100 }) score!: number;
}

/** 201 body of POST /api/v1/sessions. */
export class CreatedSessionDto {
  @ApiProperty({ format: 'uuid' }) sessionId!: string;
  @ApiProperty({
    format: 'uri',
    example: 'https://checkout.example.com/checkout/e4b8c1a2-b088-4e79-99ad-2c3e0fa3f1b9',
    description: "Where to send the buyer: this service's hosted page, or the provider's own",
  })
  checkoutUrl!: string;
  @ApiProperty({ enum: ['PENDING'] }) status!: string;
  @ApiProperty({ type: RoutingSummaryDto }) routing!: RoutingSummaryDto;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}
