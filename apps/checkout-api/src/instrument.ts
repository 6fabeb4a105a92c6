/*
 * main.ts imports this first: the instrumentations patch http, pg, ioredis and Nest
 * as those modules load, so the SDK must be registered before any of them is.
 */
import { ConfigError, EnvReader } from '@app/common';
import { readTracingConfig, TracingConfig } from './config/app-config';
import { startTracing } from './observability/tracing';

function tracingConfig(): TracingConfig | null {
  const reader = new EnvReader(process.env);
  const config = readTracingConfig(reader);
  try {
    reader.done();
    return config;
  } catch (error) {
    // loadAppConfig names the bad variable and stops the service a moment later.
    if (error instanceof ConfigError) return null;
    throw error;
  }
}

const config = tracingConfig();
if (config) startTracing(config);
