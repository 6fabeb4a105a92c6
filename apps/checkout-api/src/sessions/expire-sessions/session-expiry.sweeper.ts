import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
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
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly sessions: SessionRepository,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.sessionSweepIntervalMs <= 0) return;
    this.timer = setInterval(() => void this.sweep(), this.config.sessionSweepIntervalMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => 0);
  }

  /** One full sweep; returns how many sessions this instance marked. */
  async sweep(now = new Date()): Promise<number> {
    if (this.running) return this.running;
    this.running = (async () => {
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
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }
}
