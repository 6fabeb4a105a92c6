import { DeadlineExceeded, ProviderCallOptions, ProviderError } from '@app/providers';

/**
 * Runs one provider call under a deadline: the adapter gets the signal (which
 * aborts with a TimeoutError reason at the deadline, so the adapter knows why)
 * and the timeout, and the race stops us waiting even when an adapter ignores
 * them. Whatever escapes is a ProviderError (an unclassified failure counts as network).
 */
export async function callProvider<T>(
  timeoutMs: number,
  call: (options: ProviderCallOptions) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort(new DeadlineExceeded(timeoutMs));
      reject(new ProviderError('timeout', 'provider call timed out'));
    }, timeoutMs);
  });
  try {
    return await Promise.race([call({ signal: controller.signal, timeoutMs }), timeout]);
  } catch (error) {
    if (error instanceof ProviderError) throw error;
    throw new ProviderError(
      'network',
      error instanceof Error ? error.message : 'provider call failed',
      undefined,
      undefined,
      { cause: error },
    );
  } finally {
    clearTimeout(timer);
  }
}
