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
/** The default webhook signing secret's variable; also a name routes may give as `webhookSecretEnv`. */
export const STRIPE_DEFAULT_WEBHOOK_SECRET_ENV = 'STRIPE_WEBHOOK_SECRET';
/** Comma-separated names of the variables holding per-account webhook secrets (each `STRIPE_WEBHOOK_SECRET_*`). */
export const STRIPE_WEBHOOK_SECRET_LIST_ENV = 'STRIPE_WEBHOOK_SECRET_ENVS';
const ACCOUNT_WEBHOOK_SECRET_ENV_PATTERN = /^STRIPE_WEBHOOK_SECRET(_[A-Z0-9_]+)?$/;
/** Stripe's endpoint signing secrets all start `whsec_`: anything else is a pasted key or a typo. */
const WEBHOOK_SECRET_PATTERN = /^whsec_\S{8,}$/;
const WEBHOOK_SECRET_SHAPE = 'must hold a Stripe webhook signing secret (whsec_…)';
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
 * - STRIPE_WEBHOOK_SECRET: optional signing secret of the webhook endpoint
 *   (`POST /webhooks/stripe`); STRIPE_WEBHOOK_SECRET_ENVS: optional list of the
 *   variables holding other accounts' secrets (each `STRIPE_WEBHOOK_SECRET_*`),
 *   which routes name with `webhookSecretEnv`. An event is accepted when any of
 *   them verifies it; with none, every event is refused;
 * - STRIPE_WEBHOOK_TOLERANCE_SECONDS: how old a signed event may be (default 300);
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

    for (const name of listedNames(
      env,
      STRIPE_KEY_LIST_ENV,
      list,
      ACCOUNT_KEY_ENV_PATTERN,
      'STRIPE_SECRET_KEY_*',
    )) {
      if (name === STRIPE_DEFAULT_KEY_ENV && defaultKey !== undefined) continue; // read above
      const value = env.string(name);
      if (value === undefined) {
        env.problem(`${name} (listed in ${STRIPE_KEY_LIST_ENV}) is not set`);
      } else if (!SECRET_KEY_PATTERN.test(value)) {
        env.problem(`${name} ${KEY_SHAPE}`);
      } else {
        secretKeys[name] = value;
      }
    }

    const apiBase = env.string('STRIPE_API_BASE');
    if (apiBase !== undefined) {
      try {
        parseStripeApiBase(apiBase);
      } catch (error) {
        env.problem(`STRIPE_API_BASE ${(error as Error).message}`);
      }
    }
    return {
      apiBase,
      secretKeys,
      defaultSecretKey,
      webhookSecrets: webhookSecrets(env),
      webhookToleranceSeconds: env.int('STRIPE_WEBHOOK_TOLERANCE_SECONDS', 300, 10, 3600),
      transactionIntent: env.oneOf('STRIPE_TRANSACTION_INTENT', TRANSACTION_INTENTS, 'authorize'),
    };
  },
  create: (config) => new StripeProvider(config),
};

/** Env var name → webhook signing secret, read the way the keys are: the default, then the listed ones. */
function webhookSecrets(env: EnvReader): Record<string, string> {
  const secrets: Record<string, string> = {};
  const read = (name: string, value: string | undefined) => {
    if (value === undefined) return;
    if (WEBHOOK_SECRET_PATTERN.test(value)) secrets[name] = value;
    else env.problem(`${name} ${WEBHOOK_SECRET_SHAPE}`);
  };
  read(STRIPE_DEFAULT_WEBHOOK_SECRET_ENV, env.string('STRIPE_WEBHOOK_SECRET'));
  const list = env.string('STRIPE_WEBHOOK_SECRET_ENVS');
  const names = listedNames(
    env,
    STRIPE_WEBHOOK_SECRET_LIST_ENV,
    list,
    ACCOUNT_WEBHOOK_SECRET_ENV_PATTERN,
    'STRIPE_WEBHOOK_SECRET_*',
  );
  for (const name of names) {
    if (name === STRIPE_DEFAULT_WEBHOOK_SECRET_ENV) continue; // read above
    const value = env.string(name);
    if (value === undefined) env.problem(`${name} (listed in ${STRIPE_WEBHOOK_SECRET_LIST_ENV}) is not set`);
    else read(name, value);
  }
  return secrets;
}

/**
 * The distinct names in a comma-separated list variable, each of which must match
 * `pattern` (so that a catalog entry can never make the adapter read another
 * secret). Echoes only what looks like a variable name: a secret pasted into the
 * list must not be printed.
 */
function listedNames(
  env: EnvReader,
  listEnv: string,
  list: string | undefined,
  pattern: RegExp,
  shape: string,
): string[] {
  const names = (list ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (list !== undefined && names.length === 0)
    env.problem(`${listEnv} must list at least one variable name`);
  const accepted = new Set<string>();
  names.forEach((name, index) => {
    if (pattern.test(name)) {
      accepted.add(name);
      return;
    }
    const shown = ENV_VAR_NAME_PATTERN.test(name) ? `"${name}"` : `entry ${index + 1}`;
    env.problem(`${listEnv}: ${shown} is not a variable named ${shape}`);
  });
  return [...accepted];
}
