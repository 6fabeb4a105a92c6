import type { FastifyBaseLogger } from 'fastify';
import { WebhookTransport } from '../webhook-transport';
import { isHttpUrl, signWebhook, WebhookConfigError, WebhookSendError } from '../webhooks';
import { randomStripeId } from './state';

/**
 * Stripe-style signed webhooks.
 *
 * Each event is one POST to the configured URL:
 *
 *   body     {"id":"evt_…","object":"event","api_version":"…","created":<unix s>,
 *             "data":{"object":{…the checkout session, or payment intent}},"livemode":false,
 *             "pending_webhooks":1,"request":{"id":null,"idempotency_key":null},"type":"checkout.session.completed"}
 *   headers  content-type: application/json; charset=utf-8
 *            stripe-signature: t=<unix s>,v1=<hex HMAC-SHA256 of `${t}.${rawBody}` under the endpoint secret>
 *
 * Deliveries are asynchronous (they never delay the answer that caused them),
 * time out after `timeoutMs` and are never retried. While paused, nothing is sent
 * (for tests of what a lost webhook leaves behind). The last 1,000 deliveries
 * are recorded.
 */

const MAX_DELIVERIES = 1000;
const MAX_EVENT_ID = 255;

/** The events the sandbox sends, and what an admin send may ask for. */
export const STRIPE_EVENT_TYPES = [
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.async_payment_failed',
  'checkout.session.expired',
  'payment_intent.payment_failed',
] as const;
export type StripeEventType = (typeof STRIPE_EVENT_TYPES)[number];

export interface StripeWebhookSettings {
  /** http(s) URL the events are POSTed to. */
  url: string;
  /** The endpoint's signing secret (`whsec_…` at Stripe; any non-empty string here). */
  secret: string;
}

/** The configuration as shown to clients: never the secret itself. */
export interface StripeWebhookConfigView {
  url: string | null;
  secretSet: boolean;
  /** false: configured but paused, nothing is sent. */
  enabled: boolean;
  timeoutMs: number;
}

export interface StripeWebhookDelivery {
  /** Event id (`evt_…`). Not unique when an id was replayed on purpose. */
  id: string;
  type: string;
  /** The `t=` of Stripe-Signature (unix seconds). */
  timestamp: number;
  /** The id of the object the event carries (`cs_…`, `pi_…`). */
  objectId: string;
  /** `api` (a session changed) or `admin` (POST /__sandbox/stripe/webhooks/send). */
  trigger: 'api' | 'admin';
  url: string;
  sentAt: string;
  /** The receiver's HTTP status; null while in flight or when no response came. */
  httpStatus: number | null;
  error: string | null;
  durationMs: number | null;
}

export interface StripeEventSource {
  /** The object the event is about, as it stands now. */
  object: { id: string } & Record<string, unknown>;
  apiVersion: string;
}

export interface SendStripeEventOptions {
  sessionId: string;
  type: StripeEventType;
  /** Event id to use (e.g. to replay an earlier event). */
  eventId?: string;
  /** Unix seconds to sign with (e.g. a stale event). */
  timestamp?: number;
}

/** What the sandbox exposes to tests (RunningSandbox.stripeWebhooks). */
export interface StripeWebhookController {
  configure(settings: StripeWebhookSettings): StripeWebhookConfigView;
  /** Forgets the receiver. */
  disable(): void;
  /** Pauses (false) or resumes (true) sending, keeping the receiver and its secret. */
  setEnabled(enabled: boolean): StripeWebhookConfigView;
  readonly config: StripeWebhookConfigView;
  readonly deliveries: StripeWebhookDelivery[];
  clearDeliveries(): void;
  /** Sends an event about a stored session now (even while paused) and resolves with its delivery. */
  send(options: SendStripeEventOptions): Promise<StripeWebhookDelivery>;
  /** Resolves once every delivery in flight has finished. */
  idle(): Promise<void>;
}

