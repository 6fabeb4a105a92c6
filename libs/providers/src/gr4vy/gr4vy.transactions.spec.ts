import { createHmac } from 'node:crypto';
import { TransactionStatus } from '@gr4vy/sdk/models/components/transactionstatus';
import { PAYMENT_STATUSES, ProviderError, TransactionResult } from '../provider.port';
import {
  gr4vyPaymentStatus,
  gr4vySessionStatus,
  toTransactionResult,
  verifyGr4vyWebhook,
} from './gr4vy.transactions';

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

describe('gr4vySessionStatus', () => {
  const tx = (id: string, status: TransactionResult['status']): TransactionResult => ({
    transactionId: id,
    status,
    providerStatus: status,
  });

  it('is paid by a transaction that took money, whatever came after it', () => {
    const paid = tx('t2', 'captured');
    expect(gr4vySessionStatus([tx('t3', 'declined'), paid, tx('t1', 'processing')], true)).toEqual({
      state: 'paid',
      transaction: paid,
    });
    expect(gr4vySessionStatus([tx('t1', 'authorized')], false).state).toBe('paid');
  });

  it('stays open while a payment is in flight, before the newest failure', () => {
    const pending = tx('t1', 'approval_required');
    expect(gr4vySessionStatus([tx('t2', 'declined'), pending], true)).toEqual({
      state: 'open',
      transaction: pending,
    });
  });

  it('is failed by the newest failed transaction when nothing else is left', () => {
    const newest = tx('t2', 'declined');
    expect(gr4vySessionStatus([newest, tx('t1', 'failed')], true)).toEqual({
      state: 'failed',
      transaction: newest,
    });
  });

  it('without a transaction: open while Gr4vy has the session, expired once it is gone', () => {
    expect(gr4vySessionStatus([], true)).toEqual({ state: 'open' });
    expect(gr4vySessionStatus([], false)).toEqual({ state: 'expired' });
  });
});

describe('verifyGr4vyWebhook', () => {
  const SECRET = 'gr4vy-webhook-secret-0123456789';
  const now = new Date('2030-01-01T00:00:00Z');
  const timestamp = String(now.getTime() / 1000);
  const sign = (body: string) => ({
    'x-gr4vy-webhook-id': 'evt-1',
    'x-gr4vy-webhook-timestamp': timestamp,
    'x-gr4vy-webhook-signatures': createHmac('sha256', SECRET).update(`${timestamp}.${body}`).digest('hex'),
  });

  it('says a full event is about its transaction, carried with it', () => {
    const body = JSON.stringify({
      type: 'event',
      id: 'evt-1',
      target: { type: 'transaction', id: 't1', status: 'capture_succeeded', checkout_session_id: 's1' },
    });
    expect(verifyGr4vyWebhook(sign(body), Buffer.from(body), now, SECRET, 300)).toEqual({
      eventId: 'evt-1',
      subject: {
        kind: 'transaction',
        transactionId: 't1',
        transaction: {
          transactionId: 't1',
          status: 'captured',
          providerStatus: 'capture_succeeded',
          providerSessionId: 's1',
        },
      },
    });
  });

  it('says a slim event is about a transaction to read', () => {
    const body = JSON.stringify({ type: 'event', id: 'evt-1', target: { type: 'transaction', id: 't1' } });
    expect(verifyGr4vyWebhook(sign(body), Buffer.from(body), now, SECRET, 300)).toEqual({
      eventId: 'evt-1',
      subject: { kind: 'transaction', transactionId: 't1' },
    });
  });
});
