import { withSpan } from '@app/common';
import { ProviderCallOptions, ProviderError } from '@app/providers';
import { callProvider } from './provider-call';

export interface AttemptIdentity {
  routeId: string;
  adapter: string;
  attemptNo: number;
}

/** `callProvider` inside a `provider.attempt` span: route, attempt number, outcome and latency. */
export function callProviderInSpan<T>(
  attempt: AttemptIdentity,
  timeoutMs: number,
  call: (options: ProviderCallOptions) => Promise<T>,
): Promise<T> {
  const started = performance.now();
  const latencyMs = () => Math.round(performance.now() - started);
  return withSpan(
    'provider.attempt',
    {
      'route.id': attempt.routeId,
      'provider.adapter': attempt.adapter,
      'provider.attempt_no': attempt.attemptNo,
    },
    () => callProvider(timeoutMs, call),
    {
      onResult: () => ({ 'provider.outcome': 'succeeded', 'provider.latency_ms': latencyMs() }),
      onError: (error) => {
        const failure = error as ProviderError;
        return {
          'provider.outcome': failure.kind,
          'provider.latency_ms': latencyMs(),
          ...(failure.providerStatus === undefined ? {} : { 'provider.status': failure.providerStatus }),
        };
      },
    },
  );
}
