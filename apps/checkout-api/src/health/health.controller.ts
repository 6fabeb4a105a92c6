import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { pingDatabase } from '../infrastructure/database';
import { pingRedis, REDIS, RedisClient } from '../infrastructure/redis';
import { ShutdownState } from '../observability/shutdown.state';

const CHECK_TIMEOUT_MS = 500;

// For the platform (probes, scrapers), not merchants: left out of the API document (README, API contract).
@ApiExcludeController()
@Controller('health')
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: RedisClient,
    private readonly shutdown: ShutdownState,
  ) {}

  /** The process is up and serving. */
  @Get('live')
  @HttpCode(200)
  live() {
    return { status: 'ok' };
  }

  /** Postgres and Redis both answer, within short timeouts; 503 while either does not. */
  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    if (this.shutdown.isDraining) {
      void reply.status(503);
      return { status: 'draining', checks: {} };
    }
    const [postgres, redis] = await Promise.all([
      pingDatabase(this.dataSource, CHECK_TIMEOUT_MS),
      pingRedis(this.redis, CHECK_TIMEOUT_MS),
    ]);
    const ok = postgres && redis;
    void reply.status(ok ? 200 : 503);
    return { status: ok ? 'ok' : 'unavailable', checks: { postgres: up(postgres), redis: up(redis) } };
  }
}

function up(ok: boolean): 'up' | 'down' {
  return ok ? 'up' : 'down';
}
