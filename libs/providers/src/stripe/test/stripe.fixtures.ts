/* Test helpers for the Stripe adapter specs (excluded from the build by `**\/test/**`). */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CreateProviderSessionCommand } from '../../provider.port';

export const SECRET_KEY = 'sk_test_51AbCdEfGhIjKlMnOp';
export const OTHER_SECRET_KEY = 'sk_test_51ZyXwVuTsRqPoNm';
export const NOW = new Date('2030-01-01T00:00:00Z');

export function buildCommand(
  overrides: Partial<CreateProviderSessionCommand> = {},
): CreateProviderSessionCommand {
  return {
    sessionId: '0b7f3a52-6e0c-4f3c-9a51-0a1b2c3d4e5f',
    idempotencyKey: 'co_5f2b9a0c1d2e3f405162738495a6b7c8d9e0f1a2b3c4d5e6',
    merchantId: 'merchant-1',
    orderReference: 'ORDER-42',
    paymentMethod: 'card',
    currency: 'USD',
    locale: 'en_AU',
    totalMinor: 2 * 1250 + 499 + 300 + 150,
    shippingMinor: 300,
    taxMinor: 150,
    items: [
      { name: 'Blue mug', sku: 'MUG-BLUE', quantity: 2, unitPriceMinor: 1250 },
      { name: 'Tea', quantity: 1, unitPriceMinor: 499 },
    ],
    customer: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' },
    additionalInformation: { channel: 'web' },
    redirectUrls: {
      success: 'https://shop.example.com/done?order=42',
      failure: 'https://shop.example.com/cart',
    },
    expiresAt: new Date(NOW.getTime() + 3600_000),
    ttlSeconds: 3600,
    hostedCheckoutUrl: 'https://checkout.example.com/s/0b7f3a52',
    requestId: 'req-123',
    route: { id: 'stripe-us', adapter: 'stripe', options: {} },
    ...overrides,
  };
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  /** The raw form body. */
  body: string;
  /** The body as flat `key[sub][0]=value` pairs, decoded. */
  form: Record<string, string>;
  /** The client's port: the same for requests sharing a keep-alive connection. */
  remotePort?: number;
}

export type Responder = (req: RecordedRequest, res: ServerResponse) => void;

export interface FakeStripe {
  /** `http://127.0.0.1:<port>` */
  apiBase: string;
  port: number;
  requests: RecordedRequest[];
  /** Replaces how the server answers from now on. */
  respond(responder: Responder): void;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 that speaks just enough Stripe. */
export async function startFakeStripe(responder: Responder = replyCheckoutSession()): Promise<FakeStripe> {
  const requests: RecordedRequest[] = [];
  let current = responder;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      const form: Record<string, string> = {};
      for (const [key, value] of new URLSearchParams(body)) form[key] = value;
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body,
        form,
        remotePort: req.socket.remotePort,
      };
      requests.push(recorded);
      current(recorded, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiBase: `http://127.0.0.1:${port}`,
    port,
    requests,
    respond: (next) => {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': 'req_fake_1' });
  res.end(text);
}

/** 200 with a checkout session, like Stripe. */
export function replyCheckoutSession(id = 'cs_test_1'): Responder {
  return (req, res) =>
    sendJson(res, 200, {
      id,
      object: 'checkout.session',
      url: `http://${req.headers.host}/pay/${id}`,
      status: 'open',
    });
}

/** A Stripe error envelope with the given status. */
export function replyError(status: number, error: Record<string, unknown>): Responder {
  return (_req, res) => sendJson(res, status, { error });
}

/** Never answers (the request stays open until the server closes it). */
export const neverAnswer: Responder = () => undefined;

/** A port on 127.0.0.1 with nothing listening. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
