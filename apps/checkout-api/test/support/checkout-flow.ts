import { createHmac, randomUUID } from 'node:crypto';
import request from 'supertest';
import { db } from './db';
import { TEST_WEBHOOK_SECRET } from './harness';

export const CARDS = {
  approve: '4111111111111111',
  decline: '4000000000000002',
  approval: '4000000000003220',
};

export async function providerSessionId(sessionId: string): Promise<string> {
  const { rows } = await db().query('SELECT provider_session_id FROM checkout_sessions WHERE id = $1', [
    sessionId,
  ]);
  return rows[0].provider_session_id as string;
}

/** What the Secure Fields stand-in does in the browser: store the card on the Gr4vy checkout session. */
export async function storeCard(sandboxUrl: string, gr4vySessionId: string, number: string): Promise<number> {
  const res = await fetch(`${sandboxUrl}/checkout/sessions/${gr4vySessionId}/fields`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      payment_method: { method: 'card', number, expiration_date: '12/30', security_code: '123' },
    }),
  });
  return res.status;
}

export function pay(url: string, sessionId: string, body: Record<string, unknown> = {}) {
  return request(url).post(`/checkout/${sessionId}/pay`).set('Content-Type', 'application/json').send(body);
}

/** A Gr4vy-style webhook, signed as Gr4vy signs them (or not, for the negative cases). */
export function signedWebhook(
  target: Record<string, unknown>,
  options: { eventId?: string; timestamp?: number; secret?: string; tamper?: boolean } = {},
) {
  const eventId = options.eventId ?? randomUUID();
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const body = JSON.stringify({ type: 'event', id: eventId, created_at: new Date().toISOString(), target });
  const signature = createHmac('sha256', options.secret ?? TEST_WEBHOOK_SECRET)
    .update(`${timestamp}.${body}`)
    .digest('hex');
  return {
    body: options.tamper ? body.replace('"status":"', '"status":"x') : body,
    headers: {
      'content-type': 'application/json',
      'x-gr4vy-webhook-id': eventId,
      'x-gr4vy-webhook-timestamp': timestamp,
      'x-gr4vy-webhook-signatures': `${'0'.repeat(64)},${signature}`,
    },
  };
}

export function postWebhook(url: string, webhook: { body: string; headers: Record<string, string> }) {
  return request(url).post('/webhooks/gr4vy').set(webhook.headers).send(webhook.body);
}
