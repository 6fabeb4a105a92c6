import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { PeriodicTask } from '../../infrastructure/periodic-task';

const BATCH = 1000;
const INTERVAL_MS = 15 * 60_000;

/* Oldest first, SKIP LOCKED: instances sweeping together take disjoint rows. Deliveries and attempts go with
 * their event (ON DELETE CASCADE). */
const DELETE_EXPIRED = `
DELETE FROM merchant_events WHERE id IN (
  SELECT id FROM merchant_events WHERE created_at < now() - make_interval(days => $1)
  ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)`;

/** Keeps events for EVENT_RETENTION_DAYS: a sweep at start and every 15 minutes, on every instance. */
@Injectable()
export class EventRetentionCleaner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('EventRetention');
  private readonly sweeps = new PeriodicTask(() => this.deleteExpired());

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
  ) {}

  onApplicationBootstrap(): void {
    this.sweeps.start(INTERVAL_MS);
  }

  onModuleDestroy(): Promise<void> {
    return this.sweeps.stop();
  }

  private async deleteExpired(): Promise<void> {
    try {
      let total = 0;
      for (;;) {
        const [, deleted] = (await this.dataSource.query(DELETE_EXPIRED, [
          this.config.webhooks.eventRetentionDays,
          BATCH,
        ])) as [unknown, number];
        total += deleted;
        if (deleted < BATCH) break;
      }
      if (total > 0) this.logger.log({ msg: 'expired events deleted', count: total });
    } catch (error) {
      this.logger.warn({ msg: 'event retention sweep failed', error: String(error) });
    }
  }
}
