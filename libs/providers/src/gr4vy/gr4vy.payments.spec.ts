import { ProviderCallOptions, ProviderError } from '../provider.port';
import { Gr4vyProvider } from './gr4vy.provider';
import {
  gr4vyRefundOutcome,
  toGr4vyRefundCreate,
  toOperationResult,
  toRefundResult,
} from './gr4vy.payments.mapper';
import { es512Keys, jsonResponse, SERVER_URL, stubHttpClient } from './test/gr4vy.fixtures';

const TRANSACTION_ID = '7099948d-7286-47e4-aad8-b68f7eb44591';
const REFUND_ID = '6a1d4e46-14ed-4fe1-a45f-eff4e025d211';
const OUR_REFUND_ID = '0e3c1f9a-2b4d-4c6e-8f10-223344556677';
const route = { id: 'gr4vy-eu', adapter: 'gr4vy', options: { merchantAccountId: 'acct-eu' } };
const options: ProviderCallOptions = { signal: new AbortController().signal, timeoutMs: 2000 };

/** A Transaction as Gr4vy's document requires it. */
function transaction(status: string, overrides: Record<string, unknown> = {}) {
  return {
    type: 'transaction',
    id: TRANSACTION_ID,
    reconciliation_id: '3YXGmIAm7oRsVbe1DaYmTK',
    merchant_account_id: 'acct-eu',
    currency: 'EUR',
    amount: 10000,
    status,
    authorized_amount: 10000,
    captured_amount: 0,
    refunded_amount: 0,
    settled_amount: 0,
    settled: false,
    intent: 'authorize',
    gift_card_redemptions: [],
    created_at: '2030-01-01T00:00:00Z',
    updated_at: '2030-01-01T00:00:00Z',
    disputed: false,
    payment_source: 'ecommerce',
    merchant_initiated: false,
    is_subsequent_payment: false,
    intent_outcome: 'succeeded',
    multi_tender: false,
    account_funding_transaction: false,
    ...overrides,
  };
}

function refund(status: string, overrides: Record<string, unknown> = {}) {
  return {
    type: 'refund',
    id: REFUND_ID,
    transaction_id: TRANSACTION_ID,
    status,
    currency: 'EUR',
    amount: 2500,
    target_type: 'payment-method',
    reconciliation_id: '3YXGmIAm7oRsVbe1DaYmTL',
    transaction_reconciliation_id: '3YXGmIAm7oRsVbe1DaYmTK',
    created_at: '2030-01-01T00:00:00Z',
    updated_at: '2030-01-01T00:00:00Z',
    settled: false,
    ...overrides,
  };
}

function adapter(respond: (req: Request) => Response) {
  const stub = stubHttpClient(respond);
  const provider = new Gr4vyProvider(
    {
      gr4vyId: 'acme',
      environment: 'sandbox',
      serverUrl: SERVER_URL,
      privateKeyPem: es512Keys().privateKeyPem,
    },
    { httpClient: stub.httpClient },
  );
  const { capture, void: voidFlow, refund: refundFlow } = provider.flows;
  if (!capture || !voidFlow || !refundFlow) throw new Error('the Gr4vy adapter lacks a money flow');
  return { capture, voidFlow, refundFlow, requests: stub.requests };
}

const command = {
  route,
  transactionId: TRANSACTION_ID,
  currency: 'EUR',
  idempotencyKey: 'capture_abc',
  requestId: 'req-1',
};

