import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { DomainError } from '@app/common';
import type { AuthenticatedRequest } from './merchant-auth.guard';

/** The authenticated merchant id; only usable behind MerchantAuthGuard. */
export const MerchantId = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const merchantId = context.switchToHttp().getRequest<AuthenticatedRequest>().merchantId;
  if (!merchantId) throw new DomainError('UNAUTHORIZED');
  return merchantId;
});
