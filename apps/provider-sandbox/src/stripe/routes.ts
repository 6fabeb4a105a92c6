import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { markReplayed } from '../context';
import { escapeHtml } from '../html';
import { canonicalJson } from '../store';
import { parseCheckoutSessionParams } from './checkout';
import { StripeRequestError, stripeError } from './errors';
import { isFormObject, type FormObject } from './form';
import { captureMethodOf, createPaymentIntent, registerPaymentIntentRoutes } from './payment-intents';
import type { StripeCheckoutSession, StripeState, StoredStripeSession } from './state';

export interface StripeRouteDeps {
  state: StripeState;
}

type IdParams = { Params: { id: string } };

const MAX_IDEMPOTENCY_KEY = 255;
const FORM_TYPE = 'application/x-www-form-urlencoded';

/** The secret key from `Authorization: Bearer sk_...` (or Basic with the key as user name). */
export function stripeSecretKey(authorization: string | undefined): string | null {
  if (!authorization) return null;
  const space = authorization.indexOf(' ');
  if (space <= 0) return null;
  const scheme = authorization.slice(0, space).toLowerCase();
  const value = authorization.slice(space + 1).trim();
  if (scheme === 'bearer') return value || null;
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return (colon >= 0 ? decoded.slice(0, colon) : decoded) || null;
  }
  return null;
}

/** Stripe shows keys as `sk_test_****abcd` in errors. */
function redactKey(key: string): string {
  const underscore = key.indexOf('_', 3);
  const prefix = underscore > 0 && underscore < 10 ? key.slice(0, underscore + 1) : key.slice(0, 3);
  return `${prefix}${'*'.repeat(Math.max(4, key.length - prefix.length - 4))}${key.slice(-4)}`;
}

function randomId(prefix: string, bytes: number): string {
  return `${prefix}${randomBytes(bytes).toString('base64url').replace(/[-_]/g, '0')}`;
}

function formatAmount(minor: number, currency: string): string {
  return `${(minor / 100).toFixed(2)} ${currency.toUpperCase()}`;
}

