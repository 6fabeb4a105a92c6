import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseCatalog, ProviderCatalog } from '@app/routing';
import { ProviderRegistry } from '../providers/provider-registry';

/** Loads the catalog at PROVIDERS_CONFIG and checks every route against its adapter, at start. */
export function loadRouteCatalog(path: string, registry: ProviderRegistry): ProviderCatalog {
  const absolute = resolve(path);
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(absolute, 'utf8'));
  } catch (error) {
    throw new Error(
      `PROVIDERS_CONFIG: cannot read ${absolute}: ${error instanceof Error ? error.message : error}`,
    );
  }
  const catalog = parseCatalog(document);
  for (const route of catalog.routes) {
    const adapter = registry.find(route.adapter);
    if (!adapter) {
      if (route.enabled) {
        throw new Error(
          `PROVIDERS_CONFIG: route "${route.id}" uses adapter "${route.adapter}", which is not configured (available: ${registry.kinds().join(', ') || 'none'})`,
        );
      }
      continue;
    }
    const missing = registry.missingFlows(route.adapter);
    if (missing.length > 0 && route.enabled) {
      throw new Error(
        `PROVIDERS_CONFIG: route "${route.id}" needs the ${missing.join(', ')} flow(s), which adapter "${route.adapter}" does not implement`,
      );
    }
    adapter.validateRouteOptions({ id: route.id, adapter: route.adapter, options: route.options });
  }
  return catalog;
}

/** DI token of the loaded catalog. */
export const ROUTE_CATALOG = Symbol('ROUTE_CATALOG');
