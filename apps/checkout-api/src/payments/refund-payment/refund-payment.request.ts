import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsNumber, IsOptional, IsPositive, IsString, Length, Matches } from 'class-validator';

export class RefundPaymentRequest {
  @ApiPropertyOptional({
    example: 25,
    description:
      'Major units of the session’s currency, at most what was captured and is not refunded yet; default: ' +
      'all of that. A payment may be refunded in several parts.',
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  amount?: number;

  @ApiPropertyOptional({ example: 'Damaged in transit', maxLength: 100 })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  @Matches(/^[^\p{Cc}]*$/u, { message: 'reason must not contain control characters' })
  reason?: string;
}
