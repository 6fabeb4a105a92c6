import { Inject, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { pingDatabase } from '../infrastructure/database';
import { InfrastructureModule } from '../infrastructure/infrastructure.module';
import { REDIS, RedisClient } from '../infrastructure/redis';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { ShutdownState } from './shutdown.state';
import { shutdownTracing } from './tracing';

const DB_PING_TIMEOUT_MS = 500;

@Module({
  imports: [InfrastructureModule],
  controllers: [MetricsController],
  providers: [MetricsService, ShutdownState],
  exports: [MetricsService, ShutdownState],
})
export class ObservabilityModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly metrics: MetricsService,
    private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: RedisClient,
  ) {}

  onModuleInit(): void {
    // TypeORM's postgres driver keeps its pg Pool as `master`.
    const pool = (this.dataSource.driver as unknown as { master?: Pool }).master;
    this.metrics.addCollectedGauge(
      'db_pool_connections',
      'Postgres pool connections by state',
      ['state'],
      (gauge) => {
        gauge.set({ state: 'total' }, pool?.totalCount ?? 0);
        gauge.set({ state: 'idle' }, pool?.idleCount ?? 0);
        gauge.set({ state: 'waiting' }, pool?.waitingCount ?? 0);
      },
    );
    this.metrics.addCollectedGauge(
      'redis_connection_up',
      '1 while the Redis connection is ready',
      [],
      (gauge) => gauge.set(this.redis.status === 'ready' ? 1 : 0),
    );
    this.metrics.addCollectedGauge(
      'db_connection_up',
      '1 while Postgres answers a ping (checked at scrape time)',
      [],
      async (gauge) => gauge.set((await pingDatabase(this.dataSource, DB_PING_TIMEOUT_MS)) ? 1 : 0),
    );
  }

  /* After the app has closed, so the spans of the last requests are exported too. */
  async onApplicationShutdown(): Promise<void> {
    await shutdownTracing();
  }
}
