import { DomainError } from '@app/common';
import { decodeCursor, encodeCursor, parseSessionListQuery } from './list-sessions.query';

function refusal(query: Record<string, unknown>): { field: string; messages: string[] } {
  try {
    parseSessionListQuery(query);
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('VALIDATION_FAILED');
    return ((error as DomainError).details as Array<{ field: string; messages: string[] }>)[0];
  }
  throw new Error('expected a refusal');
}

describe('parseSessionListQuery', () => {
  it('defaults to the 20 newest with no filter', () => {
    expect(parseSessionListQuery({})).toEqual({
      orderReference: undefined,
      statuses: undefined,
      createdFrom: undefined,
      createdTo: undefined,
      limit: 20,
      after: undefined,
    });
  });

  it('reads every filter, a repeated status included', () => {
    const cursor = encodeCursor({
      createdAt: new Date('2026-12-01T10:00:00.123Z'),
      id: '0b7e7d1c-1111-4a4a-9b9b-123456789abc',
    });
    const query = parseSessionListQuery({
      orderReference: 'ORD-1',
      status: ['PENDING', 'COMPLETED', 'PENDING'],
      createdFrom: '2026-11-01T00:00:00Z',
      createdTo: '2026-12-01',
      limit: '100',
      cursor,
    });
    expect(query).toMatchObject({ orderReference: 'ORD-1', statuses: ['PENDING', 'COMPLETED'], limit: 100 });
    expect(query.createdFrom?.toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(query.after).toEqual({
      createdAt: new Date('2026-12-01T10:00:00.123Z'),
      id: '0b7e7d1c-1111-4a4a-9b9b-123456789abc',
    });
  });

  it.each([
    [{ status: 'PAID' }, 'status'],
    [{ limit: '0' }, 'limit'],
    [{ limit: '101' }, 'limit'],
    [{ limit: '2.5' }, 'limit'],
    [{ limit: 'ten' }, 'limit'],
    [{ createdFrom: '01/12/2026' }, 'createdFrom'],
    [{ createdTo: '2026-13-45T00:00:00Z' }, 'createdTo'],
    [{ createdFrom: '2026-12-02T00:00:00Z', createdTo: '2026-12-01T00:00:00Z' }, 'createdTo'],
    [{ cursor: 'not-a-cursor' }, 'cursor'],
    [{ cursor: Buffer.from('2026-12-01T00:00:00.000Z|not-a-uuid').toString('base64url') }, 'cursor'],
    [{ orderReference: '' }, 'orderReference'],
    [{ limit: ['10', '20'] }, 'limit'],
    [{ sort: 'asc' }, 'sort'],
  ])('refuses %j with a 400 naming %s', (query, field) => {
    expect(refusal(query).field).toBe(field);
  });

  it('round-trips a cursor', () => {
    const at = {
      createdAt: new Date('2026-01-02T03:04:05.006Z'),
      id: '9d1c7b3a-2e4f-4a6b-8c0d-1e2f3a4b5c6d',
    };
    expect(decodeCursor(encodeCursor(at))).toEqual(at);
  });
});
