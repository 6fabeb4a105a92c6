import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
// Test-only reach into the sibling app, as the harness does: the sandbox in-process, spoken to over HTTP.
import { RunningSandbox, startSandbox } from '../../provider-sandbox/src/sandbox';
import { ApiProcess } from './support/api-process';
import { closeDb, db } from './support/db';
import { gr4vyRoute } from './support/fixtures';
import { baseEnv } from './support/harness';
import { eventually, EVENTS_ENV, merchantApi } from './support/merchant-events';
import { gr4vyKeyPair, merchantToken } from './support/tokens';
import { WebhookReceiver } from './support/webhook-receiver';

/* Only separate processes deliver here (no in-process app), so which instance makes an attempt is theirs to decide. */
describe('merchant events across service processes', () => {
  let sandbox: RunningSandbox;
  let receiver: WebhookReceiver;
  let env: Record<string, string>;
  const processes: ApiProcess[] = [];

  beforeAll(async () => {
    const gr4vy = gr4vyKeyPair();
    sandbox = await startSandbox({ port: 0, gr4vyPublicKeyPem: gr4vy.publicKeyPem });
    receiver = await WebhookReceiver.start();
    env = {
      ...baseEnv(gr4vy.privateKeyPem, sandbox.url, [gr4vyRoute('gr4vy-card')]),
      ...EVENTS_ENV,
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    };
  });
  afterEach(async () => {
    await Promise.all(processes.splice(0).map((api) => api.stop()));
  });
  afterAll(async () => {
    await receiver.close();
    await sandbox.close();
    rmSync(dirname(env.PROVIDERS_CONFIG), { recursive: true, force: true });
    await closeDb();
  });

  const start = async (extra: Record<string, string> = {}) => {
    const api = await ApiProcess.start({ ...env, ...extra });
    processes.push(api);
    return api;
  };

  it('delivers an attempt cut short by SIGKILL once the service is back, with the same webhook-id', async () => {
    const first = await start();
    const api = merchantApi(first.url, await merchantToken(`merchant_${randomUUID()}`));
    const url = receiver.endpoint(randomUUID(), ['hang']);
    const created = await api.createEndpoint({ url });
    receiver.trust(url, created.body.secret as string);
    const sessionId = await api.createSession();
    await api.expireSession(sessionId);
    const [hung] = await receiver.waitFor(url, 1);

    await first.kill();
    const restarted = await start();
    const delivered = await receiver.waitFor(url, 2);

    expect(delivered.map((d) => d.headers['webhook-id'])).toEqual([
      hung.headers['webhook-id'],
      hung.headers['webhook-id'],
    ]);
    expect(delivered.every((d) => d.verifiedWith.length === 1)).toBe(true);
    const again = merchantApi(restarted.url, await merchantToken(api.merchantId));
    const settled = await again.settled(String(hung.headers['webhook-id']));
    expect(settled.deliveries).toHaveLength(1);
    expect(settled.deliveries[0].status).toBe('delivered');
    expect(settled.deliveries[0].attempts.map((a) => a.outcome).at(-1)).toBe('delivered');
  });

  it('with two instances running, sends each event to each endpoint once', async () => {
    const fast = { SESSION_SWEEP_INTERVAL_MS: '300' };
    const [a] = await Promise.all([start(fast), start(fast)]);
    const api = merchantApi(a.url, await merchantToken(`merchant_${randomUUID()}`));
    const urls = [receiver.endpoint(randomUUID()), receiver.endpoint(randomUUID())];
    for (const url of urls) {
      const created = await api.createEndpoint({ url });
      receiver.trust(url, created.body.secret as string);
    }
    const sessions: string[] = [];
    for (let i = 0; i < 10; i++) sessions.push(await api.createSession());
    // Both instances' expiry sweeps race for these rows: each session must still expire, and notify, once.
    await db().query(
      `UPDATE checkout_sessions SET expires_at = now() - interval '1 second' WHERE id = ANY ($1)`,
      [sessions],
    );

    for (const url of urls) await receiver.waitFor(url, sessions.length);
    const events = await eventually(
      async () =>
        (await api.events({ type: 'session.expired', limit: '100' })).body.data as Array<{ id: string }>,
      (data) => data.length === sessions.length,
    );
    for (const event of events)
      expect((await api.settled(event.id)).deliveries.map((d) => d.status)).toEqual([
        'delivered',
        'delivered',
      ]);
    for (const url of urls) {
      const received = receiver.deliveriesTo(url);
      expect(received).toHaveLength(sessions.length);
      expect(new Set(received.map((d) => d.headers['webhook-id']))).toEqual(new Set(events.map((e) => e.id)));
      expect(received.every((d) => d.verifiedWith.length === 1)).toBe(true);
    }
  });
});
