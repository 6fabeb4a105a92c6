import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { db } from './db';
import { sessionBody } from './fixtures';

export const SECRETS_KEY = randomBytes(32);

/** What every instance in these tests shares: the key that seals endpoint secrets, and short retries. */
export const EVENTS_ENV = {
  WEBHOOK_SECRETS_KEY: SECRETS_KEY.toString('base64'),
  WEBHOOK_RETRY_SCHEDULE: '1s,1s',
  WEBHOOK_TIMEOUT_MS: '4000',
};

export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  deadlineMs = 30_000,
): Promise<T> {
  const until = Date.now() + deadlineMs;
  let value = await read();
  while (!done(value)) {
    if (Date.now() > until)
      throw new Error(`condition not met in time; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
    value = await read();
  }
  return value;
}

export interface EventDetail {
  id: string;
  type: string;
  deliveries: Array<{
    id: string;
    endpointId: string;
    status: string;
    failureReason: string | null;
    attempts: Array<{ outcome: string; statusCode: number | null; error: string | null }>;
  }>;
}

/** The merchant's calls, and what the tests poll for. */
export function merchantApi(url: string, token: string) {
  const auth = { Authorization: `Bearer ${token}` };
  return {
    merchantId: JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')).sub as string,
    createEndpoint: (body: Record<string, unknown>) =>
      request(url).post('/api/v1/webhook-endpoints').set(auth).send(body),
    endpoint: (id: string) => request(url).get(`/api/v1/webhook-endpoints/${id}`).set(auth),
    listEndpoints: () => request(url).get('/api/v1/webhook-endpoints').set(auth),
    updateEndpoint: (id: string, body: Record<string, unknown>) =>
      request(url).patch(`/api/v1/webhook-endpoints/${id}`).set(auth).send(body),
    deleteEndpoint: (id: string) => request(url).delete(`/api/v1/webhook-endpoints/${id}`).set(auth),
    rotate: (id: string) => request(url).post(`/api/v1/webhook-endpoints/${id}/rotate-secret`).set(auth),
    events: (query: Record<string, string> = {}) => request(url).get('/api/v1/events').query(query).set(auth),
    event: (id: string) => request(url).get(`/api/v1/events/${id}`).set(auth),
    redeliver: (id: string, body?: Record<string, unknown>) => {
      const call = request(url).post(`/api/v1/events/${id}/redeliver`).set(auth);
      return body ? call.send(body) : call;
    },
    createSession: async () => {
      const res = await request(url)
        .post('/api/v1/sessions')
        .set(auth)
        .set('Idempotency-Key', randomUUID())
        .send(sessionBody());
      expect(res.status).toBe(201);
      return res.body.sessionId as string;
    },
    /** A PENDING session past its expiry, read once: the read marks it EXPIRED and so causes session.expired. */
    expireSession: async (sessionId: string) => {
      await db().query(
        `UPDATE checkout_sessions SET expires_at = now() - interval '1 second' WHERE id = $1`,
        [sessionId],
      );
      expect((await request(url).get(`/api/v1/sessions/${sessionId}`).set(auth)).body.status).toBe('EXPIRED');
    },
    /** The one event of a session, once written. */
    eventOf: async (sessionId: string, type: string): Promise<EventDetail> => {
      const list = await eventually(
        () => request(url).get('/api/v1/events').query({ sessionId, type }).set(auth),
        (res) => res.status === 200 && res.body.data.length > 0,
      );
      expect(list.body.data).toHaveLength(1);
      return (await request(url).get(`/api/v1/events/${list.body.data[0].id}`).set(auth)).body as EventDetail;
    },
    /** Polls the event until every delivery has ended. */
    settled: (eventId: string) =>
      eventually(
        async () => (await request(url).get(`/api/v1/events/${eventId}`).set(auth)).body as EventDetail,
        (event) => event.deliveries.length > 0 && event.deliveries.every((d) => d.status !== 'pending'),
      ),
  };
}
