import { DomainError } from '@app/common';
import { PaymentBalance, Session } from '../../sessions/domain/session';
import { movementOutcome, planOperation, refundOutcome, reserved, settled } from './payment-rules';

function session(
  currency: string,
  balance: Partial<PaymentBalance>,
  overrides: Partial<Session> = {},
  paymentStatus: NonNullable<Session['payment']>['status'] = 'authorized',
): Session {
  return {
    id: '0b7f3a52-6e0c-4f3c-9a51-0a1b2c3d4e5f',
    merchantId: 'm1',
    orderReference: 'ORDER-1',
    idempotencyKey: 'k',
    requestFingerprint: 'f'.repeat(64),
    status: 'COMPLETED',
    paymentMethod: 'card',
    currency,
    totalMinor: balance.authorizedMinor ?? 0,
    shippingMinor: 0,
    taxMinor: 0,
    items: [],
    providerRouteId: 'r1',
    providerAdapter: 'gr4vy',
    providerSessionId: 'ps1',
    checkoutUrl: 'https://checkout.test/x',
    routingScore: 50,
    routingCandidates: [],
    expiresAt: new Date('2030-01-01T00:00:00Z'),
    createdAt: new Date('2030-01-01T00:00:00Z'),
    updatedAt: new Date('2030-01-01T00:00:00Z'),
    payment: { transactionId: 'tx-1', status: paymentStatus },
    balance: { authorizedMinor: 0, capturedMinor: 0, refundedMinor: 0, reservedMinor: 0, ...balance },
    ...overrides,
  };
}

function refusal(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

/* One currency of each exponent: 0 (JPY), 2 (AUD), 3 (KWD); `unit` is one major unit in minor units. */
const CURRENCIES = [
  { currency: 'JPY', unit: 1, part: 60, partMinor: 60, tooPrecise: 60.5 },
  { currency: 'AUD', unit: 100, part: 60.25, partMinor: 6025, tooPrecise: 60.255 },
  { currency: 'KWD', unit: 1000, part: 60.125, partMinor: 60125, tooPrecise: 60.1255 },
] as const;

describe.each(CURRENCIES)(
  'the money rules in $currency',
  ({ currency, unit, part, partMinor, tooPrecise }) => {
    const authorized = 100 * unit;
    const open = session(currency, { authorizedMinor: authorized });
    const captured = (refundedMinor = 0, reservedMinor = 0) =>
      session(
        currency,
        { authorizedMinor: authorized, capturedMinor: authorized, refundedMinor, reservedMinor },
        {},
        'captured',
      );

    it('captures the whole authorization by default, or part of it, converted once with the exponent', () => {
      expect(planOperation('capture', open)).toBe(authorized);
      expect(planOperation('capture', open, part)).toBe(partMinor);
      expect(planOperation('capture', open, 100)).toBe(authorized);
    });

    it('refuses a capture above the authorized amount, in major units', () => {
      const error = refusal(() => planOperation('capture', open, 100 + 1 / unit));
      expect(error.code).toBe('CAPTURE_EXCEEDS_AUTHORIZED');
      expect(error.details).toEqual({ requestedAmount: 100 + 1 / unit, authorizedAmount: 100 });
    });

    it('refuses more decimals than the currency has as a validation error (400)', () => {
      const error = refusal(() => planOperation('refund', captured(), tooPrecise));
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.status).toBe(400);
    });

    it('refunds what is left by default, and in parts up to it', () => {
      expect(planOperation('refund', captured())).toBe(authorized);
      expect(planOperation('refund', captured(30 * unit, 20 * unit), 50)).toBe(50 * unit);
      expect(planOperation('refund', captured(30 * unit, 20 * unit))).toBe(50 * unit);
    });

    it('refuses a refund above what is captured and neither refunded nor held by another refund', () => {
      const error = refusal(() => planOperation('refund', captured(30 * unit, 20 * unit), 50 + 1 / unit));
      expect(error.code).toBe('REFUND_EXCEEDS_CAPTURED');
      expect(error.details).toEqual({
        requestedAmount: 50 + 1 / unit,
        refundableAmount: 50,
        capturedAmount: 100,
        refundedAmount: 30,
      });
      expect(refusal(() => planOperation('refund', captured(authorized))).code).toBe(
        'REFUND_EXCEEDS_CAPTURED',
      );
    });

    it('voids the whole authorization, never a captured one', () => {
      expect(planOperation('void', open)).toBe(authorized);
      const error = refusal(() => planOperation('void', captured()));
      expect(error.code).toBe('PAYMENT_NOT_VOIDABLE');
      expect(error.details).toMatchObject({ paymentStatus: 'captured' });
    });
  },
);

