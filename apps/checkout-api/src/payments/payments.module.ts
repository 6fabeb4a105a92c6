import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { AuthModule } from '../auth/auth.module';
import { IdempotencyModule } from '../idempotency/idempotency.module';
import { InfrastructureModule } from '../infrastructure/infrastructure.module';
import { ProvidersModule } from '../providers/providers.module';
import { RoutingModule } from '../routing/routing.module';
import { CapturePaymentController } from './capture-payment/capture-payment.controller';
import { CapturePaymentUseCase } from './capture-payment/capture-payment.use-case';
import { PaymentLedgerRepository } from './domain/payment-ledger.repository';
import { ListRefundsController } from './list-refunds/list-refunds.controller';
import { ListRefundsUseCase } from './list-refunds/list-refunds.use-case';
import { PaymentOperationExecutor } from './payment-operation.executor';
import { TypeOrmPaymentLedgerRepository } from './persistence/typeorm-payment-ledger.repository';
import { RefundPaymentController } from './refund-payment/refund-payment.controller';
import { RefundPaymentUseCase } from './refund-payment/refund-payment.use-case';
import { VoidPaymentController } from './void-payment/void-payment.controller';
import { VoidPaymentUseCase } from './void-payment/void-payment.use-case';

/** After checkout: capture, void and refund through one API, whichever provider took the payment. */
@Module({
  imports: [
    AuthModule,
    EventsModule,
    IdempotencyModule,
    InfrastructureModule,
    ProvidersModule,
    RoutingModule,
  ],
  controllers: [
    CapturePaymentController,
    VoidPaymentController,
    RefundPaymentController,
    ListRefundsController,
  ],
  providers: [
    { provide: PaymentLedgerRepository, useClass: TypeOrmPaymentLedgerRepository },
    PaymentOperationExecutor,
    CapturePaymentUseCase,
    VoidPaymentUseCase,
    RefundPaymentUseCase,
    ListRefundsUseCase,
  ],
  exports: [PaymentLedgerRepository],
})
export class PaymentsModule {}
