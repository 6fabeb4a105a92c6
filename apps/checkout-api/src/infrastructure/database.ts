import { DataSource, QueryFailedError, QueryRunner } from 'typeorm';
import { MIGRATIONS } from '../../../../migrations';

/** Arbitrary but fixed: every instance of this service takes the same lock to migrate. */
export const MIGRATION_LOCK_ID = 727_001_337;

export function createDataSource(
  url: string,
  poolSize: number,
  statementTimeoutMs: number,
  acquireTimeoutMs: number,
): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    // Every statement is plain SQL generated from the column maps (sessions/persistence): no entities.
    entities: [],
    synchronize: false,
    migrationsRun: false,
    logging: false,
    extra: {
      max: poolSize,
      // Bounds both the wait for a free pooled connection and the opening of a new one.
      connectionTimeoutMillis: acquireTimeoutMs,
      idleTimeoutMillis: 30_000,
      statement_timeout: statementTimeoutMs,
      // A little after the server would cancel: what this catches is a connection gone silent.
      query_timeout: statementTimeoutMs + 1000,
    },
  });
}

/**
 * Applies pending migrations under a Postgres advisory lock, so instances starting together take turns.
 * On connections of their own: a request's statement timeout would cut short both the wait for the lock
 * and a long index build. What bounds them instead is `lockTimeoutMs`, on every lock the migration waits for.
 */
export async function runMigrationsLocked(url: string, lockTimeoutMs: number): Promise<string[]> {
  const dataSource = new DataSource({
    type: 'postgres',
    url,
    entities: [],
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    // Two connections: one holds the advisory lock while the migrations run on the other.
    extra: { max: 2, connectionTimeoutMillis: 10_000, lock_timeout: lockTimeoutMs },
  });
  await dataSource.initialize();
  const runner = dataSource.createQueryRunner();
  try {
    await lockForMigration(runner, lockTimeoutMs);
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((migration) => migration.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]);
    }
  } finally {
    await runner.release();
    await dataSource.destroy();
  }
}

/* SQLSTATE lock_not_available: lock_timeout ran out. */
const LOCK_NOT_AVAILABLE = '55P03';

async function lockForMigration(runner: QueryRunner, lockTimeoutMs: number): Promise<void> {
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
  } catch (error) {
    const code = error instanceof QueryFailedError && (error.driverError as { code?: string }).code;
    if (code !== LOCK_NOT_AVAILABLE) throw error;
    throw new Error(
      `the migration lock stayed taken (another instance migrating?) for more than ${lockTimeoutMs} ms: DB_MIGRATION_LOCK_TIMEOUT_MS`,
      { cause: error },
    );
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
