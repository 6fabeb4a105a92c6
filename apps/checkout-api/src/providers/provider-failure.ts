import { DomainError } from '@app/common';
import type { ProviderError } from '@app/providers';

/** A provider call that failed, as the API answers it: 504 for a timeout, 502 otherwise. */
export function providerFailureError(failure: ProviderError): DomainError {
  return new DomainError(
    failure.kind === 'timeout'
      ? 'PROVIDER_TIMEOUT'
      : failure.retryable
        ? 'PROVIDER_UNAVAILABLE'
        : 'PROVIDER_REJECTED',
  );
}
