import { Logger } from '@nestjs/common';
import { PaymentStatus, ProviderSessionState, TransactionResult, VerifiedWebhook } from '@app/providers';
import { checkoutTestBed, testRoute } from '../../testing/checkout-test-bed';
import { FakeProvider, providerFailure, signedWebhook } from '../../testing/fake-providers';
import { paymentUpdate } from '../payment-outcome';
import { ApplyWebhookUseCase } from './apply-webhook.use-case';

/* Two routes of one adapter, each on its own merchant account: a transaction is visible through its own only. */
const ROUTES = [
  testRoute('r-au', { options: { merchantAccount: 'au' } }),
  testRoute('r-us', { options: { merchantAccount: 'us' } }),
];

function setup() {
  const acme = new FakeProvider('acme');
  const silent = new FakeProvider('silent', { checkoutPage: 'provider', without: ['webhook'] });
  const other = new FakeProvider('other');
  const bed = checkoutTestBed({ routes: ROUTES, providers: [acme, silent, other] });
  const useCase = new ApplyWebhookUseCase(bed.config, bed.sessions, bed.registry, bed.planner);
  const deliver = (event: VerifiedWebhook) => {
    const { headers, rawBody } = signedWebhook(event);
    return useCase.execute('acme', headers, rawBody);
  };
  return { ...bed, reads: acme.reads, sessionReads: acme.sessionReads, useCase, deliver };
}

function transaction(
  transactionId: string,
  status: PaymentStatus,
  extra: Partial<TransactionResult> = {},
): TransactionResult {
  return { transactionId, status, providerStatus: `vendor_${status}`, ...extra };
}

/** An event about a transaction: full when it carries the transaction, slim otherwise. */
function aboutTransaction(
  eventId: string,
  transactionId: string,
  carried?: TransactionResult,
): VerifiedWebhook {
  const subject = carried
    ? { kind: 'transaction' as const, transactionId, transaction: carried }
    : { kind: 'transaction' as const, transactionId };
  return { eventId, subject };
}

/** An event about one of the provider's checkout sessions. */
function aboutSession(
  eventId: string,
  providerSessionId: string,
  outcome: ProviderSessionState,
): VerifiedWebhook {
  return { eventId, subject: { kind: 'session', providerSessionId, outcome } };
}

beforeAll(() => Logger.overrideLogger(false));

