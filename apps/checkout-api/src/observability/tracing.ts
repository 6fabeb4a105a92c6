import type { TracingConfig } from '../config/app-config';

let running: { shutdown(): Promise<void> } | undefined;

/**
 * Starts tracing when it is configured. With tracing off nothing of the SDK is loaded or registered:
 * its modules and instrumentations (about 12 MB of RSS, measured in bench/) are required here, only
 * when tracing is on, and synchronously, because they must patch http, pg, ioredis and Nest before
 * main.ts loads those.
 */
export function startTracing(config: TracingConfig): void {
  if (!config.enabled || running) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a conditional, synchronous load (above)
  const sdk = require('./tracing-sdk') as typeof import('./tracing-sdk');
  running = sdk.startTracingSdk(config);
}

/** Exports the spans still buffered; called once the app has closed. */
export async function shutdownTracing(): Promise<void> {
  const current = running;
  running = undefined;
  await current?.shutdown();
}
