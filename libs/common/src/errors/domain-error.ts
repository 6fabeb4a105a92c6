import { ERROR_CATALOG, ErrorCode } from './error-catalog';

/**
 * An expected failure with a stable code and no HTTP: the global filter maps the
 * code to a status and writes the envelope. `headers` carries protocol hints such
 * as Retry-After that belong with the answer.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
    options?: { cause?: unknown },
  ) {
    super(ERROR_CATALOG[code].message, options);
    this.name = 'DomainError';
  }

  get status(): number {
    return ERROR_CATALOG[this.code].status;
  }
}