describe('ApplyWebhookUseCase', () => {
  it('applies a full event to the session it names, without reading the transaction back', async () => {
    const { deliver, seed, sessions, reads } = setup();
    const session = await seed();

    const outcome = await deliver(
      aboutTransaction(
        'evt-1',
        'tx-1',
        transaction('tx-1', 'captured', { providerSessionId: session.providerSessionId }),
      ),
    );

    expect(outcome).toBe('applied');
    expect(await sessions.findForCheckout(session.id)).toMatchObject({
      status: 'COMPLETED',
      payment: { transactionId: 'tx-1', status: 'captured', providerStatus: 'vendor_captured' },
    });
    expect(await sessions.webhookSeen('acme', 'evt-1')).toBe(true);
    expect(reads.routes).toHaveLength(0);
  });

  it('answers a redelivered event id with duplicate and does not apply it again', async () => {
    const { deliver, seed, sessions } = setup();
    const session = await seed();
    const apply = jest.spyOn(sessions, 'applyWebhook');
    const event = (status: PaymentStatus): VerifiedWebhook =>
      aboutTransaction(
        'evt-1',
        'tx-1',
        transaction('tx-1', status, { providerSessionId: session.providerSessionId }),
      );

    await expect(deliver(event('processing'))).resolves.toBe('applied');
    await expect(deliver(event('captured'))).resolves.toBe('duplicate');

    expect(apply).toHaveBeenCalledTimes(1);
    expect(await sessions.findForCheckout(session.id)).toMatchObject({
      status: 'PENDING',
      payment: { status: 'processing' },
    });
  });

  it.each<[PaymentStatus, PaymentStatus, string]>([
    ['captured', 'declined', 'COMPLETED'],
    ['declined', 'captured', 'FAILED'],
  ])('keeps a session final: %s then %s leaves it %s', async (first, then, final) => {
    const { deliver, seed, sessions } = setup();
    const session = await seed();
    const event = (eventId: string, status: PaymentStatus): VerifiedWebhook =>
      aboutTransaction(
        eventId,
        'tx-1',
        transaction('tx-1', status, { providerSessionId: session.providerSessionId }),
      );

    await deliver(event('evt-1', first));
    await deliver(event('evt-2', then));

    expect(await sessions.findForCheckout(session.id)).toMatchObject({
      status: final,
      payment: { status: first },
    });
  });

  it.each<{ behaviour: string; status: PaymentStatus; after: string }>([
    {
      behaviour: 'completes an EXPIRED session whose money was taken',
      status: 'captured',
      after: 'COMPLETED',
    },
    { behaviour: 'leaves an EXPIRED session EXPIRED on a decline', status: 'declined', after: 'EXPIRED' },
  ])('$behaviour', async ({ status, after }) => {
    const { deliver, seed, sessions } = setup();
    const session = await seed({ status: 'EXPIRED', expiresAt: new Date(Date.now() - 1000) });

    await deliver(
      aboutTransaction(
        'evt-1',
        'tx-1',
        transaction('tx-1', status, { providerSessionId: session.providerSessionId }),
      ),
    );

    expect((await sessions.findForCheckout(session.id))?.status).toBe(after);
  });

  it('ignores an event for a transaction no session knows, and does not record it', async () => {
    const { deliver, seed, sessions } = setup();
    const session = await seed();

    const outcome = await deliver(
      aboutTransaction(
        'evt-1',
        'tx-elsewhere',
        transaction('tx-elsewhere', 'captured', { providerSessionId: 'ps-elsewhere' }),
      ),
    );

    expect(outcome).toBe('ignored');
    expect(await sessions.webhookSeen('acme', 'evt-1')).toBe(false);
    expect((await sessions.findForCheckout(session.id))?.status).toBe('PENDING');
  });

  it("reads a slim event through its session's route, with that route's options (defect 4)", async () => {
    const { deliver, seed, sessions, reads } = setup();
    const session = await seed({ providerRouteId: 'r-us' });
    await sessions.applyPayment(session.id, paymentUpdate(transaction('tx-us', 'processing')), new Date());
    reads.publish('r-us', transaction('tx-us', 'captured'));

    const outcome = await deliver(aboutTransaction('evt-1', 'tx-us'));

    expect(outcome).toBe('applied');
    expect(reads.routes).toEqual([{ id: 'r-us', adapter: 'acme', options: { merchantAccount: 'us' } }]);
    expect((await sessions.findForCheckout(session.id))?.status).toBe('COMPLETED');
  });

  it('finds the session of a slim event not yet recorded by asking each route of the adapter, past a 404', async () => {
    const { deliver, seed, sessions, reads } = setup();
    const session = await seed({ providerRouteId: 'r-us' });
    reads.publish(
      'r-us',
      transaction('tx-new', 'captured', { providerSessionId: session.providerSessionId }),
    );

    const outcome = await deliver(aboutTransaction('evt-1', 'tx-new'));

    expect(outcome).toBe('applied');
    expect(reads.routes.map((route) => route.id)).toEqual(['r-au', 'r-us']);
    expect(await sessions.findForCheckout(session.id)).toMatchObject({
      status: 'COMPLETED',
      payment: { transactionId: 'tx-new' },
    });
  });

  it('answers PROVIDER_UNAVAILABLE when the read fails and leaves the event unseen, so a redelivery applies it', async () => {
    const { deliver, seed, sessions, reads } = setup();
    const session = await seed({ providerRouteId: 'r-au' });
    await sessions.applyPayment(session.id, paymentUpdate(transaction('tx-1', 'processing')), new Date());
    reads.publish('r-au', transaction('tx-1', 'captured'));
    reads.answers.failOnce(providerFailure('server', 503));
    const event = aboutTransaction('evt-1', 'tx-1');

    await expect(deliver(event)).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
    expect(await sessions.webhookSeen('acme', 'evt-1')).toBe(false);

    await expect(deliver(event)).resolves.toBe('applied');
    expect((await sessions.findForCheckout(session.id))?.status).toBe('COMPLETED');
  });

  describe('events about a provider checkout session', () => {
    const paid = (transactionId = 'pi_1'): ProviderSessionState => ({
      state: 'paid',
      transaction: transaction(transactionId, 'captured'),
    });

    it('completes the session found by the provider session id, with the payment the event names', async () => {
      const { deliver, seed, sessions, reads } = setup();
      const session = await seed();

      await expect(deliver(aboutSession('evt-1', session.providerSessionId, paid()))).resolves.toBe(
        'applied',
      );

      expect(await sessions.findForCheckout(session.id)).toMatchObject({
        status: 'COMPLETED',
        payment: { transactionId: 'pi_1', status: 'captured', providerStatus: 'vendor_captured' },
      });
      expect(await sessions.webhookSeen('acme', 'evt-1')).toBe(true);
      expect(reads.routes).toHaveLength(0);
    });

    it.each<[string, ProviderSessionState, string, string | undefined]>([
      [
        'a failed payment fails it',
        { state: 'failed', transaction: transaction('pi_1', 'failed') },
        'FAILED',
        'failed',
      ],
      [
        'a payment still settling leaves it PENDING, recorded',
        { state: 'open', transaction: transaction('pi_1', 'processing') },
        'PENDING',
        'processing',
      ],
      ['an open session with no payment leaves it PENDING', { state: 'open' }, 'PENDING', undefined],
      ['an expired session expires it', { state: 'expired' }, 'EXPIRED', undefined],
    ])('%s', async (_name, outcome, status, paymentStatus) => {
      const { deliver, seed, sessions } = setup();
      const session = await seed();

      await expect(deliver(aboutSession('evt-1', session.providerSessionId, outcome))).resolves.toBe(
        'applied',
      );

      const stored = await sessions.findForCheckout(session.id);
      expect(stored?.status).toBe(status);
      expect(stored?.payment?.status).toBe(paymentStatus);
      expect(await sessions.webhookSeen('acme', 'evt-1')).toBe(true);
    });

    it('reads the session back through its route when the event only hints at the payment, and applies what the read says', async () => {
      const { deliver, seed, sessions, sessionReads } = setup();
      const session = await seed({ providerRouteId: 'r-us' });
      sessionReads.answers.once(async () => ({
        state: 'paid',
        transaction: transaction('pi_1', 'authorized'),
      }));

      const hint: VerifiedWebhook = {
        eventId: 'evt-1',
        subject: {
          kind: 'session',
          providerSessionId: session.providerSessionId,
          outcome: { state: 'paid' },
          readBack: true,
        },
      };
      await expect(deliver(hint)).resolves.toBe('applied');

      const [[route, ref]] = sessionReads.answers.calls;
      expect(route.id).toBe('r-us');
      expect(ref.providerSessionId).toBe(session.providerSessionId);
      expect(await sessions.findForCheckout(session.id)).toMatchObject({
        status: 'COMPLETED',
        payment: { transactionId: 'pi_1', status: 'authorized' },
      });
    });

    it('leaves a hinting event unseen when the read back fails, so a redelivery applies it', async () => {
      const { deliver, seed, sessions, sessionReads } = setup();
      const session = await seed({ providerRouteId: 'r-au' });
      sessionReads.answers.failOnce(providerFailure('server', 503));
      const hint: VerifiedWebhook = {
        eventId: 'evt-1',
        subject: {
          kind: 'session',
          providerSessionId: session.providerSessionId,
          outcome: { state: 'paid' },
          readBack: true,
        },
      };

      await expect(deliver(hint)).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
      expect(await sessions.webhookSeen('acme', 'evt-1')).toBe(false);
      expect((await sessions.findForCheckout(session.id))?.status).toBe('PENDING');
    });

    it('lets a payment win over an expiry, in either order, and never expires a final session', async () => {
      const { deliver, seed, sessions } = setup();
      const expiredFirst = await seed();
      const paidFirst = await seed();

      await deliver(aboutSession('evt-1', expiredFirst.providerSessionId, { state: 'expired' }));
      await deliver(aboutSession('evt-2', expiredFirst.providerSessionId, paid()));
      await deliver(aboutSession('evt-3', paidFirst.providerSessionId, paid('pi_2')));
      await deliver(aboutSession('evt-4', paidFirst.providerSessionId, { state: 'expired' }));

      expect((await sessions.findForCheckout(expiredFirst.id))?.status).toBe('COMPLETED');
      expect((await sessions.findForCheckout(paidFirst.id))?.status).toBe('COMPLETED');
    });

    it('answers a replayed session event with duplicate and changes nothing', async () => {
      const { deliver, seed, sessions } = setup();
      const session = await seed();
      await deliver(
        aboutSession('evt-1', session.providerSessionId, {
          state: 'open',
          transaction: transaction('pi_1', 'processing'),
        }),
      );

      await expect(deliver(aboutSession('evt-1', session.providerSessionId, paid()))).resolves.toBe(
        'duplicate',
      );

      expect(await sessions.findForCheckout(session.id)).toMatchObject({
        status: 'PENDING',
        payment: { status: 'processing' },
      });
    });

    it('ignores an event about a provider session no session of this adapter has, and does not record it', async () => {
      const { deliver, seed, sessions, useCase } = setup();
      const session = await seed();

      await expect(deliver(aboutSession('evt-1', 'cs_elsewhere', paid()))).resolves.toBe('ignored');
      // Same provider session id, other adapter: not this one's.
      const { headers, rawBody } = signedWebhook(aboutSession('evt-2', session.providerSessionId, paid()));
      const other = await useCase.execute('other', headers, rawBody);

      expect(other).toBe('ignored');
      expect(await sessions.webhookSeen('acme', 'evt-1')).toBe(false);
      expect((await sessions.findForCheckout(session.id))?.status).toBe('PENDING');
    });
  });

  it('acknowledges a genuine event about nothing tracked as ignored, without recording it', async () => {
    const { deliver, sessions } = setup();
    await expect(deliver({ eventId: 'evt-1', subject: null })).resolves.toBe('ignored');
    expect(await sessions.webhookSeen('acme', 'evt-1')).toBe(false);
  });

  it.each([
    [
      'a bad signature',
      'WEBHOOK_REJECTED',
      { 'x-fake-signature': 'forged' },
      '{"eventId":"e","subject":null}',
    ],
    ['an unreadable payload', 'VALIDATION_FAILED', undefined, 'not json'],
    ['a payload without an event id', 'VALIDATION_FAILED', undefined, '{"subject":null}'],
  ])('refuses a delivery with %s as %s', async (_what, code, headers, body) => {
    const { useCase, sessions } = setup();
    const signed = signedWebhook(aboutTransaction('e', 't')).headers;
    const apply = jest.spyOn(sessions, 'applyWebhook');

    await expect(useCase.execute('acme', headers ?? signed, Buffer.from(body))).rejects.toMatchObject({
      code,
    });
    expect(apply).not.toHaveBeenCalled();
  });

  it.each(['silent', 'unknown'])(
    'answers NOT_FOUND for the %s adapter, which has no webhook flow',
    async (kind) => {
      const { useCase } = setup();
      const { headers, rawBody } = signedWebhook(aboutTransaction('e', 't'));
      await expect(useCase.execute(kind, headers, rawBody)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    },
  );
});
