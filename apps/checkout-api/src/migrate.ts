import { Logger } from '@nestjs/common';
import { EnvReader } from '@app/common';
import { createDataSource, runMigrationsLocked } from './infrastructure/database';

/** `npm run migration:run`: applies pending migrations against DATABASE_URL and exits. */
async function migrate(): Promise<void> {
  const logger = new Logger('Migrate');
  const env = new EnvReader(process.env);
  const url = env.url('DATABASE_URL', ['postgres:', 'postgresql:']);
  if (!url) env.problem('DATABASE_URL is required');
  env.done();
  // Two connections: one holds the advisory lock while the migrations run on the other.
  const dataSource = createDataSource(url as string, 2);
  await dataSource.initialize();
  try {
    const applied = await runMigrationsLocked(dataSource);
    logger.log(applied.length ? `applied: ${applied.join(', ')}` : 'no pending migrations');
  } finally {
    await dataSource.destroy();
  }
}

migrate().catch((error: unknown) => {
  new Logger('Migrate').error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
