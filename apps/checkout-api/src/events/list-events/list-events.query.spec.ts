import { DomainError } from '@app/common';
import { decodeCursor, encodeCursor, parseEventQuery } from './list-events.query';

function problemFields(query: Record<string, string | string[]>): string[] {
  try {
    parseEventQuery(query);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return ((error as DomainError).details as Array<{ field: string }>).map((problem) => problem.field);
  }
}

describe('parseEventQuery', () => {
  it('defaults to the newest 20 events of every type', () => {
    expect(parseEventQuery({})).toEqual({ limit: 20 });
  });

  it('reads every filter', () => {
    const cursor = encodeCursor({
      createdAt: new Date('2026-01-02T03:04:05.678Z'),
      id: `evt_${'a'.repeat(32)}`,
    });
    expect(
      parseEventQuery({
        type: 'session.completed',
        sessionId: 'E4B8C1A2-B088-4E79-99AD-2C3E0FA3F1B9',
        createdFrom: '2026-01-01',
        limit: '100',
        cursor,
      }),
    ).toEqual({
      type: 'session.completed',
      sessionId: 'e4b8c1a2-b088-4e79-99ad-2c3e0fa3f1b9',
      createdFrom: new Date('2026-01-01T00:00:00Z'),
      limit: 100,
      before: { createdAt: new Date('2026-01-02T03:04:05.678Z'), id: `evt_${'a'.repeat(32)}` },
    });
  });

  it.each([
    [{ type: 'order.shipped' }, 'type'],
    [{ sessionId: 'abc' }, 'sessionId'],
    [{ createdFrom: 'yesterday' }, 'createdFrom'],
    [{ createdFrom: '2026-13-45' }, 'createdFrom'],
    [{ limit: '0' }, 'limit'],
    [{ limit: '101' }, 'limit'],
    [{ limit: '2.5' }, 'limit'],
    [{ cursor: 'not-a-cursor' }, 'cursor'],
    [{ cursor: Buffer.from('2026-01-01T00:00:00Z|x').toString('base64url') }, 'cursor'],
    [{ status: 'PENDING' }, 'status'],
    [{ type: ['session.failed', 'session.expired'] }, 'type'],
  ])('names the bad filter in %j', (query, field) => {
    expect(problemFields(query)).toEqual([field]);
  });

  it('names every bad filter at once', () => {
    expect(problemFields({ limit: 'x', cursor: '!' })).toEqual(['limit', 'cursor']);
  });
});

describe('event cursors', () => {
  it('come back as they went', () => {
    const cursor = { createdAt: new Date('2026-05-06T07:08:09.010Z'), id: `evt_${'0f'.repeat(16)}` };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });
});
