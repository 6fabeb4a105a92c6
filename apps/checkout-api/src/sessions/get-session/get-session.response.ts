import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PAYMENT_STATUSES } from '@app/providers';
import { SESSION_STATUSES } from '../domain/session';
import { RoutingCandidateDto } from '../../routing/routing-candidate.response';
import { RoutingSummaryDto } from '../create-session/create-session.response';
import { RefundDto } from '../../payments/refund-payment/refund-payment.response';

class AmountDto {
  @ApiProperty({ example: 140.76, minimum: 0 }) total!: number;
  @ApiProperty({ example: 9.95, minimum: 0 }) shipping!: number;
  @ApiProperty({ example: 11.81, minimum: 0 }) tax!: number;
}

class OrderItemDto {
  @ApiProperty({ example: 'Wireless Headphones' }) name!: string;
  @ApiPropertyOptional({ example: 'WH-100' }) sku?: string;
  @ApiProperty({ type: 'integer', minimum: 1, example: 1 }) quantity!: number;
  @ApiProperty({ minimum: 0, example: 119, description: 'Major units' }) unitPrice!: number;
}

class RoutingDetailDto extends RoutingSummaryDto {
  @ApiProperty({ type: [RoutingCandidateDto] }) candidates!: RoutingCandidateDto[];
}

export class PaymentDto {
  @ApiPropertyOptional() transactionId?: string;
  @ApiPropertyOptional({
    enum: PAYMENT_STATUSES,
    example: 'authorized',
    description: 'Where the payment stands, in the same words whichever provider took it',
  })
  status?: string;
  @ApiPropertyOptional({
    example: 'authorization_succeeded',
    description: 'The provider’s own status word, for operators; it differs between providers',
  })
  providerStatus?: string;
  @ApiPropertyOptional() declineReason?: string;
  @ApiPropertyOptional({ format: 'date-time' }) completedAt?: string;
  @ApiPropertyOptional({ format: 'date-time' }) failedAt?: string;
  @ApiProperty({ example: 140.76, description: 'Major units; the whole amount once authorized' })
  authorizedAmount!: number;
  @ApiProperty({ example: 100, description: 'Major units' }) capturedAmount!: number;
  @ApiProperty({ example: 25, description: 'Major units; refunds the provider has settled' })
  refundedAmount!: number;
  @ApiProperty({ type: [RefundDto], description: 'Oldest first' }) refunds!: RefundDto[];
}

/** 200 body of GET /api/v1/sessions/:sessionId. */
export class SessionDetailDto {
  @ApiProperty({ format: 'uuid' }) sessionId!: string;
  @ApiProperty({ format: 'uri' }) checkoutUrl!: string;
  @ApiProperty({ enum: SESSION_STATUSES }) status!: string;
  @ApiProperty() orderReference!: string;
  @ApiProperty({ enum: ['card'] }) paymentMethod!: string;
  @ApiProperty({ example: 'AUD', pattern: '^[A-Z]{3}$' }) currency!: string;
  @ApiPropertyOptional({ example: 'en_AU' }) locale?: string;
  @ApiProperty({ type: AmountDto }) amount!: AmountDto;
  @ApiProperty({ type: [OrderItemDto] }) orderItems!: OrderItemDto[];
  @ApiProperty({ type: RoutingDetailDto }) routing!: RoutingDetailDto;
  @ApiPropertyOptional({ type: PaymentDto, description: 'The paying transaction, once there is one' })
  payment?: PaymentDto;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}
