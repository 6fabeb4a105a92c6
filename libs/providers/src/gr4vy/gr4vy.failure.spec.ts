import {
  ConnectionError,
  Error400$inboundSchema,
  Error401$inboundSchema,
  Error404$inboundSchema,
  Error409$inboundSchema,
  Error429$inboundSchema,
  Error500$inboundSchema,
  Error502$inboundSchema,
  Error504$inboundSchema,
  Gr4vyError,
  HTTPValidationError$inboundSchema,
  InvalidRequestError,
  RequestAbortedError,
  RequestTimeoutError,
  ResponseValidationError,
  SDKError,
  SDKValidationError,
  UnexpectedClientError,
} from '@gr4vy/sdk/models/errors';
import {
  CheckoutSession$inboundSchema,
  CheckoutSessionCreate$outboundSchema,
} from '@gr4vy/sdk/models/components';
import { ProviderError } from '../provider.port';
import { classifyGr4vyFailure } from './gr4vy.mapper';

const URL_ = 'https://api.sandbox.acme.gr4vy.app/checkout/sessions';
const BUYER_EMAIL = 'secret.buyer@example.com';

/** The HTTP metadata the SDK's matchers feed to its error schemas. */
function httpMeta(status: number, body: string, contentType = 'application/json') {
  return {
    request$: new Request(URL_, { method: 'POST', body: JSON.stringify({ buyer: { email: BUYER_EMAIL } }) }),
    response$: new Response(body, { status, headers: { 'content-type': contentType } }),
    body$: body,
  };
}

/** Builds an API error exactly as the SDK's `M.jsonErr(status, schema)` does. */
function apiError<T>(schema: { parse(raw: unknown): T }, status: number, raw: Record<string, unknown>): T {
  const body = JSON.stringify(raw);
  return schema.parse({ ...raw, ...httpMeta(status, body) });
}

/** Builds the SDK's fallback error as `M.fail('5XX')` / an unmatched status does. */
function sdkError(status: number, body: string, contentType = 'application/json'): SDKError {
  const meta = httpMeta(status, body, contentType);
  return new SDKError('API error occurred', { request: meta.request$, response: meta.response$, body });
}

const noTimeout = { timedOut: false };

