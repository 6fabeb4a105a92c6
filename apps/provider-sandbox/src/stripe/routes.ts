import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { escapeHtml } from '../html';
import { parseCheckoutSessionParams } from './checkout';
import { StripeRequestError, stripeError } from './errors';
import { decodeForm, FormDecodeError, isFormObject, type FormObject } from './form';
import { registerPaymentIntentRoutes } from './payment-intents';
import { formParams, idempotency } from './requests';
import {
  randomStripeId,
  type StripeCheckoutSession,
  type StripeState,
  type StoredStripeSession,
} from './state';
import type { StripeEventSource, StripeEventType } from './webhooks';

/** Told about everything that would make Stripe send an event. */
export interface StripeEventListener {
  emit(type: StripeEventType, source: StripeEventSource): void;
}

export interface StripeRouteDeps {
  state: StripeState;
  events: StripeEventListener;
}

/** The API version events carry when the session was created without a Stripe-Version header. */
export const DEFAULT_STRIPE_API_VERSION = '2026-10-28.endive';

/** What the pay page's buttons do (a form field `action`). */
export const PAY_ACTIONS = ['approve', 'approve_async', 'decline'] as const;
type PayAction = (typeof PAY_ACTIONS)[number];

/** The event about a session as it stands now. */
export function sessionEvent(stored: StoredStripeSession): StripeEventSource {
  return { object: { ...stored.session }, apiVersion: stored.apiVersion };
}

/** Stripe's answer for a session a key cannot see. */
function noSuchSession(reply: FastifyReply, id: string) {
  return reply.code(404).send(
    stripeError('invalid_request_error', `No such checkout.session: '${id}'`, {
      code: 'resource_missing',
      param: 'session',
    }),
  );
}

type IdParams = { Params: { id: string } };

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

function formatAmount(minor: number, currency: string): string {
  return `${(minor / 100).toFixed(2)} ${currency.toUpperCase()}`;
}

export function registerStripeRoutes(app: FastifyInstance, deps: StripeRouteDeps): void {
  const { state, events } = deps;
  const emit = (type: StripeEventType, stored: StoredStripeSession) =>
    events.emit(type, sessionEvent(stored));

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

    const form = formParams(request, reply);
    if ('answered' in form) return form.answered;
    const { params } = form;
    const idempotent = idempotency(request, reply, state, account, params);
    if ('answered' in idempotent) return idempotent.answered;
    const { key, fingerprint } = idempotent;

    const now = Math.floor(Date.now() / 1000);
    let input;
    try {
      input = parseCheckoutSessionParams(params, now);
    } catch (err) {
      if (err instanceof StripeRequestError) return sendError(reply, err);
      throw err;
    }

    const id = randomStripeId('cs_test_', 42);
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
    const version = request.headers['stripe-version'];
    const stored: StoredStripeSession = {
      account,
      session,
      lineItems: input.lineItems.map(({ name, quantity, unitAmount }) => ({ name, quantity, unitAmount })),
      captureMethod: input.captureMethod,
      apiVersion: typeof version === 'string' && version !== '' ? version : DEFAULT_STRIPE_API_VERSION,
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
    let expand: string[];
    try {
      expand = expandParam(request.url);
    } catch (err) {
      if (err instanceof StripeRequestError) return sendError(reply, err);
      throw err;
    }
    const stored = state.find(request.params.id);
    if (!stored || stored.account !== account) return noSuchSession(reply, request.params.id);
    const session: Record<string, unknown> = { ...stored.session };
    const intentId = stored.session.payment_intent;
    if (expand.includes('payment_intent') && intentId !== null) {
      session.payment_intent = state.paymentIntents.get(intentId) ?? intentId;
    }
    return reply.code(200).send(session);
  });

  // As Stripe: only an open session can be expired; its checkout.session.expired event follows.
  app.post<IdParams>('/v1/checkout/sessions/:id/expire', async (request, reply) => {
    const account = authenticate(request, reply);
    if (account === null) return reply;
    const stored = state.find(request.params.id);
    if (!stored || stored.account !== account) return noSuchSession(reply, request.params.id);
    if (stored.session.status !== 'open') {
      return reply
        .code(400)
        .send(
          stripeError(
            'invalid_request_error',
            `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of \`${stored.session.status}\`.`,
          ),
        );
    }
    state.expire(stored);
    emit('checkout.session.expired', stored);
    return reply.code(200).send(stored.session);
  });

  // The hosted payment page stand-in: shows the session; Approve pays it, Decline is a card decline.
  app.get<IdParams>('/stripe/pay/:id', async (request, reply) => {
    const stored = state.find(request.params.id);
    void reply.type('text/html; charset=utf-8');
    if (!stored)
      return reply.code(404).send('<!doctype html><title>Not found</title><p>Unknown checkout session.</p>');
    return reply.code(200).send(payPage(stored));
  });

  app.post<IdParams>('/stripe/pay/:id', async (request, reply) => {
    const stored = state.find(request.params.id);
    void reply.type('text/html; charset=utf-8');
    if (!stored) return reply.code(404).send('<p>Unknown checkout session.</p>');
    const s = stored.session;
    if (s.status !== 'open') return reply.code(409).send(`<p>This checkout session is ${s.status}.</p>`);
    const action = payAction(request.body);
    if (action === null) return reply.code(400).send('<p>Unknown action.</p>');

    const intent = state.paymentIntentOf(stored);
    if (action === 'decline') {
      // Stripe Checkout keeps the session open after a decline: the buyer may try another card.
      intent.status = 'requires_payment_method';
      intent.last_payment_error = {
        type: 'card_error',
        code: 'card_declined',
        decline_code: 'generic_decline',
        message: 'Your card was declined.',
      };
      events.emit('payment_intent.payment_failed', { object: { ...intent }, apiVersion: stored.apiVersion });
      return reply.code(402).send(payPage(stored, 'Your card was declined.'));
    }
    intent.last_payment_error = null;
    s.status = 'complete';
    s.url = null;
    if (action === 'approve_async') {
      // A method that settles later (a bank debit): complete, unpaid, until /__sandbox/stripe/…/async.
      intent.status = 'processing';
    } else {
      settlePaid(stored, intent);
    }
    emit('checkout.session.completed', stored);
    return reply.redirect(s.success_url.replace('{CHECKOUT_SESSION_ID}', s.id), 303);
  });
  registerPaymentIntentRoutes(app, { state, authenticate });
}

