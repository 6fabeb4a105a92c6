import { createHmac } from 'node:crypto';
import { verifyWebhook } from '@gr4vy/sdk';
import { SandboxConfigError, startSandbox, type RunningSandbox, type WebhookDelivery } from './sandbox';
import {
  CARD_APPROVAL,
  CARD_APPROVE,
  CARD_DECLINE,
  createSession,
  gr4vyHeaders,
  postJson,
  readJson,
  startWebhookReceiver,
  storeCard,
  transactionBody,
  type JsonObject,
  type ReceivedWebhook,
  type WebhookReceiver,
} from './test/helpers';
import { signWebhook } from './webhooks';

const SECRET = 'whsec_sandbox_test_secret';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const JSON_HEADERS = { 'content-type': 'application/json' };

interface WebhookEvent {
  type: string;
  id: string;
  created_at: string;
  target: JsonObject;
}

function header(hook: ReceivedWebhook, name: string): string {
  const value = hook.headers[name];
  if (typeof value !== 'string') throw new Error(`missing header ${name}`);
  return value;
}

/** What the receiver must do: recompute the HMAC over `${timestamp}.${rawBody}`. */
function expectSigned(hook: ReceivedWebhook, secret = SECRET): WebhookEvent {
  const timestamp = header(hook, 'x-gr4vy-webhook-timestamp');
  const expected = createHmac('sha256', secret).update(`${timestamp}.${hook.rawBody}`).digest('hex');
  expect(header(hook, 'x-gr4vy-webhook-signatures').split(',')).toEqual([expected]);
  // And Gr4vy's own SDK accepts it.
  expect(() =>
    verifyWebhook(hook.rawBody, secret, hook.headers['x-gr4vy-webhook-signatures'] as string, timestamp, 0),
  ).not.toThrow();
  return JSON.parse(hook.rawBody) as WebhookEvent;
}

async function paidTransaction(base: string, card = CARD_APPROVE): Promise<JsonObject> {
  const session = await createSession(base);
  await storeCard(base, String(session.id), card);
  const res = await postJson(`${base}/transactions`, transactionBody(String(session.id)));
  expect(res.status).toBe(201);
  return readJson(res);
}

async function adminSend(base: string, body: JsonObject): Promise<Response> {
  return postJson(`${base}/__sandbox/webhooks/send`, body, JSON_HEADERS);
}

describe('signWebhook', () => {
  it('is the hex HMAC-SHA256 of `${timestamp}.${body}`', () => {
    expect(signWebhook('key', 1700000000, '{"a":1}')).toBe(
      createHmac('sha256', 'key').update('1700000000.{"a":1}').digest('hex'),
    );
    expect(signWebhook('key', 1700000000, '{"a":1}')).not.toBe(signWebhook('key', 1700000001, '{"a":1}'));
  });
});

