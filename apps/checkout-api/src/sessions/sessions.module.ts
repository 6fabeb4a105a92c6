import { Module } from '@nestjs/common';
import { CreateSessionController } from './create-session/create-session.controller';
import { CreateSessionUseCase } from './create-session/create-session.use-case';
import { SessionCreator } from './create-session/session-creator';
import { SessionRepository } from './domain/session.repository';
import { SessionExpirySweeper } from './expire-sessions/session-expiry.sweeper';
import { GetSessionController } from './get-session/get-session.controller';
import { GetSessionUseCase } from './get-session/get-session.use-case';
import { TypeOrmSessionRepository } from './persistence/typeorm-session.repository';

@Module({
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
