import { Gr4vyCore } from '@gr4vy/sdk/core';
import { checkoutSessionsDelete } from '@gr4vy/sdk/funcs/checkoutSessionsDelete';
import { checkoutSessionsGet } from '@gr4vy/sdk/funcs/checkoutSessionsGet';
import { transactionsList } from '@gr4vy/sdk/funcs/transactionsList';
import { startSandbox, type RunningSandbox } from './sandbox';
import { CARD_APPROVE, createSession, postJson, readJson, storeCard, transactionBody } from './test/helpers';

/** What the checkout orchestrator's reconciler and cancel do, through Gr4vy's own SDK. */
describe('Gr4vy simulator through the official SDK', () => {
  let sandbox: RunningSandbox;
  let client: Gr4vyCore;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, logLevel: 'silent' });
    client = new Gr4vyCore({
      server: 'sandbox',
      id: 'sandbox',
      serverURL: sandbox.url,
      bearerAuth: 'any-token',
      retryConfig: { strategy: 'none' },
    });
  });
  afterAll(() => sandbox.close());

  it('lists a checkout session’s transactions in a shape the SDK accepts', async () => {
    const session = await createSession(sandbox.url);
    await storeCard(sandbox.url, String(session.id), CARD_APPROVE);
    const paid = await readJson(
      await postJson(`${sandbox.url}/transactions`, transactionBody(String(session.id))),
    );

    const page = await transactionsList(client, { checkoutSessionId: String(session.id), limit: 20 });

    if (!page.ok) throw page.error;
    expect(page.value.result.items.map((t) => [t.id, t.status, t.checkoutSessionId])).toEqual([
      [paid.id, 'capture_succeeded', session.id],
    ]);
  });

  it('reads and deletes a checkout session; once deleted it is gone (404)', async () => {
    const session = await createSession(sandbox.url);
    const got = await checkoutSessionsGet(client, String(session.id));
    expect(got.ok).toBe(true);

    const deleted = await checkoutSessionsDelete(client, String(session.id));
    expect(deleted.ok).toBe(true);

    const again = await checkoutSessionsGet(client, String(session.id));
    expect(again.ok).toBe(false);
    expect(!again.ok && (again.error as { statusCode?: number }).statusCode).toBe(404);
  });
});