describe('signed webhooks', () => {
  let sandbox: RunningSandbox;
  let base: string;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, logLevel: 'silent' });
    base = sandbox.url;
  });
  afterAll(() => sandbox.close());
  beforeEach(async () => {
    sandbox.reset();
    receiver = await startWebhookReceiver();
    const res = await postJson(
      `${base}/__sandbox/webhooks`,
      { url: receiver.url, secret: SECRET },
      JSON_HEADERS,
      'PUT',
    );
    expect(res.status).toBe(200);
  });
  afterEach(async () => {
    await sandbox.webhooks.idle();
    await receiver.close();
  });

  describe('admin configuration', () => {
    it('shows the receiver and whether a secret is set, never the secret', async () => {
      const res = await fetch(`${base}/__sandbox/webhooks`);
      const body = await readJson(res);
      expect(body).toEqual({ url: receiver.url, secretSet: true, slim: false, timeoutMs: 3000 });
      expect(JSON.stringify(body)).not.toContain(SECRET);
      const config = await readJson(await fetch(`${base}/__sandbox/config`));
      expect(JSON.stringify(config)).not.toContain(SECRET);
      expect(config.webhooks).toEqual(body);
    });

    it('rejects bad settings with 400 and keeps the previous ones', async () => {
      for (const bad of [
        { url: receiver.url },
        { secret: 'x' },
        { url: 'not a url', secret: 'x' },
        { url: 'ftp://example.com/hook', secret: 'x' },
        { url: receiver.url, secret: '' },
        { url: receiver.url, secret: 'x', slim: 'yes' },
        { url: receiver.url, secret: 'x', extra: 1 },
      ]) {
        const res = await postJson(`${base}/__sandbox/webhooks`, bad, JSON_HEADERS, 'PUT');
        expect(res.status).toBe(400);
        expect((await readJson(res)).error).toEqual(expect.any(String));
      }
      expect((await readJson(await fetch(`${base}/__sandbox/webhooks`))).url).toBe(receiver.url);
    });

    it('disables with DELETE (or url/secret null): nothing is sent, admin send answers 409', async () => {
      expect((await fetch(`${base}/__sandbox/webhooks`, { method: 'DELETE' })).status).toBe(204);
      expect(await readJson(await fetch(`${base}/__sandbox/webhooks`))).toMatchObject({
        url: null,
        secretSet: false,
      });
      const tx = await paidTransaction(base);
      await sandbox.webhooks.idle();
      expect(receiver.received).toEqual([]);
      expect(sandbox.webhooks.deliveries).toEqual([]);
      expect((await adminSend(base, { transactionId: String(tx.id) })).status).toBe(409);

      await postJson(
        `${base}/__sandbox/webhooks`,
        { url: receiver.url, secret: SECRET },
        JSON_HEADERS,
        'PUT',
      );
      const off = await postJson(
        `${base}/__sandbox/webhooks`,
        { url: null, secret: null },
        JSON_HEADERS,
        'PUT',
      );
      expect(await readJson(off)).toMatchObject({ url: null, secretSet: false });
    });
  });

  describe('on transactions', () => {
    it('POSTs a signed event with the whole transaction when one is created', async () => {
      const tx = await paidTransaction(base);
      const [hook] = await receiver.waitFor(1);
      expect(hook.headers['content-type']).toBe('application/json');
      const event = expectSigned(hook);
      expect(header(hook, 'x-gr4vy-webhook-id')).toBe(event.id);
      expect(event.id).toMatch(UUID);
      expect(event.type).toBe('event');
      const timestamp = Number(header(hook, 'x-gr4vy-webhook-timestamp'));
      expect(Math.abs(timestamp - Date.now() / 1000)).toBeLessThan(5);
      expect(Math.abs(Date.parse(event.created_at) / 1000 - timestamp)).toBeLessThan(1);
      expect(event.target).toEqual(tx);
      expect(event.target).toMatchObject({ type: 'transaction', id: tx.id, status: 'capture_succeeded' });
    });

    it('records the delivery with the HTTP status the receiver answered', async () => {
      const tx = await paidTransaction(base);
      await receiver.waitFor(1);
      await sandbox.webhooks.idle();
      const deliveries = (await (
        await fetch(`${base}/__sandbox/webhooks/deliveries`)
      ).json()) as WebhookDelivery[];
      expect(deliveries).toHaveLength(1);
      const hook = receiver.received[0];
      expect(deliveries[0]).toMatchObject({
        id: header(hook, 'x-gr4vy-webhook-id'),
        timestamp: Number(header(hook, 'x-gr4vy-webhook-timestamp')),
        transactionId: tx.id,
        status: 'capture_succeeded',
        slim: false,
        trigger: 'transaction',
        url: receiver.url,
        httpStatus: 200,
        error: null,
      });
      expect(deliveries[0].durationMs).toEqual(expect.any(Number));
    });

    it('sends events for declined transactions too, and none for idempotent replays', async () => {
      const session = await createSession(base);
      await storeCard(base, String(session.id), CARD_DECLINE);
      const headers = gr4vyHeaders('t', { 'idempotency-key': 'k-1' });
      await postJson(`${base}/transactions`, transactionBody(String(session.id)), headers);
      await postJson(`${base}/transactions`, transactionBody(String(session.id)), headers);
      await receiver.waitFor(1);
      await sandbox.webhooks.idle();
      expect(receiver.received).toHaveLength(1);
      expect(expectSigned(receiver.received[0]).target.status).toBe('authorization_declined');
    });

    it('sends one event for the pending approval and one when the buyer approves', async () => {
      const tx = await paidTransaction(base, CARD_APPROVAL);
      await receiver.waitFor(1);
      await fetch(`${base}/approve/${String(tx.id)}`, { method: 'POST', redirect: 'manual' });
      const hooks = await receiver.waitFor(2);
      const statuses = hooks.map((h) => expectSigned(h).target.status).sort();
      expect(statuses).toEqual(['buyer_approval_pending', 'capture_succeeded']);
      expect(new Set(hooks.map((h) => header(h, 'x-gr4vy-webhook-id'))).size).toBe(2);
    });

    it('does not delay the transaction response while the receiver is slow', async () => {
      // The receiver answers only once the transaction response is in hand: a delivery that
      // delayed the response would deadlock here and fail on the test's own timeout.
      let answer: () => void = () => undefined;
      receiver.respond = (res) => {
        answer = () => res.writeHead(200).end();
      };
      await paidTransaction(base);
      await receiver.waitFor(1);
      answer();
      await sandbox.webhooks.idle();
      expect(sandbox.webhooks.deliveries[0].httpStatus).toBe(200);
    });

    it('records a receiver error status and does not retry', async () => {
      receiver.respond = (res) => {
        res.writeHead(500).end('boom');
      };
      await paidTransaction(base);
      await receiver.waitFor(1);
      await sandbox.webhooks.idle();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(receiver.received).toHaveLength(1);
      expect(sandbox.webhooks.deliveries).toMatchObject([{ httpStatus: 500, error: null }]);
    });

    it('records a connection failure as an error', async () => {
      const gone = await startWebhookReceiver();
      await gone.close();
      sandbox.webhooks.configure({ url: gone.url, secret: SECRET });
      await paidTransaction(base);
      await sandbox.webhooks.idle();
      expect(sandbox.webhooks.deliveries).toMatchObject([{ httpStatus: null, error: expect.any(String) }]);
      expect(sandbox.webhooks.deliveries[0].error).toMatch(/ECONNREFUSED/);
    });

    it('sends slim events when configured: target {type, id} only, re-fetchable with GET', async () => {
      await postJson(
        `${base}/__sandbox/webhooks`,
        { url: receiver.url, secret: SECRET, slim: true },
        JSON_HEADERS,
        'PUT',
      );
      const tx = await paidTransaction(base);
      const [hook] = await receiver.waitFor(1);
      const event = expectSigned(hook);
      expect(event.target).toEqual({ type: 'transaction', id: tx.id });
      const fetched = await readJson(
        await fetch(`${base}/transactions/${String(event.target.id)}`, { headers: gr4vyHeaders() }),
      );
      expect(fetched.status).toBe('capture_succeeded');
      await sandbox.webhooks.idle();
      expect(sandbox.webhooks.deliveries[0]).toMatchObject({ slim: true, status: 'capture_succeeded' });
    });

    it('keeps the configuration across reset() but clears the deliveries', async () => {
      await paidTransaction(base);
      await sandbox.webhooks.idle();
      expect(sandbox.webhooks.deliveries).toHaveLength(1);
      expect((await fetch(`${base}/__sandbox/reset`, { method: 'POST' })).status).toBe(204);
      expect(sandbox.webhooks.deliveries).toEqual([]);
      expect(sandbox.webhooks.config.url).toBe(receiver.url);
    });
  });

  describe('POST /__sandbox/webhooks/send', () => {
    it('sends now and answers the delivery record', async () => {
      const tx = await paidTransaction(base);
      await receiver.waitFor(1);
      const res = await adminSend(base, { transactionId: String(tx.id) });
      expect(res.status).toBe(200);
      const delivery = (await res.json()) as WebhookDelivery;
      expect(receiver.received).toHaveLength(2);
      const event = expectSigned(receiver.received[1]);
      expect(delivery).toMatchObject({
        id: event.id,
        transactionId: tx.id,
        status: 'capture_succeeded',
        trigger: 'admin',
        httpStatus: 200,
        error: null,
      });
      expect(event.target).toEqual(tx);
    });

    it('overrides the status in the event only, the event id (replay) and the timestamp (stale)', async () => {
      const tx = await paidTransaction(base);
      await receiver.waitFor(1);
      const stale = Math.floor(Date.now() / 1000) - 3600;
      const res = await adminSend(base, {
        transactionId: String(tx.id),
        status: 'authorization_declined',
        eventId: 'evt-replayed-1',
        timestamp: stale,
      });
      const delivery = (await res.json()) as WebhookDelivery;
      const hook = receiver.received[1];
      const event = expectSigned(hook);
      expect(header(hook, 'x-gr4vy-webhook-id')).toBe('evt-replayed-1');
      expect(event.id).toBe('evt-replayed-1');
      expect(header(hook, 'x-gr4vy-webhook-timestamp')).toBe(String(stale));
      expect(event.created_at).toBe(new Date(stale * 1000).toISOString());
      expect(event.target).toEqual({ ...tx, status: 'authorization_declined' });
      expect(delivery).toMatchObject({
        id: 'evt-replayed-1',
        timestamp: stale,
        status: 'authorization_declined',
      });
      // The stored transaction did not change.
      const stored = await readJson(
        await fetch(`${base}/transactions/${String(tx.id)}`, { headers: gr4vyHeaders() }),
      );
      expect(stored.status).toBe('capture_succeeded');

      // Same id again: a replay the receiver must recognise.
      await adminSend(base, { transactionId: String(tx.id), eventId: 'evt-replayed-1' });
      expect(header(receiver.received[2], 'x-gr4vy-webhook-id')).toBe('evt-replayed-1');
      const deliveries = sandbox.webhooks.deliveries;
      expect(deliveries.map((d) => d.id).slice(1)).toEqual(['evt-replayed-1', 'evt-replayed-1']);
    });

    it('sends a slim event on request', async () => {
      const tx = await paidTransaction(base);
      await receiver.waitFor(1);
      await adminSend(base, { transactionId: String(tx.id), slim: true });
      expect(expectSigned(receiver.received[1]).target).toEqual({ type: 'transaction', id: tx.id });
    });

    it('answers the delivery even when the receiver fails (status in the record)', async () => {
      receiver.respond = (res) => {
        res.writeHead(401).end();
      };
      const tx = await paidTransaction(base);
      await sandbox.webhooks.idle();
      const res = await adminSend(base, { transactionId: String(tx.id) });
      expect(res.status).toBe(200);
      expect(await readJson(res)).toMatchObject({ httpStatus: 401, error: null });
    });

    it('validates the request', async () => {
      const tx = await paidTransaction(base);
      const id = String(tx.id);
      const cases: [JsonObject, number][] = [
        [{}, 400],
        [{ transactionId: id, status: 'paid' }, 400],
        [{ transactionId: id, slim: 'yes' }, 400],
        [{ transactionId: id, slim: true, status: 'capture_succeeded' }, 400],
        [{ transactionId: id, eventId: '' }, 400],
        [{ transactionId: id, eventId: 'has space' }, 400],
        [{ transactionId: id, timestamp: '1700000000' }, 400],
        [{ transactionId: id, timestamp: 1.5 }, 400],
        [{ transactionId: id, other: true }, 400],
        [{ transactionId: '00000000-0000-4000-8000-000000000000' }, 404],
      ];
      for (const [body, status] of cases) {
        const res = await adminSend(base, body);
        expect({ body, status: res.status }).toEqual({ body, status });
      }
    });
  });
});

