import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { markReplayed } from '../context';
import { canonicalJson } from '../store';
import { invalidParam, StripeRequestError, stripeError } from './errors';
import { isFormObject, type FormObject, type FormValue } from './form';
import type { StoredStripeSession, StripeState } from './state';

/*
 * The PaymentIntent behind a paid Checkout Session, and what a merchant does with it after
 * checkout, as Stripe's API reference has it: `payment_intent_data[capture_method]=manual`
 * leaves it `requires_capture` (the funds held), then `POST /v1/payment_intents/:id/capture`
 * (with `amount_to_capture`, once), `/cancel`, and `POST /v1/refunds` in parts up to what was
 * received. Bodies are form-encoded; every POST takes an `Idempotency-Key`, per account.
 */

export type CaptureMethod = 'automatic' | 'automatic_async' | 'manual';
const CAPTURE_METHODS: readonly string[] = ['automatic', 'automatic_async', 'manual'];

/** A PaymentIntent as returned to clients. */
export interface StripePaymentIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_capturable: number;
  amount_received: number;
  canceled_at: number | null;
  cancellation_reason: string | null;
  capture_method: CaptureMethod;
  created: number;
  currency: string;
  livemode: false;
  metadata: Record<string, string>;
  status: 'requires_capture' | 'succeeded' | 'canceled';
}

export interface StoredPaymentIntent {
  account: string;
  intent: StripePaymentIntent;
  /** Σ of the refunds made on it. */
  amountRefunded: number;
}

/** Parameters of `payment_intent_data` Stripe documents for a Checkout Session in payment mode. */
const PAYMENT_INTENT_DATA_PARAMS = new Set([
  'application_fee_amount', 'capture_method', 'description', 'metadata', 'on_behalf_of', 'receipt_email',
  'setup_future_usage', 'shipping', 'statement_descriptor', 'statement_descriptor_suffix', 'transfer_data',
  'transfer_group',
]); // prettier-ignore
const CAPTURE_PARAMS = new Set(['amount_to_capture', 'expand', 'metadata', 'statement_descriptor']);
const CANCEL_PARAMS = new Set(['cancellation_reason', 'expand']);
const REFUND_PARAMS = new Set(['amount', 'charge', 'expand', 'metadata', 'payment_intent', 'reason']);
const REFUND_REASONS: readonly string[] = ['duplicate', 'fraudulent', 'requested_by_customer'];
const FORM_TYPE = 'application/x-www-form-urlencoded';
const MAX_IDEMPOTENCY_KEY = 255;

function randomId(prefix: string): string {
  return `${prefix}${randomBytes(18).toString('base64url').replace(/[-_]/g, '0')}`;
}

function checkKnown(params: FormObject, known: Set<string>, prefix = ''): void {
  for (const key of Object.keys(params)) {
    if (!known.has(key)) {
      const param = prefix ? `${prefix}[${key}]` : key;
      throw invalidParam(`Received unknown parameter: ${param}`, param, 'parameter_unknown');
    }
  }
}

function positiveInteger(value: FormValue | undefined, param: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d+$/.test(value) || Number(value) < 1) {
    throw invalidParam(`Invalid positive integer: ${param}`, param, 'parameter_invalid_integer');
  }
  return Number(value);
}

/** `payment_intent_data[capture_method]` of a Checkout Session create (Stripe's default: automatic). */
export function captureMethodOf(paymentIntentData: FormValue | undefined): CaptureMethod {
  if (paymentIntentData === undefined) return 'automatic';
  if (!isFormObject(paymentIntentData)) {
    throw invalidParam('Invalid hash: payment_intent_data must be a hash', 'payment_intent_data');
  }
  checkKnown(paymentIntentData, PAYMENT_INTENT_DATA_PARAMS, 'payment_intent_data');
  const method = paymentIntentData.capture_method;
  if (method === undefined) return 'automatic';
  if (typeof method !== 'string' || !CAPTURE_METHODS.includes(method)) {
    throw invalidParam(
      `Invalid payment_intent_data[capture_method]: must be one of ${CAPTURE_METHODS.join(', ')}`,
      'payment_intent_data[capture_method]',
    );
  }
  return method as CaptureMethod;
}

