import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** 201 body of POST /api/v1/sessions/:sessionId/refunds. */
export class CreatedRefundDto {
  @ApiProperty({ format: 'uuid' }) refundId!: string;
  @ApiProperty({ example: 25, description: 'Major units' }) amount!: number;
  @ApiProperty({
    enum: ['pending', 'succeeded', 'failed'],
    description: '`pending` until the provider settles the refund (its webhook or a read settles it)',
  })
  status!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

/** A refund as GET …/refunds and the session's `payment.refunds` show it. */
export class RefundDto extends CreatedRefundDto {
  @ApiPropertyOptional({ example: 'Damaged in transit' }) reason?: string;
  @ApiPropertyOptional({ description: 'Why the provider gave nothing back, when it failed' })
  failureReason?: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class RefundListDto {
  @ApiProperty({ type: [RefundDto], description: 'Oldest first' }) data!: RefundDto[];
}
