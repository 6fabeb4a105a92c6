import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { closeDb, db } from './support/db';
import {
  CARDS,
  pay,
  postWebhook,
  providerSessionId,
  signedWebhook,
  storeCard,
} from './support/checkout-flow';
import { GR4VY_SERVICE_AU, gr4vyRoute, sessionBody } from './support/fixtures';
import { Harness, sandboxAdmin, startHarness } from './support/harness';
import { merchantToken } from './support/tokens';

const OWN_ACCOUNT = 'acct-nz-own';

/* A route with its own Gr4vy merchant account: every call after creation must go to that account. */
describe('a route with its own Gr4vy merchant account', () => {
  let h: Harness;
  let token: string;

  beforeAll(async () => {
    h = await startHarness({
      realCheckoutBaseUrl: true,
      routes: [
        gr4vyRoute('gr4vy-default', { currencies: ['AUD'] }),
        gr4vyRoute('gr4vy-nz-own', {
          currencies: ['NZD'],
          options: { paymentServiceId: GR4VY_SERVICE_AU, merchantAccountId: OWN_ACCOUNT },
        }),
      ],
    });
  });
  afterAll(async () => {
    await h.close();
    await closeDb();
  });
  beforeEach(async () => {
    token = await merchantToken(`merchant_${randomUUID()}`);
    await sandboxAdmin.clearRequests(h.sandboxUrl);
  });

  const paidWithApproval = async () => {
    const created = await request(h.url)
      .post('/api/v1/sessions')
      .set('Authorization', `Bearer ${token}`)
      .set('Idempotency-Key', randomUUID())
      .send(sessionBody({ currency: 'NZD' }));
    expect(created.status).toBe(201);
    expect(created.body.routing.selectedProvider).toBe('gr4vy-nz-own');
    const sessionId = created.body.sessionId as string;
    await storeCard(h.sandboxUrl, await providerSessionId(sessionId), CARDS.approval);
    expect((await pay(h.url, sessionId)).status).toBe(200);
    const { rows } = await db().query('SELECT transaction_id FROM checkout_sessions WHERE id = $1', [
      sessionId,
    ]);
    return { sessionId, transactionId: rows[0].transaction_id as string };
  };

  it('re-fetches a slim webhook’s transaction from the route’s own account, so it is applied, not a 502', async () => {
    const { sessionId, transactionId } = await paidWithApproval();
    const res = await postWebhook(h.url, signedWebhook({ type: 'transaction', id: transactionId }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'applied' });

    const reads = await sandboxAdmin.requests(h.sandboxUrl, `/transactions/${transactionId}`);
    expect(reads.length).toBeGreaterThanOrEqual(1);
    for (const read of reads) expect(read.headers['x-gr4vy-merchant-account-id']).toBe(OWN_ACCOUNT);
    const session = await request(h.url)
      .get(`/api/v1/sessions/${sessionId}`)
      .set('Authorization', `Bearer ${token}`);
    expect(session.body.payment).toMatchObject({ transactionId, status: 'approval_required' });
  });

  it('reads the transaction from the route’s own account when the buyer returns from approval', async () => {
    const { sessionId, transactionId } = await paidWithApproval();
    const approve = await fetch(`${h.sandboxUrl}/approve/${transactionId}`, {
      method: 'POST',
      redirect: 'manual',
    });
    expect(approve.status).toBe(303);
    await sandboxAdmin.clearRequests(h.sandboxUrl);
    const back = await request(h.url).get(`/checkout/${sessionId}/return`);
    expect(back.status).toBe(303);
    const reads = await sandboxAdmin.requests(h.sandboxUrl, `/transactions/${transactionId}`);
    expect(reads).toHaveLength(1);
    expect(reads[0].headers['x-gr4vy-merchant-account-id']).toBe(OWN_ACCOUNT);
    const session = await request(h.url)
      .get(`/api/v1/sessions/${sessionId}`)
      .set('Authorization', `Bearer ${token}`);
    expect(session.body.status).toBe('COMPLETED');
  });
});
