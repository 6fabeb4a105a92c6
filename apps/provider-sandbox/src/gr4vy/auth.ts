import { createPublicKey, type KeyObject } from 'node:crypto';
import { errors as joseErrors, jwtVerify } from 'jose';

/**
 * Gr4vy bearer-token checks.
 *
 * With a public key: the token must be an ES512 JWT signed by that key, within
 * its nbf/exp window, and its `scopes` claim must grant one of the scopes the
 * operation lists in the OpenAPI `security` section. A scope `x.write` is also
 * granted by the wildcard `*.write` (likewise `*.read`).
 *
 * Note on the document: POST /transactions lists ['transactions.write', 'embed'];
 * Gr4vy accepts either (server tokens carry `*.write`, Embed tokens carry
 * `embed`), so a list is read as "any of".
 *
 * Verified tokens are cached (bounded), so a client that reuses a token pays
 * for one signature check only; rejections for bad signatures are cached too.
 */

export type AuthOutcome = { ok: true } | { ok: false; status: 401 | 403; message: string };

interface CachedToken {
  scopes: readonly string[] | null;
  exp?: number;
  nbf?: number;
  /** Set when the token can never be valid (bad signature, algorithm, format, expired). */
  rejected?: string;
}

const CACHE_CAPACITY = 10_000;
const ES512_CURVE = 'secp521r1';

export class Gr4vyKeyError extends Error {
  override readonly name = 'Gr4vyKeyError';
}

/** Imports an SPKI public key PEM (or derives it from a PKCS#8/SEC1 private key PEM); must be P-521 for ES512. */
export function importGr4vyKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (err) {
    throw new Gr4vyKeyError(`not a usable PEM key (${err instanceof Error ? err.message : String(err)})`);
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== ES512_CURVE) {
    throw new Gr4vyKeyError(
      `ES512 needs an EC P-521 key; got ${key.asymmetricKeyType ?? 'unknown'}${
        key.asymmetricKeyDetails?.namedCurve ? ` (${key.asymmetricKeyDetails.namedCurve})` : ''
      }`,
    );
  }
  return key;
}

export function scopeGranted(granted: readonly string[], required: readonly string[]): boolean {
  if (required.length === 0) return true;
  for (const scope of required) {
    if (granted.includes(scope)) return true;
    const dot = scope.lastIndexOf('.');
    if (dot > 0 && granted.includes(`*${scope.slice(dot)}`)) return true;
  }
  return false;
}

function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const space = header.indexOf(' ');
  if (space <= 0) return null;
  if (header.slice(0, space).toLowerCase() !== 'bearer') return null;
  const token = header.slice(space + 1).trim();
  return token.length > 0 ? token : null;
}

const UNAUTHORIZED = 'No valid API authentication found';

export class Gr4vyAuthenticator {
  private readonly cache = new Map<string, CachedToken>();

  constructor(private readonly key: KeyObject | null) {}

  get verifiesSignatures(): boolean {
    return this.key !== null;
  }

  async authorize(
    authorization: string | undefined,
    requiredScopes: readonly string[],
  ): Promise<AuthOutcome> {
    const token = bearerToken(authorization);
    if (token === null) return { ok: false, status: 401, message: UNAUTHORIZED };
    if (this.key === null) return { ok: true };

    let entry = this.cache.get(token);
    if (entry === undefined) {
      entry = await this.verify(token, this.key);
      if (entry.rejected !== undefined || entry.exp !== undefined) this.remember(token, entry);
    }
    if (entry.rejected !== undefined) return { ok: false, status: 401, message: entry.rejected };
    const now = Math.floor(Date.now() / 1000);
    if (entry.exp !== undefined && now >= entry.exp) {
      return { ok: false, status: 401, message: `${UNAUTHORIZED}: token expired` };
    }
    if (entry.nbf !== undefined && now < entry.nbf) {
      return { ok: false, status: 401, message: `${UNAUTHORIZED}: token not yet valid` };
    }
    if (!scopeGranted(entry.scopes ?? [], requiredScopes)) {
      return {
        ok: false,
        status: 403,
        message: `Missing required scope: ${requiredScopes.join(' or ')}`,
      };
    }
    return { ok: true };
  }

  private remember(token: string, entry: CachedToken) {
    if (this.cache.size >= CACHE_CAPACITY) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(token, entry);
  }

  private async verify(token: string, key: KeyObject): Promise<CachedToken> {
    try {
      // Timing is re-checked on every use from the cached exp/nbf; here jose
      // checks signature, algorithm, format and the times at first sight.
      const { payload } = await jwtVerify(token, key, { algorithms: ['ES512'], requiredClaims: ['exp'] });
      const scopes = Array.isArray(payload.scopes)
        ? payload.scopes.filter((s): s is string => typeof s === 'string')
        : null;
      return { scopes, exp: payload.exp, nbf: payload.nbf };
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) {
        return { scopes: null, rejected: `${UNAUTHORIZED}: token expired` };
      }
      if (err instanceof joseErrors.JWTClaimValidationFailed && err.claim === 'nbf') {
        // Not valid yet, but it may become valid: do not cache as rejected.
        return { scopes: null, nbf: Number.MAX_SAFE_INTEGER };
      }
      if (err instanceof joseErrors.JOSEAlgNotAllowed) {
        return { scopes: null, rejected: `${UNAUTHORIZED}: algorithm not allowed (ES512 only)` };
      }
      if (err instanceof joseErrors.JWSSignatureVerificationFailed) {
        return { scopes: null, rejected: `${UNAUTHORIZED}: signature verification failed` };
      }
      return {
        scopes: null,
        rejected: `${UNAUTHORIZED}: ${err instanceof Error ? err.message : 'invalid token'}`,
      };
    }
  }
}
