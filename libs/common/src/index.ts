export * from './config/env-reader';
export * from './errors/domain-error';
export * from './errors/error-catalog';
export * from './http/error-response';
export * from './http/error-envelope.filter';
export * from './validation/validate-body';
export * from './validation/uuid';
export * from './tracing/span';
