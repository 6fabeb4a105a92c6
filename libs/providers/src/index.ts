export * from './provider.port';
export * from './adapter-definition';
export * from './adapters';
export * from './route-options';
export * from './deadline';
export * from './session-state';
