import { DomainError } from '@app/common';
import { SESSION_STATUSES, SessionStatus } from '../domain/session';

export const LIST_LIMIT = { default: 20, min: 1, max: 100 } as const;

/** Where a page starts: strictly after this (createdAt, id) in newest-first order. */
export interface ListCursor {
  createdAt: Date;
  id: string;
}

export interface SessionListQuery {
  orderReference?: string;
  statuses?: SessionStatus[];
  createdFrom?: Date;
  createdTo?: Date;
  limit: number;
  after?: ListCursor;
}

const KNOWN_PARAMETERS = new Set(['orderReference', 'status', 'createdFrom', 'createdTo', 'limit', 'cursor']);
/* ISO 8601 date-times with an explicit offset (or Z), or plain dates: nothing a locale could read two ways. */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function invalid(parameter: string, message: string): DomainError {
  return new DomainError('VALIDATION_FAILED', [{ field: parameter, messages: [message] }]);
}

function single(raw: unknown, parameter: string): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string') throw invalid(parameter, `${parameter} must be given once`);
  return raw;
}

function instant(raw: unknown, parameter: string): Date | undefined {
  const value = single(raw, parameter);
  if (value === undefined) return undefined;
  const parsed = new Date(value);
  if (!ISO_8601.test(value) || Number.isNaN(parsed.getTime())) {
    throw invalid(parameter, `${parameter} must be an ISO 8601 date-time, e.g. 2026-12-01T00:00:00Z`);
  }
  return parsed;
}

/** The opaque cursor: base64url of `<createdAt ISO>|<id>`. */
export function encodeCursor(cursor: ListCursor): string {
  return Buffer.from(`${cursor.createdAt.toISOString()}|${cursor.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(raw: string): ListCursor {
  const [createdAt, id, ...rest] = Buffer.from(raw, 'base64url').toString('utf8').split('|');
  const at = new Date(createdAt ?? '');
  if (
    rest.length > 0 ||
    !id ||
    !UUID.test(id) ||
    Number.isNaN(at.getTime()) ||
    at.toISOString() !== createdAt
  ) {
    throw invalid('cursor', 'cursor is not a cursor this API returned');
  }
  return { createdAt: at, id };
}

/** GET /api/v1/sessions's query string → a validated query; a bad filter or cursor is a 400 that names it. */
export function parseSessionListQuery(query: Record<string, unknown>): SessionListQuery {
  for (const name of Object.keys(query)) {
    if (!KNOWN_PARAMETERS.has(name)) throw invalid(name, `${name} is not a filter of this list`);
  }
  const orderReference = single(query.orderReference, 'orderReference');
  if (orderReference !== undefined && (orderReference.length === 0 || orderReference.length > 255)) {
    throw invalid('orderReference', 'orderReference must be 1-255 characters');
  }
  const rawStatuses =
    query.status === undefined ? [] : Array.isArray(query.status) ? query.status : [query.status];
  const statuses = rawStatuses.map((status) => {
    if (typeof status !== 'string' || !(SESSION_STATUSES as readonly string[]).includes(status)) {
      throw invalid('status', `status must be one of ${SESSION_STATUSES.join(', ')}`);
    }
    return status as SessionStatus;
  });
  const createdFrom = instant(query.createdFrom, 'createdFrom');
  const createdTo = instant(query.createdTo, 'createdTo');
  if (createdFrom && createdTo && createdFrom.getTime() > createdTo.getTime()) {
    throw invalid('createdTo', 'createdTo must not be before createdFrom');
  }
  const rawLimit = single(query.limit, 'limit');
  const limit = rawLimit === undefined ? LIST_LIMIT.default : Number(rawLimit);
  if (!/^\d+$/.test(rawLimit ?? '20') || limit < LIST_LIMIT.min || limit > LIST_LIMIT.max) {
    throw invalid('limit', `limit must be an integer from ${LIST_LIMIT.min} to ${LIST_LIMIT.max}`);
  }
  const cursor = single(query.cursor, 'cursor');
  return {
    orderReference,
    statuses: statuses.length > 0 ? [...new Set(statuses)] : undefined,
    createdFrom,
    createdTo,
    limit,
    after: cursor === undefined ? undefined : decodeCursor(cursor),
  };
}
