import type { AdapterDefinition } from './adapter-definition';
import { gr4vyAdapter } from './gr4vy/gr4vy.definition';
import { stripeAdapter } from './stripe/stripe.definition';

/** Every adapter kind this build knows. The app iterates this list and never names a provider. */
export const ADAPTER_DEFINITIONS: readonly AdapterDefinition[] = [
  gr4vyAdapter as AdapterDefinition,
  stripeAdapter as AdapterDefinition,
];
