import { DomainError } from '@app/common';
import { QueryFailedError } from 'typeorm';

/* SQLSTATE classes that mean the database is not there or not accepting work. */
const UNAVAILABLE_SQLSTATE = /^(08|53|57P0)/;

/**
 * Whether a failure of Postgres or Redis means "unavailable" (503, retry later)
 * rather than a bug (500). A SQL error with a non-connection SQLSTATE is a bug.
 */
function isUnavailability(error: unknown): boolean {
  if (error instanceof DomainError) return false;
  if (error instanceof QueryFailedError) {
    const code = (error.driverError as { code?: string }).code ?? '';
    return UNAVAILABLE_SQLSTATE.test(code);
  }
  return error instanceof Error;
}

/** Runs a call to a backing store; when the store is unreachable the caller gets SERVICE_UNAVAILABLE. */
export async function failClosed<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isUnavailability(error))
      throw new DomainError('SERVICE_UNAVAILABLE', undefined, { 'Retry-After': '1' }, { cause: error });
    throw error;
  }
}
