import type { ProviderCallOptions } from './provider.port';

/** The reason a deadline aborts with; named TimeoutError, as fetch's own timeouts are. */
export class DeadlineExceeded extends Error {
  constructor(readonly timeoutMs: number) {
    super(`provider call exceeded ${timeoutMs} ms`);
    this.name = 'TimeoutError';
  }
}

/** Whether an abort reason is a deadline (ours, the core's, or a platform TimeoutError). */
export function isTimeoutReason(reason: unknown): boolean {
  return (
    typeof reason === 'object' && reason !== null && (reason as { name?: unknown }).name === 'TimeoutError'
  );
}

export interface DeadlineOutcome {
  /** Whether the call ended because the deadline passed (rather than failing by itself or a plain abort). */
  timedOut: boolean;
}

/**
 * Runs one provider call under the caller's signal and a deadline of `timeoutMs`.
 * The call gets a signal that fires on either, and we stop waiting as soon as one
 * fires, even where the call does not honour the signal (token signing, body
 * parsing, an SDK without AbortSignal support). The abandoned call's eventual
 * rejection stays handled. Every failure goes through `classify` with whether the
 * deadline caused it, so each adapter maps errors its own way and no adapter keeps
 * a timer of its own.
 */
export async function withDeadline<T>(
  options: ProviderCallOptions,
  call: (signal: AbortSignal) => Promise<T>,
  classify: (error: unknown, outcome: DeadlineOutcome) => Error,
): Promise<T> {
  const controller = new AbortController();
  let timedOut = false;
  let rejectAborted: (reason: unknown) => void = () => undefined;
  const aborted = new Promise<never>((_, reject) => {
    rejectAborted = reject;
  });
  // The race may be settled already when the abort fires: that is not an unhandled rejection.
  aborted.catch(() => undefined);

  const abort = (reason: unknown): void => {
    if (controller.signal.aborted) return;
    timedOut = isTimeoutReason(reason);
    controller.abort(reason);
    rejectAborted(reason);
  };
  const onParentAbort = (): void => abort(options.signal.reason);
  const timer =
    Number.isFinite(options.timeoutMs) && options.timeoutMs > 0
      ? setTimeout(() => abort(new DeadlineExceeded(options.timeoutMs)), options.timeoutMs)
      : undefined;
  if (options.signal.aborted) onParentAbort();
  else options.signal.addEventListener('abort', onParentAbort, { once: true });

  try {
    if (controller.signal.aborted) throw controller.signal.reason;
    const pending = call(controller.signal);
    pending.catch(() => undefined);
    return await Promise.race([pending, aborted]);
  } catch (error) {
    throw classify(error, { timedOut });
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    options.signal.removeEventListener('abort', onParentAbort);
  }
}
