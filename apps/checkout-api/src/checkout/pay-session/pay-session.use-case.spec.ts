import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { toErrorResponse } from '@app/common';
import { checkoutTestBed, testRoute } from '../../testing/checkout-test-bed';
import { FakeProvider, providerFailure } from '../../testing/fake-providers';
import { CheckoutSessionLoader } from '../checkout-session.loader';
import { Session } from '../../sessions/domain/session';
import { PaySessionUseCase } from './pay-session.use-case';

function setup() {
  const acme = new FakeProvider('acme');
  const bed = checkoutTestBed({
    routes: [testRoute('r1', { options: { merchantAccount: 'au-1' } })],
    providers: [acme],
  });
  const loader = new CheckoutSessionLoader(bed.sessions, bed.registry, bed.planner);
  const useCase = new PaySessionUseCase(bed.config, bed.sessions, loader, bed.idempotency);
  return { ...bed, payments: acme.hosted.answers, useCase };
}

beforeAll(() => Logger.overrideLogger(false));

describe('PaySessionUseCase', () => {
  it("charges the stored session's amount and currency on the route it was created on", async () => {
    const { useCase, seed, payments, sessions } = setup();
    const session = await seed({ currency: 'NZD', totalMinor: 4321 });

    const result = await useCase.execute(session.id, 'request-7');

    expect(payments.calls).toHaveLength(1);
    expect(payments.calls[0][0]).toMatchObject({
      sessionId: session.id,
      providerSessionId: session.providerSessionId,
      orderReference: session.orderReference,
      currency: 'NZD',
      amountMinor: 4321,
      returnUrl: `https://checkout.test/checkout/${session.id}/return`,
      requestId: 'request-7',
      route: { id: 'r1', adapter: 'acme', options: { merchantAccount: 'au-1' } },
    });
    expect(result).toEqual({
      status: 200,
      headers: {},
      replayed: false,
      body: { status: 'COMPLETED', redirectUrl: `https://shop.test/ok?sessionId=${session.id}` },
    });
    expect(await sessions.findForCheckout(session.id)).toMatchObject({
      status: 'COMPLETED',
      payment: { transactionId: `tx-${session.id}`, status: 'captured', providerStatus: 'capture_succeeded' },
    });
  });

  it.each<[string, Partial<Session>, string]>([
    ['COMPLETED', { status: 'COMPLETED' }, 'COMPLETED'],
    ['FAILED', { status: 'FAILED' }, 'FAILED'],
    ['CANCELLED', { status: 'CANCELLED' }, 'CANCELLED'],
    ['PENDING but expired', { expiresAt: new Date(Date.now() - 1000) }, 'EXPIRED'],
  ])('refuses a %s session without calling the provider', async (_what, overrides, status) => {
    const { useCase, seed, payments } = setup();
    const session = await seed(overrides);

    const error = await useCase.execute(session.id).catch((e: unknown) => e);

    expect(error).toMatchObject({
      code: 'SESSION_NOT_PAYABLE',
      details: { status, redirectUrl: expect.stringContaining(session.id) },
    });
    expect(payments.calls).toHaveLength(0);
  });

  it.each([
    ['an unknown', randomUUID()],
    ['a malformed', 'not-a-session-id'],
  ])('answers NOT_FOUND for %s session id', async (_what, id) => {
    const { useCase, payments } = setup();
    await expect(useCase.execute(id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(payments.calls).toHaveLength(0);
  });

  it("answers NOT_FOUND when the session's route has left the catalog", async () => {
    const { useCase, seed, payments } = setup();
    const session = await seed({ providerRouteId: 'retired-route' });
    await expect(useCase.execute(session.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(payments.calls).toHaveLength(0);
  });

  it('answers a second submit in flight with 409 IDEMPOTENCY_KEY_IN_USE, and a later one with the first answer', async () => {
    const { useCase, seed, payments } = setup();
    const session = await seed();
    const held = payments.holdNext();
    const first = useCase.execute(session.id);
    await held.arrived;

    const conflict = await useCase.execute(session.id).catch((e: unknown) => e);
    expect(conflict).toMatchObject({ code: 'IDEMPOTENCY_KEY_IN_USE', headers: { 'Retry-After': '5' } });
    expect(toErrorResponse(conflict).status).toBe(409);

    held.release();
    const answer = await first;
    // The session is COMPLETED by now: a fresh run would refuse it; the replay repeats the first answer.
    await expect(useCase.execute(session.id)).resolves.toEqual({ ...answer, replayed: true });
    expect(payments.calls).toHaveLength(1);
  });

  it.each([
    ['a timeout', 'PROVIDER_TIMEOUT', providerFailure('timeout')],
    ['a 5xx', 'PROVIDER_UNAVAILABLE', providerFailure('server', 503)],
    ['a network failure', 'PROVIDER_UNAVAILABLE', providerFailure('network')],
    ['a 429', 'PROVIDER_UNAVAILABLE', providerFailure('rate_limited', 429)],
    ['a rejection', 'PROVIDER_REJECTED', providerFailure('rejected', 402, 'card_declined')],
  ])('answers %s with %s and releases the claim, so a retry pays again', async (_what, code, error) => {
    const { useCase, seed, payments, sessions } = setup();
    const session = await seed();
    payments.failOnce(error);

    await expect(useCase.execute(session.id)).rejects.toMatchObject({ code });
    expect((await sessions.findForCheckout(session.id))?.status).toBe('PENDING');

    await expect(useCase.execute(session.id)).resolves.toMatchObject({ body: { status: 'COMPLETED' } });
    expect(payments.calls).toHaveLength(2);
    // Derived from the session alone, so the provider cannot charge the retry a second time.
    expect(payments.calls[1][0].idempotencyKey).toBe(payments.calls[0][0].idempotencyKey);
  });

  it('sends the buyer to the approval URL when the provider needs their approval', async () => {
    const { useCase, seed, payments, sessions } = setup();
    const session = await seed();
    const approvalUrl = 'https://approve.provider.test/3ds/tx-3ds';
    payments.once(async () => ({
      transactionId: 'tx-3ds',
      status: 'approval_required',
      providerStatus: 'buyer_approval_pending',
      approvalUrl,
    }));

    const result = await useCase.execute(session.id);

    expect(result.body).toEqual({ status: 'PENDING', redirectUrl: approvalUrl });
    expect(await sessions.findForCheckout(session.id)).toMatchObject({
      status: 'PENDING',
      payment: { transactionId: 'tx-3ds', status: 'approval_required' },
    });
  });

  it("records a decline as FAILED and sends the buyer to the merchant's failure page", async () => {
    const { useCase, seed, payments, sessions } = setup();
    const session = await seed();
    payments.once(async () => ({
      transactionId: 'tx-declined',
      status: 'declined',
      providerStatus: 'authorization_declined',
      declineReason: 'insufficient_funds',
    }));

    const result = await useCase.execute(session.id);

    expect(result.body).toEqual({
      status: 'FAILED',
      redirectUrl: `https://shop.test/ko?sessionId=${session.id}`,
    });
    expect(await sessions.findForCheckout(session.id)).toMatchObject({
      status: 'FAILED',
      payment: { status: 'declined', declineReason: 'insufficient_funds' },
    });
  });
});
