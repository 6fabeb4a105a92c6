import { Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { IdempotencyStore, RedisIdempotencyStore } from '@app/idempotency';
import { RedisRouteHealthStore, RouteHealthStore } from '@app/routing';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { createDataSource, runMigrationsLocked } from './database';
import { createRedisClient, REDIS, RedisClient } from './redis';

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
          config.dbAcquireTimeoutMs,
        );
        await dataSource.initialize();
        return dataSource;
      },
    },
    {
      provide: REDIS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        const redis = createRedisClient(config.redis);
        // The client reconnects by itself (requests get 503 meanwhile); without a listener ioredis prints to stderr.
        const logger = new Logger('Redis');
        redis.on('error', (error: Error) =>
          logger.warn({ msg: 'redis connection error', error: error.message }),
        );
        return redis;
      },
    },
    {
      provide: IdempotencyStore,
      inject: [REDIS],
      useFactory: (redis: RedisClient) => new RedisIdempotencyStore(redis),
    },
    {
      provide: RouteHealthStore,
      inject: [REDIS, APP_CONFIG],
      useFactory: (redis: RedisClient, config: AppConfig) =>
        new RedisRouteHealthStore(redis, config.routingStatsWindowMs),
    },
  ],
  exports: [DataSource, REDIS, IdempotencyStore, RouteHealthStore],
})
export class InfrastructureModule implements OnApplicationShutdown {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: RedisClient,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
