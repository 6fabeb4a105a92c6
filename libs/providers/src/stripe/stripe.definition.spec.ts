import { ConfigError, EnvReader } from '@app/common';
import { stripeAdapter } from './stripe.definition';
import { StripeProvider } from './stripe.provider';

const KEY_AU = 'sk_test_au_0123456789';
const KEY_US = 'rk_test_us_9876543210';
const DEFAULT_KEY = 'sk_test_default_42';

/** readConfig, then the reader's verdict: the config, or every problem it reported. */
function read(env: Record<string, string | undefined>) {
  const reader = new EnvReader(env);
  const config = stripeAdapter.readConfig(reader);
  let problems: string[] = [];
  try {
    reader.done();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems = error.problems;
  }
  return { config, problems };
}

describe('stripeAdapter', () => {
  it('has kind "stripe" and builds a StripeProvider', () => {
    expect(stripeAdapter.kind).toBe('stripe');
    const provider = stripeAdapter.create({ secretKeys: {}, defaultSecretKey: DEFAULT_KEY });
    expect(provider).toBeInstanceOf(StripeProvider);
    expect(provider.kind).toBe('stripe');
  });

  describe('readConfig', () => {
    it('returns null (not configured) when neither STRIPE_SECRET_KEY nor STRIPE_SECRET_KEY_ENVS is set', () => {
      expect(read({}).config).toBeNull();
      expect(read({ STRIPE_API_BASE: 'http://127.0.0.1:4010', STRIPE_SECRET_KEY: '  ' }).config).toBeNull();
    });

    it('reads STRIPE_SECRET_KEY alone as the default key (also nameable as secretKeyEnv)', () => {
      const { config, problems } = read({ STRIPE_SECRET_KEY: DEFAULT_KEY });
      expect(problems).toEqual([]);
      expect(config).toEqual({
        apiBase: undefined,
        secretKeys: { STRIPE_SECRET_KEY: DEFAULT_KEY },
        defaultSecretKey: DEFAULT_KEY,
        webhookSecrets: {},
        webhookToleranceSeconds: 300,
        transactionIntent: 'authorize',
      });
    });

    it('reads every variable listed in STRIPE_SECRET_KEY_ENVS, and STRIPE_API_BASE', () => {
      const { config, problems } = read({
        STRIPE_SECRET_KEY_ENVS: ' STRIPE_SECRET_KEY_AU , STRIPE_SECRET_KEY_US,',
        STRIPE_SECRET_KEY_AU: KEY_AU,
        STRIPE_SECRET_KEY_US: KEY_US,
        STRIPE_SECRET_KEY_UNLISTED: 'sk_test_not_read',
        STRIPE_API_BASE: 'http://127.0.0.1:4010',
      });
      expect(problems).toEqual([]);
      expect(config).toEqual({
        apiBase: 'http://127.0.0.1:4010',
        secretKeys: { STRIPE_SECRET_KEY_AU: KEY_AU, STRIPE_SECRET_KEY_US: KEY_US },
        defaultSecretKey: undefined,
        webhookSecrets: {},
        webhookToleranceSeconds: 300,
        transactionIntent: 'authorize',
      });
    });

    it('combines the default key with the listed ones', () => {
      const { config } = read({
        STRIPE_SECRET_KEY: DEFAULT_KEY,
        STRIPE_SECRET_KEY_ENVS: 'STRIPE_SECRET_KEY_AU,STRIPE_SECRET_KEY',
        STRIPE_SECRET_KEY_AU: KEY_AU,
      });
      expect(config?.secretKeys).toEqual({ STRIPE_SECRET_KEY: DEFAULT_KEY, STRIPE_SECRET_KEY_AU: KEY_AU });
      expect(config?.defaultSecretKey).toBe(DEFAULT_KEY);
    });

    it('reports a listed variable that is not set', () => {
      const { problems } = read({
        STRIPE_SECRET_KEY_ENVS: 'STRIPE_SECRET_KEY_AU,STRIPE_SECRET_KEY_US',
        STRIPE_SECRET_KEY_AU: KEY_AU,
      });
      expect(problems).toEqual(['STRIPE_SECRET_KEY_US (listed in STRIPE_SECRET_KEY_ENVS) is not set']);
    });

    it('reports a key with a bad prefix without printing the key', () => {
      const publishable = 'pk_test_publishable_123';
      const { problems } = read({
        STRIPE_SECRET_KEY: 'whsec_not_a_key_456',
        STRIPE_SECRET_KEY_ENVS: 'STRIPE_SECRET_KEY_AU',
        STRIPE_SECRET_KEY_AU: publishable,
      });
      expect(problems).toHaveLength(2);
      expect(problems[0]).toMatch(/^STRIPE_SECRET_KEY must hold a Stripe secret key/);
      expect(problems[1]).toMatch(/^STRIPE_SECRET_KEY_AU must hold a Stripe secret key/);
      const text = problems.join('\n');
      expect(text).not.toContain(publishable);
      expect(text).not.toContain('whsec_not_a_key_456');
    });

    it('reports a listed name that is not STRIPE_SECRET_KEY_*, and does not print one that looks like a key', () => {
      const { problems } = read({
        STRIPE_SECRET_KEY_ENVS: 'DATABASE_URL,sk_live_pasted_by_mistake',
        DATABASE_URL: 'postgres://secret',
      });
      expect(problems).toEqual([
        'STRIPE_SECRET_KEY_ENVS: "DATABASE_URL" is not a variable named STRIPE_SECRET_KEY_*',
        'STRIPE_SECRET_KEY_ENVS: entry 2 is not a variable named STRIPE_SECRET_KEY_*',
      ]);
    });

    it('reports an empty list and an unusable STRIPE_API_BASE', () => {
      const { problems } = read({
        STRIPE_SECRET_KEY_ENVS: ' , ',
        STRIPE_API_BASE: 'http://127.0.0.1:4010/v1',
      });
      expect(problems).toHaveLength(2);
      expect(problems[0]).toMatch(/STRIPE_SECRET_KEY_ENVS must list/);
      expect(problems[1]).toMatch(/^STRIPE_API_BASE must be a bare origin/);
    });
  });

  describe('webhook secrets', () => {
    const WEBHOOK_DEFAULT = 'whsec_default_0123456789';
    const WEBHOOK_AU = 'whsec_account_au_0123456789';

    it('reads STRIPE_WEBHOOK_SECRET, the variables listed in STRIPE_WEBHOOK_SECRET_ENVS and the tolerance', () => {
      const { config, problems } = read({
        STRIPE_SECRET_KEY: DEFAULT_KEY,
        STRIPE_WEBHOOK_SECRET: WEBHOOK_DEFAULT,
        STRIPE_WEBHOOK_SECRET_ENVS: ' STRIPE_WEBHOOK_SECRET_AU , STRIPE_WEBHOOK_SECRET',
        STRIPE_WEBHOOK_SECRET_AU: WEBHOOK_AU,
        STRIPE_WEBHOOK_SECRET_UNLISTED: 'whsec_not_read_0123456789',
        STRIPE_WEBHOOK_TOLERANCE_SECONDS: '120',
      });
      expect(problems).toEqual([]);
      expect(config?.webhookSecrets).toEqual({
        STRIPE_WEBHOOK_SECRET: WEBHOOK_DEFAULT,
        STRIPE_WEBHOOK_SECRET_AU: WEBHOOK_AU,
      });
      expect(config?.webhookToleranceSeconds).toBe(120);
    });

    it('reports a secret that is not whsec_…, a listed variable that is unset or misnamed, without printing values', () => {
      const pasted = 'sk_test_pasted_by_mistake';
      const { problems } = read({
        STRIPE_SECRET_KEY: DEFAULT_KEY,
        STRIPE_WEBHOOK_SECRET: pasted,
        STRIPE_WEBHOOK_SECRET_ENVS: 'STRIPE_WEBHOOK_SECRET_AU,STRIPE_SECRET_KEY,whsec_pasted_0123456789',
        STRIPE_WEBHOOK_TOLERANCE_SECONDS: '0',
      });
      expect(problems).toEqual([
        'STRIPE_WEBHOOK_SECRET must hold a Stripe webhook signing secret (whsec_…)',
        'STRIPE_WEBHOOK_SECRET_ENVS: "STRIPE_SECRET_KEY" is not a variable named STRIPE_WEBHOOK_SECRET_*',
        'STRIPE_WEBHOOK_SECRET_ENVS: entry 3 is not a variable named STRIPE_WEBHOOK_SECRET_*',
        'STRIPE_WEBHOOK_SECRET_AU (listed in STRIPE_WEBHOOK_SECRET_ENVS) is not set',
        'STRIPE_WEBHOOK_TOLERANCE_SECONDS must be between 10 and 3600, got 0',
      ]);
      expect(problems.join('\n')).not.toContain(pasted);
    });

    it('lets a route name a configured secret as webhookSecretEnv, and refuses one that is not', () => {
      const { config } = read({
        STRIPE_SECRET_KEY: DEFAULT_KEY,
        STRIPE_WEBHOOK_SECRET_ENVS: 'STRIPE_WEBHOOK_SECRET_AU',
        STRIPE_WEBHOOK_SECRET_AU: WEBHOOK_AU,
      });
      if (!config) throw new Error('expected a config');
      const provider = stripeAdapter.create(config);
      const route = (webhookSecretEnv: string) => ({
        id: 'stripe-au',
        adapter: 'stripe',
        options: { webhookSecretEnv },
      });
      expect(() => provider.validateRouteOptions(route('STRIPE_WEBHOOK_SECRET_AU'))).not.toThrow();
      let message = '';
      try {
        provider.validateRouteOptions(route('STRIPE_WEBHOOK_SECRET_NZ'));
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(
        /stripe-au.*webhookSecretEnv.*STRIPE_WEBHOOK_SECRET_NZ.*configured: STRIPE_WEBHOOK_SECRET_AU/,
      );
      expect(message).not.toContain(WEBHOOK_AU);
    });
  });

  describe('with the provider', () => {
    it('validateRouteOptions accepts a listed secretKeyEnv and refuses one that was not listed', () => {
      const { config } = read({
        STRIPE_SECRET_KEY_ENVS: 'STRIPE_SECRET_KEY_AU',
        STRIPE_SECRET_KEY_AU: KEY_AU,
        STRIPE_SECRET_KEY_US: KEY_US, // set, but not listed: not a configured key
      });
      if (!config) throw new Error('expected a config');
      const provider = stripeAdapter.create(config);
      const route = (secretKeyEnv: string) => ({
        id: 'stripe-x',
        adapter: 'stripe',
        options: { secretKeyEnv },
      });
      expect(() => provider.validateRouteOptions(route('STRIPE_SECRET_KEY_AU'))).not.toThrow();
      expect(() => provider.validateRouteOptions(route('STRIPE_SECRET_KEY_US'))).toThrow(
        /stripe-x.*STRIPE_SECRET_KEY_US.*configured: STRIPE_SECRET_KEY_AU/,
      );
      // No default key: a route must name one.
      expect(() => provider.validateRouteOptions({ id: 'stripe-y', adapter: 'stripe', options: {} })).toThrow(
        /stripe-y.*secretKeyEnv.*required/,
      );
    });
  });
});
