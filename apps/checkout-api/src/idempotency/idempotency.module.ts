import { Logger, Module } from '@nestjs/common';
import { IdempotencyRunner, IdempotencyStore } from '@app/idempotency';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { InfrastructureModule } from '../infrastructure/infrastructure.module';
import { MetricsService } from '../observability/metrics.service';
import { ObservabilityModule } from '../observability/observability.module';

/** The one idempotency runner every mutating endpoint runs under, with the service's lease, TTL, metrics and logs. */
@Module({
  imports: [InfrastructureModule, ObservabilityModule],
  providers: [
    {
      provide: IdempotencyRunner,
      inject: [IdempotencyStore, APP_CONFIG, MetricsService],
      useFactory: (store: IdempotencyStore, config: AppConfig, metrics: MetricsService) => {
        const logger = new Logger('Idempotency');
        return new IdempotencyRunner(
          store,
          { leaseMs: config.idempotencyLeaseMs, ttlSeconds: config.idempotencyTtlSeconds },
          {
            outcome: (outcome) => metrics.idempotency.inc({ outcome }),
            warn: (msg, error) =>
              logger.warn({ msg, error: error === undefined ? undefined : String(error) }),
          },
        );
      },
    },
  ],
  exports: [IdempotencyRunner],
})
export class IdempotencyModule {}
