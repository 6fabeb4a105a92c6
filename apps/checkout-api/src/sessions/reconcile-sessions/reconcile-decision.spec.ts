import type { TransactionResult } from '@app/providers';
import { nextCheckDelayMs, reconcileDecision } from './reconcile-decision';

const now = new Date('2026-12-01T12:00:00Z');
const live = { status: 'PENDING' as const, expiresAt: new Date('2026-12-01T13:00:00Z') };
const lapsed = { status: 'PENDING' as const, expiresAt: new Date('2026-12-01T11:00:00Z') };
const paid: TransactionResult = {
  transactionId: 'pi_1',
  status: 'authorized',
  providerStatus: 'requires_capture',
};
const declined: TransactionResult = {
  transactionId: 'tx_2',
  status: 'declined',
  providerStatus: 'authorization_declined',
};

describe('reconcileDecision', () => {
  it('applies a paid session’s transaction', () => {
    expect(reconcileDecision(live, { state: 'paid', transaction: paid }, now)).toEqual({
      kind: 'apply',
      transaction: paid,
    });
  });

  it('applies a failed payment’s transaction', () => {
    expect(reconcileDecision(live, { state: 'failed', transaction: declined }, now)).toEqual({
      kind: 'apply',
      transaction: declined,
    });
  });

  it('applies a payment found after our expiry: paid wins over EXPIRED', () => {
    expect(reconcileDecision(lapsed, { state: 'paid', transaction: paid }, now)).toMatchObject({
      kind: 'apply',
    });
    expect(
      reconcileDecision({ ...lapsed, status: 'EXPIRED' }, { state: 'paid', transaction: paid }, now),
    ).toMatchObject({
      kind: 'apply',
    });
  });

  it('waits when the provider reports an outcome without the transaction it is about', () => {
    expect(reconcileDecision(live, { state: 'paid' }, now)).toEqual({ kind: 'wait' });
  });

  it('expires a session the provider closed unpaid', () => {
    expect(reconcileDecision(live, { state: 'expired' }, now)).toEqual({ kind: 'expire' });
  });

  it('closes at the provider a session past our expiry that is still open there', () => {
    expect(reconcileDecision(lapsed, { state: 'open' }, now)).toEqual({ kind: 'close_at_provider' });
  });

  it('waits on a session that is open and within its lifetime', () => {
    expect(reconcileDecision(live, { state: 'open' }, now)).toEqual({ kind: 'wait' });
  });

  it.each(['COMPLETED', 'FAILED', 'CANCELLED'] as const)('never moves a %s session', (status) => {
    expect(reconcileDecision({ ...live, status }, { state: 'paid', transaction: paid }, now)).toEqual({
      kind: 'wait',
    });
    expect(reconcileDecision({ ...live, status }, { state: 'expired' }, now)).toEqual({ kind: 'wait' });
  });
});

describe('nextCheckDelayMs', () => {
  it('doubles with each fruitless check up to the cap', () => {
    const noJitter = () => 0;
    expect([0, 1, 2, 3, 10].map((n) => nextCheckDelayMs(n, 30_000, 600_000, noJitter))).toEqual([
      30_000, 60_000, 120_000, 240_000, 600_000,
    ]);
  });

  it('adds at most 20% jitter', () => {
    expect(nextCheckDelayMs(0, 30_000, 600_000, () => 0.999)).toBeLessThanOrEqual(36_000);
    expect(nextCheckDelayMs(0, 30_000, 600_000, () => 0.5)).toBe(33_000);
  });

  it('stays finite for a session checked very many times', () => {
    expect(nextCheckDelayMs(10_000, 30_000, 600_000, () => 0)).toBe(600_000);
  });
});
