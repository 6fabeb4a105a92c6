export type ProviderKind = 'gr4vy' | 'stripe';

export type FaultMode = 'status' | 'timeout' | 'reset' | 'latency';

/**
 * One fault-injection rule. Every criterion that is set must match; unset
 * criteria match anything.
 */
export interface FaultRule {
  provider?: ProviderKind;
  /** Exact request path (no query), e.g. '/checkout/sessions', or a route pattern such as '/checkout/sessions/:session_id'. */
  path?: string;
  /** HTTP method, e.g. 'POST'. Extension: not in the original brief. */
  method?: string;
  /** Gr4vy: matches the body's payment_service_id (for POST /transactions also the checkout session's). */
  paymentServiceId?: string;
  /** Stripe: matches the secret key from the Authorization header, or the Stripe-Account header. */
  stripeAccount?: string;
  mode: FaultMode;
  /** For mode 'status': the HTTP status to answer with (400..599). */
  status?: number;
  /** For mode 'latency' (required) and 'status' (optional): delay before acting. */
  latencyMs?: number;
  /** For status 429/503: Retry-After seconds (default 1). */
  retryAfterSeconds?: number;
  /** Apply to the next N matching requests, then drop the rule. Absent: until cleared. */
  remaining?: number;
}

/** A rule as stored: with its id and how many applications are left. */
export interface ActiveFaultRule extends FaultRule {
  id: string;
  /** How many times the rule has been applied so far. */
  applied: number;
}

export interface RecordedOutcome {
  /** HTTP status sent, or null when none was (timeout, reset, or still in flight). */
  status: number | null;
  /** The fault applied, if any (latency faults are listed too). */
  fault: FaultMode | null;
  faultId: string | null;
  /** True when an idempotent replay answered the request. */
  replayed: boolean;
  /** True when the client went away before the response was sent. */
  aborted: boolean;
}

export interface RecordedRequest {
  id: number;
  provider: ProviderKind;
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  /** Request headers; `authorization` is redacted to its scheme. */
  headers: Record<string, string | string[] | undefined>;
  /** Parsed body (JSON, or decoded form). Card numbers and security codes are masked. */
  body: unknown;
  receivedAt: string;
  outcome: RecordedOutcome;
}

export interface RequestFilter {
  provider?: ProviderKind;
  path?: string;
  method?: string;
}

export interface SandboxOptions {
  /** 0 = random free port. Default 0. */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** SPKI public key PEM (a PKCS#8 private key PEM is accepted too); when set, Gr4vy JWTs are verified (ES512). */
  gr4vyPublicKeyPem?: string;
  /** Delay added to every provider request. */
  latencyMs?: number;
  faults?: FaultRule[];
  /** Fastify/pino level; default 'warn'. */
  logLevel?: string;
  /** Where signed Gr4vy-style webhooks are POSTed (set with webhookSecret, or neither). */
  webhookUrl?: string;
  /** HMAC-SHA256 key of X-Gr4vy-Webhook-Signatures. */
  webhookSecret?: string;
  /** Send slim events (`target: {type, id}` only). Default false. */
  webhookSlim?: boolean;
  /** Per-delivery timeout; default 3000. */
  webhookTimeoutMs?: number;
}
