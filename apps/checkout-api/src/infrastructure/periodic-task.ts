/**
 * A background task run every `intervalMs` (and at start, unless told otherwise), never twice at
 * once: a run asked for while one is in progress gets that run's result. The timer does not keep the
 * process alive, and stop() waits for a run in progress. Failures are the task's to handle.
 */
export class PeriodicTask<T = void> {
  private timer?: NodeJS.Timeout;
  private running?: Promise<T>;

  constructor(private readonly task: () => Promise<T>) {}

  start(intervalMs: number, options: { immediately?: boolean } = {}): void {
    if (options.immediately ?? true) void this.run();
    this.timer = setInterval(() => void this.run(), intervalMs);
    this.timer.unref();
  }

  run(): Promise<T> {
    this.running ??= this.task().finally(() => (this.running = undefined));
    return this.running;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
