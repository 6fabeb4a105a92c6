import { randomUUID } from 'node:crypto';
import exampleOrder from '../../../../config/example-order.json';

/** The Sessions API's documented example (config/example-order.json): 140.76 = 1 × 119 + 9.95 + 11.81 AUD. */
export function sessionBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...structuredClone(exampleOrder), orderReference: `ORD-${randomUUID()}`, ...overrides };
}

export const GR4VY_SERVICE_AU = '0b5f6c1e-6a4e-4c7c-9a57-3f1d2b8c9e01';
export const GR4VY_SERVICE_US = '5e0a3e2d-1f3b-4c55-8e2a-7d9c4b1a6f02';

export function gr4vyRoute(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    adapter: 'gr4vy',
    enabled: true,
    paymentMethods: ['card'],
    currencies: ['AUD', 'USD', 'JPY', 'KWD', 'EUR'],
    options: { paymentServiceId: GR4VY_SERVICE_AU },
    ...overrides,
  };
}
