export * from './address-rules';
export * from './retry-schedule';
export * from './secret-box';
export * from './signature';
export * from './webhook-post';
export * from './webhook-url';