export function registerStripeRoutes(app: FastifyInstance, deps: StripeRouteDeps): void {
  const { state } = deps;

  /** The account scope of a request (secret key, plus Stripe-Account for Connect), or null after a 401. */
  function authenticate(request: FastifyRequest, reply: FastifyReply): string | null {
    const key = stripeSecretKey(request.headers.authorization);
    if (key === null) {
      void reply
        .code(401)
        .send(
          stripeError(
            'invalid_request_error',
            "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
          ),
        );
      return null;
    }
    if (!key.startsWith('sk_')) {
      void reply.code(401).send(
        stripeError('invalid_request_error', `Invalid API Key provided: ${redactKey(key)}`, {
          code: 'api_key_invalid',
        }),
      );
      return null;
    }
    const connected = request.headers['stripe-account'];
    return typeof connected === 'string' && connected.length > 0 ? `${key}|${connected}` : key;
  }

  function sendError(reply: FastifyReply, err: StripeRequestError) {
    return reply.code(err.status).send(err.body);
  }

  app.post('/v1/checkout/sessions', async (request, reply) => {
    const account = authenticate(request, reply);
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
              `Invalid request: Stripe accepts ${FORM_TYPE} request bodies (got ${type || 'none'}).`,
            ),
          );
      }
      params = request.body;
    }

    const keyHeader = request.headers['idempotency-key'];
    const key = typeof keyHeader === 'string' && keyHeader.length > 0 ? keyHeader : null;
    let fingerprint = '';
    if (key !== null) {
      if (key.length > MAX_IDEMPOTENCY_KEY) {
        return reply
          .code(400)
          .send(
            stripeError(
              'invalid_request_error',
              `Idempotency keys can be at most ${MAX_IDEMPOTENCY_KEY} characters long.`,
            ),
          );
      }
      fingerprint = canonicalJson({ method: 'POST', path: '/v1/checkout/sessions', params });
      const previous = state.idempotency.get(account, key);
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
        return reply
          .code(previous.status)
          .header('idempotent-replayed', 'true')
          .header('idempotency-key', key)
          .send(previous.body);
      }
    }

    const now = Math.floor(Date.now() / 1000);
    let input;
    let captureMethod;
    try {
      input = parseCheckoutSessionParams(params, now);
      captureMethod = captureMethodOf(params.payment_intent_data);
    } catch (err) {
      if (err instanceof StripeRequestError) return sendError(reply, err);
      throw err;
    }

    const id = randomId('cs_test_', 42);
    const session: StripeCheckoutSession = {
      id,
      object: 'checkout.session',
      after_expiration: null,
      allow_promotion_codes: null,
      amount_subtotal: input.amountTotal,
      amount_total: input.amountTotal,
      cancel_url: input.cancelUrl,
      client_reference_id: input.clientReferenceId,
      created: now,
      currency: input.currency,
      customer: null,
      customer_email: input.customerEmail,
      expires_at: input.expiresAt,
      livemode: false,
      locale: input.locale,
      metadata: input.metadata,
      mode: 'payment',
      payment_intent: null,
      payment_method_types: input.paymentMethodTypes,
      payment_status: 'unpaid',
      status: 'open',
      success_url: input.successUrl,
      ui_mode: 'hosted',
      url: `${request.protocol}://${request.host}/stripe/pay/${id}`,
    };
    const stored: StoredStripeSession = {
      account,
      session,
      lineItems: input.lineItems.map(({ name, quantity, unitAmount }) => ({ name, quantity, unitAmount })),
      captureMethod,
    };
    state.sessions.set(id, stored);
    if (key !== null)
      state.idempotency.save(account, key, { fingerprint, status: 200, body: { ...session } });
    if (key !== null) void reply.header('idempotency-key', key);
    return reply.code(200).send(session);
  });

  app.get<IdParams>('/v1/checkout/sessions/:id', async (request, reply) => {
    const account = authenticate(request, reply);
    if (account === null) return reply;
    const stored = state.find(request.params.id);
    if (!stored || stored.account !== account) {
      return reply.code(404).send(
        stripeError('invalid_request_error', `No such checkout.session: '${request.params.id}'`, {
          code: 'resource_missing',
          param: 'session',
        }),
      );
    }
    return reply.code(200).send(stored.session);
  });

  // The hosted payment page stand-in: shows the session, "Pay" completes it.
  app.get<IdParams>('/stripe/pay/:id', async (request, reply) => {
    const stored = state.find(request.params.id);
    void reply.type('text/html; charset=utf-8');
    if (!stored)
      return reply.code(404).send('<!doctype html><title>Not found</title><p>Unknown checkout session.</p>');
    const s = stored.session;
    const items = stored.lineItems
      .map(
        (i) =>
          `<li>${escapeHtml(i.name)} × ${i.quantity} — ${formatAmount(i.unitAmount * i.quantity, s.currency)}</li>`,
      )
      .join('');
    const actions =
      s.status === 'open'
        ? `<form method="post" action="/stripe/pay/${escapeHtml(s.id)}"><button type="submit">Pay ${formatAmount(
            s.amount_total,
            s.currency,
          )}</button></form>${s.cancel_url ? `<p><a href="${escapeHtml(s.cancel_url)}">Cancel</a></p>` : ''}`
        : `<p>This checkout session is ${s.status}.</p>`;
    return reply
      .code(200)
      .send(
        `<!doctype html><html><head><meta charset="utf-8"><title>Sandbox Checkout</title></head><body>` +
          `<h1>Sandbox Checkout</h1><p>Session <code>${escapeHtml(s.id)}</code></p><ul>${items}</ul>` +
          `<p>Total: <strong>${formatAmount(s.amount_total, s.currency)}</strong></p>${actions}</body></html>`,
      );
  });

  app.post<IdParams>('/stripe/pay/:id', async (request, reply) => {
    const stored = state.find(request.params.id);
    if (!stored)
      return reply.code(404).type('text/html; charset=utf-8').send('<p>Unknown checkout session.</p>');
    const s = stored.session;
    if (s.status !== 'open') {
      return reply
        .code(409)
        .type('text/html; charset=utf-8')
        .send(`<p>This checkout session is ${s.status}.</p>`);
    }
    s.status = 'complete';
    s.payment_status = 'paid';
    s.payment_intent = createPaymentIntent(state, stored).id;
    s.url = null;
    return reply.redirect(s.success_url.replace('{CHECKOUT_SESSION_ID}', s.id), 303);
  });

  registerPaymentIntentRoutes(app, { state, authenticate });
}
