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
