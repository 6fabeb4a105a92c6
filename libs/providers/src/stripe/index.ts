export { StripeProvider, STRIPE_API_VERSION } from './stripe.provider';
export type { StripeAdapterConfig, StripeProviderDeps } from './stripe.provider';
export {
  stripeAdapter,
  STRIPE_DEFAULT_KEY_ENV,
  STRIPE_DEFAULT_WEBHOOK_SECRET_ENV,
  STRIPE_KEY_LIST_ENV,
  STRIPE_WEBHOOK_SECRET_LIST_ENV,
} from './stripe.definition';
export {
  classifyStripeFailure,
  parseStripeApiBase,
  parseStripeRouteOptions,
  STRIPE_CHECKOUT_LOCALES,
  STRIPE_REDIRECT_URLS_REQUIRED,
  STRIPE_THREE_DECIMAL_CURRENCIES,
  toStripeExpiresAt,
  toStripeLineItems,
  toStripeLocale,
  toStripeMetadata,
  toStripeSessionParams,
  toStripeUnitAmount,
  withSessionIdParam,
} from './stripe.mapper';
export type {
  StripeApiEndpoint,
  StripeFailureContext,
  StripeLocale,
  StripeRouteOptions,
} from './stripe.mapper';
export { GuardedStripeHttpClient, StripeUnexpectedBodyError } from './stripe.http-client';
export {
  STRIPE_SESSION_EVENTS,
  stripeEventSubject,
  stripePaymentStatus,
  stripeSessionStatus,
  verifyStripeWebhook,
} from './stripe.sessions';
export type { StripeSessionLike } from './stripe.sessions';
