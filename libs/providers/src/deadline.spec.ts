import { DeadlineExceeded, isTimeoutReason, withDeadline } from './deadline';

const classify = (error: unknown, { timedOut }: { timedOut: boolean }) =>
  Object.assign(new Error(timedOut ? 'timed out' : `failed: ${(error as Error)?.message ?? String(error)}`), {
    timedOut,
  });

describe('withDeadline', () => {
  it('returns what the call returns', async () => {
    const signal = new AbortController().signal;
    await expect(withDeadline({ signal, timeoutMs: 1000 }, async () => 7, classify)).resolves.toBe(7);
  });

  it('stops waiting at the deadline even when the call ignores its signal, and says it timed out', async () => {
    const signal = new AbortController().signal;
    let seen: AbortSignal | undefined;
    const never = (s: AbortSignal) => {
      seen = s;
      return new Promise<never>(() => undefined);
    };
    await expect(withDeadline({ signal, timeoutMs: 20 }, never, classify)).rejects.toMatchObject({
      timedOut: true,
    });
    expect(seen?.aborted).toBe(true);
    expect(seen?.reason).toBeInstanceOf(DeadlineExceeded);
  });

  it('treats the caller aborting with a TimeoutError reason as a timeout, with no tolerance window', async () => {
    const controller = new AbortController();
    const pending = withDeadline(
      { signal: controller.signal, timeoutMs: 60_000 },
      () => new Promise<never>(() => undefined),
      classify,
    );
    controller.abort(new DeadlineExceeded(5));
    await expect(pending).rejects.toMatchObject({ timedOut: true });
  });

  it('treats a plain caller abort as an abort, not a timeout', async () => {
    const controller = new AbortController();
    const pending = withDeadline(
      { signal: controller.signal, timeoutMs: 60_000 },
      () => new Promise<never>(() => undefined),
      classify,
    );
    controller.abort(new Error('client went away'));
    await expect(pending).rejects.toMatchObject({ timedOut: false, message: 'failed: client went away' });
  });

  it('does not start the call when the caller has already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new DeadlineExceeded(1));
    const call = jest.fn();
    await expect(
      withDeadline({ signal: controller.signal, timeoutMs: 1000 }, call, classify),
    ).rejects.toMatchObject({ timedOut: true });
    expect(call).not.toHaveBeenCalled();
  });

  it('classifies a failure of the call itself as not timed out', async () => {
    const signal = new AbortController().signal;
    await expect(
      withDeadline({ signal, timeoutMs: 1000 }, () => Promise.reject(new Error('HTTP 503')), classify),
    ).rejects.toMatchObject({ timedOut: false, message: 'failed: HTTP 503' });
  });

  it('leaves no unhandled rejection behind when the abandoned call fails later', async () => {
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const signal = new AbortController().signal;
      let fail: (error: Error) => void = () => undefined;
      const late = () => new Promise<never>((_, reject) => (fail = reject));
      await expect(withDeadline({ signal, timeoutMs: 10 }, late, classify)).rejects.toMatchObject({
        timedOut: true,
      });
      fail(new Error('socket closed after the deadline'));
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });
});

describe('isTimeoutReason', () => {
  it('recognises our deadline and a platform TimeoutError, and nothing else', () => {
    expect(isTimeoutReason(new DeadlineExceeded(1))).toBe(true);
    expect(isTimeoutReason(new DOMException('timed out', 'TimeoutError'))).toBe(true);
    expect(isTimeoutReason(new DOMException('aborted', 'AbortError'))).toBe(false);
    expect(isTimeoutReason('TimeoutError')).toBe(false);
  });
});
