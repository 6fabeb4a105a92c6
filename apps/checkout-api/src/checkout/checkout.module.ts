import { Module } from '@nestjs/common';
import { IdempotencyModule } from '../idempotency/idempotency.module';
import { ProvidersModule } from '../providers/providers.module';
import { RoutingModule } from '../routing/routing.module';
import { SessionsModule } from '../sessions/sessions.module';
import { CheckoutSessionLoader } from './checkout-session.loader';
import { CheckoutPageController } from './hosted-page/checkout-page.controller';
import { PaySessionController } from './pay-session/pay-session.controller';
import { PaySessionUseCase } from './pay-session/pay-session.use-case';
import { ReturnFromApprovalUseCase } from './pay-session/return-from-approval.use-case';
import { ApplyWebhookUseCase } from './provider-webhooks/apply-webhook.use-case';
import { ProviderWebhookController } from './provider-webhooks/provider-webhook.controller';

/** The buyer's side: the hosted page, its submit, the return from approval, and provider webhooks. */
@Module({
  imports: [IdempotencyModule, ProvidersModule, RoutingModule, SessionsModule],
  controllers: [CheckoutPageController, PaySessionController, ProviderWebhookController],
  providers: [CheckoutSessionLoader, PaySessionUseCase, ReturnFromApprovalUseCase, ApplyWebhookUseCase],
})
export class CheckoutModule {}
