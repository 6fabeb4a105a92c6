import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { PeriodicTask } from '../../infrastructure/periodic-task';
import { SessionRepository } from '../domain/session.repository';

const BATCH = 500;

/**
 * Periodically marks PENDING sessions past `expiresAt` as EXPIRED. Reads already
 * show them as EXPIRED; the sweep makes the store agree, in batches, and any
 * number of instances may run it at once.
 */
@Injectable()
export class SessionExpirySweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('SessionExpiry');
  private readonly sweeps = new PeriodicTask(() => this.sweepAll(new Date()));

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly sessions: SessionRepository,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.sessionSweepIntervalMs <= 0) return;
    this.sweeps.start(this.config.sessionSweepIntervalMs, { immediately: false });
  }

  onModuleDestroy(): Promise<void> {
    return this.sweeps.stop();
  }

  /** One full sweep; returns how many sessions this instance marked. */
  sweep(): Promise<number> {
    return this.sweeps.run();
  }

  private async sweepAll(now: Date): Promise<number> {
    let total = 0;
    try {
      for (;;) {
        const marked = await this.sessions.expireDue(now, BATCH);
        total += marked;
        if (marked < BATCH) break;
      }
      if (total > 0) this.logger.log({ msg: 'sessions expired', count: total });
    } catch (error) {
      this.logger.warn({ msg: 'expiry sweep failed', error: String(error) });
    }
    return total;
  }
}
