import { Logger } from '@nestjs/common';
import { EnvReader } from '@app/common';
import { runMigrationsLocked } from './infrastructure/database';

/** `npm run migration:run`: applies pending migrations against DATABASE_URL and exits. */
async function migrate(): Promise<void> {
  const logger = new Logger('Migrate');
  const env = new EnvReader(process.env);
  const url = env.url('DATABASE_URL', ['postgres:', 'postgresql:']);
  if (!url) env.problem('DATABASE_URL is required');
  // The same variable, default and bounds as the service's start (config/app-config.ts).
  const lockTimeoutMs = env.int('DB_MIGRATION_LOCK_TIMEOUT_MS', 300_000, 1000, 3_600_000);
  env.done();
  const applied = await runMigrationsLocked(url as string, lockTimeoutMs);
  logger.log(applied.length ? `applied: ${applied.join(', ')}` : 'no pending migrations');
}

migrate().catch((error: unknown) => {
  new Logger('Migrate').error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
