import type { ProviderRoute } from './provider.port';

/** A route's adapter options as a record, after refusing any key the adapter does not know. */
export function knownRouteOptions(
  route: ProviderRoute,
  kind: string,
  allowed: ReadonlySet<string>,
): Record<string, unknown> {
  const options: Record<string, unknown> = route.options ?? {};
  for (const key of Object.keys(options)) {
    if (!allowed.has(key)) {
      throw new Error(
        `Route "${route.id}": unknown ${kind} option "${key}" (allowed: ${[...allowed].join(', ')})`,
      );
    }
  }
  return options;
}

/** Whether a payment is only authorized at checkout (captured later through the API) or captured at once. */
export const TRANSACTION_INTENTS = ['authorize', 'capture'] as const;
export type TransactionIntent = (typeof TRANSACTION_INTENTS)[number];

/** A route's `options.intent`, when it sets one; throws an Error naming the route otherwise. */
export function intentOption(
  route: ProviderRoute,
  kind: string,
  value: unknown,
): TransactionIntent | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(TRANSACTION_INTENTS as readonly string[]).includes(value)) {
    throw new Error(
      `Route "${route.id}": ${kind} option "intent" must be one of ${TRANSACTION_INTENTS.join(', ')}`,
    );
  }
  return value as TransactionIntent;
}
