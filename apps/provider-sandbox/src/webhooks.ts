import { createHmac, randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { TransactionView } from './gr4vy/state';
import { WebhookTransport } from './webhook-transport';

/**
 * Gr4vy-style signed webhooks.
 *
 * Each event is one POST to the configured URL:
 *
 *   body     {"type":"event","id":"<uuid>","created_at":"<iso>","target":{...the transaction}}
 *            slim: {"type":"event",...,"target":{"type":"transaction","id":"<tx id>"}}
 *   headers  content-type: application/json
 *            x-gr4vy-webhook-id: <event id>
 *            x-gr4vy-webhook-timestamp: <unix seconds>
 *            x-gr4vy-webhook-signatures: <hex HMAC-SHA256 of `${timestamp}.${rawBody}` under the secret>
 *
 * Deliveries triggered by transactions are asynchronous (never delay the API
 * response), time out after `timeoutMs` (default 3 s) and are never retried.
 * Every delivery is recorded (the last MAX_DELIVERIES).
 */

/** components/schemas/TransactionStatus */
export const TRANSACTION_STATUSES = [
  'processing',
  'authorization_succeeded',
  'authorization_declined',
  'authorization_failed',
  'authorization_voided',
  'authorization_void_pending',
  'capture_succeeded',
  'capture_pending',
  'buyer_approval_pending',
] as const;

export const DEFAULT_WEBHOOK_TIMEOUT_MS = 3000;
const MAX_DELIVERIES = 1000;
const MAX_EVENT_ID = 255;

export interface WebhookSettings {
  /** http(s) URL the events are POSTed to. */
  url: string;
  /** HMAC-SHA256 key of `X-Gr4vy-Webhook-Signatures`. */
  secret: string;
  /** Send `target: {type, id}` only (the receiver re-fetches the transaction). Default false. */
  slim?: boolean;
}

/** The configuration as shown to clients: never the secret itself. */
export interface WebhookConfigView {
  url: string | null;
  secretSet: boolean;
  slim: boolean;
  timeoutMs: number;
}

export interface WebhookDelivery {
  /** Event id (body `id` and `X-Gr4vy-Webhook-ID`). Not unique when an id was replayed on purpose. */
  id: string;
  /** `X-Gr4vy-Webhook-Timestamp` (unix seconds). */
  timestamp: number;
  /** Body `created_at`. */
  createdAt: string;
  transactionId: string;
  /** The status the event carries (for slim events: the stored status when it was sent). */
  status: string;
  slim: boolean;
  /** `transaction` (created or changed status) or `admin` (POST /__sandbox/webhooks/send). */
  trigger: 'transaction' | 'admin';
  url: string;
  /** When the POST started. */
  sentAt: string;
  /** The receiver's HTTP status; null while in flight or when no response came. */
  httpStatus: number | null;
  /** Transport problem (connection refused, timeout, ...); null otherwise. */
  error: string | null;
  /** null while in flight. */
  durationMs: number | null;
}

export interface SendWebhookOptions {
  transactionId: string;
  /** Status to put in the event instead of the stored one (the stored transaction is not changed). */
  status?: string;
  slim?: boolean;
  /** Event id to use (e.g. to replay an earlier event). */
  eventId?: string;
  /** Unix seconds to sign with and send (e.g. to send a stale event). */
  timestamp?: number;
}

export class WebhookConfigError extends Error {
  override readonly name = 'WebhookConfigError';
}

/** The admin send could not be done: `status` is the HTTP status the admin API answers. */
export class WebhookSendError extends Error {
  override readonly name = 'WebhookSendError';

  constructor(
    readonly status: 400 | 404 | 409 | 503,
    message: string,
  ) {
    super(message);
  }
}

/** Hex HMAC-SHA256 of `${timestamp}.${rawBody}`: one entry of `X-Gr4vy-Webhook-Signatures`. */
export function signWebhook(secret: string, timestamp: number, rawBody: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex');
}

/** Checks url/secret (both or neither); returns null for "no webhooks". */
export function checkWebhookSettings(
  url: unknown,
  secret: unknown,
  slim: unknown,
  names = { url: 'url', secret: 'secret', slim: 'slim' },
): WebhookSettings | null {
  const noUrl = url === undefined || url === null;
  const noSecret = secret === undefined || secret === null;
  if (noUrl && noSecret) return null;
  if (noUrl || noSecret)
    throw new WebhookConfigError(`set both ${names.url} and ${names.secret}, or neither`);
  if (typeof url !== 'string' || !isHttpUrl(url)) {
    throw new WebhookConfigError(`${names.url} must be an http or https URL`);
  }
  if (typeof secret !== 'string' || secret.length === 0) {
    throw new WebhookConfigError(`${names.secret} must be a non-empty string`);
  }
  if (slim !== undefined && slim !== null && typeof slim !== 'boolean') {
    throw new WebhookConfigError(`${names.slim} must be a boolean`);
  }
  return { url, secret, slim: slim === true };
}

export function isHttpUrl(value: string): boolean {
  try {
    const parsed = new URL(value);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:';
  } catch {
    return false;
  }
}

export interface WebhookDispatcherDeps {
  /** The stored transaction, for admin sends. */
  findTransaction(id: string): TransactionView | undefined;
  log: FastifyBaseLogger;
  timeoutMs?: number;
}

/** What the sandbox exposes to tests (RunningSandbox.webhooks). */
export interface WebhookController {
  /** Sets the receiver (replaces any previous one). Throws WebhookConfigError on bad input. */
  configure(settings: WebhookSettings): WebhookConfigView;
  /** Stops sending events. */
  disable(): void;
  readonly config: WebhookConfigView;
  /** A snapshot of the recorded deliveries, oldest first (the last 1,000). */
  readonly deliveries: WebhookDelivery[];
  clearDeliveries(): void;
  /** Sends an event for a stored transaction now and resolves with its delivery record. */
  send(options: SendWebhookOptions): Promise<WebhookDelivery>;
  /** Resolves once every delivery in flight has finished. */
  idle(): Promise<void>;
}

export class WebhookDispatcher implements WebhookController {
  private settings: WebhookSettings | null = null;
  private readonly log: WebhookDelivery[] = [];
  private readonly inFlight = new Set<Promise<WebhookDelivery>>();
  private readonly transport: WebhookTransport;
  private closed = false;
  readonly timeoutMs: number;

  constructor(private readonly deps: WebhookDispatcherDeps) {
    this.timeoutMs = deps.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
    this.transport = new WebhookTransport(this.timeoutMs);
  }

  configure(settings: WebhookSettings): WebhookConfigView {
    const checked = checkWebhookSettings(settings.url, settings.secret, settings.slim);
    if (checked === null) throw new WebhookConfigError('set both url and secret');
    this.settings = checked;
    return this.config;
  }

  disable(): void {
    this.settings = null;
  }

  get config(): WebhookConfigView {
    return {
      url: this.settings?.url ?? null,
      secretSet: this.settings !== null,
      slim: this.settings?.slim ?? false,
      timeoutMs: this.timeoutMs,
    };
  }

  get deliveries(): WebhookDelivery[] {
    return this.log.map((d) => ({ ...d }));
  }

  clearDeliveries(): void {
    this.log.length = 0;
  }

  /** A transaction was created or changed status: sends its event in the background (if configured). */
  transactionChanged(transaction: TransactionView): void {
    const settings = this.settings;
    if (settings === null || this.closed) return;
    // Snapshot now: the event describes the transaction as it is at this moment.
    const snapshot = { ...transaction };
    setImmediate(() => {
      if (this.closed) return;
      void this.deliver(settings, snapshot, { slim: settings.slim === true, trigger: 'transaction' });
    });
  }

  async send(options: SendWebhookOptions): Promise<WebhookDelivery> {
    const settings = this.settings;
    if (this.closed) throw new WebhookSendError(503, 'the sandbox is closing');
    if (settings === null) {
      throw new WebhookSendError(409, 'no webhook receiver configured (PUT /__sandbox/webhooks first)');
    }
    const transaction = this.deps.findTransaction(options.transactionId.toLowerCase());
    if (!transaction) throw new WebhookSendError(404, `no transaction ${options.transactionId}`);
    const slim = options.slim ?? settings.slim === true;
    if (slim && options.status !== undefined) {
      throw new WebhookSendError(400, 'status cannot be overridden in a slim event (it carries no status)');
    }
    return this.deliver(settings, transaction, {
      slim,
      status: options.status,
      eventId: options.eventId,
      timestamp: options.timestamp,
      trigger: 'admin',
    });
  }

  async idle(): Promise<void> {
    // Deliveries are started on the next turn of the event loop; let those start first.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Drops deliveries in flight and refuses new ones. */
  close(): void {
    this.closed = true;
    this.transport.close();
  }

  private deliver(
    settings: WebhookSettings,
    transaction: TransactionView,
    options: {
      slim: boolean;
      trigger: WebhookDelivery['trigger'];
      status?: string;
      eventId?: string;
      timestamp?: number;
    },
  ): Promise<WebhookDelivery> {
    const started = Date.now();
    const eventId = options.eventId ?? randomUUID();
    const timestamp = options.timestamp ?? Math.floor(started / 1000);
    const createdAt = new Date(options.timestamp !== undefined ? timestamp * 1000 : started).toISOString();
    const status = options.status ?? transaction.status;
    const target = options.slim ? { type: 'transaction', id: transaction.id } : { ...transaction, status };
    const body = JSON.stringify({ type: 'event', id: eventId, created_at: createdAt, target });
    const delivery: WebhookDelivery = {
      id: eventId,
      timestamp,
      createdAt,
      transactionId: transaction.id,
      status,
      slim: options.slim,
      trigger: options.trigger,
      url: settings.url,
      sentAt: new Date(started).toISOString(),
      httpStatus: null,
      error: null,
      durationMs: null,
    };
    this.record(delivery);

    const headers = {
      'content-type': 'application/json',
      'user-agent': 'provider-sandbox-webhooks',
      'x-gr4vy-webhook-id': eventId,
      'x-gr4vy-webhook-timestamp': String(timestamp),
      'x-gr4vy-webhook-signatures': signWebhook(settings.secret, timestamp, body),
    };
    const promise = this.transport.post(settings.url, headers, body).then(
      (httpStatus) => {
        delivery.httpStatus = httpStatus;
        return delivery;
      },
      (err: unknown) => {
        delivery.error = err instanceof Error ? err.message : String(err);
        return delivery;
      },
    );
    const settled = promise.then((d) => {
      d.durationMs = Date.now() - started;
      this.inFlight.delete(settled);
      const level = d.error !== null || (d.httpStatus ?? 0) >= 300 ? 'info' : 'debug';
      this.deps.log[level](
        {
          eventId: d.id,
          transactionId: d.transactionId,
          status: d.status,
          httpStatus: d.httpStatus,
          error: d.error,
        },
        'provider-sandbox webhook delivered',
      );
      return { ...d };
    });
    this.inFlight.add(settled);
    return settled;
  }

  private record(delivery: WebhookDelivery) {
    this.log.push(delivery);
    if (this.log.length > MAX_DELIVERIES) this.log.splice(0, this.log.length - MAX_DELIVERIES);
  }
}

/** Validates the body of POST /__sandbox/webhooks/send. */
export function parseSendOptions(body: unknown): SendWebhookOptions {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new WebhookSendError(400, 'body must be a JSON object');
  }
  const input = body as Record<string, unknown>;
  const allowed = new Set(['transactionId', 'status', 'slim', 'eventId', 'timestamp']);
  for (const key of Object.keys(input)) {
    if (!allowed.has(key)) throw new WebhookSendError(400, `unknown field ${key}`);
  }
  const { transactionId, status, slim, eventId, timestamp } = input;
  if (typeof transactionId !== 'string' || transactionId.length === 0) {
    throw new WebhookSendError(400, 'transactionId must be a non-empty string');
  }
  const options: SendWebhookOptions = { transactionId };
  if (slim !== undefined && slim !== null) {
    if (typeof slim !== 'boolean') throw new WebhookSendError(400, 'slim must be a boolean');
    options.slim = slim;
  }
  if (status !== undefined && status !== null) {
    if (typeof status !== 'string' || !(TRANSACTION_STATUSES as readonly string[]).includes(status)) {
      throw new WebhookSendError(400, `status must be one of ${TRANSACTION_STATUSES.join(', ')}`);
    }
    options.status = status;
  }
  if (eventId !== undefined && eventId !== null) {
    if (typeof eventId !== 'string' || !/^[\x21-\x7e]+$/.test(eventId) || eventId.length > MAX_EVENT_ID) {
      throw new WebhookSendError(
        400,
        `eventId must be 1 to ${MAX_EVENT_ID} visible ASCII characters (it is sent as a header)`,
      );
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
