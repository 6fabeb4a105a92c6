/**
 * The SDK's own Node HTTP client, with one guard on response bodies.
 *
 * Why: in stripe 23.1.0 `RequestSender._jsonResponseHandler` ends in a promise
 * chain nobody awaits. When a response body is valid JSON but not an object
 * (`42`, `"ok"`, `true`), `Object.defineProperty(jsonResponse, 'lastResponse')`
 * throws inside that chain: the rejection is unhandled (which kills Node) and
 * the SDK's callback is never called, so `create()` never settles. A proxy or
 * a sandbox can send such a body, so the guard rejects it in `toJSON()`, where
 * the SDK still handles failures: it becomes a StripeAPIError ("Invalid JSON
 * received from the Stripe API"), which we classify as `server`.
 *
 * Everything else (sockets, keep-alive agent, per-request timeout, body reads)
 * is the SDK's NodeHttpClient, unchanged.
 */
import Stripe from 'stripe';

type StripeHttpClient = Stripe.HttpClient;
type StripeHttpClientResponse = Stripe.HttpClientResponse;

/** Thrown from `toJSON()` for a body the SDK cannot safely process. */
export class StripeUnexpectedBodyError extends Error {
  constructor(what: string) {
    super(`Stripe response body is ${what}`);
    this.name = 'StripeUnexpectedBodyError';
  }
}

export class GuardedStripeHttpClient implements StripeHttpClient {
  constructor(private readonly inner: StripeHttpClient) {}

  getClientName(): string {
    return this.inner.getClientName();
  }

  async makeRequest(...args: Parameters<StripeHttpClient['makeRequest']>): Promise<StripeHttpClientResponse> {
    return guardResponse(await this.inner.makeRequest(...args));
  }
}

function guardResponse(response: StripeHttpClientResponse): StripeHttpClientResponse {
  const guarded: StripeHttpClientResponse = {
    getStatusCode: () => response.getStatusCode(),
    getHeaders: () => response.getHeaders(),
    getRawResponse: () => response.getRawResponse(),
    toStream: (streamCompleteCallback) => response.toStream(streamCompleteCallback),
    toJSON: () => response.toJSON().then((body: unknown) => assertStripeJsonBody(body)),
  };
  if (response.dispose) guarded.dispose = () => response.dispose?.();
  return guarded;
}

/** A body the SDK can process: a JSON object whose `error`, if any, is an object or (OAuth) a string. */
export function assertStripeJsonBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new StripeUnexpectedBodyError(`not a JSON object (${body === null ? 'null' : typeof body})`);
  }
  const record = body as Record<string, unknown>;
  const error = record.error;
  if (error !== undefined && error !== null && typeof error !== 'string' && typeof error !== 'object') {
    throw new StripeUnexpectedBodyError('an error that is neither an object nor a string');
  }
  return record;
}
