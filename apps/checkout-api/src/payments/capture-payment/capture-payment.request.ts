import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsNumber, IsOptional, IsPositive } from 'class-validator';

export class CapturePaymentRequest {
  @ApiPropertyOptional({
    example: 60.5,
    description:
      'Major units of the session’s currency, at most the authorized amount and no more decimals than the ' +
      'currency has; default: the whole authorized amount. A payment is captured once, in full or in part.',
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  amount?: number;
}
