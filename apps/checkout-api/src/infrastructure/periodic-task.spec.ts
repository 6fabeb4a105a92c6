import { PeriodicTask } from './periodic-task';

describe('PeriodicTask', () => {
  it('runs at once, never twice at the same time, and stop waits for the run in progress', async () => {
    let release: () => void = () => undefined;
    let runs = 0;
    let finished = false;
    const task = new PeriodicTask(async () => {
      runs++;
      await new Promise<void>((resolve) => (release = resolve));
      finished = true;
    });
    task.start(60_000);
    expect(runs).toBe(1);
    void task.run();
    expect(runs).toBe(1);
    const stopped = task.stop();
    release();
    await stopped;
    expect(finished).toBe(true);
  });
});
