/** A route: one way to take a payment, an adapter plus its settings. */
export interface RouteDefinition {
  id: string;
  adapter: string;
  enabled: boolean;
  paymentMethods: string[];
  currencies: string[];
  /** Buyer billing countries (ISO 3166-1 alpha-2); absent means any. */
  countries?: string[];
  /** Per-currency amount limits, in minor units. */
  limits?: Record<string, { minMinor?: number; maxMinor?: number }>;
  /** Fee model: a percentage of the amount plus a fixed fee per currency (minor units). */
  fees?: { percent?: number; fixedMinor?: Record<string, number> };
  /** 0..100, higher is preferred; 50 when absent. */
  priority?: number;
  options: Record<string, unknown>;
}

export interface ProviderCatalog {
  routes: RouteDefinition[];
}
