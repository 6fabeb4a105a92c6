import { readFileSync } from 'node:fs';
import type { EnvReader } from '@app/common';
import type { AdapterDefinition } from '../adapter-definition';
import { Gr4vyAdapterConfig, Gr4vyProvider } from './gr4vy.provider';

/**
 * Gr4vy's settings: GR4VY_ID, GR4VY_ENVIRONMENT, GR4VY_SERVER_URL,
 * GR4VY_PRIVATE_KEY_FILE or GR4VY_PRIVATE_KEY, GR4VY_MERCHANT_ACCOUNT_ID; for the hosted
 * page and payments GR4VY_SECURE_FIELDS_URL, GR4VY_TRANSACTION_INTENT, GR4VY_WEBHOOK_SECRET and
 * GR4VY_WEBHOOK_TOLERANCE_SECONDS.
 * The adapter is configured when GR4VY_ID or a key is present.
 */
export const gr4vyAdapter: AdapterDefinition<Gr4vyAdapterConfig> = {
  kind: 'gr4vy',
  readConfig(env: EnvReader): Gr4vyAdapterConfig | null {
    const gr4vyId = env.string('GR4VY_ID');
    const keyFile = env.string('GR4VY_PRIVATE_KEY_FILE');
    let privateKeyPem = env.string('GR4VY_PRIVATE_KEY')?.replace(/\\n/g, '\n');
    if (!gr4vyId && !keyFile && !privateKeyPem) return null;
    if (!privateKeyPem && keyFile) {
      try {
        privateKeyPem = readFileSync(keyFile, 'utf8');
      } catch {
        env.problem(`GR4VY_PRIVATE_KEY_FILE cannot be read: ${keyFile}`);
      }
    }
    if (!privateKeyPem)
      env.problem('GR4VY_PRIVATE_KEY_FILE or GR4VY_PRIVATE_KEY is required when GR4VY_ID is set');
    else if (!privateKeyPem.includes('PRIVATE KEY-----')) {
      env.problem('GR4VY_PRIVATE_KEY / GR4VY_PRIVATE_KEY_FILE must hold a PEM private key');
    }
    if (!gr4vyId) env.problem('GR4VY_ID is required when a Gr4vy private key is set');
    return {
      gr4vyId: gr4vyId ?? '',
      environment: env.oneOf('GR4VY_ENVIRONMENT', ['sandbox', 'production'] as const, 'sandbox'),
      serverUrl: env.url('GR4VY_SERVER_URL', ['https:', 'http:']),
      privateKeyPem: privateKeyPem ?? '',
      defaultMerchantAccountId: env.string('GR4VY_MERCHANT_ACCOUNT_ID'),
      secureFieldsUrl: env.url('GR4VY_SECURE_FIELDS_URL', ['https:', 'http:']),
      transactionIntent: env.oneOf(
        'GR4VY_TRANSACTION_INTENT',
        ['authorize', 'capture'] as const,
        'authorize',
      ),
      webhookSecret: webhookSecret(env),
      webhookToleranceSeconds: env.int('GR4VY_WEBHOOK_TOLERANCE_SECONDS', 300, 10, 3600),
    };
  },
  create: (config) => new Gr4vyProvider(config),
};

function webhookSecret(env: EnvReader): string | undefined {
  const secret = env.string('GR4VY_WEBHOOK_SECRET');
  if (secret !== undefined && Buffer.byteLength(secret) < 16)
    env.problem('GR4VY_WEBHOOK_SECRET must be at least 16 bytes');
  return secret;
}