/** The session paid: the money captured, or only authorized with capture_method=manual. */
export function settlePaid(
  stored: StoredStripeSession,
  intent: { status: string; amount: number; amount_capturable: number; amount_received: number },
): void {
  stored.session.payment_status = 'paid';
  if (stored.captureMethod === 'manual') {
    intent.status = 'requires_capture';
    intent.amount_capturable = intent.amount;
  } else {
    intent.status = 'succeeded';
    intent.amount_received = intent.amount;
  }
}

function payAction(body: unknown): PayAction | null {
  if (body === undefined || body === null) return 'approve';
  if (!isFormObject(body)) return null;
  const action = body.action ?? 'approve';
  return typeof action === 'string' && (PAY_ACTIONS as readonly string[]).includes(action)
    ? (action as PayAction)
    : null;
}

/** `expand[]=…` / `expand[0]=…` from the query string; Stripe refuses what cannot be expanded. */
function expandParam(url: string): string[] {
  const q = url.indexOf('?');
  if (q < 0) return [];
  let query: FormObject;
  try {
    query = decodeForm(url.slice(q + 1));
  } catch (err) {
    if (err instanceof FormDecodeError) {
      throw new StripeRequestError(400, stripeError('invalid_request_error', err.message));
    }
    throw err;
  }
  const raw = query.expand;
  if (raw === undefined) return [];
  const values = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw : Object.values(raw);
  return values.map((value) => {
    if (value !== 'payment_intent') {
      throw new StripeRequestError(
        400,
        stripeError(
          'invalid_request_error',
          `This property cannot be expanded (${typeof value === 'string' ? value : 'expand'}).`,
          { param: 'expand' },
        ),
      );
    }
    return value;
  });
}

function payPage(stored: StoredStripeSession, error?: string): string {
  const s = stored.session;
  const items = stored.lineItems
    .map(
      (i) =>
        `<li>${escapeHtml(i.name)} × ${i.quantity} — ${formatAmount(i.unitAmount * i.quantity, s.currency)}</li>`,
    )
    .join('');
  const action = `/stripe/pay/${escapeHtml(s.id)}`;
  const button = (value: PayAction, label: string) =>
    `<form method="post" action="${action}"><input type="hidden" name="action" value="${value}">` +
    `<button type="submit" name="pay" value="${value}">${label}</button></form>`;
  const actions =
    s.status === 'open'
      ? button('approve', `Approve ${formatAmount(s.amount_total, s.currency)}`) +
        button('decline', 'Decline') +
        button('approve_async', 'Approve with a method that settles later') +
        (s.cancel_url ? `<p><a href="${escapeHtml(s.cancel_url)}">Back to the shop</a></p>` : '')
      : `<p>This checkout session is ${s.status}.</p>`;
  return (
    `<!doctype html><html><head><meta charset="utf-8"><title>Sandbox Checkout</title></head><body>` +
    `<h1>Sandbox Checkout</h1><p>Session <code>${escapeHtml(s.id)}</code></p><ul>${items}</ul>` +
    `<p>Total: <strong>${formatAmount(s.amount_total, s.currency)}</strong></p>` +
    (error ? `<p role="alert">${escapeHtml(error)}</p>` : '') +
    `${actions}</body></html>`
  );
}
