import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';

export const TEST_JWT_SECRET = randomBytes(32).toString('base64url');

export async function merchantToken(
  merchantId: string,
  options: {
    secret?: string;
    expiresIn?: string;
    notBefore?: string;
    issuer?: string;
    audience?: string;
  } = {},
): Promise<string> {
  let jwt = new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(merchantId).setIssuedAt();
  jwt = jwt.setExpirationTime(options.expiresIn ?? '10m');
  if (options.notBefore) jwt = jwt.setNotBefore(options.notBefore);
  if (options.issuer) jwt = jwt.setIssuer(options.issuer);
  if (options.audience) jwt = jwt.setAudience(options.audience);
  return jwt.sign(new TextEncoder().encode(options.secret ?? TEST_JWT_SECRET));
}

/** An ES512 (P-521) key pair as Gr4vy issues them: the app signs, the sandbox verifies. */
export function gr4vyKeyPair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp521r1' });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}
