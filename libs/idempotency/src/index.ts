export * from './fingerprint';
export * from './idempotency-key';
export * from './idempotency.store';
export * from './redis-idempotency.store';