/** The PaymentIntent a paid session creates: held when its capture method is manual, received otherwise. */
export function createPaymentIntent(state: StripeState, stored: StoredStripeSession): StripePaymentIntent {
  const amount = stored.session.amount_total;
  const held = stored.captureMethod === 'manual';
  const intent: StripePaymentIntent = {
    id: randomId('pi_'),
    object: 'payment_intent',
    amount,
    amount_capturable: held ? amount : 0,
    amount_received: held ? 0 : amount,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: stored.captureMethod,
    created: Math.floor(Date.now() / 1000),
    currency: stored.session.currency,
    livemode: false,
    metadata: stored.session.metadata,
    status: held ? 'requires_capture' : 'succeeded',
  };
  state.paymentIntents.set(intent.id, { account: stored.account, intent, amountRefunded: 0 });
  return intent;
}

export interface PaymentIntentRouteDeps {
  state: StripeState;
  /** The account scope of a request (secret key, plus Stripe-Account), or null after answering 401. */
  authenticate(request: FastifyRequest, reply: FastifyReply): string | null;
}

type IdParams = { Params: { id: string } };
type Answer = { status: number; body: unknown };

function unexpectedState(message: string): StripeRequestError {
  return new StripeRequestError(
    400,
    stripeError('invalid_request_error', message, { code: 'payment_intent_unexpected_state' }),
  );
}

