/* Test helpers for the Gr4vy adapter specs (excluded from the build by `**\/test/**`). */
import { generateKeyPairSync, KeyObject, verify } from 'node:crypto';
import { HTTPClient } from '@gr4vy/sdk/lib/http';
import type { CreateProviderSessionCommand } from '../../provider.port';

export const PAYMENT_SERVICE_ID = '46973e9d-88a7-44a6-abfe-be4ff0134ff4';
export const GR4VY_SESSION_ID = '4137b1cf-39ac-42a8-bad6-1c680d5dab6b';
export const SERVER_URL = 'http://gr4vy.test:4010';

export function buildCommand(
  overrides: Partial<CreateProviderSessionCommand> = {},
): CreateProviderSessionCommand {
  return {
    sessionId: '0b7f3a52-6e0c-4f3c-9a51-0a1b2c3d4e5f',
    idempotencyKey: 'idem-1',
    merchantId: 'merchant-1',
    orderReference: 'ORDER-42',
    paymentMethod: 'card',
    currency: 'EUR',
    totalMinor: 2 * 1250 + 499 + 300 + 150,
    shippingMinor: 300,
    taxMinor: 150,
    items: [
      { name: 'Blue mug', sku: 'MUG-BLUE', quantity: 2, unitPriceMinor: 1250 },
      { name: 'Tea', quantity: 1, unitPriceMinor: 499 },
    ],
    customer: {
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: 'ada@example.com',
      phone: '+442071838750',
      billingAddress: {
        line1: '10 Downing St',
        city: 'London',
        postalCode: 'SW1A 2AA',
        country: 'GB',
      },
    },
    additionalInformation: { channel: 'web' },
    expiresAt: new Date('2030-01-01T01:00:00Z'),
    ttlSeconds: 3600,
    hostedCheckoutUrl: 'https://checkout.example.com/s/0b7f3a52',
    requestId: 'req-123',
    route: { id: 'gr4vy-eu', adapter: 'gr4vy', options: { paymentServiceId: PAYMENT_SERVICE_ID } },
    ...overrides,
  };
}

let cachedKeys: { privateKeyPem: string; publicKey: KeyObject } | undefined;
/** One P-521 key pair per test file (generation is the slow part). */
export function es512Keys(): { privateKeyPem: string; publicKey: KeyObject } {
  if (!cachedKeys) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp521r1' });
    cachedKeys = { privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKey };
  }
  return cachedKeys;
}

export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signatureValid: boolean;
}

/** Decodes a compact JWS and checks its ES512 signature (raw r||s, i.e. IEEE P1363). */
export function decodeJwt(token: string, publicKey: KeyObject): DecodedJwt {
  const [h, p, s] = token.split('.');
  const signatureValid = verify(
    'sha512',
    Buffer.from(`${h}.${p}`),
    { key: publicKey, dsaEncoding: 'ieee-p1363' },
    Buffer.from(s, 'base64url'),
  );
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>,
    signatureValid,
  };
}

export interface CapturedRequest {
  method: string;
  url: string;
  headers: Headers;
  body: unknown;
}

/** An SDK HTTPClient whose fetcher records each request and answers with `respond`. */
export function stubHttpClient(respond: (req: Request) => Response | Promise<Response>): {
  httpClient: HTTPClient;
  requests: CapturedRequest[];
} {
  const requests: CapturedRequest[] = [];
  const httpClient = new HTTPClient({
    fetcher: async (input, init) => {
      const req = input instanceof Request ? input : new Request(input, init);
      const text = await req.clone().text();
      requests.push({
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: text ? (JSON.parse(text) as unknown) : undefined,
      });
      return respond(req);
    },
  });
  return { httpClient, requests };
}

export function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

export function createdSession(id = GR4VY_SESSION_ID): Response {
  return jsonResponse(201, {
    type: 'checkout-session',
    id,
    expires_at: '2030-01-01T01:00:00.000+00:00',
  });
}

/** Never answers, but rejects with the signal's reason when aborted, like fetch. */
export function hangingUntilAborted(req: Request): Promise<Response> {
  return new Promise((_, reject) => {
    if (req.signal.aborted) reject(req.signal.reason);
    req.signal.addEventListener('abort', () => reject(req.signal.reason), { once: true });
  });
}
