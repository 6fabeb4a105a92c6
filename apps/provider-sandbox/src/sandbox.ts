import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { registerAdminRoutes } from './admin';
import { providerForPath } from './context';
import { FaultRegistry, type FaultController } from './faults';
import { registerApprovalRoutes } from './gr4vy/approval';
import { Gr4vyAuthenticator, importGr4vyKey } from './gr4vy/auth';
import { gr4vyError, validationError } from './gr4vy/errors';
import { registerGr4vyRoutes } from './gr4vy/routes';
import { registerSecureFieldsRoutes } from './gr4vy/secure-fields';
import { Gr4vyState } from './gr4vy/state';
import { BodyParseError, registerBodyParsers } from './parsers';
import { Delayer, HeldSockets, registerPipeline } from './pipeline';
import { stripeError } from './stripe/errors';
import { registerStripeAdminRoutes } from './stripe/admin';
import { registerStripeRoutes, sessionEvent } from './stripe/routes';
import { StripeState } from './stripe/state';
import { StripeWebhookDispatcher, type StripeWebhookController } from './stripe/webhooks';
import { RequestLog } from './store';
import type { RecordedRequest, RequestFilter, SandboxOptions } from './types';
import {
  checkWebhookSettings,
  WebhookConfigError,
  WebhookDispatcher,
  type WebhookController,
  type WebhookSettings,
} from './webhooks';

export type {
  ActiveFaultRule,
  FaultMode,
  FaultRule,
  ProviderKind,
  RecordedOutcome,
  RecordedRequest,
  RequestFilter,
  SandboxOptions,
} from './types';
export type { FaultController } from './faults';
export { APPROVAL_CARD, DECLINE_CARD, FAIL_CARD } from './gr4vy/card';
export { SECURE_FIELDS_PATH } from './gr4vy/secure-fields-script';
export { signWebhook } from './webhooks';
export type {
  SendWebhookOptions,
  WebhookConfigView,
  WebhookController,
  WebhookDelivery,
  WebhookSettings,
} from './webhooks';
export { stripeSignatureHeader, STRIPE_EVENT_TYPES } from './stripe/webhooks';
export type {
  SendStripeEventOptions,
  StripeEventType,
  StripeWebhookConfigView,
  StripeWebhookController,
  StripeWebhookDelivery,
  StripeWebhookSettings,
} from './stripe/webhooks';

export interface RunningSandbox {
  /** Base URL, e.g. 'http://127.0.0.1:41234'. */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  /** Add / list / remove / clear fault rules (same rules as the admin API). */
  readonly faults: FaultController;
  /** A snapshot of the recorded provider requests, oldest first (at most 10,000). */
  readonly requests: RecordedRequest[];
  findRequests(filter?: RequestFilter): RecordedRequest[];
  clearRequests(): void;
  /** Clears faults, recorded requests, webhook deliveries and every stored session/transaction. */
  reset(): void;
  /** Changes the global latency added to every provider request. */
  setLatency(ms: number): void;
  /** Signed webhooks: configure/disable the receiver, deliveries, send an event now, idle(). */
  readonly webhooks: WebhookController;
  /** Stripe's signed events: configure/disable/pause the receiver, deliveries, send an event now, idle(). */
  readonly stripeWebhooks: StripeWebhookController;
  readonly log: FastifyBaseLogger;
  /** Stops listening; held (timeout) and delayed requests are dropped at once. Idempotent. */
  close(): Promise<void>;
}

export class SandboxConfigError extends Error {
  override readonly name = 'SandboxConfigError';
}

const LOG_LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);
const MAX_LATENCY_MS = 10 * 60 * 1000;

function checkLatency(ms: number, what: string) {
  if (!Number.isInteger(ms) || ms < 0 || ms > MAX_LATENCY_MS) {
    throw new SandboxConfigError(`${what} must be an integer from 0 to ${MAX_LATENCY_MS}`);
  }
}

function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

function installErrorHandlers(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const provider = providerForPath(request.url);
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'provider-sandbox request failed');

    if (provider === 'gr4vy') {
      if (error instanceof BodyParseError) {
        // FastAPI answers undecodable JSON with a 422 `json_invalid` issue.
        return reply.code(422).send(
          validationError([
            {
              type: 'json_invalid',
              loc: ['body', error.position],
              msg: 'JSON decode error',
              input: {},
              ctx: { error: error.reason },
            },
          ]),
        );
      }
      if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
        return reply.code(422).send(
          validationError([
            {
              type: 'model_attributes_type',
              loc: ['body'],
              msg: 'Input should be a valid dictionary or object to extract fields from',
              input: null,
            },
          ]),
        );
      }
      return reply.code(status).send(gr4vyError(status, status >= 500 ? undefined : error.message));
    }
    if (provider === 'stripe') {
      const body =
        status >= 500
          ? stripeError('api_error', 'An unknown error occurred while processing your request.')
          : stripeError('invalid_request_error', error.message);
      return reply.code(status).send(body);
    }
    return reply.code(status).send({ error: status >= 500 ? 'internal error' : error.message });
  });

  app.setNotFoundHandler((request, reply) => {
    const provider = providerForPath(request.url);
    if (provider === 'gr4vy') return reply.code(404).send(gr4vyError(404, 'Not Found'));
    if (provider === 'stripe') {
      return reply
        .code(404)
        .send(
          stripeError(
            'invalid_request_error',
            `Unrecognized request URL (${request.method}: ${request.url}).`,
          ),
        );
    }
    return reply.code(404).send({ error: `no admin route ${request.method} ${request.url}` });
  });
}

