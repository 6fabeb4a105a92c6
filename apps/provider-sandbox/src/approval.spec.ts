import { generateKeyPair, type KeyLike } from 'jose';
import { exportSPKI } from 'jose';
import { luhnValid } from './gr4vy/card';
import { APPROVAL_CARD, startSandbox, type RunningSandbox } from './sandbox';
import {
  CARD_APPROVAL,
  createSession,
  gr4vyHeaders,
  postJson,
  readJson,
  signGr4vyToken,
  storeCard,
  transactionBody,
  type JsonObject,
} from './test/helpers';

const REDIRECT = 'https://shop.example/return?order=42';

describe('buyer approval (card 4000000000003220)', () => {
  let sandbox: RunningSandbox;
  let base: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, logLevel: 'silent' });
    base = sandbox.url;
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  async function pendingTransaction(overrides: JsonObject = {}, redirectUrl: string | null = REDIRECT) {
    const session = await createSession(base);
    const sessionId = String(session.id);
    expect((await storeCard(base, sessionId, CARD_APPROVAL)).status).toBe(204);
    const pm: JsonObject = { method: 'checkout-session', id: sessionId };
    if (redirectUrl !== null) pm.redirect_url = redirectUrl;
    const res = await postJson(
      `${base}/transactions`,
      transactionBody(sessionId, { payment_method: pm, ...overrides }),
    );
    expect(res.status).toBe(201);
    return readJson(res);
  }

  const approve = (id: string) =>
    fetch(`${base}/approve/${id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
      redirect: 'manual',
    });

  const getTransaction = async (id: string) =>
    readJson(await fetch(`${base}/transactions/${id}`, { headers: gr4vyHeaders() }));

  it('is a Luhn-valid test number, exported by the sandbox', () => {
    expect(APPROVAL_CARD).toBe(CARD_APPROVAL);
    expect(luhnValid(APPROVAL_CARD)).toBe(true);
  });

  it('answers buyer_approval_pending with payment_method.approval_url = <sandbox>/approve/<id>', async () => {
    const tx = await pendingTransaction();
    expect(tx).toMatchObject({
      type: 'transaction',
      status: 'buyer_approval_pending',
      intent: 'capture',
      intent_outcome: 'pending',
      authorized_amount: 0,
      captured_amount: 0,
      authorized_at: null,
      captured_at: null,
      error_code: null,
    });
    const pm = tx.payment_method as JsonObject;
    expect(pm.approval_url).toBe(`${base}/approve/${String(tx.id)}`);
    expect(pm.approval_target).toBe('any');
    expect(pm).toMatchObject({ method: 'card', label: '3220', scheme: 'visa' });
    // GET returns the same pending transaction.
    expect(await getTransaction(String(tx.id))).toEqual(tx);
  });

  it('shows an approval page with an "Approve" form posting to the same URL', async () => {
    const tx = await pendingTransaction();
    const res = await fetch(`${base}/approve/${String(tx.id)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain(`<form method="post" action="/approve/${String(tx.id)}">`);
    expect(html).toMatch(/<button type="submit">Approve<\/button>/);
  });

  it('POST /approve → capture_succeeded, then 303 to redirect_url with transaction_id added', async () => {
    const tx = await pendingTransaction();
    const id = String(tx.id);
    const res = await approve(id);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`https://shop.example/return?order=42&transaction_id=${id}`);

    const after = await getTransaction(id);
    expect(after).toMatchObject({
      id,
      status: 'capture_succeeded',
      intent_outcome: 'succeeded',
      authorized_amount: 2598,
      captured_amount: 2598,
      raw_response_code: '00',
    });
    expect(after.captured_at).toEqual(expect.any(String));
    expect(Date.parse(String(after.updated_at))).toBeGreaterThanOrEqual(Date.parse(String(tx.updated_at)));
    // The page now says so and offers no button.
    const page = await (await fetch(`${base}/approve/${id}`)).text();
    expect(page).toContain('capture_succeeded');
    expect(page).not.toContain('<button');
  });

  it('authorizes with intent authorize (authorization_succeeded)', async () => {
    const tx = await pendingTransaction({ intent: 'authorize' });
    expect((await approve(String(tx.id))).status).toBe(303);
    expect(await getTransaction(String(tx.id))).toMatchObject({
      status: 'authorization_succeeded',
      authorized_amount: 2598,
      captured_amount: 0,
      captured_at: null,
    });
  });

  it('works for a card sent in TransactionCreate directly too', async () => {
    const res = await postJson(`${base}/transactions`, {
      amount: 500,
      currency: 'EUR',
      intent: 'capture',
      payment_method: {
        method: 'card',
        number: CARD_APPROVAL,
        expiration_date: '12/39',
        redirect_url: 'http://localhost:3000/back',
      },
    });
    const tx = await readJson(res);
    expect(tx.status).toBe('buyer_approval_pending');
    const approved = await approve(String(tx.id));
    expect(approved.headers.get('location')).toBe(
      `http://localhost:3000/back?transaction_id=${String(tx.id)}`,
    );
  });

  it('shows "approved" when there is no http(s) redirect_url', async () => {
    for (const redirectUrl of [null, 'data:application/json;base64,e30=']) {
      const tx = await pendingTransaction({}, redirectUrl);
      const res = await approve(String(tx.id));
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(/approved/i);
      expect((await getTransaction(String(tx.id))).status).toBe('capture_succeeded');
    }
  });

  it('a second POST redirects again without changing the transaction', async () => {
    const tx = await pendingTransaction();
    const id = String(tx.id);
    await approve(id);
    const first = await getTransaction(id);
    const again = await approve(id);
    expect(again.status).toBe(303);
    expect(await getTransaction(id)).toEqual(first);
  });

  it('keeps the idempotent replay of the create request as first answered', async () => {
    const session = await createSession(base);
    const sessionId = String(session.id);
    await storeCard(base, sessionId, CARD_APPROVAL);
    const headers = gr4vyHeaders('t', { 'idempotency-key': 'approval-1' });
    const first = await readJson(await postJson(`${base}/transactions`, transactionBody(sessionId), headers));
    await approve(String(first.id));
    const replay = await postJson(`${base}/transactions`, transactionBody(sessionId), headers);
    expect(replay.headers.get('x-sandbox-idempotent-replayed')).toBe('true');
    expect((await readJson(replay)).status).toBe('buyer_approval_pending');
  });

  it('answers 404 for unknown, malformed and non-approval transactions', async () => {
    expect((await fetch(`${base}/approve/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
    expect((await approve('not-a-uuid')).status).toBe(404);
    const session = await createSession(base);
    await storeCard(base, String(session.id), '4111111111111111');
    const plain = await readJson(await postJson(`${base}/transactions`, transactionBody(String(session.id))));
    expect(plain.status).toBe('capture_succeeded');
    expect((plain.payment_method as JsonObject).approval_url).toBeNull();
    expect((await approve(String(plain.id))).status).toBe(404);
  });

  it('declines the approval card when it has expired', async () => {
    const session = await createSession(base);
    await storeCard(base, String(session.id), CARD_APPROVAL, '01/20');
    const tx = await readJson(await postJson(`${base}/transactions`, transactionBody(String(session.id))));
    expect(tx).toMatchObject({ status: 'authorization_declined', error_code: 'expired_payment_method' });
  });
});

describe('GET /transactions/:id scopes (as in the document: transactions.read)', () => {
  let sandbox: RunningSandbox;
  let privateKey: KeyLike;

  beforeAll(async () => {
    const pair = await generateKeyPair('ES512', { extractable: true });
    privateKey = pair.privateKey;
    sandbox = await startSandbox({
      port: 0,
      logLevel: 'silent',
      gr4vyPublicKeyPem: await exportSPKI(pair.publicKey),
    });
  });
  afterAll(() => sandbox.close());

  it('reads with transactions.read or *.read, 403 otherwise, and reflects the approval', async () => {
    const write = await signGr4vyToken(privateKey, ['*.write']);
    const session = await readJson(
      await postJson(`${sandbox.url}/checkout/sessions`, {}, gr4vyHeaders(write)),
    );
    await storeCard(sandbox.url, String(session.id), CARD_APPROVAL);
    const tx = await readJson(
      await postJson(`${sandbox.url}/transactions`, transactionBody(String(session.id)), gr4vyHeaders(write)),
    );
    await fetch(`${sandbox.url}/approve/${String(tx.id)}`, { method: 'POST', redirect: 'manual' });

    const read = async (scopes: string[]) =>
      fetch(`${sandbox.url}/transactions/${String(tx.id)}`, {
        headers: gr4vyHeaders(await signGr4vyToken(privateKey, scopes)),
      });
    const exact = await read(['transactions.read']);
    expect(exact.status).toBe(200);
    expect((await readJson(exact)).status).toBe('capture_succeeded');
    expect((await read(['*.read'])).status).toBe(200);
    expect((await read(['transactions.write', 'checkout-sessions.read'])).status).toBe(403);
    expect((await fetch(`${sandbox.url}/transactions/${String(tx.id)}`)).status).toBe(401);
  });
});
