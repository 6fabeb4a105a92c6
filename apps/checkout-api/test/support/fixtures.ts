import { randomUUID } from 'node:crypto';

/** The Sessions API's documented example: 140.76 = 1 × 119 + 9.95 + 11.81 AUD. */
export function sessionBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    orderReference: `ORD-${randomUUID()}`,
    paymentMethod: 'card',
    currency: 'AUD',
    locale: 'en_AU',
    amount: { total: 140.76, shipping: 9.95, tax: 11.81 },
    orderItems: [{ name: 'Wireless Headphones', sku: 'WH-100', quantity: 1, unitPrice: 119 }],
    customer: {
      firstName: 'Jane',
      lastName: 'Smith',
      email: 'jane.smith@example.com',
      phone: '+61412345678',
      billingAddress: {
        line1: '123 Collins Street',
        line2: 'Level 5',
        city: 'Melbourne',
        state: 'VIC',
        postalCode: '3000',
        country: 'AU',
      },
      shippingAddress: {
        line1: '123 Collins Street',
        line2: 'Level 5',
        city: 'Melbourne',
        state: 'VIC',
        postalCode: '3000',
        country: 'AU',
      },
    },
    shipping: { type: 'express', method: 'aus_post' },
    additionalInformation: { campaignId: 'summer-sale-2024', referralCode: 'REF-ABC' },
    redirectUrls: {
      success: 'https://merchant.example.com/checkout/success',
      failure: 'https://merchant.example.com/checkout/failure',
    },
    ...overrides,
  };
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
