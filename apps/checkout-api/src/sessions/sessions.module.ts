import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { EventsModule } from '../events/events.module';
import { IdempotencyModule } from '../idempotency/idempotency.module';
import { InfrastructureModule } from '../infrastructure/infrastructure.module';
import { ObservabilityModule } from '../observability/observability.module';
import { ProvidersModule } from '../providers/providers.module';
import { RoutingModule } from '../routing/routing.module';
import { CreateSessionController } from './create-session/create-session.controller';
import { CreateSessionUseCase } from './create-session/create-session.use-case';
import { SessionCreator } from './create-session/session-creator';
import { SessionRepository } from './domain/session.repository';
import { SessionExpirySweeper } from './expire-sessions/session-expiry.sweeper';
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
    ProvidersModule,
    RoutingModule,
  ],
  controllers: [CreateSessionController, GetSessionController],
  providers: [
    { provide: SessionRepository, useClass: TypeOrmSessionRepository },
    SessionCreator,
    CreateSessionUseCase,
    GetSessionUseCase,
    SessionExpirySweeper,
  ],
  exports: [SessionRepository],
})
export class SessionsModule {}