describe('what may be done with a payment', () => {
  const authorized = (overrides: Partial<Session> = {}, reservedMinor = 0) =>
    session('AUD', { authorizedMinor: 10_000, reservedMinor }, overrides);

  it.each(['PENDING', 'FAILED', 'EXPIRED', 'CANCELLED'] as const)(
    'nothing on a %s session, each with its own code',
    (status) => {
      const s = authorized({ status });
      expect(refusal(() => planOperation('capture', s)).code).toBe('PAYMENT_NOT_CAPTURABLE');
      expect(refusal(() => planOperation('void', s)).code).toBe('PAYMENT_NOT_VOIDABLE');
      expect(refusal(() => planOperation('refund', s)).code).toBe('PAYMENT_NOT_REFUNDABLE');
      expect(refusal(() => planOperation('refund', s)).details).toMatchObject({ sessionStatus: status });
    },
  );

  it('captures once: a second capture, even of the rest, is refused', () => {
    const once = session('AUD', { authorizedMinor: 10_000, capturedMinor: 6_000 }, {}, 'captured');
    expect(refusal(() => planOperation('capture', once, 10)).code).toBe('PAYMENT_NOT_CAPTURABLE');
  });

  it('starts no capture or void while another one holds the authorization', () => {
    expect(refusal(() => planOperation('capture', authorized({}, 10_000))).code).toBe(
      'PAYMENT_NOT_CAPTURABLE',
    );
    expect(refusal(() => planOperation('void', authorized({}, 5_000))).code).toBe('PAYMENT_NOT_VOIDABLE');
  });

  it('refunds nothing before a capture, and acts on no payment without a provider transaction', () => {
    expect(refusal(() => planOperation('refund', authorized())).code).toBe('PAYMENT_NOT_REFUNDABLE');
    const noTransaction = authorized({ payment: { status: 'authorized' } });
    expect(refusal(() => planOperation('capture', noTransaction)).code).toBe('PAYMENT_NOT_CAPTURABLE');
  });

  it('captures or voids only an authorized payment', () => {
    const voided = session('AUD', { authorizedMinor: 10_000 }, {}, 'voided');
    expect(refusal(() => planOperation('capture', voided)).code).toBe('PAYMENT_NOT_CAPTURABLE');
    expect(refusal(() => planOperation('void', voided)).code).toBe('PAYMENT_NOT_VOIDABLE');
  });
});

describe('the balance', () => {
  const start: PaymentBalance = {
    authorizedMinor: 10_000,
    capturedMinor: 10_000,
    refundedMinor: 1_000,
    reservedMinor: 0,
  };

  it('holds a reservation until the provider answers, then moves it or gives it back', () => {
    const held = reserved(start, 2_500);
    expect(held.reservedMinor).toBe(2_500);
    expect(settled('refund', held, 2_500, 'succeeded')).toEqual({ ...start, refundedMinor: 3_500 });
    expect(settled('refund', held, 2_500, 'failed')).toEqual(start);
    expect(settled('refund', held, 2_500, 'pending')).toEqual(held);
  });

  it('captures what was held, and a void only lets it go', () => {
    const open: PaymentBalance = {
      authorizedMinor: 10_000,
      capturedMinor: 0,
      refundedMinor: 0,
      reservedMinor: 0,
    };
    expect(settled('capture', reserved(open, 6_000), 6_000, 'succeeded')).toEqual({
      ...open,
      capturedMinor: 6_000,
    });
    expect(settled('void', reserved(open, 10_000), 10_000, 'succeeded')).toEqual(open);
  });
});

describe('the provider’s answer', () => {
  it('is a success only when the payment reached the operation’s status, pending while it is on its way', () => {
    expect(movementOutcome('capture', { status: 'captured', providerStatus: 'x' }).status).toBe('succeeded');
    expect(movementOutcome('capture', { status: 'capture_pending', providerStatus: 'x' }).status).toBe(
      'pending',
    );
    expect(movementOutcome('capture', { status: 'authorized', providerStatus: 'x' })).toMatchObject({
      status: 'failed',
      failureCode: 'provider_left_authorized',
    });
    expect(movementOutcome('void', { status: 'voided', providerStatus: 'x' }).status).toBe('succeeded');
    expect(movementOutcome('void', { status: 'void_pending', providerStatus: 'x' }).status).toBe('pending');
  });

  it('keeps the provider’s refund id and the reason a refund failed', () => {
    expect(
      refundOutcome({
        providerRefundId: 're_1',
        outcome: 'failed',
        providerStatus: 'declined',
        failureReason: 'lost',
      }),
    ).toEqual({
      status: 'failed',
      providerReference: 're_1',
      providerStatus: 'declined',
      failureCode: 'lost',
    });
  });
});
