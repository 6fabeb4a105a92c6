import './instrument';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConfigError } from '@app/common';
import { ADAPTER_DEFINITIONS } from '@app/providers';
import { createApp } from './app.factory';
import { AppConfig, loadAppConfig } from './config/app-config';
import { ShutdownState } from './observability/shutdown.state';

const logger = new Logger('Bootstrap');

function loadConfigOrExit(): AppConfig {
  try {
    return loadAppConfig(process.env, ADAPTER_DEFINITIONS);
  } catch (error) {
    if (error instanceof ConfigError) {
      logger.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

/**
 * SIGTERM: readiness turns 503 at once and every response from then on carries
 * `Connection: close`. The listener keeps serving for SHUTDOWN_DELAY_MS, long enough
 * for the load balancer to stop sending; then it closes: new connections are refused,
 * idle keep-alive connections are closed, and each in-flight request closes its
 * connection once answered. When the last one is, Postgres and Redis close and the
 * process exits 0; requests still running after SHUTDOWN_DRAIN_MS make it exit 1.
 */
function drainOnSignal(app: NestFastifyApplication, config: AppConfig): void {
  const { shutdownDelayMs: delayMs, shutdownDrainMs: drainMs } = config;
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    app.get(ShutdownState).begin();
    logger.log({ msg: 'draining', signal, delayMs, drainMs });
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    const force = setTimeout(() => {
      logger.error({ msg: 'drain time exceeded; exiting with requests still in flight' });
      process.exit(1);
    }, drainMs);
    force.unref();
    try {
      await app.close();
      clearTimeout(force);
      process.exit(0);
    } catch (error) {
      logger.error({ msg: 'shutdown failed', error: String(error) });
      process.exit(1);
    }
  };
  process.once('SIGTERM', (signal) => void stop(signal));
  process.once('SIGINT', (signal) => void stop(signal));
}

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit();
  const app = await createApp(config);
  drainOnSignal(app, config);
  await app.listen({ port: config.port, host: config.host });
  logger.log(`checkout-api listening on http://${config.host}:${config.port}`);
}

bootstrap().catch((error: unknown) => {
  logger.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
