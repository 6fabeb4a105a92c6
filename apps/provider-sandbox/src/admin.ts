import type { FastifyInstance } from 'fastify';
import { FaultRuleError, parseFaultRules, type FaultRegistry } from './faults';
import type { RequestLog } from './store';
import type { ProviderKind, RequestFilter } from './types';
import {
  checkWebhookSettings,
  parseSendOptions,
  WebhookConfigError,
  WebhookSendError,
  type WebhookDispatcher,
} from './webhooks';

/**
 * The admin API under /__sandbox. No authentication: it is meant for local
 * runs and tests only. Never expose the sandbox beyond localhost/test networks.
 */
export interface AdminDeps {
  faults: FaultRegistry;
  requests: RequestLog;
  /** Clears faults, requests and every stored provider object. */
  reset(): void;
  getLatency(): number;
  setLatency(ms: number): void;
  gr4vyAuthMode(): 'es512-jwt' | 'bearer-present';
  webhooks: WebhookDispatcher;
}

type RequestsQuery = { Querystring: { path?: string; provider?: string; method?: string; limit?: string } };
type FaultIdParams = { Params: { id: string } };

const MAX_LATENCY_MS = 10 * 60 * 1000;

export function registerAdminRoutes(app: FastifyInstance, deps: AdminDeps): void {
  app.get('/__sandbox/health', async () => ({ status: 'ok' }));

  app.get('/__sandbox/config', async () => ({
    latencyMs: deps.getLatency(),
    gr4vyAuth: deps.gr4vyAuthMode(),
    faults: deps.faults.size,
    recordedRequests: deps.requests.size,
    webhooks: deps.webhooks.config,
  }));

  app.put('/__sandbox/latency', async (request, reply) => {
    const body = request.body as { latencyMs?: unknown } | null | undefined;
    const ms = body?.latencyMs;
    if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 0 || ms > MAX_LATENCY_MS) {
      return reply.code(400).send({ error: `latencyMs must be an integer from 0 to ${MAX_LATENCY_MS}` });
    }
    deps.setLatency(ms);
    return { latencyMs: ms };
  });

  app.get('/__sandbox/faults', async () => deps.faults.list());

  app.post('/__sandbox/faults', async (request, reply) => {
    try {
      const added = deps.faults.add(parseFaultRules(request.body, 'body'));
      return reply.code(201).send(added);
    } catch (err) {
      if (err instanceof FaultRuleError) return reply.code(400).send({ error: err.message });
      throw err;
    }
  });

  app.delete('/__sandbox/faults', async (_request, reply) => {
    deps.faults.clear();
    return reply.code(204).send();
  });

  app.delete<FaultIdParams>('/__sandbox/faults/:id', async (request, reply) => {
    if (!deps.faults.remove(request.params.id)) {
      return reply.code(404).send({ error: `no fault rule ${request.params.id}` });
    }
    return reply.code(204).send();
  });

  app.get<RequestsQuery>('/__sandbox/requests', async (request, reply) => {
    const { path, provider, method, limit } = request.query;
    const filter: RequestFilter = {};
    if (path) filter.path = path;
    if (method) filter.method = method;
    if (provider) {
      if (provider !== 'gr4vy' && provider !== 'stripe') {
        return reply.code(400).send({ error: 'provider must be gr4vy or stripe' });
      }
      filter.provider = provider as ProviderKind;
    }
    let list = deps.requests.list(filter);
    if (limit !== undefined) {
      const n = Number(limit);
      if (!Number.isInteger(n) || n < 1)
        return reply.code(400).send({ error: 'limit must be a positive integer' });
      list = list.slice(-n);
    }
    return list;
  });

  app.delete('/__sandbox/requests', async (_request, reply) => {
    deps.requests.clear();
    return reply.code(204).send();
  });

  app.post('/__sandbox/reset', async (_request, reply) => {
    deps.reset();
    return reply.code(204).send();
  });

  registerWebhookAdminRoutes(app, deps.webhooks);
}

/**
 *   GET    /__sandbox/webhooks              {url, secretSet, slim, timeoutMs} (never the secret)
 *   PUT    /__sandbox/webhooks              {url, secret, slim?}; {url: null, secret: null} disables
 *   DELETE /__sandbox/webhooks              disables
 *   GET    /__sandbox/webhooks/deliveries   what was sent, oldest first
 *   DELETE /__sandbox/webhooks/deliveries   clears that list
 *   POST   /__sandbox/webhooks/send         {transactionId, status?, slim?, eventId?, timestamp?}
 *                                           sends now, answers the delivery record
 */
function registerWebhookAdminRoutes(app: FastifyInstance, webhooks: WebhookDispatcher): void {
  app.get('/__sandbox/webhooks', async () => webhooks.config);

  app.put('/__sandbox/webhooks', async (request, reply) => {
    const body = request.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      return reply.code(400).send({ error: 'body must be a JSON object {url, secret, slim?}' });
    }
    const { url, secret, slim, ...rest } = body as Record<string, unknown>;
    const unknown = Object.keys(rest);
    if (unknown.length > 0) return reply.code(400).send({ error: `unknown field ${unknown[0]}` });
    try {
      const settings = checkWebhookSettings(url, secret, slim);
      if (settings === null) webhooks.disable();
      else webhooks.configure(settings);
    } catch (err) {
      if (err instanceof WebhookConfigError) return reply.code(400).send({ error: err.message });
      throw err;
    }
    return webhooks.config;
  });

  app.delete('/__sandbox/webhooks', async (_request, reply) => {
    webhooks.disable();
    return reply.code(204).send();
  });

  app.get('/__sandbox/webhooks/deliveries', async () => webhooks.deliveries);

  app.delete('/__sandbox/webhooks/deliveries', async (_request, reply) => {
    webhooks.clearDeliveries();
    return reply.code(204).send();
  });

  app.post('/__sandbox/webhooks/send', async (request, reply) => {
    try {
      return await webhooks.send(parseSendOptions(request.body));
    } catch (err) {
      if (err instanceof WebhookSendError) return reply.code(err.status).send({ error: err.message });
      throw err;
    }
  });
}
