import { DomainError, FieldError, isUuid } from '@app/common';
import { EVENT_TYPES, isEventType } from '../domain/event-outbox';
import { EventFilter } from '../persistence/events.store';

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;

const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;
const EVENT_ID = /^evt_[0-9a-f]{32}$/;

export interface EventCursor {
  createdAt: Date;
  id: string;
}

/** Opaque to callers: where the last page ended. */
export function encodeCursor(cursor: EventCursor): string {
  return Buffer.from(`${cursor.createdAt.toISOString()}|${cursor.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(text: string): EventCursor | null {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(text)) return null;
  const [createdAt, id, ...rest] = Buffer.from(text, 'base64url').toString('utf8').split('|');
  const date = new Date(createdAt ?? '');
  if (rest.length > 0 || !id || !EVENT_ID.test(id) || Number.isNaN(date.getTime())) return null;
  return { createdAt: date, id };
}

type Query = Record<string, string | string[] | undefined>;

/** The list filters from the query string; a bad one is a 400 naming it. */
export function parseEventQuery(query: Query): EventFilter {
  const problems: FieldError[] = [];
  const single = (name: string): string | undefined => {
    const value = query[name];
    if (Array.isArray(value)) {
      problems.push({ field: name, messages: [`${name} must be given once`] });
      return undefined;
    }
    return value;
  };
  for (const name of Object.keys(query)) {
    if (!['type', 'sessionId', 'createdFrom', 'limit', 'cursor'].includes(name)) {
      problems.push({ field: name, messages: [`${name} is not a filter of this list`] });
    }
  }
  const filter: EventFilter = { limit: DEFAULT_LIMIT };
  const type = single('type');
  if (type !== undefined) {
    if (isEventType(type)) filter.type = type;
    else problems.push({ field: 'type', messages: [`type must be one of ${EVENT_TYPES.join(', ')}`] });
  }
  const sessionId = single('sessionId');
  if (sessionId !== undefined) {
    if (isUuid(sessionId)) filter.sessionId = sessionId.toLowerCase();
    else problems.push({ field: 'sessionId', messages: ['sessionId must be a UUID'] });
  }
  const createdFrom = single('createdFrom');
  if (createdFrom !== undefined) {
    const date = new Date(createdFrom);
    if (ISO_8601.test(createdFrom) && !Number.isNaN(date.getTime())) filter.createdFrom = date;
    else
      problems.push({
        field: 'createdFrom',
        messages: ['createdFrom must be an ISO 8601 date or date-time'],
      });
  }
  const limit = single('limit');
  if (limit !== undefined) {
    if (/^\d{1,3}$/.test(limit) && Number(limit) >= 1 && Number(limit) <= MAX_LIMIT)
      filter.limit = Number(limit);
    else problems.push({ field: 'limit', messages: [`limit must be an integer from 1 to ${MAX_LIMIT}`] });
  }
  const cursor = single('cursor');
  if (cursor !== undefined) {
    const decoded = decodeCursor(cursor);
    if (decoded) filter.before = decoded;
    else problems.push({ field: 'cursor', messages: ['cursor is not one this list returned'] });
  }
  if (problems.length > 0) throw new DomainError('VALIDATION_FAILED', problems);
  return filter;
}