export function registerPaymentIntentRoutes(app: FastifyInstance, deps: PaymentIntentRouteDeps): void {
  const { state } = deps;

  function findIntent(account: string, id: string): StoredPaymentIntent {
    const stored = state.paymentIntents.get(id);
    if (!stored || stored.account !== account) {
      throw new StripeRequestError(
        404,
        stripeError('invalid_request_error', `No such payment_intent: '${id}'`, {
          code: 'resource_missing',
          param: 'intent',
        }),
      );
    }
    return stored;
  }

  /** Authenticates, reads the form, replays an idempotent request, or runs `operate` and stores its success. */
  function post<P extends { Params: Record<string, string> }>(
    operate: (account: string, params: FormObject, request: FastifyRequest<P>) => Answer,
  ) {
    return async (request: FastifyRequest<P>, reply: FastifyReply) => {
      const account = deps.authenticate(request, reply);
      if (account === null) return reply;
      let params: FormObject = {};
      if (request.body !== undefined && request.body !== null) {
        const type = request.headers['content-type'] ?? '';
        if (!type.toLowerCase().startsWith(FORM_TYPE) || !isFormObject(request.body)) {
          return reply
            .code(400)
            .send(
              stripeError(
                'invalid_request_error',
                `Invalid request: Stripe accepts ${FORM_TYPE} request bodies.`,
              ),
            );
        }
        params = request.body;
      }
      const keyHeader = request.headers['idempotency-key'];
      const key = typeof keyHeader === 'string' && keyHeader.length > 0 ? keyHeader : null;
      if (key !== null && key.length > MAX_IDEMPOTENCY_KEY) {
        return reply
          .code(400)
          .send(
            stripeError(
              'invalid_request_error',
              `Idempotency keys can be at most ${MAX_IDEMPOTENCY_KEY} characters long.`,
            ),
          );
      }
      const fingerprint = canonicalJson({ method: 'POST', path: request.url.split('?')[0], params });
      const previous = key === null ? undefined : state.idempotency.get(account, key);
      if (previous) {
        if (previous.fingerprint !== fingerprint) {
          return reply
            .code(400)
            .send(
              stripeError(
                'idempotency_error',
                `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
              ),
            );
        }
        markReplayed(request);
        return reply.code(previous.status).header('idempotent-replayed', 'true').send(previous.body);
      }
      let answer: Answer;
      try {
        answer = operate(account, params, request);
      } catch (error) {
        if (error instanceof StripeRequestError) return reply.code(error.status).send(error.body);
        throw error;
      }
      if (key !== null) state.idempotency.save(account, key, { fingerprint, ...answer });
      return reply.code(answer.status).send(answer.body);
    };
  }

  app.get<IdParams>('/v1/payment_intents/:id', async (request, reply) => {
    const account = deps.authenticate(request, reply);
    if (account === null) return reply;
    try {
      return reply.code(200).send(findIntent(account, request.params.id).intent);
    } catch (error) {
      if (error instanceof StripeRequestError) return reply.code(error.status).send(error.body);
      throw error;
    }
  });

  app.post<IdParams>(
    '/v1/payment_intents/:id/capture',
    post<IdParams>((account, params, request) => {
      checkKnown(params, CAPTURE_PARAMS);
      const stored = findIntent(account, request.params.id);
      const { intent } = stored;
      if (intent.status !== 'requires_capture') {
        throw unexpectedState(
          `This PaymentIntent could not be captured because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.`,
        );
      }
      const amount =
        positiveInteger(params.amount_to_capture, 'amount_to_capture') ?? intent.amount_capturable;
      if (amount > intent.amount_capturable) {
        throw invalidParam(
          `The amount_to_capture (${amount}) must be less than or equal to the amount_capturable (${intent.amount_capturable}).`,
          'amount_to_capture',
          'amount_too_large',
        );
      }
      // The rest of the hold is released: a PaymentIntent is captured once.
      stored.intent = { ...intent, status: 'succeeded', amount_received: amount, amount_capturable: 0 };
      return { status: 200, body: stored.intent };
    }),
  );

  app.post<IdParams>(
    '/v1/payment_intents/:id/cancel',
    post<IdParams>((account, params, request) => {
      checkKnown(params, CANCEL_PARAMS);
      const stored = findIntent(account, request.params.id);
      const { intent } = stored;
      if (intent.status !== 'requires_capture') {
        throw unexpectedState(
          `You cannot cancel this PaymentIntent because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be canceled: requires_payment_method, requires_capture, requires_confirmation, requires_action, processing.`,
        );
      }
      const reason = typeof params.cancellation_reason === 'string' ? params.cancellation_reason : null;
      stored.intent = {
        ...intent,
        status: 'canceled',
        amount_capturable: 0,
        canceled_at: Math.floor(Date.now() / 1000),
        cancellation_reason: reason,
      };
      return { status: 200, body: stored.intent };
    }),
  );

  app.post(
    '/v1/refunds',
    post((account, params) => {
      checkKnown(params, REFUND_PARAMS);
      if (params.charge !== undefined) {
        throw invalidParam('The sandbox refunds by payment_intent only.', 'charge');
      }
      if (typeof params.payment_intent !== 'string' || params.payment_intent === '') {
        throw invalidParam('Missing required param: payment_intent.', 'payment_intent', 'parameter_missing');
      }
      const stored = findIntent(account, params.payment_intent);
      if (stored.intent.status !== 'succeeded') {
        throw invalidParam(
          `This PaymentIntent (${stored.intent.id}) does not have a successful charge to refund.`,
          'payment_intent',
          'charge_not_refundable',
        );
      }
      const left = stored.intent.amount_received - stored.amountRefunded;
      if (left === 0) {
        throw invalidParam(
          `Charge for ${stored.intent.id} has already been refunded.`,
          'payment_intent',
          'charge_already_refunded',
        );
      }
      const amount = positiveInteger(params.amount, 'amount') ?? left;
      if (amount > left) {
        throw invalidParam(
          `Refund amount (${amount}) is greater than unrefunded amount on charge (${left})`,
          'amount',
          'amount_too_large',
        );
      }
      const reason = params.reason;
      if (reason !== undefined && (typeof reason !== 'string' || !REFUND_REASONS.includes(reason))) {
        throw invalidParam(`Invalid reason: must be one of ${REFUND_REASONS.join(', ')}`, 'reason');
      }
      const metadata = isFormObject(params.metadata)
        ? Object.fromEntries(Object.entries(params.metadata).map(([k, v]) => [k, String(v)]))
        : {};
      stored.amountRefunded += amount;
      return {
        status: 200,
        body: {
          id: randomId('re_'),
          object: 'refund',
          amount,
          charge: null,
          created: Math.floor(Date.now() / 1000),
          currency: stored.intent.currency,
          metadata,
          payment_intent: stored.intent.id,
          reason: reason ?? null,
          status: 'succeeded',
        },
      };
    }),
  );
}
