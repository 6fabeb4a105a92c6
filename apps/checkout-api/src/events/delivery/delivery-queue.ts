import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import PgBoss from 'pg-boss';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { SqlExecutor } from '../domain/event-outbox';
import { deliveryTimings, DeliveryTimings } from './delivery-timings';

export const DELIVERY_QUEUE = 'webhook-delivery';
const PG_BOSS_SCHEMA = 'pgboss';

/** One job is one attempt of one delivery. */
export interface DeliveryJob {
  deliveryId: string;
  /** The attempt this job makes, from 1; a job whose attempt the delivery has passed is stale. */
  attempt: number;
}

/* A job's own retries are for a process that died mid-attempt or a store that failed under it:
 * the delivery schedule itself is ours, one job per attempt. */
const JOB_RETRY_LIMIT = 10;

/** rows of whatever the executor returned: pg's Result, or TypeORM's rows / [rows, count]. */
export function rowsOf(result: unknown): Record<string, unknown>[] {
  if (Array.isArray(result)) {
    const [first, second] = result as unknown[];
    return (Array.isArray(first) && typeof second === 'number' ? first : result) as Record<string, unknown>[];
  }
  return ((result as { rows?: Record<string, unknown>[] } | null)?.rows ?? []) as Record<string, unknown>[];
}

function asBossDb(executor: SqlExecutor): PgBoss.Db {
  return {
    executeSql: async (text, values) => ({ rows: rowsOf(await executor.query(text, values)) }),
  };
}

/**
 * pg-boss on our Postgres, in its own schema: the queue of delivery attempts. Jobs are
 * written through the caller's executor, so they commit with whatever caused them.
 */
@Injectable()
export class DeliveryQueue implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('DeliveryQueue');
  readonly timings: DeliveryTimings;
  private readonly boss: PgBoss;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.timings = deliveryTimings(config.webhooks.timeoutMs);
    this.boss = new PgBoss({
      connectionString: config.databaseUrl,
      schema: PG_BOSS_SCHEMA,
      max: config.webhooks.workerConcurrency + 2,
      application_name: 'checkout-api:webhooks',
      schedule: false,
      supervise: true,
      maintenanceIntervalSeconds: this.timings.maintenanceIntervalSeconds,
    });
    this.boss.on('error', (error: Error) =>
      this.logger.warn({ msg: 'delivery queue error', error: error.message }),
    );
  }

  async onModuleInit(): Promise<void> {
    await this.boss.start();
    await this.boss.createQueue(DELIVERY_QUEUE, { name: DELIVERY_QUEUE, policy: 'standard' });
  }

  async onModuleDestroy(): Promise<void> {
    // In-flight attempts get the request timeout to finish; what is left is retried by another instance.
    await this.boss.stop({ graceful: true, timeout: this.timings.expireInSeconds * 1000 });
  }

  /** Queues attempts, in the executor's transaction when one is given. */
  async enqueue(jobs: DeliveryJob[], executor?: SqlExecutor, startAfter?: Date): Promise<void> {
    for (const job of jobs) {
      const id = await this.boss.send(DELIVERY_QUEUE, job, {
        ...(executor ? { db: asBossDb(executor) } : {}),
        ...(startAfter ? { startAfter } : {}),
        expireInSeconds: this.timings.expireInSeconds,
        retryLimit: JOB_RETRY_LIMIT,
        retryDelay: 0,
      });
      // send() answers null only when the job was not written: never let that pass silently.
      if (!id) throw new Error(`delivery job for ${job.deliveryId} was not queued`);
    }
  }

  /** Starts `count` independent workers, so one slow delivery holds up one worker only. */
  async work(count: number, handler: (job: DeliveryJob) => Promise<void>): Promise<void> {
    for (let i = 0; i < count; i++) {
      await this.boss.work<DeliveryJob>(
        DELIVERY_QUEUE,
        { batchSize: 1, pollingIntervalSeconds: this.timings.pollingIntervalSeconds },
        async ([job]) => handler(job.data),
      );
    }
  }
}
