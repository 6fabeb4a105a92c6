import { Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '@app/common';
import { PaySessionUseCase } from './pay-session.use-case';
import { ReturnFromApprovalUseCase } from './return-from-approval.use-case';

@ApiExcludeController()
@Controller('checkout')
export class PaySessionController {
  constructor(
    private readonly paySession: PaySessionUseCase,
    private readonly returnFromApproval: ReturnFromApprovalUseCase,
  ) {}

  /** JSON only (a cross-site form cannot send it): the page's script posts here after the card is stored. */
  @Post(':sessionId/pay')
  @HttpCode(200)
  async pay(
    @Param('sessionId') sessionId: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    // Browsers can post forms across sites without a preflight, but not JSON: that is the CSRF guard.
    if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) {
      throw new DomainError('UNSUPPORTED_MEDIA_TYPE');
    }
    const result = await this.paySession.execute(sessionId, String(request.id));
    void reply.status(result.status).headers(result.headers).header('Cache-Control', 'no-store');
    return result.body;
  }

  /** Where the provider sends the buyer back after an approval step. */
  @Get(':sessionId/return')
  async back(@Param('sessionId') sessionId: string, @Res() reply: FastifyReply): Promise<void> {
    void reply.redirect(await this.returnFromApproval.execute(sessionId), 303);
  }
}
