import type { EnvReader } from '@app/common';
import type { AdapterDefinition } from '../adapter-definition';
import { TRANSACTION_INTENTS } from '../route-options';
import { ENV_VAR_NAME_PATTERN, parseStripeApiBase } from './stripe.mapper';
import { StripeAdapterConfig, StripeProvider } from './stripe.provider';

/** The default key's variable; also a name routes may give as `secretKeyEnv`. */
export const STRIPE_DEFAULT_KEY_ENV = 'STRIPE_SECRET_KEY';
/** Comma-separated names of the variables holding per-account keys (each `STRIPE_SECRET_KEY_*`). */
export const STRIPE_KEY_LIST_ENV = 'STRIPE_SECRET_KEY_ENVS';
/** What a variable named in STRIPE_SECRET_KEY_ENVS may be called. */
const ACCOUNT_KEY_ENV_PATTERN = /^STRIPE_SECRET_KEY(_[A-Z0-9_]+)?$/;
/** Secret (`sk_`) and restricted (`rk_`) keys; publishable keys (`pk_`) cannot create sessions. */
const SECRET_KEY_PATTERN = /^(sk|rk)_/;
const KEY_SHAPE = 'must hold a Stripe secret key (sk_…) or restricted key (rk_…)';

/**
 * Stripe's settings:
 * - STRIPE_API_BASE: optional, e.g. `http://127.0.0.1:4010` for the local sandbox;
 * - STRIPE_SECRET_KEY: optional default key, for routes without `secretKeyEnv`;
 * - STRIPE_SECRET_KEY_ENVS: optional comma-separated list of the variables that
 *   hold per-account keys (e.g. `STRIPE_SECRET_KEY_AU,STRIPE_SECRET_KEY_US`),
 *   which routes name with `secretKeyEnv`. The EnvReader reads by name only,
 *   hence the list. Names must look like `STRIPE_SECRET_KEY_*`, so that a
 *   catalog entry can never make the adapter send another secret as a key.
 *
 * - STRIPE_TRANSACTION_INTENT: `authorize` (default: captured later through the API)
 *   or `capture`, for routes whose options set no `intent`.
 *
 * The adapter is configured when STRIPE_SECRET_KEY or STRIPE_SECRET_KEY_ENVS is
 * set. Problems name variables, never their values.
 */
export const stripeAdapter: AdapterDefinition<StripeAdapterConfig> = {
  kind: 'stripe',
  readConfig(env: EnvReader): StripeAdapterConfig | null {
    const defaultKey = env.string(STRIPE_DEFAULT_KEY_ENV);
    const list = env.string(STRIPE_KEY_LIST_ENV);
    if (defaultKey === undefined && list === undefined) return null;

    const secretKeys: Record<string, string> = {};
    let defaultSecretKey: string | undefined;
    if (defaultKey !== undefined) {
      if (SECRET_KEY_PATTERN.test(defaultKey)) {
        defaultSecretKey = defaultKey;
        secretKeys[STRIPE_DEFAULT_KEY_ENV] = defaultKey;
      } else {
        env.problem(`${STRIPE_DEFAULT_KEY_ENV} ${KEY_SHAPE}`);
      }
    }

    const names = (list ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== '');
    if (list !== undefined && names.length === 0) {
      env.problem(`${STRIPE_KEY_LIST_ENV} must list at least one variable name`);
    }
    const seen = new Set<string>();
    names.forEach((name, index) => {
      if (!ACCOUNT_KEY_ENV_PATTERN.test(name)) {
        // Echo only what looks like a variable name: a key pasted into the list must not be printed.
        const shown = ENV_VAR_NAME_PATTERN.test(name) ? `"${name}"` : `entry ${index + 1}`;
        env.problem(`${STRIPE_KEY_LIST_ENV}: ${shown} is not a variable named STRIPE_SECRET_KEY_*`);
        return;
      }
      if (seen.has(name)) return;
      seen.add(name);
      if (name === STRIPE_DEFAULT_KEY_ENV && defaultKey !== undefined) return; // read above
      const value = env.string(name);
      if (value === undefined) {
        env.problem(`${name} (listed in ${STRIPE_KEY_LIST_ENV}) is not set`);
      } else if (!SECRET_KEY_PATTERN.test(value)) {
        env.problem(`${name} ${KEY_SHAPE}`);
      } else {
        secretKeys[name] = value;
      }
    });

    const apiBase = env.string('STRIPE_API_BASE');
    if (apiBase !== undefined) {
      try {
        parseStripeApiBase(apiBase);
      } catch (error) {
        env.problem(`STRIPE_API_BASE ${(error as Error).message}`);
      }
    }
    const transactionIntent = env.oneOf('STRIPE_TRANSACTION_INTENT', TRANSACTION_INTENTS, 'authorize');
    return { apiBase, secretKeys, defaultSecretKey, transactionIntent };
  },
  create: (config) => new StripeProvider(config),
};
