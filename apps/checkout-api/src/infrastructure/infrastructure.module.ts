import { Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { IdempotencyStore, RedisIdempotencyStore } from '@app/idempotency';
import { RedisRouteHealthStore, RouteHealthStore } from '@app/routing';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { createDataSource, runMigrationsLocked } from './database';
import { createRedisClient, REDIS } from './redis';

/** Postgres, Redis and the stores built on them; closed on shutdown. */
@Module({
  providers: [
    {
      provide: DataSource,
      inject: [APP_CONFIG],
      useFactory: async (config: AppConfig) => {
        if (config.dbMigrationsRun) {
          await runMigrationsLocked(config.databaseUrl, config.dbMigrationLockTimeoutMs);
        }
        const dataSource = createDataSource(
          config.databaseUrl,
          config.dbPoolSize,
          config.dbStatementTimeoutMs,
        );
        await dataSource.initialize();
        return dataSource;
      },
    },
    {
      provide: REDIS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => createRedisClient(config.redisUrl),
    },
    {
      provide: IdempotencyStore,
      inject: [REDIS],
      useFactory: (redis: Redis) => new RedisIdempotencyStore(redis),
    },
    {
      provide: RouteHealthStore,
      inject: [REDIS, APP_CONFIG],
      useFactory: (redis: Redis, config: AppConfig) =>
        new RedisRouteHealthStore(redis, config.routingStatsWindowMs),
    },
  ],
  exports: [DataSource, REDIS, IdempotencyStore, RouteHealthStore],
})
export class InfrastructureModule implements OnApplicationShutdown {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
