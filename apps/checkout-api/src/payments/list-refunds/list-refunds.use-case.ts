import { Injectable } from '@nestjs/common';
import { DomainError, isUuid } from '@app/common';
import { PaymentLedgerRepository } from '../domain/payment-ledger.repository';
import { refundView } from '../domain/payment-views';

/** GET …/refunds: the merchant's session's refunds, oldest first; another merchant's session is a 404. */
@Injectable()
export class ListRefundsUseCase {
  constructor(private readonly ledger: PaymentLedgerRepository) {}

  async execute(merchantId: string, sessionId: string) {
    if (!isUuid(sessionId)) throw new DomainError('NOT_FOUND');
    const found = await this.ledger.refunds(merchantId, sessionId.toLowerCase());
    if (!found) throw new DomainError('NOT_FOUND');
    return { data: found.refunds.map((refund) => refundView(refund, found.currency)) };
  }
}