describe('Gr4vy money flows', () => {
  it('captures part of an authorization with POST /transactions/{id}/capture, its key and the route’s merchant account', async () => {
    const { capture, requests } = adapter(() =>
      jsonResponse(200, transaction('capture_succeeded', { captured_amount: 6000 })),
    );
    const result = await capture.capture({ ...command, amountMinor: 6000 }, options);

    expect(result).toEqual({ status: 'captured', providerStatus: 'capture_succeeded' });
    const [sent] = requests;
    expect(sent.method).toBe('POST');
    expect(sent.url).toBe(`${SERVER_URL}/transactions/${TRANSACTION_ID}/capture`);
    expect(sent.body).toEqual({ amount: 6000 });
    expect(sent.headers.get('idempotency-key')).toBe('capture_abc');
    expect(sent.headers.get('x-gr4vy-merchant-account-id')).toBe('acct-eu');
    expect(sent.headers.get('x-request-id')).toBe('req-1');
  });

  it('voids with POST /transactions/{id}/void and no body', async () => {
    const { voidFlow, requests } = adapter(() => jsonResponse(200, transaction('authorization_voided')));
    const result = await voidFlow.voidAuthorization({ ...command, idempotencyKey: 'void_abc' }, options);

    expect(result).toEqual({ status: 'voided', providerStatus: 'authorization_voided' });
    expect(requests[0].url).toBe(`${SERVER_URL}/transactions/${TRANSACTION_ID}/void`);
    expect(requests[0].headers.get('idempotency-key')).toBe('void_abc');
  });

  it('refunds with POST /transactions/{id}/refunds, our refund id as external identifier', async () => {
    const { refundFlow, requests } = adapter(() => jsonResponse(201, refund('succeeded')));
    const result = await refundFlow.refund(
      {
        ...command,
        idempotencyKey: 'refund_abc',
        amountMinor: 2500,
        refundId: OUR_REFUND_ID,
        reason: 'damaged',
      },
      options,
    );

    expect(result).toEqual({
      providerRefundId: REFUND_ID,
      outcome: 'succeeded',
      providerStatus: 'succeeded',
    });
    expect(requests[0].url).toBe(`${SERVER_URL}/transactions/${TRANSACTION_ID}/refunds`);
    expect(requests[0].body).toEqual({ amount: 2500, external_identifier: OUR_REFUND_ID, reason: 'damaged' });
    expect(requests[0].headers.get('idempotency-key')).toBe('refund_abc');
  });

  it('classifies a refusal as a rejected ProviderError, with Gr4vy’s status and code', async () => {
    const { capture } = adapter(() =>
      jsonResponse(400, {
        type: 'error',
        code: 'bad_request',
        status: 400,
        message: 'Not capturable',
        details: [],
      }),
    );
    const failure = await capture
      .capture({ ...command, amountMinor: 1 }, options)
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ProviderError);
    expect(failure).toMatchObject({ kind: 'rejected', providerStatus: 400, retryable: false });
  });

  it('classifies a 503 as a retryable server failure', async () => {
    const { refundFlow } = adapter(() =>
      jsonResponse(503, {
        type: 'error',
        code: 'service_unavailable',
        status: 503,
        message: 'x',
        details: [],
      }),
    );
    const failure = await refundFlow
      .refund({ ...command, amountMinor: 1, refundId: OUR_REFUND_ID }, options)
      .catch((error: unknown) => error);

    expect(failure).toMatchObject({ kind: 'server', providerStatus: 503, retryable: true });
  });
});

describe('Gr4vy money mapping', () => {
  it.each([
    ['succeeded', 'succeeded'],
    ['processing', 'pending'],
    ['declined', 'failed'],
    ['failed', 'failed'],
    ['voided', 'failed'],
  ])('a refund %s at Gr4vy is %s for us', (status, outcome) => {
    expect(gr4vyRefundOutcome(status)).toBe(outcome);
  });

  it('keeps the reason of a refund that gave nothing back', () => {
    expect(
      toRefundResult({
        id: REFUND_ID,
        status: 'declined',
        errorCode: 'insufficient_funds',
        rawResponseDescription: null,
      }),
    ).toMatchObject({ outcome: 'failed', failureReason: 'insufficient_funds' });
  });

  it('reads the transaction inside a capture or void wrapper', () => {
    const wrapped = {
      type: 'transaction-capture' as const,
      status: 'succeeded' as const,
      code: null,
      rawResponseCode: null,
      rawResponseDescription: null,
      transaction: { id: TRANSACTION_ID, status: 'capture_succeeded' },
    };
    expect(toOperationResult(wrapped as unknown as Parameters<typeof toOperationResult>[0])).toEqual({
      status: 'captured',
      providerStatus: 'capture_succeeded',
    });
  });

  it('clips the reason to Gr4vy’s 100 characters and leaves a blank one out', () => {
    const base = { ...command, amountMinor: 1, refundId: OUR_REFUND_ID };
    expect(toGr4vyRefundCreate({ ...base, reason: 'x'.repeat(150) }).reason).toHaveLength(100);
    expect(toGr4vyRefundCreate({ ...base, reason: '  ' })).not.toHaveProperty('reason');
  });
});
