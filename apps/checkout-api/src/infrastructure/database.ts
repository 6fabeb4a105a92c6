import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../../../migrations';
import { ProviderAttemptEntity } from '../sessions/persistence/provider-attempt.entity';
import { SessionEntity } from '../sessions/persistence/session.entity';

/* Arbitrary but fixed: every instance of this service takes the same lock to migrate. */
const MIGRATION_LOCK_ID = 727_001_337;

export function createDataSource(url: string, poolSize: number, acquireTimeoutMs = 2000): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities: [SessionEntity, ProviderAttemptEntity],
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    extra: {
      max: poolSize,
      // Bounds both the wait for a free pooled connection and the opening of a new one.
      connectionTimeoutMillis: acquireTimeoutMs,
      idleTimeoutMillis: 30_000,
      statement_timeout: 5000,
      query_timeout: 6000,
    },
  });
}

/** Applies pending migrations under a Postgres advisory lock, so instances starting together take turns. */
export async function runMigrationsLocked(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    try {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]);
    } finally {
      await runner.release();
    }
  }
}

export async function pingDatabase(dataSource: DataSource, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      dataSource.query('SELECT 1'),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('database ping timed out')), timeoutMs);
      }),
    ]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