/** `t=<timestamp>,v1=<hex HMAC-SHA256 of "${timestamp}.${payload}">`, as Stripe signs. */
export function stripeSignatureHeader(secret: string, timestamp: number, payload: string): string {
  return `t=${timestamp},v1=${signWebhook(secret, timestamp, payload)}`;
}

export function checkStripeWebhookSettings(body: unknown): StripeWebhookSettings | null {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new WebhookConfigError('body must be a JSON object {url, secret}');
  }
  const { url, secret, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new WebhookConfigError(`unknown field ${unknown[0]}`);
  const noUrl = url === undefined || url === null;
  const noSecret = secret === undefined || secret === null;
  if (noUrl && noSecret) return null;
  if (noUrl || noSecret) throw new WebhookConfigError('set both url and secret, or neither');
  if (typeof url !== 'string' || !isHttpUrl(url))
    throw new WebhookConfigError('url must be an http or https URL');
  if (typeof secret !== 'string' || secret.length === 0) {
    throw new WebhookConfigError('secret must be a non-empty string');
  }
  return { url, secret };
}

export function parseSendStripeEvent(body: unknown): SendStripeEventOptions {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new WebhookSendError(400, 'body must be a JSON object');
  }
  const input = body as Record<string, unknown>;
  const allowed = new Set(['sessionId', 'type', 'eventId', 'timestamp']);
  for (const key of Object.keys(input)) {
    if (!allowed.has(key)) throw new WebhookSendError(400, `unknown field ${key}`);
  }
  const { sessionId, type, eventId, timestamp } = input;
  if (typeof sessionId !== 'string' || sessionId.length === 0) {
    throw new WebhookSendError(400, 'sessionId must be a non-empty string');
  }
  if (typeof type !== 'string' || !(STRIPE_EVENT_TYPES as readonly string[]).includes(type)) {
    throw new WebhookSendError(400, `type must be one of ${STRIPE_EVENT_TYPES.join(', ')}`);
  }
  const options: SendStripeEventOptions = { sessionId, type: type as StripeEventType };
  if (eventId !== undefined && eventId !== null) {
    if (typeof eventId !== 'string' || !/^[\x21-\x7e]+$/.test(eventId) || eventId.length > MAX_EVENT_ID) {
      throw new WebhookSendError(400, `eventId must be 1 to ${MAX_EVENT_ID} visible ASCII characters`);
    }
    options.eventId = eventId;
  }
  if (timestamp !== undefined && timestamp !== null) {
    if (typeof timestamp !== 'number' || !Number.isInteger(timestamp) || timestamp < 0 || timestamp > 1e11) {
      throw new WebhookSendError(400, 'timestamp must be an integer number of unix seconds');
    }
    options.timestamp = timestamp;
  }
  return options;
}

export interface StripeWebhookDispatcherDeps {
  /** The event source of a stored session and event type; undefined when there is no such session. */
  findSource(sessionId: string, type: StripeEventType): StripeEventSource | undefined;
  log: FastifyBaseLogger;
  timeoutMs: number;
}

export class StripeWebhookDispatcher implements StripeWebhookController {
  private settings: StripeWebhookSettings | null = null;
  private enabled = true;
  private readonly log: StripeWebhookDelivery[] = [];
  private readonly inFlight = new Set<Promise<StripeWebhookDelivery>>();
  private readonly transport: WebhookTransport;
  private closed = false;

  constructor(private readonly deps: StripeWebhookDispatcherDeps) {
    this.transport = new WebhookTransport(deps.timeoutMs);
  }

  configure(settings: StripeWebhookSettings): StripeWebhookConfigView {
    const checked = checkStripeWebhookSettings(settings);
    if (checked === null) throw new WebhookConfigError('set both url and secret');
    this.settings = checked;
    this.enabled = true;
    return this.config;
  }

  disable(): void {
    this.settings = null;
  }