describe('classifyGr4vyFailure', () => {
  describe('HTTP responses', () => {
    it('Error400 → rejected, not retryable, keeping status, code and Gr4vy message', () => {
      const error = apiError(Error400$inboundSchema, 400, {
        type: 'error',
        code: 'bad_request',
        status: 400,
        message: 'Request failed validation',
        details: [
          {
            location: 'body',
            pointer: '/buyer/billing_details/phone_number',
            message: 'bad',
            type: 'value_error',
          },
        ],
      });
      const failure = classifyGr4vyFailure(error, noTimeout);
      expect(failure).toBeInstanceOf(ProviderError);
      expect(failure.kind).toBe('rejected');
      expect(failure.retryable).toBe(false);
      expect(failure.providerStatus).toBe(400);
      expect(failure.providerCode).toBe('bad_request');
      expect(failure.message).toContain('Request failed validation');
      expect(failure.message).toContain('/buyer/billing_details/phone_number');
    });

    it.each([
      [Error401$inboundSchema, 401, 'unauthorized'],
      [Error404$inboundSchema, 404, 'not_found'],
      [Error409$inboundSchema, 409, 'duplicate_record'],
    ])('other 4xx (%#: HTTP %i) → rejected with the provider code', (schema, status, code) => {
      const failure = classifyGr4vyFailure(
        apiError(schema as { parse(raw: unknown): Gr4vyError }, status, {
          type: 'error',
          code,
          status,
          message: 'No',
        }),
        noTimeout,
      );
      expect(failure.kind).toBe('rejected');
      expect(failure.providerStatus).toBe(status);
      expect(failure.providerCode).toBe(code);
    });

    it('Error429 → rate_limited, retryable', () => {
      const failure = classifyGr4vyFailure(
        apiError(Error429$inboundSchema, 429, {
          type: 'error',
          code: 'too_many_requests',
          message: 'Slow down',
        }),
        noTimeout,
      );
      expect(failure.kind).toBe('rate_limited');
      expect(failure.retryable).toBe(true);
      expect(failure.providerStatus).toBe(429);
      expect(failure.providerCode).toBe('too_many_requests');
    });

    it.each([
      [Error500$inboundSchema, 500],
      [Error502$inboundSchema, 502],
      [Error504$inboundSchema, 504],
    ])('Error5xx (%#: HTTP %i) → server, retryable', (schema, status) => {
      const failure = classifyGr4vyFailure(
        apiError(schema as { parse(raw: unknown): Gr4vyError }, status, { type: 'error', message: 'Oops' }),
        noTimeout,
      );
      expect(failure.kind).toBe('server');
      expect(failure.retryable).toBe(true);
      expect(failure.providerStatus).toBe(status);
    });

    it('uses the real HTTP status, not the status field of the body', () => {
      const failure = classifyGr4vyFailure(
        apiError(Error400$inboundSchema, 400, {
          type: 'error',
          code: 'bad_request',
          status: 500,
          message: 'x',
        }),
        noTimeout,
      );
      expect(failure.providerStatus).toBe(400);
      expect(failure.kind).toBe('rejected');
    });

    it('HTTPValidationError (422) → rejected, naming the fields but not echoing the body', () => {
      const raw = {
        detail: [
          { loc: ['body', 'buyer', 'billing_details', 'email_address'], msg: 'bad', type: 'value_error' },
        ],
      };
      const body = JSON.stringify({ ...raw, input: BUYER_EMAIL });
      const error = HTTPValidationError$inboundSchema.parse({ ...raw, ...httpMeta(422, body) });
      const failure = classifyGr4vyFailure(error, noTimeout);
      expect(failure.kind).toBe('rejected');
      expect(failure.providerStatus).toBe(422);
      expect(failure.message).toContain('body.buyer.billing_details.email_address');
      expect(failure.message).not.toContain(BUYER_EMAIL);
    });

    it('SDKError for an unmapped 503 → server, reading code/message from the JSON body', () => {
      const body = JSON.stringify({ type: 'error', code: 'service_unavailable', message: 'Maintenance' });
      const failure = classifyGr4vyFailure(sdkError(503, body), noTimeout);
      expect(failure.kind).toBe('server');
      expect(failure.providerStatus).toBe(503);
      expect(failure.providerCode).toBe('service_unavailable');
      expect(failure.message).toContain('Maintenance');
    });

    it('SDKError for an unmapped 4xx with an HTML body → rejected, without the body in the message', () => {
      const failure = classifyGr4vyFailure(
        sdkError(418, `<html>${BUYER_EMAIL}</html>`, 'text/html'),
        noTimeout,
      );
      expect(failure.kind).toBe('rejected');
      expect(failure.providerStatus).toBe(418);
      expect(failure.message).not.toContain(BUYER_EMAIL);
    });

    it('a 201 with a body that does not match the schema (ResponseValidationError) → server', () => {
      const body = JSON.stringify({
        type: 'checkout-session',
        buyer: { billing_details: { email_address: BUYER_EMAIL } },
      });
      const meta = httpMeta(201, body);
      let cause: unknown;
      try {
        CheckoutSession$inboundSchema.parse(JSON.parse(body));
      } catch (err) {
        cause = err;
      }
      const error = new ResponseValidationError('Response validation failed', {
        response: meta.response$,
        request: meta.request$,
        body,
        cause,
        rawValue: JSON.parse(body),
        rawMessage: 'Response validation failed',
      });
      expect(error).toBeInstanceOf(SDKValidationError); // the SDK's hasInstance quirk
      const failure = classifyGr4vyFailure(error, noTimeout);
      expect(failure.kind).toBe('server');
      expect(failure.retryable).toBe(true);
      expect(failure.providerStatus).toBe(201);
      expect(failure.message).not.toContain(BUYER_EMAIL);
    });

    it('a 201 with malformed JSON (the SDK lets JSON.parse throw) → server', () => {
      let error: unknown;
      try {
        JSON.parse('{"id": ');
      } catch (err) {
        error = err;
      }
      expect(classifyGr4vyFailure(error, noTimeout).kind).toBe('server');
    });

    it('a 201 with an unexpected content type (SDKError) → server', () => {
      const failure = classifyGr4vyFailure(sdkError(201, '<html></html>', 'text/html'), noTimeout);
      expect(failure.kind).toBe('server');
      expect(failure.providerStatus).toBe(201);
    });

    it('an API error stays an API error even when the deadline had fired', () => {
      const error = apiError(Error429$inboundSchema, 429, { type: 'error', message: 'Slow down' });
      expect(classifyGr4vyFailure(error, { timedOut: true }).kind).toBe('rate_limited');
    });
  });

  describe('transport', () => {
    it('RequestTimeoutError → timeout', () => {
      const error = new RequestTimeoutError('Request timed out', {
        cause: Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' }),
      });
      const failure = classifyGr4vyFailure(error, noTimeout);
      expect(failure.kind).toBe('timeout');
      expect(failure.retryable).toBe(true);
    });

    it('our own deadline abort (RequestAbortedError with timedOut) → timeout', () => {
      const error = new RequestAbortedError('Request aborted by client', { cause: new Error('aborted') });
      expect(classifyGr4vyFailure(error, { timedOut: true }).kind).toBe('timeout');
    });

    it('a raw abort reason named TimeoutError (e.g. the race lost to the deadline) → timeout', () => {
      const reason = Object.assign(new Error('Gr4vy call exceeded 50 ms'), { name: 'TimeoutError' });
      expect(classifyGr4vyFailure(reason, noTimeout).kind).toBe('timeout');
    });

    it('RequestAbortedError not caused by the timeout → network', () => {
      const cause = Object.assign(new Error('This operation was aborted'), { name: 'AbortError' });
      const failure = classifyGr4vyFailure(
        new RequestAbortedError('Request aborted by client', { cause }),
        noTimeout,
      );
      expect(failure.kind).toBe('network');
      expect(failure.providerStatus).toBeUndefined();
    });

    it('a raw AbortError (the caller aborted) → network', () => {
      const reason = Object.assign(new Error('This operation was aborted'), { name: 'AbortError' });
      expect(classifyGr4vyFailure(reason, noTimeout).kind).toBe('network');
    });

    it('ConnectionError → network, retryable', () => {
      const error = new ConnectionError('Unable to make request', { cause: new TypeError('fetch failed') });
      const failure = classifyGr4vyFailure(error, noTimeout);
      expect(failure.kind).toBe('network');
      expect(failure.retryable).toBe(true);
      expect(failure.cause).toBe(error);
    });

    it('a fetch TypeError → network', () => {
      expect(classifyGr4vyFailure(new TypeError('fetch failed'), noTimeout).kind).toBe('network');
    });

    it('UnexpectedClientError → network', () => {
      const error = new UnexpectedClientError('Unexpected HTTP client error', { cause: new Error('boom') });
      expect(classifyGr4vyFailure(error, noTimeout).kind).toBe('network');
    });

    it('anything unrecognised → network', () => {
      expect(classifyGr4vyFailure('weird', noTimeout).kind).toBe('network');
      expect(classifyGr4vyFailure(new Error('?'), noTimeout).kind).toBe('network');
    });
  });

  describe('request refused by the SDK before sending', () => {
    it('SDKValidationError → rejected, naming the paths but not the values', () => {
      let cause: unknown;
      const input = { amount: 1.5, currency: BUYER_EMAIL };
      try {
        CheckoutSessionCreate$outboundSchema.parse(input);
      } catch (err) {
        cause = err;
      }
      const failure = classifyGr4vyFailure(
        new SDKValidationError('Input validation failed', cause, input),
        noTimeout,
      );
      expect(failure.kind).toBe('rejected');
      expect(failure.retryable).toBe(false);
      expect(failure.message).toContain('amount');
      expect(failure.message).not.toContain(BUYER_EMAIL);
      expect(failure.cause).toBeUndefined();
    });

    it('InvalidRequestError → rejected', () => {
      expect(
        classifyGr4vyFailure(new InvalidRequestError('No base URL provided for operation'), noTimeout).kind,
      ).toBe('rejected');
    });
  });

  it('returns a ProviderError unchanged', () => {
    const original = new ProviderError('server', 'x', 500);
    expect(classifyGr4vyFailure(original, noTimeout)).toBe(original);
  });
});
