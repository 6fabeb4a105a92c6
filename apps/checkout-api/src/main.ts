import { Logger } from '@nestjs/common';
import { ConfigError } from '@app/common';
import { ADAPTER_DEFINITIONS } from '@app/providers';
import { createApp } from './app.factory';
import { loadAppConfig } from './config/app-config';

async function bootstrap(): Promise<void> {
  const logger = new Logger('Bootstrap');
  let config;
  try {
    config = loadAppConfig(process.env, ADAPTER_DEFINITIONS);
  } catch (error) {
    if (error instanceof ConfigError) {
      logger.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const app = await createApp(config);
  await app.listen({ port: config.port, host: config.host });
  logger.log(`checkout-api listening on http://${config.host}:${config.port}`);
}

bootstrap().catch((error: unknown) => {
  new Logger('Bootstrap').error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
