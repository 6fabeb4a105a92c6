import { types } from 'node:util';
import { DomainError } from './domain-error';

export type StoreName = 'postgres' | 'redis';

/**
 * A backing store could not be reached, or did not answer in time: a 503 that a
 * retry may cure. Stores throw it only for connection and timeout failures;
 * anything else they let through, so that a bug is a logged 500, never a silent 503.
 */
export class StoreUnavailable extends DomainError {
  constructor(
    readonly store: StoreName,
    cause: unknown,
  ) {
    super('SERVICE_UNAVAILABLE', undefined, { 'Retry-After': '1' }, { cause });
    this.name = 'StoreUnavailable';
  }
}

/* Socket-level failures, whichever client saw them. */
const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EAI_AGAIN',
  'ERR_SOCKET_CLOSED',
]);

/* SQLSTATE classes and codes that mean the database is not there, not accepting work, or timed out:
 * 08 connection exception, 53 insufficient resources, 57P01-57P03 shutdown / cannot connect now,
 * 57014 query cancelled (statement_timeout). */
const UNAVAILABLE_SQLSTATE = /^(08|53|57P0[1-3]$|57014$)/;

/* What node-postgres and its pool say when the server is gone or slow (they carry no SQLSTATE). */
const PG_UNAVAILABLE_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Connection is not open|the database system is (starting up|shutting down|in recovery mode)|Client has encountered a connection error|terminating connection/i;

/* What ioredis says when no node can take the command: no connection, the offline queue off, a
 * command timeout, a cluster / sentinel topology in the middle of a failover, or a connection that
 * dropped while an (auto-)pipeline was half answered. */
const REDIS_UNAVAILABLE_NAMES = new Set(['MaxRetriesPerRequestError', 'ClusterAllFailedError']);
const REDIS_UNAVAILABLE_MESSAGE =
  /Connection is closed|Stream isn't writeable|enableOfflineQueue|Command timed out|Failed to refresh slots cache|None of (the )?startup nodes is available|All sentinels are unreachable|Too many Cluster redirections|Cluster isn't ready|connect ETIMEDOUT|Command aborted due to connection close|Connection is aborted|Node is disconnected|Cluster is (disconnected|disconnecting|ended)|Socket timeout/i;
/* Server replies that mean "this node cannot serve right now" (or the slots moved under the client, mid
 * failover, past its redirections) rather than "your command is wrong". */
const REDIS_UNAVAILABLE_REPLY =
  /^(CLUSTERDOWN|TRYAGAIN|LOADING|MASTERDOWN|READONLY|NOREPLICAS|BUSY|MOVED|ASK)\b/;

/* An Error made in another realm fails `instanceof Error`: Node's own socket errors do, seen from a
 * vm context such as Jest's, where the in-process e2e harness runs the app. */
function isError(error: unknown): error is Error {
  return error instanceof Error || types.isNativeError(error);
}

function field(error: object, name: string): unknown {
  return (error as Record<string, unknown>)[name];
}

function hasNetworkCode(error: object): boolean {
  const code = field(error, 'code');
  return typeof code === 'string' && NETWORK_ERROR_CODES.has(code);
}

/** Whether a Postgres failure means "unavailable" (503, retry later) rather than a bug (500). */
export function isPostgresUnavailable(error: unknown): boolean {
  if (!isError(error) || error instanceof DomainError) return false;
  // TypeORM's QueryFailedError keeps the driver's error; node-postgres errors carry `code` directly.
  const driver = field(error, 'driverError');
  const source = typeof driver === 'object' && driver !== null ? driver : error;
  const code = field(source, 'code');
  if (typeof code === 'string' && UNAVAILABLE_SQLSTATE.test(code)) return true;
  if (hasNetworkCode(source) || hasNetworkCode(error)) return true;
  const message = [error.message, field(source, 'message')].filter((m) => typeof m === 'string').join(' ');
  return PG_UNAVAILABLE_MESSAGE.test(message);
}

/** Whether a Redis failure means "unavailable" (503, retry later) rather than a bug (500). */
export function isRedisUnavailable(error: unknown): boolean {
  if (!isError(error) || error instanceof DomainError) return false;
  if (REDIS_UNAVAILABLE_NAMES.has(error.name)) return true;
  if (hasNetworkCode(error)) return true;
  if (error.name === 'ReplyError') return REDIS_UNAVAILABLE_REPLY.test(error.message);
  return REDIS_UNAVAILABLE_MESSAGE.test(error.message);
}

const CLASSIFIERS: Record<StoreName, (error: unknown) => boolean> = {
  postgres: isPostgresUnavailable,
  redis: isRedisUnavailable,
};

/** Runs one store call: connection and timeout failures become StoreUnavailable, anything else passes. */
export async function guardStore<T>(store: StoreName, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (CLASSIFIERS[store](error)) throw new StoreUnavailable(store, error);
    throw error;
  }
}
