import Stripe from 'stripe';
import { ProviderError } from '../provider.port';
import { classifyStripeFailure } from './stripe.mapper';

const { errors } = Stripe;
const noTimeout = { timedOut: false };
const BUYER_EMAIL = 'secret.buyer@example.com';

/** The raw error as RequestSender fills it from a Stripe error response. */
function raw(statusCode: number, error: Record<string, unknown>) {
  return { ...error, statusCode, headers: { 'request-id': 'req_1' }, requestId: 'req_1' };
}

/** Builds the error exactly as the SDK does for a v1 response (status → class). */
function fromResponse(statusCode: number, error: Record<string, unknown>) {
  return errors.generateV1Error(raw(statusCode, error));
}

/** The SDK's connection error, as RequestSender._generateConnectionError builds it. */
function connectionError(detail: Error & { code?: string }, message: string) {
  return new errors.StripeConnectionError({ message, detail });
}

describe('classifyStripeFailure', () => {
  describe('HTTP responses', () => {
    it('400 invalid_request_error → rejected, not retryable, keeping status, code, type, param and message', () => {
      const error = fromResponse(400, {
        type: 'invalid_request_error',
        code: 'parameter_missing',
        param: 'line_items',
        message: 'Missing required param: line_items.',
      });
      expect(error).toBeInstanceOf(errors.StripeInvalidRequestError);
      const failure = classifyStripeFailure(error, noTimeout);
      expect(failure).toBeInstanceOf(ProviderError);
      expect(failure.kind).toBe('rejected');
      expect(failure.retryable).toBe(false);
      expect(failure.providerStatus).toBe(400);
      expect(failure.providerCode).toBe('parameter_missing');
      expect(failure.message).toContain('HTTP 400');
      expect(failure.message).toContain('invalid_request_error');
      expect(failure.message).toContain('Missing required param: line_items.');
      expect(failure.message).toContain('param: line_items');
      expect(failure.cause).toBeUndefined();
    });

    it('uses Stripe error type as the code when there is no code', () => {
      const failure = classifyStripeFailure(
        fromResponse(400, { type: 'invalid_request_error', message: 'Bad' }),
        noTimeout,
      );
      expect(failure.providerCode).toBe('invalid_request_error');
    });

    it.each([
      [
        'StripeAuthenticationError',
        401,
        { type: 'invalid_request_error', message: 'Invalid API Key provided: sk_test_****abcd' },
      ],
      [
        'StripeCardError',
        402,
        { type: 'card_error', code: 'card_declined', message: 'Your card was declined.' },
      ],
      ['StripePermissionError', 403, { type: 'invalid_request_error', message: 'No access' }],
      [
        'StripeInvalidRequestError',
        404,
        { type: 'invalid_request_error', code: 'resource_missing', message: 'No such price' },
      ],
      [
        'StripeIdempotencyError',
        400,
        {
          type: 'idempotency_error',
          message: 'Keys for idempotent requests can only be used with the same parameters',
        },
      ],
    ] as const)('%s (HTTP %i) → rejected', (className, status, body) => {
      const error = fromResponse(status, body);
      expect(error.constructor.name).toBe(className);
      const failure = classifyStripeFailure(error, noTimeout);
      expect(failure.kind).toBe('rejected');
      expect(failure.retryable).toBe(false);
      expect(failure.providerStatus).toBe(status);
    });

    it('409 idempotency_error (which the SDK makes a StripeAPIError) → rejected, by its status', () => {
      const error = fromResponse(409, {
        type: 'idempotency_error',
        message: 'There is currently another in-progress request using this Idempotent Key.',
      });
      expect(error).toBeInstanceOf(errors.StripeAPIError);
      const failure = classifyStripeFailure(error, noTimeout);
      expect(failure.kind).toBe('rejected');
      expect(failure.providerStatus).toBe(409);
      expect(failure.providerCode).toBe('idempotency_error');
    });

    it('StripeRateLimitError (429) → rate_limited, retryable', () => {
      const error = fromResponse(429, {
        type: 'invalid_request_error',
        code: 'rate_limit',
        message: 'Slow down',
      });
      expect(error).toBeInstanceOf(errors.StripeRateLimitError);
      const failure = classifyStripeFailure(error, noTimeout);
      expect(failure.kind).toBe('rate_limited');
      expect(failure.retryable).toBe(true);
      expect(failure.providerStatus).toBe(429);
      expect(failure.providerCode).toBe('rate_limit');
    });

    it('a 400 with code rate_limit (Stripe’s other rate-limit signal) → rate_limited', () => {
      const error = fromResponse(400, { type: 'invalid_request_error', code: 'rate_limit', message: 'Slow' });
      expect(error).toBeInstanceOf(errors.StripeRateLimitError);
      expect(classifyStripeFailure(error, noTimeout).kind).toBe('rate_limited');
    });

    it.each([500, 502, 503])('StripeAPIError (HTTP %i) → server, retryable', (status) => {
      const error = fromResponse(status, { type: 'api_error', message: 'Something went wrong' });
      expect(error).toBeInstanceOf(errors.StripeAPIError);
      const failure = classifyStripeFailure(error, noTimeout);
      expect(failure.kind).toBe('server');
      expect(failure.retryable).toBe(true);
      expect(failure.providerStatus).toBe(status);
    });

    it('StripeAPIError without a status (body not JSON) → server', () => {
      const error = new errors.StripeAPIError({
        message: 'Invalid JSON received from the Stripe API',
        exception: new SyntaxError('Unexpected token <'),
        requestId: 'req_1',
      });
      const failure = classifyStripeFailure(error, noTimeout);
      expect(failure.kind).toBe('server');
      expect(failure.providerStatus).toBeUndefined();
      expect(failure.providerCode).toBe('invalid_response');
    });

    it('an error object on a 200 → server', () => {
      const error = fromResponse(200, { type: 'api_error', message: 'odd' });
      expect(classifyStripeFailure(error, noTimeout).kind).toBe('server');
    });

    it('the named 4xx classes without a status (built by hand) → rejected', () => {
      for (const error of [
        new errors.StripeInvalidRequestError({ message: 'x', type: 'invalid_request_error' }),
        new errors.StripeAuthenticationError({ message: 'x' }),
        new errors.StripePermissionError({ message: 'x' }),
        new errors.StripeIdempotencyError({ message: 'x', type: 'idempotency_error' }),
        new errors.StripeCardError({ message: 'x', type: 'card_error' }),
      ]) {
        expect(classifyStripeFailure(error, noTimeout).kind).toBe('rejected');
      }
      expect(classifyStripeFailure(new errors.StripeRateLimitError({ message: 'x' }), noTimeout).kind).toBe(
        'rate_limited',
      );
    });

    it('blanks request values Stripe echoes in its message and shortens long messages', () => {
      const error = fromResponse(400, {
        type: 'invalid_request_error',
        code: 'email_invalid',
        message: `Invalid email address: ${BUYER_EMAIL}`,
      });
      const failure = classifyStripeFailure(error, { timedOut: false, redact: [BUYER_EMAIL] });
      expect(failure.message).not.toContain(BUYER_EMAIL);
      expect(failure.message).toContain('[redacted]');
      const long = classifyStripeFailure(
        fromResponse(400, { type: 'invalid_request_error', message: 'x'.repeat(1000) }),
        noTimeout,
      );
      expect(long.message.length).toBeLessThan(300);
    });

    it('an API error stays an API error even when the deadline had fired', () => {
      const error = fromResponse(429, { type: 'invalid_request_error', message: 'Slow down' });
      expect(classifyStripeFailure(error, { timedOut: true }).kind).toBe('rate_limited');
    });
  });

  describe('transport', () => {
    it('the SDK’s own timeout (StripeConnectionError, detail ETIMEDOUT) → timeout', () => {
      const error = connectionError(
        Stripe.HttpClient.makeTimeoutError(),
        'Request aborted due to timeout being reached (300ms)',
      );
      const failure = classifyStripeFailure(error, noTimeout);
      expect(failure.kind).toBe('timeout');
      expect(failure.retryable).toBe(true);
    });

    it('a body read that timed out (detail is the SDK body error carrying ETIMEDOUT) → timeout', () => {
      const detail = Stripe.HttpClient.makeResponseBodyError(Stripe.HttpClient.makeTimeoutError());
      const error = connectionError(detail, 'Request aborted due to timeout being reached (300ms)');
      expect(classifyStripeFailure(error, noTimeout).kind).toBe('timeout');
    });

    it('our deadline fired (timedOut) → timeout, whatever the error', () => {
      const reason = Object.assign(new Error('Stripe call exceeded 50 ms'), { name: 'TimeoutError' });
      expect(classifyStripeFailure(reason, { timedOut: true }).kind).toBe('timeout');
      expect(classifyStripeFailure(new Error('anything'), { timedOut: true }).kind).toBe('timeout');
    });

    it('an abort reason named TimeoutError (AbortSignal.timeout) → timeout', () => {
      const reason = Object.assign(new Error('The operation was aborted due to timeout'), {
        name: 'TimeoutError',
      });
      expect(classifyStripeFailure(reason, noTimeout).kind).toBe('timeout');
    });

    it('StripeConnectionError (connection refused) → network, retryable, with the SDK error as cause', () => {
      const detail = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
      const error = connectionError(detail, 'An error occurred with our connection to Stripe.');
      const failure = classifyStripeFailure(error, noTimeout);
      expect(failure.kind).toBe('network');
      expect(failure.retryable).toBe(true);
      expect(failure.providerStatus).toBeUndefined();
      expect(failure.message).toContain('ECONNREFUSED');
      expect(failure.cause).toBe(error);
    });

    it('the caller aborting (AbortError) → network', () => {
      const reason = Object.assign(new Error('This operation was aborted'), { name: 'AbortError' });
      expect(classifyStripeFailure(reason, noTimeout).kind).toBe('network');
    });

    it('anything unrecognised → network', () => {
      expect(classifyStripeFailure('weird', noTimeout).kind).toBe('network');
      expect(classifyStripeFailure(new TypeError('boom'), noTimeout).kind).toBe('network');
      expect(
        classifyStripeFailure(new errors.StripeError({ message: 'Unable to authenticate' }), noTimeout).kind,
      ).toBe('network');
    });
  });

  it('returns a ProviderError unchanged', () => {
    const original = new ProviderError('rejected', 'x', undefined, 'amount_not_supported');
    expect(classifyStripeFailure(original, noTimeout)).toBe(original);
  });
});