describe('webhook options of startSandbox', () => {
  it('configures the receiver from webhookUrl/webhookSecret/webhookSlim', async () => {
    const receiver = await startWebhookReceiver();
    const sandbox = await startSandbox({
      port: 0,
      logLevel: 'silent',
      webhookUrl: receiver.url,
      webhookSecret: 'opt-secret',
      webhookSlim: true,
    });
    try {
      expect(sandbox.webhooks.config).toEqual({
        url: receiver.url,
        secretSet: true,
        slim: true,
        timeoutMs: 3000,
      });
      const tx = await paidTransaction(sandbox.url);
      const [hook] = await receiver.waitFor(1);
      expect(expectSigned(hook, 'opt-secret').target).toEqual({ type: 'transaction', id: tx.id });
      await sandbox.webhooks.idle();
    } finally {
      await sandbox.close();
      await receiver.close();
    }
  });

  it('gives up on a receiver that does not answer within webhookTimeoutMs', async () => {
    const receiver = await startWebhookReceiver();
    receiver.respond = () => undefined; // never answers
    const sandbox = await startSandbox({
      port: 0,
      logLevel: 'silent',
      webhookUrl: receiver.url,
      webhookSecret: SECRET,
      webhookTimeoutMs: 150,
    });
    try {
      await paidTransaction(sandbox.url);
      await sandbox.webhooks.idle();
      expect(sandbox.webhooks.deliveries).toMatchObject([
        { httpStatus: null, error: 'timed out after 150 ms' },
      ]);
      expect(sandbox.webhooks.deliveries[0].durationMs).toBeGreaterThanOrEqual(140);
    } finally {
      await sandbox.close();
      await receiver.close();
    }
  });

  it('close() drops a delivery in flight promptly', async () => {
    const receiver = await startWebhookReceiver();
    receiver.respond = () => undefined;
    const sandbox = await startSandbox({
      port: 0,
      logLevel: 'silent',
      webhookUrl: receiver.url,
      webhookSecret: SECRET,
    });
    try {
      await paidTransaction(sandbox.url);
      await receiver.waitFor(1);
      await sandbox.close();
      await sandbox.webhooks.idle();
      expect(sandbox.webhooks.deliveries[0].error).toBe('sandbox closed');
    } finally {
      await sandbox.close();
      await receiver.close();
    }
  });

  it.each([
    [{ webhookUrl: 'http://127.0.0.1:1/hook' }, /webhookUrl and webhookSecret/],
    [{ webhookSecret: 'x' }, /webhookUrl and webhookSecret/],
    [{ webhookUrl: 'mailto:a@b.c', webhookSecret: 'x' }, /webhookUrl must be/],
    [{ webhookTimeoutMs: 0 }, /webhookTimeoutMs/],
  ])('rejects %j with SandboxConfigError', async (options, message) => {
    await expect(startSandbox({ port: 0, logLevel: 'silent', ...options })).rejects.toThrow(
      SandboxConfigError,
    );
    await expect(startSandbox({ port: 0, logLevel: 'silent', ...options })).rejects.toThrow(message);
  });
});
