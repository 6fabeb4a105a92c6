import { createRemoteJWKSet, jwtVerify, JWTVerifyGetKey, JWTVerifyOptions } from 'jose';

export interface JwtVerifierConfig {
  /** HS256 shared secret. */
  secret?: string;
  /** JWKS endpoint for RS256 / ES256 keys. */
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
  clockToleranceSeconds: number;
}

export interface VerifiedPrincipal {
  merchantId: string;
}

export class InvalidTokenError extends Error {
  constructor(readonly reason: string) {
    super(`invalid token: ${reason}`);
    this.name = 'InvalidTokenError';
  }
}

const MERCHANT_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

/**
 * Verifies merchant bearer tokens. Only the algorithms of the configured key
 * source are accepted, so `alg: none` and algorithm confusion are refused;
 * `exp` is required, `exp`/`nbf` are enforced, and `sub` names the merchant.
 */
export class JwtVerifier {
  private readonly verifyWithSecret?: (token: string) => Promise<unknown>;
  private readonly verifyWithJwks?: (token: string) => Promise<unknown>;

  constructor(config: JwtVerifierConfig) {
    if (!config.secret && !config.jwksUrl) throw new Error('JwtVerifier needs a secret or a JWKS URL');
    const common: JWTVerifyOptions = {
      issuer: config.issuer,
      audience: config.audience,
      clockTolerance: config.clockToleranceSeconds,
      requiredClaims: ['exp', 'sub'],
    };
    if (config.secret) {
      const key = new TextEncoder().encode(config.secret);
      this.verifyWithSecret = async (token) =>
        (await jwtVerify(token, key, { ...common, algorithms: ['HS256'] })).payload;
    }
    if (config.jwksUrl) {
      const jwks: JWTVerifyGetKey = createRemoteJWKSet(new URL(config.jwksUrl), {
        timeoutDuration: 2000,
        cooldownDuration: 30_000,
      });
      this.verifyWithJwks = async (token) =>
        (await jwtVerify(token, jwks, { ...common, algorithms: ['RS256', 'ES256'] })).payload;
    }
  }

  async verify(token: string): Promise<VerifiedPrincipal> {
    const alg = headerAlg(token);
    const verify = alg === 'HS256' ? this.verifyWithSecret : this.verifyWithJwks;
    if (!verify) throw new InvalidTokenError(`algorithm ${alg ?? 'unknown'} not accepted`);
    let payload: unknown;
    try {
      payload = await verify(token);
    } catch (error) {
      throw new InvalidTokenError(error instanceof Error ? error.name : 'verification failed');
    }
    const sub = (payload as { sub?: unknown }).sub;
    if (typeof sub !== 'string' || !MERCHANT_ID.test(sub))
      throw new InvalidTokenError('sub is not a merchant id');
    return { merchantId: sub };
  }
}

function headerAlg(token: string): string | undefined {
  const dot = token.indexOf('.');
  if (dot <= 0) return undefined;
  try {
    const header: unknown = JSON.parse(Buffer.from(token.slice(0, dot), 'base64url').toString('utf8'));
    const alg = (header as { alg?: unknown }).alg;
    return typeof alg === 'string' ? alg : undefined;
  } catch {
    return undefined;
  }
}
