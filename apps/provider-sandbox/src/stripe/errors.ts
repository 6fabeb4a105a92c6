/** Stripe's error envelope: `{ error: { type, message, code?, param?, doc_url? } }`. */

export type StripeErrorType = 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';

export interface StripeErrorBody {
  error: {
    type: StripeErrorType;
    message: string;
    code?: string;
    param?: string;
    doc_url?: string;
  };
}

export function stripeError(
  type: StripeErrorType,
  message: string,
  extra: { code?: string; param?: string } = {},
): StripeErrorBody {
  const error: StripeErrorBody['error'] = { type, message };
  if (extra.code !== undefined) {
    error.code = extra.code;
    error.doc_url = `https://stripe.com/docs/error-codes/${extra.code.replace(/_/g, '-')}`;
  }
  if (extra.param !== undefined) error.param = extra.param;
  return { error };
}

/** A thrown 4xx with a Stripe body, used by the parameter checks. */
export class StripeRequestError extends Error {
  override readonly name = 'StripeRequestError';

  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
  ) {
    super(body.error.message);
  }
}

export function invalidParam(message: string, param: string, code?: string): StripeRequestError {
  return new StripeRequestError(400, stripeError('invalid_request_error', message, { param, code }));
}

export function missingParam(param: string): StripeRequestError {
  return invalidParam(`Missing required param: ${param}.`, param, 'parameter_missing');
}

/** The body Stripe would send for an injected status (fault injection). */
export function stripeErrorForStatus(status: number): StripeErrorBody {
  if (status === 429) {
    return stripeError(
      'invalid_request_error',
      'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.',
      { code: 'rate_limit' },
    );
  }
  if (status === 401) return stripeError('invalid_request_error', 'Invalid API Key provided.');
  if (status === 402) return stripeError('card_error', 'Your card was declined.', { code: 'card_declined' });
  if (status === 404)
    return stripeError('invalid_request_error', 'No such resource.', { code: 'resource_missing' });
  if (status === 409) {
    return stripeError(
      'idempotency_error',
      'There is currently another in-progress request using this Idempotent Key.',
    );
  }
  if (status >= 500) {
    return stripeError(
      'api_error',
      'An unknown error occurred while processing your request (simulated by the sandbox).',
    );
  }
  return stripeError('invalid_request_error', `The request was rejected (simulated status ${status}).`);
}