  setEnabled(enabled: boolean): StripeWebhookConfigView {
    this.enabled = enabled;
    return this.config;
  }

  get config(): StripeWebhookConfigView {
    return {
      url: this.settings?.url ?? null,
      secretSet: this.settings !== null,
      enabled: this.enabled,
      timeoutMs: this.deps.timeoutMs,
    };
  }

  get deliveries(): StripeWebhookDelivery[] {
    return this.log.map((d) => ({ ...d }));
  }

  clearDeliveries(): void {
    this.log.length = 0;
  }

  /** Something happened at the "provider": its event goes out in the background (if configured and enabled). */
  emit(type: StripeEventType, source: StripeEventSource): void {
    const settings = this.settings;
    if (settings === null || !this.enabled || this.closed) return;
    // Snapshot now: the event describes the object as it is at this moment.
    const snapshot: StripeEventSource = { ...source, object: structuredClone(source.object) };
    setImmediate(() => {
      if (this.closed) return;
      void this.deliver(settings, type, snapshot, { trigger: 'api' });
    });
  }

  async send(options: SendStripeEventOptions): Promise<StripeWebhookDelivery> {
    const settings = this.settings;
    if (this.closed) throw new WebhookSendError(503, 'the sandbox is closing');
    if (settings === null) {
      throw new WebhookSendError(
        409,
        'no webhook receiver configured (PUT /__sandbox/stripe/webhooks first)',
      );
    }
    const source = this.deps.findSource(options.sessionId, options.type);
    if (!source) throw new WebhookSendError(404, `no checkout session ${options.sessionId}`);
    return this.deliver(settings, options.type, source, {
      trigger: 'admin',
      eventId: options.eventId,
      timestamp: options.timestamp,
    });
  }

  async idle(): Promise<void> {
    // Deliveries are started on the next turn of the event loop; let those start first.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  close(): void {
    this.closed = true;
    this.transport.close();
  }

  private deliver(
    settings: StripeWebhookSettings,
    type: StripeEventType,
    source: StripeEventSource,
    options: { trigger: StripeWebhookDelivery['trigger']; eventId?: string; timestamp?: number },
  ): Promise<StripeWebhookDelivery> {
    const started = Date.now();
    const eventId = options.eventId ?? randomStripeId('evt_', 18);
    const timestamp = options.timestamp ?? Math.floor(started / 1000);
    const body = JSON.stringify({
      id: eventId,
      object: 'event',
      api_version: source.apiVersion,
      created: timestamp,
      data: { object: source.object },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
    });
    const delivery: StripeWebhookDelivery = {
      id: eventId,
      type,
      timestamp,
      objectId: source.object.id,
      trigger: options.trigger,
      url: settings.url,
      sentAt: new Date(started).toISOString(),
      httpStatus: null,
      error: null,
      durationMs: null,
    };
    this.log.push(delivery);
    if (this.log.length > MAX_DELIVERIES) this.log.splice(0, this.log.length - MAX_DELIVERIES);

    const headers = {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks; provider-sandbox)',
      'stripe-signature': stripeSignatureHeader(settings.secret, timestamp, body),
    };
    const settled = this.transport
      .post(settings.url, headers, body)
      .then(
        (httpStatus) => {
          delivery.httpStatus = httpStatus;
        },
        (err: unknown) => {
          delivery.error = err instanceof Error ? err.message : String(err);
        },
      )
      .then(() => {
        delivery.durationMs = Date.now() - started;
        this.inFlight.delete(settled);
        const level = delivery.error !== null || (delivery.httpStatus ?? 0) >= 300 ? 'info' : 'debug';
        this.deps.log[level](
          {
            eventId,
            type,
            objectId: delivery.objectId,
            httpStatus: delivery.httpStatus,
            error: delivery.error,
          },
          'provider-sandbox stripe webhook delivered',
        );
        return { ...delivery };
      });
    this.inFlight.add(settled);
    return settled;
  }
}
