import { Injectable } from '@nestjs/common';
import { PaymentLedgerRepository } from '../../payments/domain/payment-ledger.repository';
import { DomainError, isUuid } from '@app/common';
import { effectiveStatus } from '../domain/session';
import { SessionRepository } from '../domain/session.repository';
import { sessionDetailView } from '../domain/session-views';

@Injectable()
export class GetSessionUseCase {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly ledger: PaymentLedgerRepository,
  ) {}

  /** The merchant's own session; another merchant's is indistinguishable from a missing one. */
  async execute(merchantId: string, sessionId: string) {
    if (!isUuid(sessionId)) throw new DomainError('NOT_FOUND');
    const session = await this.sessions.findById(merchantId, sessionId.toLowerCase());
    if (!session) throw new DomainError('NOT_FOUND');
    const now = new Date();
    if (session.status === 'PENDING' && effectiveStatus(session, now) === 'EXPIRED') {
      await this.sessions.markExpired(merchantId, session.id, now);
    }
    const refunds = await this.ledger.refundsOf([session.id]);
    return sessionDetailView(session, now, refunds.get(session.id) ?? []);
  }
}
