/** Helpers for the sandbox's own specs (excluded from the build: under a test/ folder). */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, type KeyLike } from 'jose';

export type JsonObject = Record<string, unknown>;

export const CARD_APPROVE = '4111111111111111';
export const CARD_DECLINE = '4000000000000002';
export const CARD_FAIL = '4000000000009995';
export const CARD_APPROVAL = '4000000000003220';

export function gr4vyHeaders(
  token = 'test-token',
  extra: Record<string, string> = {},
): Record<string, string> {
  return { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...extra };
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = gr4vyHeaders(),
  method = 'POST',
): Promise<Response> {
  return fetch(url, { method, headers, body: JSON.stringify(body) });
}

export async function readJson(res: Response): Promise<JsonObject> {
  return (await res.json()) as JsonObject;
}

export function validSessionBody(overrides: JsonObject = {}): JsonObject {
  return {
    amount: 2598,
    currency: 'USD',
    cart_items: [{ name: 'T-shirt', quantity: 2, unit_amount: 1299, sku: 'TS-1', product_type: 'physical' }],
    metadata: { orderId: 'order-1' },
    buyer: {
      display_name: 'Ada Lovelace',
      external_identifier: 'buyer-1',
      billing_details: {
        first_name: 'Ada',
        last_name: 'Lovelace',
        email_address: 'ada@example.com',
        phone_number: '+447700900123',
        address: {
          city: 'London',
          country: 'GB',
          postal_code: 'N1 9GU',
          line1: '1 Main St',
          state_code: 'GB-LND',
        },
      },
    },
    payment_service_id: '6a1f2d7e-1b7c-4c1e-9a43-2f1d7b0c9e11',
    expires_in: 7200,
    ...overrides,
  };
}

export async function createSession(baseUrl: string, overrides: JsonObject = {}): Promise<JsonObject> {
  const res = await postJson(`${baseUrl}/checkout/sessions`, validSessionBody(overrides));
  if (res.status !== 201) throw new Error(`create session failed: ${res.status} ${await res.text()}`);
  return readJson(res);
}

export async function storeCard(
  baseUrl: string,
  sessionId: string,
  number: string,
  expiry = '12/39',
): Promise<Response> {
  return postJson(
    `${baseUrl}/checkout/sessions/${sessionId}/fields`,
    { payment_method: { method: 'card', number, expiration_date: expiry, security_code: '123' } },
    { 'content-type': 'application/json' },
    'PUT',
  );
}

export function transactionBody(sessionId: string, overrides: JsonObject = {}): JsonObject {
  return {
    amount: 2598,
    currency: 'USD',
    country: 'GB',
    intent: 'capture',
    external_identifier: 'order-1',
    payment_method: { method: 'checkout-session', id: sessionId },
    ...overrides,
  };
}

export async function signGr4vyToken(
  key: KeyLike | Uint8Array,
  scopes: string[],
  options: { alg?: string; expiresIn?: string | number; notBefore?: string | number } = {},
): Promise<string> {
  const jwt = new SignJWT({ scopes })
    .setProtectedHeader({ alg: options.alg ?? 'ES512' })
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '5m');
  if (options.notBefore !== undefined) jwt.setNotBefore(options.notBefore);
  return jwt.sign(key);
}

export function formBody(params: Record<string, string>): string {
  return new URLSearchParams(params).toString();
}

export function stripeHeaders(
  key = 'sk_test_sandbox',
  extra: Record<string, string> = {},
): Record<string, string> {
  return { authorization: `Bearer ${key}`, 'content-type': 'application/x-www-form-urlencoded', ...extra };
}

export function stripeSessionParams(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    mode: 'payment',
    'line_items[0][price_data][currency]': 'usd',
    'line_items[0][price_data][unit_amount]': '1299',
    'line_items[0][price_data][product_data][name]': 'T-shirt',
    'line_items[0][quantity]': '2',
    'line_items[1][price_data][currency]': 'usd',
    'line_items[1][price_data][unit_amount]': '500',
    'line_items[1][price_data][product_data][name]': 'Shipping',
    'line_items[1][quantity]': '1',
    success_url: 'https://shop.example/success?session_id={CHECKOUT_SESSION_ID}',
    cancel_url: 'https://shop.example/cancel',
    client_reference_id: 'order-42',
    customer_email: 'ada@example.com',
    'metadata[sessionId]': 'abc-123',
    ...overrides,
  };
}

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  /** The body exactly as received (what the signature covers). */
  rawBody: string;
  receivedAt: number;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** How the next requests are answered (default 200); may delay or never answer. */
  respond: (res: ServerResponse, hook: ReceivedWebhook) => void;
  /** Resolves once `count` webhooks have arrived (rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

/** A tiny node:http server on port 0 that records what it is sent. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const receiver: WebhookReceiver = {
    url: '',
    received,
    respond: (res) => {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    },
    waitFor(count, timeoutMs = 2000) {
      if (received.length >= count) return Promise.resolve(received.slice());
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`expected ${count} webhooks, got ${received.length}`)),
          timeoutMs,
        );
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve(received.slice());
          },
        });
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const hook = {
        headers: req.headers,
        rawBody: Buffer.concat(chunks).toString('utf8'),
        receivedAt: Date.now(),
      };
      received.push(hook);
      receiver.respond(res, hook);
      for (const waiter of waiters.filter((w) => received.length >= w.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/gr4vy`;
  return receiver;
}
