import { FaultRuleError, parseFaultRules } from './faults';
import { Gr4vyKeyError, importGr4vyKey } from './gr4vy/auth';
import type { SandboxOptions } from './types';
import { checkWebhookSettings, WebhookConfigError } from './webhooks';

/**
 * Turns environment variables into SandboxOptions. Pure: the caller passes the
 * environment and a file reader (main.ts passes process.env and fs).
 *
 *   SANDBOX_PORT                    default 4010 (0 = random)
 *   SANDBOX_HOST                    default 127.0.0.1
 *   SANDBOX_GR4VY_PUBLIC_KEY        PEM text ("\n" escapes accepted)
 *   SANDBOX_GR4VY_PUBLIC_KEY_FILE   path to a PEM file (not both)
 *   SANDBOX_LATENCY_MS              default 0
 *   SANDBOX_FAULTS                  JSON array of FaultRule
 *   SANDBOX_LOG_LEVEL               fatal|error|warn|info|debug|trace|silent, default warn
 *   SANDBOX_WEBHOOK_URL             http(s) URL signed webhooks are POSTed to (with the secret)
 *   SANDBOX_WEBHOOK_SECRET          their HMAC-SHA256 key (both or neither)
 *   SANDBOX_WEBHOOK_SLIM            true|false (default false): target {type, id} only
 *   SANDBOX_WEBHOOK_TIMEOUT_MS      per delivery, default 3000
 */
export class EnvError extends Error {
  override readonly name = 'EnvError';
}

export type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const MAX_LATENCY_MS = 10 * 60 * 1000;

function value(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined) return undefined;
  const trimmed = raw.trim();
  return trimmed === '' ? undefined : trimmed;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = value(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new EnvError(`${name} must be an integer from ${min} to ${max} (got '${raw}')`);
  }
  return Number(raw);
}

function boolean(env: Env, name: string): boolean {
  const raw = value(env, name);
  if (raw === undefined) return false;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new EnvError(`${name} must be true, false, 1 or 0 (got '${raw}')`);
}

export function loadSandboxOptions(
  env: Env,
  readFile: (path: string) => string,
): Required<
  Pick<
    SandboxOptions,
    'port' | 'host' | 'latencyMs' | 'faults' | 'logLevel' | 'webhookSlim' | 'webhookTimeoutMs'
  >
> &
  Pick<SandboxOptions, 'gr4vyPublicKeyPem' | 'webhookUrl' | 'webhookSecret'> {
  const port = integer(env, 'SANDBOX_PORT', 4010, 0, 65535);
  const host = value(env, 'SANDBOX_HOST') ?? '127.0.0.1';
  const latencyMs = integer(env, 'SANDBOX_LATENCY_MS', 0, 0, MAX_LATENCY_MS);

  const logLevel = value(env, 'SANDBOX_LOG_LEVEL') ?? 'warn';
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new EnvError(`SANDBOX_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got '${logLevel}')`);
  }

  const inlineKey = value(env, 'SANDBOX_GR4VY_PUBLIC_KEY');
  const keyFile = value(env, 'SANDBOX_GR4VY_PUBLIC_KEY_FILE');
  if (inlineKey !== undefined && keyFile !== undefined) {
    throw new EnvError('set only one of SANDBOX_GR4VY_PUBLIC_KEY and SANDBOX_GR4VY_PUBLIC_KEY_FILE');
  }
  let gr4vyPublicKeyPem: string | undefined;
  let keyVariable = 'SANDBOX_GR4VY_PUBLIC_KEY';
  if (inlineKey !== undefined) {
    gr4vyPublicKeyPem = inlineKey.replace(/\\n/g, '\n');
  } else if (keyFile !== undefined) {
    keyVariable = 'SANDBOX_GR4VY_PUBLIC_KEY_FILE';
    try {
      gr4vyPublicKeyPem = readFile(keyFile);
    } catch (err) {
      throw new EnvError(
        `SANDBOX_GR4VY_PUBLIC_KEY_FILE: cannot read '${keyFile}' (${err instanceof Error ? err.message : String(err)})`,
      );
    }
  }
  if (gr4vyPublicKeyPem !== undefined) {
    try {
      importGr4vyKey(gr4vyPublicKeyPem);
    } catch (err) {
      if (err instanceof Gr4vyKeyError) throw new EnvError(`${keyVariable}: ${err.message}`);
      throw err;
    }
  }

  let faults: SandboxOptions['faults'] = [];
  const rawFaults = value(env, 'SANDBOX_FAULTS');
  if (rawFaults !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawFaults);
    } catch (err) {
      throw new EnvError(
        `SANDBOX_FAULTS is not valid JSON (${err instanceof Error ? err.message : String(err)})`,
      );
    }
    if (!Array.isArray(parsed)) throw new EnvError('SANDBOX_FAULTS must be a JSON array of fault rules');
    try {
      faults = parseFaultRules(parsed, 'SANDBOX_FAULTS');
    } catch (err) {
      if (err instanceof FaultRuleError) throw new EnvError(err.message);
      throw err;
    }
  }

  const webhookSlim = boolean(env, 'SANDBOX_WEBHOOK_SLIM');
  const webhookTimeoutMs = integer(env, 'SANDBOX_WEBHOOK_TIMEOUT_MS', 3000, 1, 60_000);
  let webhook;
  try {
    // The secret is used as given (not trimmed): it must match the receiver's byte for byte.
    const secret = env.SANDBOX_WEBHOOK_SECRET === '' ? undefined : env.SANDBOX_WEBHOOK_SECRET;
    webhook = checkWebhookSettings(value(env, 'SANDBOX_WEBHOOK_URL'), secret, webhookSlim, {
      url: 'SANDBOX_WEBHOOK_URL',
      secret: 'SANDBOX_WEBHOOK_SECRET',
      slim: 'SANDBOX_WEBHOOK_SLIM',
    });
  } catch (err) {
    if (err instanceof WebhookConfigError) throw new EnvError(err.message);
    throw err;
  }

  return {
    port,
    host,
    latencyMs,
    faults,
    logLevel,
    gr4vyPublicKeyPem,
    webhookUrl: webhook?.url,
    webhookSecret: webhook?.secret,
    webhookSlim,
    webhookTimeoutMs,
  };
}
