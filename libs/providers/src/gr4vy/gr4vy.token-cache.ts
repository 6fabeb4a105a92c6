/**
 * A cached Gr4vy bearer token. Signing an ES512 JWT costs ~2 ms of CPU, so the
 * adapter signs once and reuses the token until it nears its expiry.
 */

/** Signs a token; the SDK's `getToken` in production, a spy in tests. */
export type Gr4vyTokenSigner = (options: {
  privateKey: string;
  scopes: string[];
  expiresIn: `${number}s`;
}) => Promise<string>;

export interface Gr4vyTokenCacheOptions {
  privateKeyPem: string;
  scopes: string[];
  ttlSeconds: number;
  sign: Gr4vyTokenSigner;
  /** Milliseconds since the epoch; injectable for tests. */
  now?: () => number;
}

/**
 * Re-signs when less than min(60 s, 20% of the TTL) of lifetime remains, so a
 * token never reaches Gr4vy about to expire, and a short TTL still gets reused.
 * Concurrent callers during a refresh share one in-flight signing promise; a
 * failed signing is not cached (the next caller tries again).
 */
export class Gr4vyTokenCache {
  private current?: { token: string; expiresAtMs: number };
  private inflight?: Promise<string>;
  private readonly now: () => number;
  private readonly ttlMs: number;
  readonly refreshMarginMs: number;

  constructor(private readonly options: Gr4vyTokenCacheOptions) {
    this.now = options.now ?? Date.now;
    this.ttlMs = options.ttlSeconds * 1000;
    this.refreshMarginMs = Math.min(60_000, this.ttlMs * 0.2);
  }

  get(): Promise<string> {
    const current = this.current;
    if (current && current.expiresAtMs - this.now() > this.refreshMarginMs) {
      return Promise.resolve(current.token);
    }
    return this.inflight ?? this.refresh();
  }

  /** Forget the cached token (e.g. after Gr4vy answered 401). */
  invalidate(): void {
    this.current = undefined;
  }

  private refresh(): Promise<string> {
    // The JWT's `iat` is whole seconds, floored: count the lifetime from the
    // start of the current second so the local expiry is never later than `exp`.
    const startedAtMs = Math.floor(this.now() / 1000) * 1000;
    const pending = this.options
      .sign({
        privateKey: this.options.privateKeyPem,
        scopes: [...this.options.scopes],
        expiresIn: `${this.options.ttlSeconds}s`,
      })
      .then((token) => {
        this.current = { token, expiresAtMs: startedAtMs + this.ttlMs };
        return token;
      });
    this.inflight = pending;
    const settle = (): void => {
      if (this.inflight === pending) this.inflight = undefined;
    };
    pending.then(settle, settle);
    return pending;
  }
}
