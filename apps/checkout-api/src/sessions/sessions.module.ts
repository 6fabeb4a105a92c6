import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { EventsModule } from '../events/events.module';
import { IdempotencyModule } from '../idempotency/idempotency.module';
import { InfrastructureModule } from '../infrastructure/infrastructure.module';
import { ObservabilityModule } from '../observability/observability.module';
import { PaymentsModule } from '../payments/payments.module';
import { ProvidersModule } from '../providers/providers.module';
import { RoutingModule } from '../routing/routing.module';
import { CancelSessionController } from './cancel-session/cancel-session.controller';
import { CancelSessionUseCase } from './cancel-session/cancel-session.use-case';
import { CreateSessionController } from './create-session/create-session.controller';
import { CreateSessionUseCase } from './create-session/create-session.use-case';
import { SessionCreator } from './create-session/session-creator';
import { SessionLifecycleRepository } from './domain/session-lifecycle.repository';
import { SessionRepository } from './domain/session.repository';
import { ListSessionsController } from './list-sessions/list-sessions.controller';
import { ListSessionsUseCase } from './list-sessions/list-sessions.use-case';
import { TypeOrmSessionLifecycleRepository } from './persistence/typeorm-session-lifecycle.repository';
import { SessionExpirySweeper } from './expire-sessions/session-expiry.sweeper';
import { SessionReconciler } from './reconcile-sessions/session-reconciler';
import { GetSessionController } from './get-session/get-session.controller';
import { GetSessionUseCase } from './get-session/get-session.use-case';
import { TypeOrmSessionRepository } from './persistence/typeorm-session.repository';

@Module({
  imports: [
    AuthModule,
    EventsModule,
    IdempotencyModule,
    InfrastructureModule,
    ObservabilityModule,
    PaymentsModule,
    ProvidersModule,
    RoutingModule,
  ],
  controllers: [
    CreateSessionController,
    ListSessionsController,
    GetSessionController,
    CancelSessionController,
  ],
  providers: [
    { provide: SessionRepository, useClass: TypeOrmSessionRepository },
    { provide: SessionLifecycleRepository, useClass: TypeOrmSessionLifecycleRepository },
    ListSessionsUseCase,
    CancelSessionUseCase,
    SessionCreator,
    CreateSessionUseCase,
    GetSessionUseCase,
    SessionExpirySweeper,
    SessionReconciler,
  ],
  exports: [SessionRepository, SessionLifecycleRepository],
})
export class SessionsModule {}
