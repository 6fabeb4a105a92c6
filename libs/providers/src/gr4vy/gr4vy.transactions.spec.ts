import { TransactionStatus } from '@gr4vy/sdk/models/components/transactionstatus';
import { PAYMENT_STATUSES, ProviderError } from '../provider.port';
import { gr4vyPaymentStatus, toTransactionResult } from './gr4vy.transactions';

describe('Gr4vy transaction status mapping', () => {
  it.each([
    ['processing', 'processing'],
    ['buyer_approval_pending', 'approval_required'],
    ['authorization_succeeded', 'authorized'],
    ['capture_pending', 'capture_pending'],
    ['capture_succeeded', 'captured'],
    ['authorization_declined', 'declined'],
    ['authorization_failed', 'failed'],
    ['authorization_void_pending', 'void_pending'],
    ['authorization_voided', 'voided'],
  ] as const)('maps %s to our %s', (gr4vy, ours) => {
    expect(gr4vyPaymentStatus(gr4vy)).toBe(ours);
    expect(toTransactionResult({ id: 't1', status: gr4vy })).toMatchObject({
      status: ours,
      providerStatus: gr4vy,
    });
  });

  it('maps every status the SDK documents to one of ours', () => {
    for (const status of Object.values(TransactionStatus)) {
      expect(PAYMENT_STATUSES).toContain(gr4vyPaymentStatus(status));
    }
  });

  it('refuses an undocumented status instead of guessing "processing"', () => {
    expect(() => toTransactionResult({ id: 't1', status: 'authorization_teleported' })).toThrow(
      ProviderError,
    );
  });
});
