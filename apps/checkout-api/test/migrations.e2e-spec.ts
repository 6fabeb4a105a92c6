import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../../migrations';
import { MIGRATION_LOCK_ID } from '../src/infrastructure/database';
import { createFreshDatabase } from './support/fresh-database';
import { startHarness } from './support/harness';

/** Another instance in the middle of migrating: it holds the migration lock until release(). */
async function holdMigrationLock(url: string): Promise<{ release(): Promise<void> }> {
  const client = new Client({ connectionString: url });
  await client.connect();
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
  return {
    async release() {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]);
      await client.end();
    },
  };
}

describe('migrations at start', () => {
  let database: Awaited<ReturnType<typeof createFreshDatabase>>;

  beforeEach(async () => {
    database = await createFreshDatabase();
  });
  afterEach(async () => database.drop());

  it('wait for another instance to finish migrating for longer than a request statement may run', async () => {
    const lock = await holdMigrationLock(database.url);
    const released = new Promise((resolve) => setTimeout(resolve, 1500)).then(() => lock.release());

    const h = await startHarness({ env: { DATABASE_URL: database.url, DB_STATEMENT_TIMEOUT_MS: '300' } });
    try {
      await released;
      const requests = h.app.get(DataSource);
      expect(await requests.query('SHOW statement_timeout')).toEqual([{ statement_timeout: '300ms' }]);
      const applied = (await requests.query('SELECT name FROM typeorm_migrations ORDER BY id')) as unknown[];
      expect(applied).toEqual(MIGRATIONS.map((migration) => ({ name: migration.name })));
    } finally {
      await h.close();
    }
  });

  it('stop the start with a clear error when the lock stays taken past DB_MIGRATION_LOCK_TIMEOUT_MS', async () => {
    const lock = await holdMigrationLock(database.url);
    try {
      // No provider is called before start fails: a sandbox that is not there keeps nothing running.
      const env = { DATABASE_URL: database.url, DB_MIGRATION_LOCK_TIMEOUT_MS: '1000' };
      await expect(startHarness({ env, sandboxUrl: 'http://127.0.0.1:9' })).rejects.toThrow(
        /migration lock .*DB_MIGRATION_LOCK_TIMEOUT_MS/,
      );
    } finally {
      await lock.release();
    }
  });
});
