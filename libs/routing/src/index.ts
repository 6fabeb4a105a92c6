export * from './catalog';
export * from './route-scoring';
export * from './catalog-parser';
export * from './circuit-breaker';
export * from './route-health.port';
export * from './redis-route-health.store';
