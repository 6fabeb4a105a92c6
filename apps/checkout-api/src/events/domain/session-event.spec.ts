import { SessionStatus } from '../../sessions/domain/session';
import { sessionFixture } from '../../sessions/domain/test/session.fixtures';
import { sessionDetailView } from '../../sessions/domain/session-views';
import { EventOutbox, NewEvent } from './event-outbox';
import { appendStatusEvents, sessionStatusEvent } from './session-event';

const session = (status: SessionStatus) => sessionFixture({ status });

describe('sessionStatusEvent', () => {
  const now = new Date('2026-11-22T00:05:00Z');

  it.each<[SessionStatus, string]>([
    ['COMPLETED', 'session.completed'],
    ['FAILED', 'session.failed'],
    ['EXPIRED', 'session.expired'],
    ['CANCELLED', 'session.cancelled'],
  ])('turns a move from PENDING to %s into %s, carrying the GET view', (status, type) => {
    const moved = session(status);
    expect(sessionStatusEvent(moved, 'PENDING', now)).toEqual({
      type,
      merchantId: 'merchant_1',
      sessionId: moved.id,
      data: { session: sessionDetailView(moved, now, []) },
    });
  });

  it('turns money taken after expiry (EXPIRED to COMPLETED) into session.completed', () => {
    expect(sessionStatusEvent(session('COMPLETED'), 'EXPIRED', now)?.type).toBe('session.completed');
  });

  it.each<SessionStatus>(['PENDING', 'COMPLETED', 'FAILED'])(
    'writes nothing when the status did not change (%s stays %s)',
    (status) => {
      expect(sessionStatusEvent(session(status), status, now)).toBeNull();
    },
  );
});

describe('appendStatusEvents', () => {
  it('appends one event per moved session on the caller’s executor, and none for one that did not move', async () => {
    const appended: NewEvent[] = [];
    const outbox: EventOutbox = {
      append: jest.fn(async (_executor, event: NewEvent) => {
        appended.push(event);
      }),
    };
    const executor = { query: jest.fn() };
    await appendStatusEvents(
      outbox,
      executor,
      [session('EXPIRED'), session('PENDING')],
      'PENDING',
      new Date(),
    );
    expect(appended.map((event) => event.type)).toEqual(['session.expired']);
    expect(outbox.append).toHaveBeenCalledWith(executor, expect.anything());
  });
});