/** Starts the provider sandbox (Gr4vy- and Stripe-compatible endpoints plus the /__sandbox admin API). */
export async function startSandbox(opts: SandboxOptions = {}): Promise<RunningSandbox> {
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new SandboxConfigError('port must be an integer from 0 to 65535');
  }
  let latencyMs = opts.latencyMs ?? 0;
  checkLatency(latencyMs, 'latencyMs');
  const logLevel = opts.logLevel ?? 'warn';
  if (!LOG_LEVELS.has(logLevel)) {
    throw new SandboxConfigError(`logLevel must be one of ${[...LOG_LEVELS].join(', ')}`);
  }
  let publicKey = null;
  if (opts.gr4vyPublicKeyPem !== undefined && opts.gr4vyPublicKeyPem.trim() !== '') {
    try {
      publicKey = importGr4vyKey(opts.gr4vyPublicKeyPem);
    } catch (err) {
      throw new SandboxConfigError(`gr4vyPublicKeyPem: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  let webhookSettings: WebhookSettings | null;
  try {
    webhookSettings = checkWebhookSettings(opts.webhookUrl, opts.webhookSecret, opts.webhookSlim, {
      url: 'webhookUrl',
      secret: 'webhookSecret',
      slim: 'webhookSlim',
    });
  } catch (err) {
    if (err instanceof WebhookConfigError) throw new SandboxConfigError(err.message);
    throw err;
  }
  const webhookTimeoutMs = opts.webhookTimeoutMs ?? 3000;
  if (!Number.isInteger(webhookTimeoutMs) || webhookTimeoutMs < 1 || webhookTimeoutMs > 60_000) {
    throw new SandboxConfigError('webhookTimeoutMs must be an integer from 1 to 60000');
  }

  const faults = new FaultRegistry();
  if (opts.faults && opts.faults.length > 0) {
    try {
      faults.add(opts.faults);
    } catch (err) {
      throw new SandboxConfigError(`faults: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const requests = new RequestLog(10_000);
  const gr4vy = new Gr4vyState();
  const stripe = new StripeState();
  const auth = new Gr4vyAuthenticator(publicKey);
  const delayer = new Delayer();
  const held = new HeldSockets();
  let closing = false;

  const app = Fastify({
    logger: { level: logLevel },
    forceCloseConnections: true,
    bodyLimit: 1024 * 1024,
  });

  const webhooks = new WebhookDispatcher({
    findTransaction: (id) => gr4vy.transactions.get(id),
    log: app.log,
    timeoutMs: webhookTimeoutMs,
  });
  if (webhookSettings !== null) webhooks.configure(webhookSettings);
  const stripeWebhooks = new StripeWebhookDispatcher({
    findSource: (sessionId, type) => {
      const stored = stripe.find(sessionId);
      if (!stored) return undefined;
      if (type !== 'payment_intent.payment_failed') return sessionEvent(stored);
      const intentId = stored.session.payment_intent;
      const intent = intentId === null ? undefined : stripe.paymentIntents.get(intentId);
      return intent && { object: { ...intent }, apiVersion: stored.apiVersion };
    },
    log: app.log,
    timeoutMs: webhookTimeoutMs,
  });
  stripe.onExpired = (stored) => stripeWebhooks.emit('checkout.session.expired', sessionEvent(stored));

  registerBodyParsers(app);
  installErrorHandlers(app);
  registerPipeline(app, {
    faults,
    requests,
    gr4vy,
    delayer,
    held,
    latencyMs: () => latencyMs,
    closing: () => closing,
  });
  const reset = () => {
    faults.clear();
    requests.clear();
    gr4vy.clear();
    stripe.clear();
    webhooks.clearDeliveries();
    stripeWebhooks.clearDeliveries();
  };
  registerAdminRoutes(app, {
    faults,
    requests,
    reset,
    getLatency: () => latencyMs,
    setLatency: (ms) => {
      latencyMs = ms;
    },
    gr4vyAuthMode: () => (auth.verifiesSignatures ? 'es512-jwt' : 'bearer-present'),
    webhooks,
  });
  registerGr4vyRoutes(app, { state: gr4vy, auth, events: webhooks });
  registerSecureFieldsRoutes(app);
  registerApprovalRoutes(app, { state: gr4vy, events: webhooks });
  registerStripeRoutes(app, { state: stripe, events: stripeWebhooks });
  registerStripeAdminRoutes(app, { state: stripe, webhooks: stripeWebhooks });

  await app.listen({ port, host });
  const address = app.server.address() as AddressInfo;
  const url = `http://${urlHost(host)}:${address.port}`;

  let closed: Promise<void> | null = null;
  return {
    url,
    port: address.port,
    host,
    faults,
    get requests() {
      return requests.list();
    },
    findRequests: (filter) => requests.list(filter),
    clearRequests: () => requests.clear(),
    reset,
    setLatency: (ms) => {
      checkLatency(ms, 'latency');
      latencyMs = ms;
    },
    webhooks,
    stripeWebhooks,
    log: app.log,
    close() {
      closed ??= (async () => {
        closing = true;
        delayer.cancelAll();
        held.destroyAll();
        webhooks.close();
        stripeWebhooks.close();
        await app.close();
      })();
      return closed;
    },
  };
}
