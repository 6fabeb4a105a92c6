import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PeriodicTask } from '../../infrastructure/periodic-task';
import { MetricsService } from '../../observability/metrics.service';
import { rowsOf } from './delivery-queue';

const INTERVAL_MS = 5000;

const SAMPLE = `
SELECT count(*) FILTER (WHERE next_attempt_at <= now())::int AS due,
       COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8 AS "oldestSeconds"
FROM event_deliveries WHERE status = 'pending'`;

/** Backlog and the oldest undelivered age, sampled from Postgres: the same figures on every instance. */
@Injectable()
export class DeliveryGauges implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('DeliveryGauges');
  private readonly samples = new PeriodicTask(() => this.sample());

  constructor(
    private readonly dataSource: DataSource,
    private readonly metrics: MetricsService,
  ) {}

  onApplicationBootstrap(): void {
    this.samples.start(INTERVAL_MS);
  }

  onModuleDestroy(): Promise<void> {
    return this.samples.stop();
  }

  private async sample(): Promise<void> {
    try {
      const [row] = rowsOf(await this.dataSource.query(SAMPLE));
      this.metrics.webhookQueueBacklog.set(Number(row?.due ?? 0));
      this.metrics.webhookOldestUndeliveredAge.set(Number(row?.oldestSeconds ?? 0));
    } catch (error) {
      this.logger.warn({ msg: 'delivery gauges not sampled', error: String(error) });
    }
  }
}
