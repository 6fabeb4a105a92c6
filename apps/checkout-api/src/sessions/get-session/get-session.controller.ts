import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { MerchantAuthGuard, MerchantId } from '@app/auth';
import { GetSessionUseCase } from './get-session.use-case';

@Controller('api/v1/sessions')
export class GetSessionController {
  constructor(private readonly getSession: GetSessionUseCase) {}

  @Get(':sessionId')
  @UseGuards(MerchantAuthGuard)
  get(@MerchantId() merchantId: string, @Param('sessionId') sessionId: string) {
    return this.getSession.execute(merchantId, sessionId);
  }
}
