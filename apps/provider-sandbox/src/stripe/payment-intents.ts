import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { invalidParam, StripeRequestError, stripeError } from './errors';
import { isFormObject, type FormObject, type FormValue } from './form';
import { formParams, idempotency } from './requests';
import { randomStripeId, type StripePaymentIntent, type StripeState } from './state';

/*
 * What a merchant does with a paid session's PaymentIntent after checkout, as Stripe's API
 * reference has it: a held one (`capture_method=manual`, `requires_capture`) is captured with
 * `POST /v1/payment_intents/:id/capture` (`amount_to_capture`, once; the rest of the hold is
 * released) or cancelled with `/cancel`; a received one is refunded with `POST /v1/refunds`, in
 * parts up to what was received. Bodies are form-encoded; every POST takes an
 * `Idempotency-Key`, per account. A PaymentIntent is visible to its session's account only.
 */

const CAPTURE_PARAMS = new Set(['amount_to_capture', 'expand', 'metadata', 'statement_descriptor']);
const CANCEL_PARAMS = new Set(['cancellation_reason', 'expand']);
const REFUND_PARAMS = new Set(['amount', 'charge', 'expand', 'metadata', 'payment_intent', 'reason']);
const REFUND_REASONS: readonly string[] = ['duplicate', 'fraudulent', 'requested_by_customer'];
const CANCELLABLE: readonly string[] = ['requires_payment_method', 'requires_capture'];

export interface PaymentIntentRouteDeps {
  state: StripeState;
  /** The account scope of a request (secret key, plus Stripe-Account), or null after answering 401. */
  authenticate(request: FastifyRequest, reply: FastifyReply): string | null;
}

type IdParams = { Params: { id: string } };
type Answer = { status: number; body: unknown };

function checkKnown(params: FormObject, known: Set<string>): void {
  for (const key of Object.keys(params)) {
    if (!known.has(key)) throw invalidParam(`Received unknown parameter: ${key}`, key, 'parameter_unknown');
  }
}

function positiveInteger(value: FormValue | undefined, param: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d+$/.test(value) || Number(value) < 1) {
    throw invalidParam(`Invalid positive integer: ${param}`, param, 'parameter_invalid_integer');
  }
  return Number(value);
}

function unexpectedState(message: string): StripeRequestError {
  return new StripeRequestError(
    400,
    stripeError('invalid_request_error', message, { code: 'payment_intent_unexpected_state' }),
  );
}

function answerError(reply: FastifyReply, error: unknown) {
  if (error instanceof StripeRequestError) return reply.code(error.status).send(error.body);
  throw error;
}

export function registerPaymentIntentRoutes(app: FastifyInstance, deps: PaymentIntentRouteDeps): void {
  const { state } = deps;

  function findIntent(account: string, id: string): StripePaymentIntent {
    const intent = state.paymentIntents.get(id);
    if (!intent || state.intentSessions.get(id)?.account !== account) {
      throw new StripeRequestError(
        404,
        stripeError('invalid_request_error', `No such payment_intent: '${id}'`, {
          code: 'resource_missing',
          param: 'intent',
        }),
      );
    }
    return intent;
  }

  /** Authenticates, reads the form, replays an idempotent request, or runs `operate` and stores its success. */
  function post<P extends { Params: Record<string, string> }>(
    operate: (account: string, params: FormObject, request: FastifyRequest<P>) => Answer,
  ) {
    return async (request: FastifyRequest<P>, reply: FastifyReply) => {
      const account = deps.authenticate(request, reply);
      if (account === null) return reply;
      const form = formParams(request, reply);
      if ('answered' in form) return form.answered;
      const { params } = form;
      const idempotent = idempotency(request, reply, state, account, params);
      if ('answered' in idempotent) return idempotent.answered;
      const { key, fingerprint } = idempotent;
      let answer: Answer;
      try {
        answer = operate(account, params, request);
      } catch (error) {
        return answerError(reply, error);
      }
      if (key !== null) state.idempotency.save(account, key, { fingerprint, ...answer });
      return reply.code(answer.status).send(answer.body);
    };
  }

  app.get<IdParams>('/v1/payment_intents/:id', async (request, reply) => {
    const account = deps.authenticate(request, reply);
    if (account === null) return reply;
    try {
      return reply.code(200).send(findIntent(account, request.params.id));
    } catch (error) {
      return answerError(reply, error);
    }
  });

  app.post<IdParams>(
    '/v1/payment_intents/:id/capture',
    post<IdParams>((account, params, request) => {
      checkKnown(params, CAPTURE_PARAMS);
      const intent = findIntent(account, request.params.id);
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
      intent.status = 'succeeded';
      intent.amount_received = amount;
      intent.amount_capturable = 0;
      return { status: 200, body: { ...intent } };
    }),
  );

  app.post<IdParams>(
    '/v1/payment_intents/:id/cancel',
    post<IdParams>((account, params, request) => {
      checkKnown(params, CANCEL_PARAMS);
      const intent = findIntent(account, request.params.id);
      if (!CANCELLABLE.includes(intent.status)) {
        throw unexpectedState(
          `You cannot cancel this PaymentIntent because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be canceled: requires_payment_method, requires_capture, requires_confirmation, requires_action, processing.`,
        );
      }
      intent.status = 'canceled';
      intent.amount_capturable = 0;
      return { status: 200, body: { ...intent } };
    }),
  );

  app.post(
    '/v1/refunds',
    post((account, params) => {
      checkKnown(params, REFUND_PARAMS);
      if (params.charge !== undefined)
        throw invalidParam('The sandbox refunds by payment_intent only.', 'charge');
      if (typeof params.payment_intent !== 'string' || params.payment_intent === '') {
        throw invalidParam('Missing required param: payment_intent.', 'payment_intent', 'parameter_missing');
      }
      const intent = findIntent(account, params.payment_intent);
      if (intent.status !== 'succeeded') {
        throw invalidParam(
          `This PaymentIntent (${intent.id}) does not have a successful charge to refund.`,
          'payment_intent',
          'charge_not_refundable',
        );
      }
      const refunded = state.refundedAmounts.get(intent.id) ?? 0;
      const left = intent.amount_received - refunded;
      if (left === 0) {
        throw invalidParam(
          `Charge for ${intent.id} has already been refunded.`,
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
      state.refundedAmounts.set(intent.id, refunded + amount);
      return {
        status: 200,
        body: {
          id: randomStripeId('re_', 18),
          object: 'refund',
          amount,
          charge: null,
          created: Math.floor(Date.now() / 1000),
          currency: intent.currency,
          metadata,
          payment_intent: intent.id,
          reason: reason ?? null,
          status: 'succeeded',
        },
      };
    }),
  );
}
