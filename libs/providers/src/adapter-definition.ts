import type { EnvReader } from '@app/common';
import type { PaymentProvider } from './provider.port';

/**
 * How the app learns about an adapter without knowing it: the adapter reads its
 * own settings (through the shared, validating EnvReader: config is still read
 * once, at start) and builds itself. `readConfig` returns null when the adapter
 * is not configured at all.
 */
export interface AdapterDefinition<C = unknown> {
  kind: string;
  readConfig(env: EnvReader): C | null;
  create(config: C): PaymentProvider;
}

export interface ConfiguredAdapter {
  definition: AdapterDefinition;
  config: unknown;
}
