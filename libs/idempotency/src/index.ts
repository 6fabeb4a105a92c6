export * from './fingerprint';
export * from './idempotency-key';
export * from './idempotency.store';
export * from './redis-idempotency.store';
export * from './idempotency-runner';
export * from './in-memory-idempotency.store';
