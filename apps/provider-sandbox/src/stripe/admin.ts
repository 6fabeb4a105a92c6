import type { FastifyInstance } from 'fastify';
import { WebhookConfigError, WebhookSendError } from '../webhooks';
import { sessionEvent, settlePaid } from './routes';
import type { StripeState } from './state';
import { checkStripeWebhookSettings, parseSendStripeEvent, type StripeWebhookDispatcher } from './webhooks';

export interface StripeAdminDeps {
  state: StripeState;
  webhooks: StripeWebhookDispatcher;
}

type IdParams = { Params: { id: string } };

/**
 * The Stripe side of the admin API (no authentication, like the rest of /__sandbox):
 *
 *   GET    /__sandbox/stripe/webhooks              {url, secretSet, enabled, timeoutMs} (never the secret)
 *   PUT    /__sandbox/stripe/webhooks              {url, secret}; {url: null, secret: null} forgets the receiver
 *   PATCH  /__sandbox/stripe/webhooks              {enabled}: pause or resume sending, keeping the receiver
 *   DELETE /__sandbox/stripe/webhooks              forgets the receiver
 *   GET    /__sandbox/stripe/webhooks/deliveries   what was sent, oldest first
 *   DELETE /__sandbox/stripe/webhooks/deliveries   clears that list
 *   POST   /__sandbox/stripe/webhooks/send         {sessionId, type, eventId?, timestamp?}: sends now
 *   POST   /__sandbox/stripe/sessions/:id/async    {outcome: "succeeded" | "failed"}: settles the payment of a
 *                                                  session paid with a method that settles later
 */
export function registerStripeAdminRoutes(app: FastifyInstance, deps: StripeAdminDeps): void {
  const { state, webhooks } = deps;

  app.get('/__sandbox/stripe/webhooks', async () => webhooks.config);

  app.put('/__sandbox/stripe/webhooks', async (request, reply) => {
    try {
      const settings = checkStripeWebhookSettings(request.body);
      if (settings === null) webhooks.disable();
      else webhooks.configure(settings);
    } catch (err) {
      if (err instanceof WebhookConfigError) return reply.code(400).send({ error: err.message });
      throw err;
    }
    return webhooks.config;
  });

  app.patch('/__sandbox/stripe/webhooks', async (request, reply) => {
    const body = request.body as { enabled?: unknown } | null | undefined;
    const keys = body && typeof body === 'object' ? Object.keys(body) : [];
    if (typeof body?.enabled !== 'boolean' || keys.length !== 1) {
      return reply.code(400).send({ error: 'body must be {"enabled": true | false}' });
    }
    return webhooks.setEnabled(body.enabled);
  });

  app.delete('/__sandbox/stripe/webhooks', async (_request, reply) => {
    webhooks.disable();
    return reply.code(204).send();
  });

  app.get('/__sandbox/stripe/webhooks/deliveries', async () => webhooks.deliveries);

  app.delete('/__sandbox/stripe/webhooks/deliveries', async (_request, reply) => {
    webhooks.clearDeliveries();
    return reply.code(204).send();
  });

  app.post('/__sandbox/stripe/webhooks/send', async (request, reply) => {
    try {
      return await webhooks.send(parseSendStripeEvent(request.body));
    } catch (err) {
      if (err instanceof WebhookSendError) return reply.code(err.status).send({ error: err.message });
      throw err;
    }
  });

  app.post<IdParams>('/__sandbox/stripe/sessions/:id/async', async (request, reply) => {
    const outcome = (request.body as { outcome?: unknown } | null | undefined)?.outcome;
    if (outcome !== 'succeeded' && outcome !== 'failed') {
      return reply.code(400).send({ error: 'body must be {"outcome": "succeeded" | "failed"}' });
    }
    const stored = state.find(request.params.id);
    if (!stored) return reply.code(404).send({ error: `no checkout session ${request.params.id}` });
    const s = stored.session;
    const intent = s.payment_intent === null ? undefined : state.paymentIntents.get(s.payment_intent);
    if (s.status !== 'complete' || s.payment_status !== 'unpaid' || intent?.status !== 'processing') {
      return reply
        .code(409)
        .send({ error: 'the session has no payment settling (pay it with "approve_async" first)' });
    }
    if (outcome === 'succeeded') {
      settlePaid(stored, intent);
    } else {
      intent.status = 'requires_payment_method';
      intent.last_payment_error = {
        type: 'card_error',
        code: 'payment_method_provider_decline',
        message: 'The payment was declined by the payment method provider.',
      };
    }
    webhooks.emit(
      outcome === 'succeeded'
        ? 'checkout.session.async_payment_succeeded'
        : 'checkout.session.async_payment_failed',
      sessionEvent(stored),
    );
    return { session: { ...s }, payment_intent: { ...intent } };
  });
}
