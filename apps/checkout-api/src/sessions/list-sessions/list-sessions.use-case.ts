import { Injectable } from '@nestjs/common';
import { PaymentLedgerRepository } from '../../payments/domain/payment-ledger.repository';
import { SessionLifecycleRepository } from '../domain/session-lifecycle.repository';
import { sessionDetailView } from '../domain/session-views';
import { encodeCursor, SessionListQuery } from './list-sessions.query';

/** The merchant's own sessions, newest first, one keyset page at a time. */
@Injectable()
export class ListSessionsUseCase {
  constructor(
    private readonly sessions: SessionLifecycleRepository,
    private readonly ledger: PaymentLedgerRepository,
  ) {}

  async execute(merchantId: string, query: SessionListQuery) {
    const now = new Date();
    // One row more than the page says whether another page follows.
    const rows = await this.sessions.list(
      merchantId,
      {
        orderReference: query.orderReference,
        statuses: query.statuses,
        createdFrom: query.createdFrom,
        createdTo: query.createdTo,
        limit: query.limit + 1,
        after: query.after,
      },
      now,
    );
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    // The page's refunds in one read, whatever the page size.
    const refunds = await this.ledger.refundsOf(page.map((session) => session.id));
    return {
      data: page.map((session) => sessionDetailView(session, now, refunds.get(session.id) ?? [])),
      nextCursor:
        rows.length > query.limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null,
    };
  }
}
